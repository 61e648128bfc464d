"""Reads for the deviation pages, already filtered by what the user may see."""

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.models import Helsefellesskap, Organisation

from .access import access_for, sees_whole_community, visible_deviations
from .models import (
    AWAITING_ACKNOWLEDGEMENT,
    EXCLUDED_FROM_STATISTICS,
    OPEN_STATUSES,
    Category,
    Deviation,
    ImportBatch,
    Status,
)

# What the lists show, and nothing more: a page of 25 cases with all the columns of five tables costs more to turn
# into objects than to read.
LIST_FIELDS = (
    "reference",
    "status",
    "submitted_at",
    "acknowledge_deadline",
    "answer_deadline",
    "harm_physical",
    "category__name_nb",
    "category__name_nn",
    "reporter_unit__name",
    "receiver__name",
)


def _base(queryset: QuerySet[Deviation]) -> QuerySet[Deviation]:
    return queryset.select_related("reporter_unit", "receiver", "category").only(*LIST_FIELDS)


def my_reports(user) -> QuerySet[Deviation]:
    return _base(visible_deviations(user).filter(reporter=user)).order_by("-updated_at")


# The inbox's sort orders: key → (label, ordering). Harm sorts the most severe first.
INBOX_ORDERS = [
    ("", _("Deadline (soonest first)")),
    ("received", _("Received (newest first)")),
    ("received_asc", _("Received (oldest first)")),
    ("harm", _("Physical harm (most severe first)")),
    ("reference", _("Reference")),
]
_HARM_RANK = Case(
    *[When(harm_physical=value, then=Value(rank)) for rank, value in enumerate(["fatal", "severe", "moderate", "low"])],
    default=Value(9),
    output_field=IntegerField(),
)
_INBOX_ORDERING = {
    "": ("answer_deadline", "submitted_at"),
    "received": ("-submitted_at", "-pk"),
    "received_asc": ("submitted_at", "pk"),
    "harm": (_HARM_RANK, "answer_deadline"),
    "reference": ("reference",),
}


def inbox(
    user,
    *,
    status: str = "",
    overdue_only: bool = False,
    query: str = "",
    category: Category | None = None,
    clause: int | None = None,
    direction: str = "",
    start: date | None = None,
    end: date | None = None,
    order: str = "",
) -> QuerySet[Deviation]:
    """Cases the user receives as contact point or handler, open ones first; `direction` is the type of the sending
    organisation (kommune, HF …), `start`/`end` the dates it was received."""
    access = access_for(user)
    cases = (
        _base(
            Deviation.objects.filter(Q(receiver__in=access.contact_units) | Q(handler=user)).exclude(
                status__in=[Status.DRAFT, Status.AWAITING_LEADER]
            )
        )
        .select_related("handler")
        .only(*LIST_FIELDS, "handler__first_name", "handler__last_name", "handler__username")
    )
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status:
        cases = cases.filter(status=status)
    if query:
        cases = cases.filter(reference__icontains=query.strip())
    if category is not None:
        cases = cases.filter(category=category)
    if clause is not None:
        cases = cases.filter(clause_id=clause)
    if direction:
        cases = cases.filter(reporter_unit__root__type=direction)
    if start:
        cases = cases.filter(submitted_at__gte=_day_start(start))
    if end:
        cases = cases.filter(submitted_at__lt=_day_start(end + timedelta(days=1)))
    if overdue_only:
        today = timezone.localdate()
        cases = cases.filter(
            Q(status__in=AWAITING_ACKNOWLEDGEMENT, acknowledge_deadline__lt=today)
            | Q(status__in=OPEN_STATUSES, answer_deadline__lt=today)
        )
    return cases.order_by(*_INBOX_ORDERING.get(order, _INBOX_ORDERING[""]))


INBOX_CACHE_SECONDS = 15 * 60


