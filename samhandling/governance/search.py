"""Search in agenda items and decisions by text, body, year, type and person.

On PostgreSQL the text goes through full-text search with the `norwegian` configuration (stemming, so "avtalene"
finds "avtale"), ranked; on SQLite a plain case-insensitive containment test on every word stands in. Both return
only what the user may see; the public archive searches public items of published meetings only."""

import operator
from functools import reduce

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from samhandling.core.models import Helsefellesskap

from .access import access_for
from .models import AgendaItem, Body, Visibility
from .selectors import PUBLISHED_STATUSES

SEARCH_CONFIG = "norwegian"
# Weighted: the number and title count most, then the decision, then the case paper.
WEIGHTED_FIELDS = [
    ("number", "A"),
    ("title", "A"),
    ("conclusion", "B"),
    ("proposed_conclusion", "B"),
    ("description", "C"),
    ("proposed_decision", "C"),
    ("background", "D"),
    ("assessment", "D"),
    ("discussion", "D"),
]
TEXT_FIELDS = [name for name, _weight in WEIGHTED_FIELDS]


def _visible(user, public_only: bool) -> QuerySet[AgendaItem]:
    access = access_for(user)
    if public_only or access.user_id is None:
        return AgendaItem.objects.filter(
            visibility=Visibility.PUBLIC,
            meeting__status__in=PUBLISHED_STATUSES,
            body__is_active=True,
        )
    return AgendaItem.objects.filter(access.visible_items_q())


def _person_q(person: str) -> Q:
    q = Q()
    for word in person.split():
        q &= (
            Q(responsibles__name__icontains=word)
            | Q(responsibles__organisation_name__icontains=word)
            | Q(responsibles__user__first_name__icontains=word)
            | Q(responsibles__user__last_name__icontains=word)
            | Q(case_officer_name__icontains=word)
            | Q(case_officer__first_name__icontains=word)
            | Q(case_officer__last_name__icontains=word)
            | Q(action_points__owner__first_name__icontains=word)
            | Q(action_points__owner__last_name__icontains=word)
        )
    return q


def _plain_text_q(text: str) -> Q:
    q = Q()
    for word in text.split():
        word_q = Q()
        for name in TEXT_FIELDS:
            word_q |= Q(**{f"{name}__icontains": word})
        q &= word_q
    return q


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search_items(
    user,
    *,
    text: str = "",
    community: Helsefellesskap | None = None,
    body: Body | None = None,
    year: int | None = None,
    kind: str | None = None,
    person: str = "",
    public_only: bool = False,
) -> QuerySet[AgendaItem]:
    """Items matching every criterion given, best match first (newest first when no text is given)."""
    items = _visible(user, public_only)
    if community is not None:
        items = items.filter(body__helsefellesskap=community)
    if body is not None:
        items = items.filter(body=body)
    if year:
        items = items.filter(Q(year=year) | Q(year__isnull=True, meeting__date__year=year))
    if kind:
        items = items.filter(kind=kind)
    if person.strip():
        # A subquery, so joining responsibles and action points never repeats an item.
        items = items.filter(pk__in=AgendaItem.objects.filter(_person_q(person.strip())).values("pk"))
    text = text.strip()
    items = items.select_related("body", "meeting")
    if not text:
        return items.order_by("-meeting__date", "-sequence", "-pk")
    if not uses_full_text():
        return items.filter(_plain_text_q(text)).order_by("-meeting__date", "-sequence", "-pk")
    vector = reduce(
        operator.add,
        [SearchVector(name, weight=weight, config=SEARCH_CONFIG) for name, weight in WEIGHTED_FIELDS],
    )
    query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
    # A case number such as 2022.13 is not a word the parser keeps whole; match it directly too.
    number_match = Q(number__iexact=text)
    return (
        items.annotate(search=vector, rank=SearchRank(vector, query))
        .filter(Q(search=query) | number_match)
        .order_by("-rank", "-meeting__date", "-pk")
    )
