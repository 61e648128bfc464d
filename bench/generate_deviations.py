#!/usr/bin/env python
"""Synthetic samhandlingsavvik for load benchmarks: N invented cases in Helsefellesskap Vestfold, written with
bulk_create in batches (no services, no audit events, no e-mail), so that 200 000 cases take a minute or two.

Needs a database that has the reference data and the demo (`manage.py demo`), and refuses any database whose name
does not contain "bench" unless --any-database is given. The same seed gives the same cases, counted back from now (so
runs at different hours differ in a few statuses, which depend on a case's age). Used by
bench/load_deviations.py; on its own:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samhandling_bench DJANGO_SETTINGS_MODULE=samhandling.settings \\
        SAMHANDLING_INSECURE_DEV_KEY=1 .venv/bin/python bench/generate_deviations.py --count 10000

What the cases look like (all invented; texts are a few stock sentences, patient identities are encrypted
made-up numbers that cannot be real national identity numbers):

- submitted over the last two years, mostly on working days and in working hours; the reference numbers
  VES-YYYY-NNNNN follow the submission order and the ReferenceCounter of each year is moved past them;
- 60 % from a municipality (weighted by population; half from the municipality itself, half from its demo units)
  to the hospital, 28 % from the hospital to a municipality, 9 % from the demo GP office to the hospital and 3 % the
  other way. On the hospital side 40 % concern the trust itself and 60 % one of its demo units, so the demo
  contact point per (Medisinsk klinikk with its ward) receives about a quarter of all cases;
- reporter kari (municipalities), lars (GP office) or hilde (hospital); handler per or turid where they are the
  receiver's contact point;
- the status depends on the age: most older cases are closed or answered, a share stays open (and is overdue),
  recent ones are mostly open. Acknowledgement and answer times, deadlines (from the community's settings) and the
  statistics facts (days_to_acknowledge, days_to_answer, answered_in_time) agree with each other the way the
  services would have set them;
- the history (CaseEvent) of each case: one status event per step, plus an assignment, a question and answer
  where the status says so. With --events sample only the sample case gets a history.

The sample case (printed in the summary) is the newest case under review received by per's clinic, the kind of
case a contact point opens from the inbox; it also gets a note, a measure and an addendum, so that its page shows
a realistic history.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
COMMUNITY = "VES"
DEFAULT_SEED = 20261123
BATCH_SIZE = 5000

# Rough population in thousands, as weights for which municipality a case comes from or goes to.
MUNICIPALITY_WEIGHTS = {"3907": 65, "3905": 58, "3909": 48, "3901": 27, "3911": 27, "3903": 25}
# (from side, to side) → share of the cases.
DIRECTIONS = [
    (("municipality", "hospital"), 60),
    (("hospital", "municipality"), 28),
    (("gp", "hospital"), 9),
    (("hospital", "gp"), 3),
]
REPORTER_BY_SIDE = {"municipality": "kari", "gp": "lars", "hospital": "hilde"}

# Status by the age of the case in days: (age below, [(status, weight), ...]). The last bucket takes the rest.
STATUS_BY_AGE = [
    (
        7,
        [("submitted", 35), ("acknowledged", 25), ("under_review", 20), ("needs_info", 5), ("answered", 10),
         ("closed", 3), ("withdrawn", 1), ("redirected", 1)],
    ),
    (
        30,
        [("submitted", 5), ("acknowledged", 15), ("under_review", 25), ("needs_info", 5), ("updated", 5),
         ("answered", 27), ("closed", 14), ("not_deviation", 2), ("duplicate", 1), ("redirected", 1)],
    ),
    (
        None,
        [("closed", 62), ("answered", 20), ("under_review", 4), ("acknowledged", 3), ("needs_info", 1),
         ("updated", 1), ("reopened", 1), ("submitted", 1), ("not_deviation", 3), ("duplicate", 2),
         ("withdrawn", 1), ("redirected", 1)],
    ),
]  # fmt: skip
ACKNOWLEDGED_STATUSES = {"acknowledged", "under_review", "needs_info", "updated", "answered", "closed", "reopened"}
ANSWERED_STATUSES = {"answered", "closed", "reopened"}
# Working days from submission to acknowledgement: (days, weight); the deadline is 5 by default.
ACKNOWLEDGE_DAYS = [(0, 25), (1, 25), (2, 15), (3, 10), (4, 7), (5, 6), (7, 5), (10, 4), (15, 3)]
CATEGORY_WEIGHTS = {"INN": 12, "VARSEL": 10, "UT": 18, "EPI": 20, "LM": 16, "MELD": 8, "HJM": 6, "KOM": 6, "ANN": 4}
EVENT_TYPES = [("incident", 75), ("near_miss", 18), ("unsafe_condition", 7)]
HARM_PHYSICAL = [("none", 55), ("low", 20), ("moderate", 8), ("severe", 2), ("fatal", 0.2), ("unknown", 14.8)]
HARM_PSYCHOLOGICAL = [("none", 45), ("low", 20), ("moderate", 8), ("severe", 2), ("unknown", 25)]
PATIENT_INVOLVED = [("yes", 80), ("no", 12), ("unknown", 8)]

SENTENCES = [
    "Pasienten kom hjem uten epikrise, og hjemmesykepleien fikk ikke vite om endret medisinering før dagen etter.",
    "Legemiddellisten som fulgte pasienten inneholdt preparater som var seponert under oppholdet.",
    "Melding om utskrivningsklar pasient ble sendt sent på ettermiddagen, uten forvarsel.",
    "Henvisningen ble returnert uten begrunnelse, og pasienten fikk ikke time.",
    "Nødvendige hjelpemidler var ikke bestilt da pasienten ble skrevet ut.",
    "Pasienten ble sendt hjem med kateter uten at kommunen var informert eller hadde utstyr.",
    "PLO-meldingen manglet opplysninger om funksjonsnivå og behov for hjelp om natten.",
    "Pårørende var ikke informert om at pasienten skulle skrives ut samme dag.",
    "Innleggelsesskrivet manglet oppdatert legemiddelliste og kontaktinformasjon til fastlegen.",
    "Avtalt telefonmøte før utskrivning ble ikke gjennomført.",
    "Pasienten ankom sykehjemmet etter kl. 22 uten at vakthavende sykepleier var varslet.",
    "Det var uklart hvem som hadde ansvar for oppfølging av sårbehandling etter utskrivning.",
    "Prøvesvar som var viktige for videre behandling ble ikke formidlet til fastlegen.",
    "Pasienten hadde fått ny insulindose, men dette sto ikke i epikrisen.",
]
ANSWERS = [
    "Takk for meldingen. Vi har gjennomgått saken med avdelingen og innført en sjekkliste før utskrivning.",
    "Saken er drøftet i kvalitetsutvalget. Rutinen for epikrise ved helgeutskrivning er skjerpet.",
    "Vi beklager svikten. Avdelingen har fått ny opplæring i bruk av PLO-meldinger.",
    "Meldingen er tatt opp med de involverte, og vi følger med på om tiltaket virker.",
    "Vi har ikke funnet feil i vår håndtering, men har presisert rutinen for varsling overfor kommunen.",
]


def log(message: str) -> None:
    print(f"[generate] {message}", file=sys.stderr, flush=True)


def two_years_before(day: date) -> date:
    """The same date two years earlier (28 February for 29 February): the start of the generated window."""
    try:
        return day.replace(year=day.year - 2)
    except ValueError:
        return day.replace(year=day.year - 2, day=28)


def default_statistics_period(today: date) -> tuple[date, date]:
    """The period the statistics page shows without parameters (see deviations.views._period)."""
    start = date(today.year, 1, 1) if today.month > 6 else date(today.year - 1, 7, 1)
    return start, today


def _weighted(pairs):
    """(values, cumulative weights) for random.Random.choices."""
    values = [value for value, _ in pairs]
    cumulative, total = [], 0.0
    for _, weight in pairs:
        total += weight
        cumulative.append(total)
    return values, cumulative


@contextlib.contextmanager
def _own_timestamps(*models):
    """Let bulk_create write the created_at/updated_at values we give it instead of "now" (auto_now[_add] off)."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