def inbox_cache_key(user, material: str) -> str:
    """A cache key for a rendering of the user's inbox: `material` says what was asked (filters, page, language);
    the key adds what the rows depend on besides: the newest change to any case (one look-up in the index on
    `updated_at`: every write to a case moves it, as the statistics cache relies on too), the units the user
    receives for, and the day (deadlines pass at midnight)."""
    newest = Deviation.objects.aggregate(newest=Max("updated_at"))["newest"]
    access = access_for(user)
    parts = [str(user.pk), str(sorted(access.contact_units)), timezone.localdate().isoformat(), str(newest), material]
    return "deviations.inbox." + hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def sent_from_my_units(user) -> QuerySet[Deviation]:
    """Cases from the units where the user is leader or contact point (leaders also see those awaiting them)."""
    access = access_for(user)
    return _base(
        Deviation.objects.filter(
            (Q(reporter_unit__in=access.leader_units) & ~Q(status=Status.DRAFT))
            | (Q(reporter_unit__in=access.contact_units) & ~Q(status__in=[Status.DRAFT, Status.AWAITING_LEADER]))
        )
    ).order_by("-submitted_at", "-created_at")


def awaiting_my_completion(user) -> QuerySet[Deviation]:
    return _base(
        Deviation.objects.filter(reporter_unit__in=access_for(user).leader_units, status=Status.AWAITING_LEADER)
    )


def receivers_for(community: Helsefellesskap) -> QuerySet[Organisation]:
    from samhandling.core.permissions import community_organisations

    return (
        community_organisations(community)
        .filter(is_active=True)
        .exclude(type="secretariat")
        .select_related("parent")
        .order_by("root__name", "name")
    )


def categories_for(community: Helsefellesskap) -> QuerySet[Category]:
    return Category.objects.filter(helsefellesskap=community, is_active=True)


# --- statistics ---------------------------------------------------------------------------------------------------


@dataclass
class Statistics:
    total: int
    by_status: list[dict]
    by_category: list[dict]
    by_clause: list[dict]  # {"clause_id": id or None, "free_text": bool, "count": n}
    by_direction: list[dict]
    by_pair: list[dict]
    by_harm: list[dict]
    by_month: list[dict]
    median_days_to_acknowledge: float | None
    median_days_to_answer: float | None
    share_answered_in_time: float | None
    share_reporters_answered: float | None


STATISTICS_CACHE_SECONDS = 15 * 60


def sent_between(start: date, end: date) -> dict:
    """Filter arguments for cases sent from `start` to `end` (local dates, inclusive). Local-midnight bounds rather
    than submitted_at__date, so the (helsefellesskap, status, submitted_at) index serves."""
    first = timezone.make_aware(datetime.combine(start, time.min))
    after = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return {"submitted_at__gte": first, "submitted_at__lt": after}


def statistics_cases(community: Helsefellesskap, start: date, end: date, user=None) -> QuerySet[Deviation]:
    """The cases counted in statistics; with `user`, only those in the user's scope (see sees_whole_community)."""
    cases = Deviation.objects.filter(helsefellesskap=community, **sent_between(start, end)).exclude(
        status__in=EXCLUDED_FROM_STATISTICS
    )
    if user is not None and not sees_whole_community(user, community):
        cases = cases.filter(access_for(user).visible_cases())
    return cases


