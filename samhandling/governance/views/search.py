"""Search in the items a user may read, with the matching words highlighted."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe

from .. import selectors
from ..forms import SearchForm
from ..models import ItemKind
from ..search import search_items

HIGHLIGHT_CONTEXT = 90


def highlight(text: str, words: list[str], *, limit: int = 2 * HIGHLIGHT_CONTEXT) -> str:
    """An excerpt of `text` around the first word found, every found word wrapped in <mark> (escaped HTML)."""
    if not text:
        return ""
    lowered = text.lower()
    hits = [lowered.find(word.lower()) for word in words if word]
    hits = [hit for hit in hits if hit >= 0]
    start = max(min(hits) - HIGHLIGHT_CONTEXT, 0) if hits else 0
    excerpt = text[start : start + limit]
    prefix, suffix = ("… " if start else ""), (" …" if start + limit < len(text) else "")
    html = escape(excerpt)
    for word in sorted({w for w in words if w}, key=len, reverse=True):
        escaped = escape(word)
        lower_html = html.lower()
        pieces, position = [], 0
        while (found := lower_html.find(escaped.lower(), position)) >= 0:
            pieces.append(html[position:found])
            pieces.append(f"<mark>{html[found : found + len(escaped)]}</mark>")
            position = found + len(escaped)
        pieces.append(html[position:])
        html = "".join(pieces)
    return mark_safe(prefix + html + suffix)


SEARCH_FIELDS = ("conclusion", "proposed_decision", "description", "background", "assessment", "discussion")


@login_required
def search(request: HttpRequest) -> HttpResponse:
    bodies = selectors.bodies_for(request.user)
    form = SearchForm(request.GET or None, bodies=bodies)
    results, words = None, []
    if form.has_criteria:
        data = form.cleaned_data
        words = data["q"].split()
        items = search_items(
            request.user,
            text=data["q"],
            body=data["body"],
            year=data["year"],
            kind=data["kind"] or None,
            person=data["person"],
        ).select_related("body", "meeting")[:100]
        results = []
        for item in items:
            field = next(
                (name for name in SEARCH_FIELDS if any(w.lower() in getattr(item, name, "").lower() for w in words)), ""
            )
            results.append(
                {
                    "item": item,
                    "title": highlight(item.title, words, limit=400),
                    "excerpt": highlight(getattr(item, field, "") if field else item.description, words),
                    "field": item._meta.get_field(field).verbose_name if field else "",
                }
            )
    return render(
        request,
        "governance/search.html",
        {"tab": "search", "form": form, "results": results, "kinds": dict(ItemKind.choices)},
    )