class _Parties:
    """Who sends to whom in the community, read once from the demo's organisations and people."""

    def __init__(self, community):
        from samhandling.core.models import Membership, OrganisationType, Role, User
        from samhandling.core.permissions import community_organisations
        from samhandling.deviations.access import with_units

        organisations = list(community_organisations(community).filter(is_active=True))
        roots = {org.pk: org for org in organisations if org.parent_id is None}
        municipalities = {
            org.municipality_number: org for org in roots.values() if org.type == OrganisationType.KOMMUNE
        }
        missing = set(MUNICIPALITY_WEIGHTS) - set(municipalities)
        hospitals = [org for org in roots.values() if org.type == OrganisationType.HF]
        gp_offices = [org for org in roots.values() if org.type == OrganisationType.GP_OFFICE]
        if missing or len(hospitals) != 1 or not gp_offices:
            raise SystemExit("The database lacks the Vestfold reference data or the demo: run `manage.py demo` first.")

        def spread(root, weight: float) -> list[tuple[int, float]]:
            """The root gets 40-50 % of its share, its units split the rest."""
            units = [org.pk for org in organisations if org.root_id == root.pk and org.pk != root.pk]
            if not units:
                return [(root.pk, weight)]
            own = 0.4 if root.type == OrganisationType.HF else 0.5
            return [(root.pk, weight * own)] + [(unit, weight * (1 - own) / len(units)) for unit in units]

        self.sides = {
            "municipality": _weighted(
                [pair for number, w in MUNICIPALITY_WEIGHTS.items() for pair in spread(municipalities[number], w)]
            ),
            "hospital": _weighted(spread(hospitals[0], 1.0)),
            "gp": _weighted([pair for office in gp_offices for pair in spread(office, 1.0)]),
        }
        self.directions = _weighted(DIRECTIONS)
        users = {user.username: user for user in User.objects.filter(username__in=["kari", "lars", "hilde", "per"])}
        if set(users) != {"kari", "lars", "hilde", "per"}:
            raise SystemExit("The demo users are missing: run `manage.py demo` first.")
        self.reporters = {side: users[name].pk for side, name in REPORTER_BY_SIDE.items()}
        self.per = users["per"]
        # The organisations (and units) where a demo person is the deviation contact point handle what they receive.
        self.handler_of: dict[int, int] = {}
        self.handler_names: dict[int, str] = {}
        contacts = Membership.objects.filter(
            role=Role.DEVIATION_CONTACT, organisation__in=organisations, user__is_active=True
        ).select_related("user")
        for membership in contacts.order_by("user__username"):
            for unit in with_units({membership.organisation_id}):
                self.handler_of.setdefault(unit, membership.user_id)
            self.handler_names[membership.user_id] = membership.user.get_full_name() or membership.user.username
        self.per_units = with_units(
            set(
                Membership.objects.filter(user=self.per, role=Role.DEVIATION_CONTACT).values_list(
                    "organisation_id", flat=True
                )
            )
        )