def _median_of(histogram: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}, the same as taking the middle of the sorted list."""
    total = sum(histogram.values())
    if not total:
        return None
    wanted, found, seen = {(total - 1) // 2, total // 2}, [], 0
    for value in sorted(histogram):
        count = histogram[value]
        found.extend(value for position in wanted if seen <= position < seen + count)
        seen += count
    return sum(found) / len(found)


def _ranked(counts: dict[tuple, int], keys: tuple[str, ...]) -> list[dict]:
    rows = [dict(zip(keys, key, strict=True), count=count) for key, count in counts.items() if count]
    return sorted(rows, key=lambda row: (-row["count"], *[str(row[k]) for k in keys]))


def _compute_statistics(community: Helsefellesskap, cases: QuerySet[Deviation]) -> Statistics:
    """One grouped scan for every breakdown, plus two small histograms for the medians."""
    groups = (
        cases.annotate(month=TruncMonth("submitted_at", tzinfo=timezone.get_current_timezone()))
        .annotate(free_text=Case(When(agreement_clause="", then=Value(False)), default=Value(True)))
        .values(
            "status",
            "category_id",
            "harm_physical",
            "reporter_unit__root_id",
            "receiver__root_id",
            "month",
            "clause_id",
            "free_text",
        )
        .annotate(
            count=Count("id"), answered=Count("answered_at"), in_time=Count("id", filter=Q(answered_in_time=True))
        )
        .order_by()
    )
    categories = {c.pk: c for c in Category.objects.filter(helsefellesskap=community)}
    organisations = {}
    tallies: dict[str, dict[tuple, int]] = {
        name: {} for name in ("status", "category", "clause", "direction", "pair", "harm", "month")
    }
    total = answered = in_time = 0

    def add(name: str, key: tuple, count: int) -> None:
        tallies[name][key] = tallies[name].get(key, 0) + count

    rows = list(groups)
    organisation_ids = {r["reporter_unit__root_id"] for r in rows} | {r["receiver__root_id"] for r in rows}
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=organisation_ids).only("name", "type")}
    for row in rows:
        count = row["count"]
        total += count
        answered += row["answered"]
        in_time += row["in_time"]
        category = categories[row["category_id"]]
        sender, receiver = organisations[row["reporter_unit__root_id"]], organisations[row["receiver__root_id"]]
        add("status", (row["status"],), count)
        add("category", (category.code, category.name_nb, category.name_nn), count)
        # A chosen clause counts for the clause; a free text only when no clause was chosen.
        add("clause", (row["clause_id"], bool(row["free_text"]) and row["clause_id"] is None), count)
        add("direction", (sender.type, receiver.type), count)
        add("pair", (sender.name, receiver.name), count)
        add("harm", (row["harm_physical"],), count)
        add("month", (row["month"].strftime("%Y-%m"),), count)

    def histogram(field: str) -> dict[int, int]:
        return dict(cases.exclude(**{f"{field}__isnull": True}).values_list(field).annotate(n=Count("id")).order_by())

    return Statistics(
        total=total,
        by_status=_ranked(tallies["status"], ("status",)),
        by_category=_ranked(tallies["category"], ("category__code", "category__name_nb", "category__name_nn")),
        by_clause=_ranked(tallies["clause"], ("clause_id", "free_text")),
        by_direction=_ranked(tallies["direction"], ("reporter_unit__root__type", "receiver__root__type")),
        by_pair=_ranked(tallies["pair"], ("reporter_unit__root__name", "receiver__root__name")),
        by_harm=_ranked(tallies["harm"], ("harm_physical",)),
        by_month=sorted(_ranked(tallies["month"], ("month",)), key=lambda row: row["month"]),
        median_days_to_acknowledge=_median_of(histogram("days_to_acknowledge")),
        median_days_to_answer=_median_of(histogram("days_to_answer")),
        share_answered_in_time=(in_time / answered) if answered else None,
        share_reporters_answered=(answered / total) if total else None,
    )


def _scope_key(user, community: Helsefellesskap) -> str:
    if user is None or sees_whole_community(user, community):
        return "all"
    access = access_for(user)
    material = f"{user.pk}|{sorted(access.leader_units)}|{sorted(access.contact_units)}"
    return hashlib.sha256(material.encode()).hexdigest()[:24]


def statistics(community: Helsefellesskap, start: date, end: date, user=None) -> Statistics:
    """De-identified counts for one community and period (in the user's scope when given); no text, no person, no
    patient.

    Results are cached per scope and period, keyed also by the newest change to any case of the community (one
    index look-up), so a cached figure is never stale: every write to a case moves `updated_at`."""
    newest = Deviation.objects.filter(helsefellesskap=community).aggregate(newest=Max("updated_at"))["newest"]
    material = "|".join(
        [str(community.pk), _scope_key(user, community), start.isoformat(), end.isoformat(), str(newest)]
    )
    key = "deviations.statistics.v2." + hashlib.sha256(material.encode()).hexdigest()[:32]
    cached = cache.get(key)
    if cached is None:
        cached = _compute_statistics(community, statistics_cases(community, start, end, user))
        cache.set(key, cached, STATISTICS_CACHE_SECONDS)
    return cached


# --- per agreement clause (the agreement page, the statistics and the reports) ---------------------------------------


FREE_TEXT, NO_CLAUSE = "free_text", "none"


def clause_counts(community: Helsefellesskap, clause_ids: list[int], since: date | None = None) -> dict[int, int]:
    """How many of the community's deviations name each clause, counted as the statistics count (sent cases, the
    excluded statuses left out); from `since` (a local date) when given. Counts only."""
    cases = Deviation.objects.filter(helsefellesskap=community, clause_id__in=clause_ids, submitted_at__isnull=False)
    cases = cases.exclude(status__in=EXCLUDED_FROM_STATISTICS)
    if since is not None:
        cases = cases.filter(submitted_at__gte=_day_start(since))
    return dict(cases.order_by().values_list("clause_id").annotate(count=Count("id")).values_list("clause_id", "count"))


@dataclass
class ClauseGroup:
    """The rows of one agreement in a per-clause table: (key, clause label) each; the key is the clause id, or
    FREE_TEXT / NO_CLAUSE for the rows of their own (agreement "")."""

    agreement: str
    rows: list[tuple]


def clause_key(row: dict):
    """The key of a `Statistics.by_clause` row: the clause id, FREE_TEXT or NO_CLAUSE."""
    if row["clause_id"] is not None:
        return row["clause_id"]
    return FREE_TEXT if row["free_text"] else NO_CLAUSE


def clause_groups(counts: list[dict[Hashable, int]]) -> list[ClauseGroup]:
    """Labels for per-clause counts (one dict {key: count} per period), grouped by agreement in the agreements'
    order: every clause that has a count in some period, then a row for a free text only, then one for neither."""
    from samhandling.core import clauses

    keys = set().union(*counts) if counts else set()
    refs = sorted(clauses.describe(k for k in keys if isinstance(k, int)).values(), key=lambda ref: ref.order)
    groups: dict[str, ClauseGroup] = {}
    for ref in refs:
        groups.setdefault(ref.agreement, ClauseGroup(ref.agreement, [])).rows.append((ref.pk, ref.label))
    rest = ClauseGroup(
        "",
        [
            (FREE_TEXT, str(_("Another clause, written as free text"))),
            (NO_CLAUSE, str(_("No clause given"))),
        ],
    )
    return [*groups.values(), rest]


# --- for the half-year and annual reports (samhandling.deviations.reports) ----------------------------------------


def statistics_supplement(community: Helsefellesskap, start: date, end: date) -> dict:
    """What the reports need beside `statistics()`: the number of cases behind each median and share (so that one
    built on few cases can be hidden), event type, psychological harm, and how many cases have a recorded measure.
    Counts only; never a text, a person or a patient."""
    cases = statistics_cases(community, start, end)
    # The same conditions `statistics()` uses for its medians and shares, so each base matches its figure.
    counts = cases.aggregate(
        acknowledged=Count("pk", filter=Q(days_to_acknowledge__isnull=False), distinct=True),
        answered=Count("pk", filter=Q(answered_at__isnull=False), distinct=True),
        answer_days_known=Count("pk", filter=Q(days_to_answer__isnull=False), distinct=True),
        with_measures=Count("pk", filter=Q(measures__isnull=False), distinct=True),
    )

    def grouped(field: str) -> dict[str, int]:
        return dict(cases.order_by().values_list(field).annotate(count=Count("id")).values_list(field, "count"))

    # Pairs of organisations with their types, so a report can check them against the counts by direction.
    pair_fields = (
        "reporter_unit__root__name",
        "receiver__root__name",
        "reporter_unit__root__type",
        "receiver__root__type",
    )
    by_pair = cases.order_by().values_list(*pair_fields).annotate(count=Count("id"))
    return {
        **counts,
        "by_event_type": grouped("event_type"),
        "by_harm_psychological": grouped("harm_psychological"),
        "by_pair_with_types": {tuple(row[:4]): row[4] for row in by_pair},
    }


def report_categories(community: Helsefellesskap) -> QuerySet[Category]:
    """Every category of the community, inactive ones too (a report may count cases filed under an old one)."""
    return Category.objects.filter(helsefellesskap=community).order_by("order", "code")


def deadlines_for(community: Helsefellesskap) -> tuple[int, int]:
    """The community's deadlines in working days (acknowledge, answer); the defaults when none are set yet."""
    from .models import DeviationSettings

    found = DeviationSettings.objects.filter(helsefellesskap=community).first() or DeviationSettings()
    return found.acknowledge_days, found.answer_days


def first_report_year(community: Helsefellesskap) -> int | None:
    """The year of the community's first sent deviation (imported ones included), for the report page's years."""
    first = (
        Deviation.objects.filter(helsefellesskap=community, submitted_at__isnull=False)
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)
        .first()
    )
    return timezone.localtime(first).year if first else None


def import_batches(community: Helsefellesskap):
    """The community's earlier imports, newest first (for the import page)."""
    return ImportBatch.objects.filter(helsefellesskap=community).select_related("imported_by")[:20]
