"""Request helpers every view uses: ids from the request parsed once (garbage gives 404, never a 500), communities
found by their slug (old slugs answer 301), and `save_with`, the one shape of a form post (valid form → service →
errors at the fields → redirect)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import redirect

from .forms import apply_service_errors
from .models import Helsefellesskap

MAX_ID = 2**63 - 1  # the largest id a BigAutoField holds


def parse_id(value: Any) -> int | None:
    """A positive database id from a request value, or None for anything else ("abc", "", "1e3", "%00", huge)."""
    if value is None:
        return None
    text = str(value).strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_or_404(value: Any) -> int:
    """Like `parse_id`, for ids the page cannot do without."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


def save_with(
    request: HttpRequest,
    form: forms.BaseForm,
    service: Callable[[dict[str, Any]], Any],
    *,
    success: str | Callable[[Any], str] = "",
    redirect_to: Any | Callable[[Any], Any] = None,
) -> HttpResponse | None:
    """Run `service(form.cleaned_data)` when the form is valid and redirect; on a ValidationError from the service,
    put its messages at the fields and return None so the view shows the form again with what the user typed.

    `success` is the message (or a function of the service's result), `redirect_to` what `redirect()` takes (or a
    function of the result); by default the result itself (a model with `get_absolute_url`)."""
    if not form.is_valid():
        return None
    try:
        result = service(form.cleaned_data)
    except ValidationError as error:
        apply_service_errors(form, error)
        return None
    text = success(result) if callable(success) else success
    if text:
        messages.success(request, text)
    target = redirect_to(result) if callable(redirect_to) else redirect_to
    return redirect(target if target is not None else result)


class MovedPermanently(Exception):
    """Raised by a view to answer 301 with `url`; `MovedPermanentlyMiddleware` turns it into the response."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


def community_by_slug_or_redirect(
    request: HttpRequest, slug: str, queryset: QuerySet[Helsefellesskap] | None = None
) -> Helsefellesskap:
    """The community with this slug (from `queryset`, every community by default). A slug the community had before
    answers 301 to the same address with today's slug; anything else is a 404. Every view that takes a community
    slug calls this, so links from before a rename keep working."""
    communities = queryset if queryset is not None else Helsefellesskap.objects.all()
    found = communities.filter(slug=slug).first()
    if found is not None:
        return found
    for community in communities.exclude(previous_slugs=[]):  # 19 rows at most
        if slug in community.previous_slugs:
            path = request.get_full_path().replace(f"/{slug}/", f"/{community.slug}/", 1)
            raise MovedPermanently(path)
    raise Http404


class MovedPermanentlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, MovedPermanently):
            return HttpResponsePermanentRedirect(exception.url)
        return None