def _submission_times(rng, count: int, start: datetime, end: datetime) -> list[datetime]:
    """`count` sorted moments in [start, end), mostly on weekdays between 07 and 22 local time."""
    span = (end - start).total_seconds()
    moments = []
    for _ in range(count):
        for _attempt in range(10):  # bounded: the last draw is kept whatever it is
            moment = start + timedelta(seconds=rng.random() * span)
            weekend = moment.weekday() >= 5
            night = not 7 <= moment.hour < 22
            if (weekend and rng.random() < 0.7) or (night and rng.random() < 0.85):
                continue
            break
        moments.append(moment)
    moments.sort()
    return moments


def generate(
    count: int,
    *,
    seed: int = DEFAULT_SEED,
    batch_size: int = BATCH_SIZE,
    events: str = "all",
    analyze: bool = True,
) -> dict:
    """Insert `count` synthetic deviations into Helsefellesskap Vestfold; return a summary (see the module doc)."""
    import random

    from django.db import connection, transaction
    from django.utils import timezone

    from samhandling.core import crypto
    from samhandling.core.models import Helsefellesskap
    from samhandling.core.workdays import add_working_days, working_days_between
    from samhandling.deviations import services
    from samhandling.deviations.models import (
        OPEN_STATUSES,
        CaseEvent,
        Category,
        Deviation,
        EventKind,
        Measure,
        Status,
    )
    from samhandling.deviations.selectors import statistics_cases

    started = time.monotonic()
    rng = random.Random(seed)
    community = Helsefellesskap.objects.get(code=COMMUNITY)
    rules = services.settings_for(community)  # creates the community's categories on first use
    categories = {category.code: category.pk for category in Category.objects.filter(helsefellesskap=community)}
    category_choice = _weighted([(categories[code], w) for code, w in CATEGORY_WEIGHTS.items() if code in categories])
    parties = _Parties(community)

    zone = timezone.get_current_timezone()
    now = timezone.now().astimezone(zone)
    today = now.date()
    window_start = datetime.combine(two_years_before(today), datetime.min.time(), tzinfo=zone)
    moments = _submission_times(rng, count, window_start, now)

    statuses = [(limit, _weighted(pairs)) for limit, pairs in STATUS_BY_AGE]
    acknowledge_days = _weighted(ACKNOWLEDGE_DAYS)
    event_types, harm_physical = _weighted(EVENT_TYPES), _weighted(HARM_PHYSICAL)
    harm_psychological, patient_involved = _weighted(HARM_PSYCHOLOGICAL), _weighted(PATIENT_INVOLVED)
    add_days = lru_cache(maxsize=None)(add_working_days)
    days_between = lru_cache(maxsize=None)(working_days_between)
    # A pool of encrypted made-up identities (a day of 99 is no valid national identity number).
    identities = [
        (crypto.encrypt(f"99{rng.randrange(10**9):09d}"), crypto.encrypt(f"Syntetisk Pasient {number}"))
        for number in range(200)
    ]

    def pick(choice):
        values, cumulative = choice
        return rng.choices(values, cum_weights=cumulative)[0]

    def at_work(day: date, not_before: datetime) -> datetime:
        """A moment in working hours on `day`, after `not_before` and not after now."""
        moment = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(hours=8 + rng.random() * 8)
        moment = max(moment, not_before + timedelta(minutes=5 + rng.random() * 120))
        return min(moment, now)

    def plan(submitted_at: datetime) -> tuple[Deviation, list[tuple]]:
        """One case and its history as (kind, actor id, from, to, text, when)."""
        (from_side, to_side) = pick(parties.directions)
        reporter_unit, receiver = pick(parties.sides[from_side]), pick(parties.sides[to_side])
        reporter = parties.reporters[from_side]
        submitted_on = submitted_at.date()
        age = (today - submitted_on).days
        status = next(pick(choice) for limit, choice in statuses if limit is None or age < limit)
        handler = parties.handler_of.get(receiver)
        text = " ".join(rng.sample(SENTENCES, rng.randint(2, 4)))
        involved = pick(patient_involved)
        patient = rng.choice(identities) if involved == "yes" and rng.random() < 0.7 else ("", "")
        hidden = rng.random() < 0.03
        case = Deviation(
            helsefellesskap=community,
            status=status,
            reporter_id=reporter,
            reporter_unit_id=reporter_unit,
            reporter_hidden=hidden,
            reporter_hidden_reason="Jeg ønsker ikke at navnet mitt skal vises." if hidden else "",
            receiver_id=receiver,
            occurred_on=submitted_on - timedelta(days=min(rng.randint(0, 14), rng.randint(0, 14))),
            occurred_time=None if rng.random() < 0.5 else datetime.min.time().replace(hour=rng.randint(0, 23)),
            description=text,
            category_id=pick(category_choice),
            agreement_clause=f"Tjenesteavtale {rng.randint(1, 11)}" if rng.random() < 0.5 else "",
            immediate_action="Kontaktet avdelingen på telefon." if rng.random() < 0.3 else "",
            event_type=pick(event_types),
            harm_physical=pick(harm_physical),
            harm_psychological=pick(harm_psychological),
            patient_involved=involved,
            patient_id_encrypted=patient[0],
            patient_name_encrypted=patient[1],
            acknowledge_deadline=add_days(submitted_on, rules.acknowledge_days),
            answer_deadline=add_days(submitted_on, rules.answer_days),
            submitted_at=submitted_at,
            created_at=submitted_at - timedelta(minutes=2 + rng.random() * 60),
        )
        history = [(EventKind.STATUS, reporter, Status.DRAFT, Status.SUBMITTED, "", submitted_at)]
        current, last = Status.SUBMITTED, submitted_at
        acknowledged = status in ACKNOWLEDGED_STATUSES or (
            status in ("not_deviation", "duplicate") and rng.random() < 0.5
        )
        if acknowledged:
            acknowledged_on = min(add_days(submitted_on, pick(acknowledge_days)), today)
            case.acknowledged_at = at_work(acknowledged_on, submitted_at)
            case.days_to_acknowledge = days_between(submitted_on, case.acknowledged_at.date())
            case.handler_id = handler
            history.append((EventKind.STATUS, handler, current, Status.ACKNOWLEDGED, "", case.acknowledged_at))
            if handler:
                history.append(
                    (EventKind.ASSIGNMENT, handler, "", "", parties.handler_names[handler], case.acknowledged_at)
                )
            current, last = Status.ACKNOWLEDGED, case.acknowledged_at
        if status in ANSWERED_STATUSES or status in ("under_review", "needs_info", "updated"):
            if status == "under_review" or rng.random() < 0.4:
                last = min(last + timedelta(hours=1 + rng.random() * 48), now)
                history.append((EventKind.STATUS, handler, current, Status.UNDER_REVIEW, "", last))
                current = Status.UNDER_REVIEW
            if status in ("needs_info", "updated") or (status in ANSWERED_STATUSES and rng.random() < 0.1):
                last = min(last + timedelta(hours=1 + rng.random() * 72), now)
                question = "Kan dere beskrive nærmere hva som manglet?"
                history.append((EventKind.STATUS, handler, current, Status.NEEDS_INFO, "", last))
                history.append((EventKind.INFO_REQUEST, handler, "", "", question, last))
                current = Status.NEEDS_INFO
                if status != "needs_info":
                    last = min(last + timedelta(hours=1 + rng.random() * 72), now)
                    history.append((EventKind.INFO_RESPONSE, reporter, "", "", "Det manglet legemiddelliste.", last))
                    history.append((EventKind.STATUS, reporter, current, Status.UPDATED, "", last))
                    current = Status.UPDATED
        if status in ANSWERED_STATUSES:
            # Working days from submission to the answer: mostly within the 20-day deadline, a tail beyond it.
            days = max(case.days_to_acknowledge or 0, round(rng.triangular(1, 45, 10)))
            case.answered_at = at_work(min(add_days(submitted_on, days), today), last)
            case.answer = rng.choice(ANSWERS)
            answered_on = case.answered_at.date()
            case.days_to_answer = days_between(submitted_on, answered_on)  # as services.record_answer_facts
            case.answered_in_time = answered_on <= case.answer_deadline
            history.append((EventKind.STATUS, handler, current, Status.ANSWERED, "", case.answered_at))
            history.append((EventKind.ANSWER, handler, "", "", case.answer, case.answered_at))
            current, last = Status.ANSWERED, case.answered_at
            if status == "closed":
                case.closed_at = min(case.answered_at + timedelta(days=rng.random() * 10), now)
                history.append((EventKind.STATUS, reporter, current, Status.CLOSED, "", case.closed_at))
                current, last = Status.CLOSED, case.closed_at
            elif status == "reopened":
                last = min(last + timedelta(days=1 + rng.random() * 5), now)
                history.append((EventKind.STATUS, reporter, current, Status.REOPENED, "Svaret var ufullstendig.", last))
        elif status in ("not_deviation", "duplicate", "withdrawn", "redirected"):
            actor = reporter if status == "withdrawn" else handler
            last = min(last + timedelta(hours=1 + rng.random() * 48), now)
            history.append((EventKind.STATUS, actor, current, status, "Begrunnelse for endringen.", last))
        case.updated_at = max(last, submitted_at)
        return case, history

    summary_sample = None  # the newest case under review received by per's clinic
    written_cases = written_events = 0
    with _own_timestamps(Deviation, CaseEvent, Measure):
        for offset in range(0, count, batch_size):
            batch = [plan(moment) for moment in moments[offset : offset + batch_size]]
            with transaction.atomic():
                by_year: dict[int, list[Deviation]] = {}
                for case, _ in batch:
                    by_year.setdefault(case.submitted_at.year, []).append(case)
                for year, cases in by_year.items():  # in submission order, like one submission at a time
                    for case, reference in zip(
                        cases, services.allocate_references(community, year, len(cases)), strict=True
                    ):
                        case.reference = reference
                Deviation.objects.bulk_create([case for case, _ in batch], batch_size=batch_size)
                for case, _ in batch:
                    if case.receiver_id in parties.per_units and case.status == Status.UNDER_REVIEW:
                        summary_sample = case
                if events == "all":
                    rows = [
                        CaseEvent(
                            deviation_id=case.pk,
                            kind=kind,
                            actor_id=actor,
                            from_status=from_status,
                            to_status=to_status,
                            text=text,
                            created_at=when,
                        )
                        for case, history in batch
                        for kind, actor, from_status, to_status, text, when in history
                    ]
                    CaseEvent.objects.bulk_create(rows, batch_size=batch_size)
                    written_events += len(rows)
            written_cases += len(batch)
            log(f"{written_cases:>7} cases, {written_events:>7} events ({time.monotonic() - started:.0f} s)")

        sample = summary_sample
        if sample is None:  # few cases: any case per receives
            sample = Deviation.objects.filter(receiver__in=parties.per_units).order_by("-submitted_at").first()
        if sample is not None:
            with transaction.atomic():
                written_events += _decorate_sample(sample, parties, events == "all", now)

    if analyze and connection.vendor == "postgresql":
        # Freshly bulk-loaded tables: give the planner statistics and the visibility map that autovacuum would.
        with connection.cursor() as cursor:
            for model in (Deviation, CaseEvent, Measure):
                cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
    elif analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    period_start, period_end = default_statistics_period(today)
    per_inbox = Deviation.objects.filter(receiver__in=parties.per_units) | Deviation.objects.filter(handler=parties.per)
    return {
        "count": written_cases,
        "events": written_events,
        "seed": seed,
        "seconds": round(time.monotonic() - started, 1),
        "today": today.isoformat(),
        "window_start": window_start.date().isoformat(),
        "sample_case_id": sample.pk if sample else None,
        "sample_case_reference": sample.reference if sample else None,
        "sample_case_status": sample.status if sample else None,
        "per_inbox_open": per_inbox.filter(status__in=OPEN_STATUSES).count(),
        "per_inbox_all": per_inbox.exclude(status__in=[Status.DRAFT, Status.AWAITING_LEADER]).count(),
        "statistics_default_period": [period_start.isoformat(), period_end.isoformat()],
        # What per's statistics page counts (his units' cases), and the whole community (the secretariat's view).
        "statistics_default_cases": statistics_cases(community, period_start, period_end, parties.per).count(),
        "statistics_two_year_cases": statistics_cases(community, window_start.date(), today, parties.per).count(),
        "community_default_cases": statistics_cases(community, period_start, period_end).count(),
        "community_two_year_cases": statistics_cases(community, window_start.date(), today).count(),
        "community_cases": Deviation.objects.filter(helsefellesskap=community).count(),
    }


