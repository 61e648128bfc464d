"""Two years of invented, finished cases for the demo, so the statistics and the half-year report have a history
to show. Written in bulk (a few queries, not thousands), with the same reference counter and answer facts as real
cases, and a seasonal rhythm: more after holidays and in winter, fewer in late spring."""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from samhandling.core.models import Helsefellesskap, Organisation, User
from samhandling.core.workdays import add_working_days

from ..models import CaseEvent, Category, Deviation, EventKind, Status
from .common import allocate_references, record_answer_facts, settings_for

MARKER = "demo-history"  # the external case id of every history case: how a second run knows they exist
# Relative number of deviations per month (January first): hand-overs fail more after Christmas and the summer
# holidays, when temporary staff and full wards meet, and less in late spring.
SEASON = [1.5, 1.2, 1.0, 0.9, 0.8, 0.8, 1.3, 1.4, 1.0, 1.0, 1.1, 1.3]
PER_MONTH = 9
CATEGORY_WEIGHTS = {"EPI": 5, "LM": 4, "UT": 3, "INN": 2, "VARSEL": 2, "MELD": 2, "HJM": 1, "KOM": 1, "ANN": 1}
HARM = [("none", 12), ("low", 6), ("moderate", 3), ("severe", 1), ("unknown", 2)]
ENDINGS = [(Status.CLOSED, 16), (Status.ANSWERED, 3), (Status.NOT_DEVIATION, 1), (Status.DUPLICATE, 1)]


def _at(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _pick(rng: random.Random, weighted) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


@transaction.atomic
def deviation_demo_history(
    *, community: Helsefellesskap, routes: list[tuple[User, Organisation, Organisation, User]], today: date
) -> int:
    """Create the history once (returns how many cases; 0 when it exists). `routes` are (reporter, reporter unit,
    receiver, the receiver's contact point)."""
    if Deviation.objects.filter(helsefellesskap=community, external_case_id=MARKER).exists():
        return 0
    rules = settings_for(community)
    categories = {c.code: c for c in Category.objects.filter(helsefellesskap=community)}
    rng = random.Random(20261204)  # noqa: S311 — invented data, the same every time
    first = date(today.year - 2, today.month, 1)
    planned: list[tuple[date, tuple]] = []
    month = first
    while month < date(today.year, today.month, 1) - timedelta(days=31):  # finished cases only: up to two months ago
        count = round(PER_MONTH * SEASON[month.month - 1] * rng.uniform(0.8, 1.2))
        for _ in range(count):
            day = month + timedelta(days=rng.randrange(28))
            planned.append((day, routes[rng.randrange(len(routes))]))
        month = (month + timedelta(days=32)).replace(day=1)
    planned.sort(key=lambda item: item[0])
    by_year: dict[int, int] = {}
    for day, _route in planned:
        by_year[day.year] = by_year.get(day.year, 0) + 1
    references = {year: iter(allocate_references(community, year, n)) for year, n in sorted(by_year.items())}
    cases, timeline = [], []
    for occurred, (reporter, unit, receiver, contact) in planned:
        sent = occurred + timedelta(days=rng.choice([0, 1, 1, 2, 3]))
        acknowledged = add_working_days(sent, rng.choice([0, 1, 1, 2, 3, 4, 6]))
        answered = add_working_days(acknowledged, rng.choice([3, 5, 8, 10, 14, 18, 22, 30]))
        ending = _pick(rng, ENDINGS)
        case = Deviation(
            helsefellesskap=community,
            reference=next(references[sent.year]),
            status=ending,
            reporter=reporter,
            reporter_unit=unit,
            receiver=receiver,
            handler=contact,
            occurred_on=occurred,
            description="Oppdiktet avvik i demoens historikk.",
            category=categories[_pick(rng, CATEGORY_WEIGHTS.items())],
            event_type=_pick(rng, [("incident", 6), ("near_miss", 3), ("unsafe_condition", 1)]),
            harm_physical=_pick(rng, HARM),
            harm_psychological=_pick(rng, HARM),
            patient_involved="yes",
            acknowledge_deadline=add_working_days(sent, rules.acknowledge_days),
            answer_deadline=add_working_days(sent, rules.answer_days),
            submitted_at=_at(sent, 10),
            acknowledged_at=_at(acknowledged, 11),
            external_case_id=MARKER,
        )
        case.days_to_acknowledge = max(0, (acknowledged - sent).days * 5 // 7)
        steps = [
            (Status.DRAFT, Status.SUBMITTED, case.submitted_at),
            (Status.SUBMITTED, Status.ACKNOWLEDGED, case.acknowledged_at),
        ]
        if ending in (Status.ANSWERED, Status.CLOSED):
            case.answer = "Takk for meldingen. Vi har gått gjennom rutinen med avdelingen."
            case.answered_at = _at(answered, 14)
            record_answer_facts(case)
            steps.append((Status.ACKNOWLEDGED, Status.ANSWERED, case.answered_at))
            if ending == Status.CLOSED:
                case.closed_at = _at(answered + timedelta(days=7), 9)
                steps.append((Status.ANSWERED, Status.CLOSED, case.closed_at))
        else:
            steps.append((Status.ACKNOWLEDGED, ending, case.acknowledged_at))
        cases.append(case)
        timeline.append((case, steps, reporter, contact))
    Deviation.objects.bulk_create(cases, batch_size=500)
    if any(case.pk is None for case in cases):  # databases that do not return ids from a bulk insert
        ids = dict(Deviation.objects.filter(external_case_id=MARKER).values_list("reference", "pk"))
        for case in cases:
            case.pk = ids[case.reference]
    events = [
        CaseEvent(
            deviation_id=case.pk,
            kind=EventKind.STATUS,
            actor=reporter if to == Status.SUBMITTED else contact,
            from_status=previous,
            to_status=to,
        )
        for case, steps, reporter, contact in timeline
        for previous, to, _when in steps
    ]
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    # auto_now_add stamped them now; the history happened when the steps did.
    created = list(CaseEvent.objects.filter(deviation__external_case_id=MARKER).order_by("deviation_id", "id"))
    stamps = [when for case, steps, _r, _c in sorted(timeline, key=lambda t: t[0].pk) for _p, _t, when in steps]
    for event, when in zip(created, stamps, strict=True):
        event.created_at = when
    CaseEvent.objects.bulk_update(created, ["created_at"], batch_size=1000)
    return len(cases)


@transaction.atomic
def deviation_demo_link_clauses(*, community: Helsefellesskap, links: list[tuple[int, list[str], int]]) -> int:
    """Name agreement clauses on some of the demo history's cases, so the agreement page and the statistics have
    counts per clause: `links` are (clause id, category codes, how many cases at most). Each clause must be in force
    in the community. Once: nothing changes when a history case already names a clause. Returns how many cases."""
    from samhandling.core.clauses import clauses_for

    history = Deviation.objects.filter(helsefellesskap=community, external_case_id=MARKER)
    if history.filter(clause__isnull=False).exists():
        return 0
    in_force = {ref.pk for ref in clauses_for(community)}
    if any(clause_id not in in_force for clause_id, _codes, _count in links):
        raise ValueError("Only clauses of the community's agreements in force can be named.")
    linked = 0
    for clause_id, codes, count in links:
        free = history.filter(clause__isnull=True, category__code__in=codes).order_by("-submitted_at", "pk")
        ids = list(free.values_list("pk", flat=True)[:count])
        linked += Deviation.objects.filter(pk__in=ids).update(clause_id=clause_id, updated_at=timezone.now())
    return linked