def _decorate_sample(case, parties, has_history: bool, now: datetime) -> int:
    """A note, a measure and an addendum on the sample case (and its history if the others have none)."""
    from samhandling.deviations.models import CaseEvent, EventKind, Measure, Status

    per = parties.per.pk
    base = case.acknowledged_at or case.submitted_at
    rows = []
    if not has_history:
        rows.append(
            CaseEvent(
                deviation=case,
                kind=EventKind.STATUS,
                actor_id=case.reporter_id,
                from_status=Status.DRAFT,
                to_status=Status.SUBMITTED,
                created_at=case.submitted_at,
            )
        )
    moments = [min(base + timedelta(hours=hours), now) for hours in (2, 5, 26)]
    notes = [
        (EventKind.COMMENT, per, "Sendt til seksjonsleder for vurdering."),
        (EventKind.MEASURE, per, "Sjekkliste for utskrivning tas i bruk på sengeposten."),
        (EventKind.ADDENDUM, case.reporter_id, "Tillegg: pasienten ble innlagt igjen to dager senere."),
    ]
    rows += [
        CaseEvent(deviation=case, kind=kind, actor_id=actor, text=text, created_at=moment)
        for (kind, actor, text), moment in zip(notes, moments, strict=True)
    ]
    CaseEvent.objects.bulk_create(rows)
    Measure.objects.create(
        deviation=case,
        description="Sjekkliste for utskrivning tas i bruk på sengeposten.",
        responsible="Seksjonsleder",
        due=moments[1].date() + timedelta(days=30),
        created_by_id=per,
        created_at=moments[1],
    )
    return len(rows)


def _database_name() -> str:
    from django.conf import settings

    return str(settings.DATABASES["default"]["NAME"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Insert N synthetic samhandlingsavvik (Helsefellesskap Vestfold).")
    parser.add_argument("--count", type=int, required=True, help="number of cases (1..2 000 000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE, help=f"rows per insert (default {BATCH_SIZE})")
    parser.add_argument(
        "--events",
        choices=["all", "sample"],
        default="all",
        help="history rows for every case (default) or only for the sample case",
    )
    parser.add_argument("--no-analyze", action="store_true", help="skip VACUUM (ANALYZE) after the inserts")
    parser.add_argument(
        "--any-database", action="store_true", help="allow a database whose name does not contain 'bench'"
    )
    options = parser.parse_args(argv)
    if not 1 <= options.count <= 2_000_000 or not 1 <= options.batch_size <= 50_000:
        parser.error("--count must be 1..2 000 000 and --batch-size 1..50 000")

    sys.path.insert(0, str(PROJECT_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samhandling.settings")
    import django

    django.setup()
    if "bench" not in _database_name() and not options.any_database:
        parser.error(
            f"the database {_database_name()!r} does not look like a benchmark database (no 'bench' in its name); "
            "pass --any-database if you really mean it"
        )
    summary = generate(
        options.count,
        seed=options.seed,
        batch_size=options.batch_size,
        events=options.events,
        analyze=not options.no_analyze,
    )
    log(f"{summary['count']} cases and {summary['events']} events in {summary['seconds']} s")
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
