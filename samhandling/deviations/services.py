"""Every write to a deviation: one function per use case, one transition table for the status, each change
audit-logged in the same transaction, and e-mail (reference, status and link only) sent after commit."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samhandling.core import audit, crypto
from samhandling.core.identity import validate_national_id
from samhandling.core.models import Helsefellesskap, Membership, Organisation, Role, User
from samhandling.core.permissions import communities_of_organisation, require
from samhandling.core.workdays import add_working_days, working_days_between

from . import webhooks
from .access import access_for, with_units
from .models import (
    CaseEvent,
    Category,
    Deviation,
    DeviationSettings,
    EventKind,
    Measure,
    ReferenceCounter,
    Status,
)

S = Status
# from-status → the statuses it may move to. The only place the workflow is defined.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.AWAITING_LEADER, S.SUBMITTED, S.WITHDRAWN}),
    S.AWAITING_LEADER: frozenset({S.SUBMITTED, S.WITHDRAWN}),
    S.SUBMITTED: frozenset({S.ACKNOWLEDGED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE, S.WITHDRAWN}),
    S.REDIRECTED: frozenset({S.ACKNOWLEDGED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE, S.WITHDRAWN}),
    S.ACKNOWLEDGED: frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.ANSWERED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE}),
    S.UNDER_REVIEW: frozenset({S.NEEDS_INFO, S.ANSWERED, S.REDIRECTED, S.NOT_DEVIATION, S.DUPLICATE}),
    S.NEEDS_INFO: frozenset({S.UPDATED, S.WITHDRAWN}),
    S.UPDATED: frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.ANSWERED}),
    S.ANSWERED: frozenset({S.CLOSED, S.REOPENED}),
    S.CLOSED: frozenset({S.REOPENED}),
    S.REOPENED: frozenset({S.UNDER_REVIEW, S.NEEDS_INFO, S.ANSWERED}),
    S.NOT_DEVIATION: frozenset({S.REOPENED}),
    S.DUPLICATE: frozenset({S.REOPENED}),
    S.WITHDRAWN: frozenset(),
}

DEFAULT_CATEGORIES = [
    ("INN", "Innleggelse og henvisning til sykehus", "Innlegging og tilvising til sjukehus"),
    ("VARSEL", "Varsel om innlagt eller utskrivningsklar pasient", "Varsel om innlagd eller utskrivingsklar pasient"),
    ("UT", "Utskrivning og overføring av ansvar", "Utskriving og overføring av ansvar"),
    ("EPI", "Epikrise mangler, er forsinket eller sendt feil", "Epikrise manglar, er forseinka eller sendt feil"),
    ("LM", "Legemiddelinformasjon mangler eller er feil", "Legemiddelinformasjon manglar eller er feil"),
    ("MELD", "Elektroniske meldinger (PLO, dialogmeldinger)", "Elektroniske meldingar (PLO, dialogmeldingar)"),
    ("HJM", "Hjelpemidler og utstyr er ikke på plass", "Hjelpemiddel og utstyr er ikkje på plass"),
    (
        "KOM",
        "Kommunikasjon og informasjon til pasient og pårørende",
        "Kommunikasjon og informasjon til pasient og pårørande",
    ),
    ("ANN", "Annet", "Anna"),
]


class InvalidTransition(ValidationError):
    pass


def settings_for(community: Helsefellesskap) -> DeviationSettings:
    """The community's deviation settings, created with the defaults (and the starting categories) on first use."""
    found, created = DeviationSettings.objects.get_or_create(helsefellesskap=community)
    if created:
        Category.objects.bulk_create(
            [
                Category(helsefellesskap=community, code=code, name_nb=nb, name_nn=nn, order=index)
                for index, (code, nb, nn) in enumerate(DEFAULT_CATEGORIES)
            ],
            ignore_conflicts=True,
        )
    return found


def _transition(case: Deviation, to: str, *, actor: User, text: str = "") -> None:
    if to not in TRANSITIONS[case.status]:
        raise InvalidTransition(
            _("A deviation with status “%(status)s” cannot change to “%(target)s”.")
            % {"status": Status(case.status).label, "target": Status(to).label}
        )
    previous = case.status
    case.status = to
    case.save()
    CaseEvent.objects.create(
        deviation=case, kind=EventKind.STATUS, actor=actor, from_status=previous, to_status=to, text=text
    )
    audit.record(
        actor=actor,
        action=f"deviations.case.{to}",
        target=case,
        helsefellesskap=case.helsefellesskap,
        data={"from": previous, "to": to, "reference": case.reference},
    )


def allocate_references(community: Helsefellesskap, year: int, count: int = 1) -> list[str]:
    """Claim `count` consecutive numbers with one atomic UPDATE, so concurrent submissions never share a number.

    Submission takes one at a time; the import of earlier cases takes a block per year in the same counter."""
    ReferenceCounter.objects.get_or_create(helsefellesskap=community, year=year)
    ReferenceCounter.objects.filter(helsefellesskap=community, year=year).update(last_number=F("last_number") + count)
    last = ReferenceCounter.objects.get(helsefellesskap=community, year=year).last_number
    return [f"{community.code}-{year}-{number:05d}" for number in range(last - count + 1, last + 1)]


def allocate_reference(community: Helsefellesskap, year: int) -> str:
    return allocate_references(community, year)[0]


_next_reference = allocate_reference


def record_answer_facts(case: Deviation) -> None:
    """Working days to the answer, and whether it came in time, fixed on the case when it is answered."""
    answered_on = timezone.localtime(case.answered_at).date()
    case.days_to_answer = working_days_between(timezone.localtime(case.submitted_at).date(), answered_on)
    case.answered_in_time = case.answer_deadline is None or answered_on <= case.answer_deadline


def _community_for(reporter_unit: Organisation, receiver: Organisation) -> Helsefellesskap:
    shared = communities_of_organisation(reporter_unit).filter(
        pk__in=communities_of_organisation(receiver).values("pk")
    )
    community = shared.order_by("name").first()
    if community is None:
        raise ValidationError({"receiver": _("Choose an organisation that is a partner in your health community.")})
    return community


# --- notifications: reference, status and link, nothing else -------------------------------------------------------


def _notify(case: Deviation, recipients: list[User], base_url: str) -> None:
    """E-mail that something happened. Never the description, never the patient: reference, status and link."""
    link = base_url.rstrip("/") + reverse("deviations:detail", args=[case.pk]) if base_url else ""
    reference, status = case.reference, case.status
    addresses = {(user.email, user.language) for user in recipients if user and user.email and user.is_active}

    def send() -> None:
        for address, language in sorted(addresses):
            with translation.override(language):
                subject = _("Samhandlingsavvik %(reference)s: %(status)s") % {
                    "reference": reference,
                    "status": Status(status).label,
                }
                body = render_to_string(
                    "deviations/email/status.txt",
                    {"reference": reference, "status": Status(status).label, "link": link},
                )
            send_mail(subject, body, None, [address])

    transaction.on_commit(send)


def _people_with_role(organisation_ids: set[int], role: str) -> list[User]:
    """Users with `role` in any of the organisations or any organisation above them."""
    above: set[int] = set()
    for organisation in Organisation.objects.filter(pk__in=organisation_ids):
        above.add(organisation.pk)
        above.update(ancestor.pk for ancestor in organisation.ancestors())
    return list(
        User.objects.filter(memberships__organisation__in=above, memberships__role=role, is_active=True).distinct()
    )


def receiver_contacts(case: Deviation) -> list[User]:
    return _people_with_role({case.receiver_id}, Role.DEVIATION_CONTACT)


def reporter_leaders(case: Deviation) -> list[User]:
    return _people_with_role({case.reporter_unit_id}, Role.LEADER)


# --- reporting ---------------------------------------------------------------------------------------------------


REPORT_FIELDS = (
    "reporter_unit",
    "receiver",
    "occurred_on",
    "occurred_time",
    "description",
    "category",
    "agreement_clause",
    "immediate_action",
    "event_type",
    "harm_physical",
    "harm_psychological",
    "patient_involved",
    "reporter_hidden",
    "reporter_hidden_reason",
)


def _apply_report(case: Deviation, actor: User, data: dict) -> None:
    access = access_for(actor)
    unit, receiver = data["reporter_unit"], data["receiver"]
    if unit.pk not in access.member_units:
        raise ValidationError({"reporter_unit": _("Choose a unit where you have a role.")})
    if receiver.pk in with_units({unit.root_id}):
        raise ValidationError({"receiver": _("A samhandlingsavvik concerns another organisation than your own.")})
    if data["occurred_on"] > timezone.localdate():
        raise ValidationError({"occurred_on": _("The date cannot be in the future.")})
    if data.get("reporter_hidden") and not data.get("reporter_hidden_reason", "").strip():
        raise ValidationError({"reporter_hidden_reason": _("Give a reason for hiding your name.")})
    community = _community_for(unit, receiver)
    if data["category"].helsefellesskap_id != community.pk:
        raise ValidationError({"category": _("Choose one of the health community's categories.")})
    case.helsefellesskap = community
    for name in REPORT_FIELDS:
        setattr(case, name, data[name])
    if not case.reporter_hidden:
        case.reporter_hidden_reason = ""
    patient_id = (data.get("patient_id") or "").strip()
    if patient_id:
        case.patient_id_encrypted = crypto.encrypt(validate_national_id(patient_id))
    patient_name = (data.get("patient_name") or "").strip()
    if patient_name:
        case.patient_name_encrypted = crypto.encrypt(patient_name)
    if data.get("remove_patient"):
        case.patient_id_encrypted = case.patient_name_encrypted = ""


@transaction.atomic
def deviation_save_draft(*, actor: User, data: dict, case: Deviation | None = None) -> Deviation:
    """Create or update the reporter's draft. Nothing is sent yet."""
    if case is None:
        require(actor, "deviations.report", None)
        case = Deviation(reporter=actor, status=Status.DRAFT)
    else:
        require(actor, "deviations.edit_draft", case)
    _apply_report(case, actor, data)
    created = case.pk is None
    case.save()
    if created:
        audit.record(actor=actor, action="deviations.case.drafted", target=case, helsefellesskap=case.helsefellesskap)
    return case


def _submit(case: Deviation, *, actor: User, base_url: str) -> None:
    today = timezone.localdate()
    rules = settings_for(case.helsefellesskap)
    case.reference = case.reference or _next_reference(case.helsefellesskap, today.year)
    case.submitted_at = timezone.now()
    case.acknowledge_deadline = add_working_days(today, rules.acknowledge_days)
    case.answer_deadline = add_working_days(today, rules.answer_days)
    _transition(case, Status.SUBMITTED, actor=actor)
    webhooks.enqueue(case, "deviation.submitted")
    _notify(case, receiver_contacts(case), base_url)


@transaction.atomic
def deviation_send(*, actor: User, case: Deviation, base_url: str = "") -> Deviation:
    """The reporter sends the draft: to the leader when the community requires it, otherwise to the receiver."""
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.edit_draft", case)
    if settings_for(case.helsefellesskap).leader_completion_required:
        _transition(case, Status.AWAITING_LEADER, actor=actor)
        _notify_leaders(case, base_url)
    else:
        _submit(case, actor=actor, base_url=base_url)
    return case


def _notify_leaders(case: Deviation, base_url: str) -> None:
    leaders = reporter_leaders(case)
    if not leaders:
        raise ValidationError(
            _(
                "Nobody is registered as leader for your unit, so the report cannot be completed. "
                "Contact the secretariat."
            )
        )
    _notify(case, leaders, base_url)


@transaction.atomic
def deviation_complete(*, actor: User, case: Deviation, addendum: str = "", base_url: str = "") -> Deviation:
    """The reporter's leader checks the report, may add to it, and sends it to the receiver."""
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.complete", case)
    if addendum.strip():
        CaseEvent.objects.create(deviation=case, kind=EventKind.ADDENDUM, actor=actor, text=addendum.strip())
    _submit(case, actor=actor, base_url=base_url)
    _notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_withdraw(*, actor: User, case: Deviation, reason: str) -> Deviation:
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.withdraw", case)
    if not reason.strip():
        raise ValidationError({"text": _("Say why the deviation is withdrawn.")})
    _transition(case, Status.WITHDRAWN, actor=actor, text=reason.strip())
    return case


# --- handling ---------------------------------------------------------------------------------------------------


def _handled(case: Deviation, actor: User) -> Deviation:
    locked = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.handle", locked)
    return locked


@transaction.atomic
def deviation_acknowledge(
    *, actor: User, case: Deviation, handler: User | None = None, base_url: str = ""
) -> Deviation:
    case = _handled(case, actor)
    handler = handler or actor
    if (
        handler.pk != actor.pk
        and not Membership.objects.filter(user=handler, organisation__in=with_units({case.receiver.root_id})).exists()
    ):
        raise ValidationError({"handler": _("The handler must work in the receiving organisation.")})
    case.acknowledged_at = timezone.now()
    case.days_to_acknowledge = working_days_between(timezone.localtime(case.submitted_at).date(), timezone.localdate())
    case.handler = handler
    _transition(case, Status.ACKNOWLEDGED, actor=actor)
    CaseEvent.objects.create(deviation=case, kind=EventKind.ASSIGNMENT, actor=actor, text=str(handler))
    _notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_start_review(*, actor: User, case: Deviation) -> Deviation:
    case = _handled(case, actor)
    _transition(case, Status.UNDER_REVIEW, actor=actor)
    return case


@transaction.atomic
def deviation_request_information(*, actor: User, case: Deviation, question: str, base_url: str = "") -> Deviation:
    case = _handled(case, actor)
    if not question.strip():
        raise ValidationError({"text": _("Write what you need to know.")})
    _transition(case, Status.NEEDS_INFO, actor=actor)
    CaseEvent.objects.create(deviation=case, kind=EventKind.INFO_REQUEST, actor=actor, text=question.strip())
    _notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_give_information(*, actor: User, case: Deviation, text: str, base_url: str = "") -> Deviation:
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.reply", case)
    if not text.strip():
        raise ValidationError({"text": _("Write the information the receiver asked for.")})
    CaseEvent.objects.create(deviation=case, kind=EventKind.INFO_RESPONSE, actor=actor, text=text.strip())
    _transition(case, Status.UPDATED, actor=actor)
    _notify(case, [case.handler] if case.handler else receiver_contacts(case), base_url)
    return case


@transaction.atomic
def deviation_add_measure(
    *, actor: User, case: Deviation, description: str, responsible: str = "", due: date | None = None
) -> Measure:
    case = _handled(case, actor)
    if not description.strip():
        raise ValidationError({"description": _("Describe the measure.")})
    measure = Measure.objects.create(
        deviation=case, description=description.strip(), responsible=responsible.strip(), due=due, created_by=actor
    )
    CaseEvent.objects.create(deviation=case, kind=EventKind.MEASURE, actor=actor, text=measure.description)
    audit.record(actor=actor, action="deviations.case.measure_added", target=case, helsefellesskap=case.helsefellesskap)
    return measure


@transaction.atomic
def deviation_answer(*, actor: User, case: Deviation, answer: str, base_url: str = "") -> Deviation:
    """The receiver's answer goes back to the reporter (and the reporter's leader)."""
    case = _handled(case, actor)
    if not answer.strip():
        raise ValidationError({"text": _("Write the answer to the reporter.")})
    case.answer = answer.strip()
    case.answered_at = timezone.now()
    record_answer_facts(case)
    _transition(case, Status.ANSWERED, actor=actor)
    CaseEvent.objects.create(deviation=case, kind=EventKind.ANSWER, actor=actor, text=case.answer)
    _notify(case, [case.reporter, *reporter_leaders(case)], base_url)
    return case


@transaction.atomic
def deviation_close(*, actor: User, case: Deviation, base_url: str = "") -> Deviation:
    case = _handled(case, actor)
    case.closed_at = timezone.now()
    _transition(case, Status.CLOSED, actor=actor)
    _notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_reopen(*, actor: User, case: Deviation, reason: str) -> Deviation:
    case = _handled(case, actor)
    if not reason.strip():
        raise ValidationError({"text": _("Say why the deviation is reopened.")})
    case.closed_at = None
    _transition(case, Status.REOPENED, actor=actor, text=reason.strip())
    return case


@transaction.atomic
def deviation_redirect(
    *, actor: User, case: Deviation, receiver: Organisation, reason: str, base_url: str = ""
) -> Deviation:
    """Send the case on to the right organisation; it starts over there with fresh deadlines."""
    case = _handled(case, actor)
    if not reason.strip():
        raise ValidationError({"text": _("Say why the deviation is sent on.")})
    if receiver.pk == case.receiver_id:
        raise ValidationError({"receiver": _("Choose another organisation than the current receiver.")})
    if receiver.pk in with_units({case.reporter_unit.root_id}):
        raise ValidationError({"receiver": _("The deviation cannot be sent back to the reporter's own organisation.")})
    _community_for(case.reporter_unit, receiver)
    rules = settings_for(case.helsefellesskap)
    today = timezone.localdate()
    previous = case.receiver
    case.receiver, case.handler, case.acknowledged_at, case.days_to_acknowledge = receiver, None, None, None
    case.acknowledge_deadline = add_working_days(today, rules.acknowledge_days)
    case.answer_deadline = add_working_days(today, rules.answer_days)
    _transition(case, Status.REDIRECTED, actor=actor, text=reason.strip())
    case.events.filter(pk=case.events.latest("id").pk).update(organisation=previous)
    webhooks.enqueue(case, "deviation.redirected")
    _notify(case, [case.reporter, *receiver_contacts(case)], base_url)
    return case


@transaction.atomic
def deviation_classify(*, actor: User, case: Deviation, status: str, reason: str, base_url: str = "") -> Deviation:
    """Mark as not a samhandlingsavvik or as a duplicate; either leaves it out of statistics."""
    if status not in (Status.NOT_DEVIATION, Status.DUPLICATE):
        raise ValueError(status)
    case = _handled(case, actor)
    if not reason.strip():
        raise ValidationError({"text": _("Give the reason.")})
    _transition(case, status, actor=actor, text=reason.strip())
    _notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_add_addendum(*, actor: User, case: Deviation, text: str) -> CaseEvent:
    """Corrections and additions are appended; the original text stays as it was."""
    require(actor, "deviations.add_addendum", case)
    if not text.strip():
        raise ValidationError({"text": _("Write the addendum.")})
    event = CaseEvent.objects.create(deviation=case, kind=EventKind.ADDENDUM, actor=actor, text=text.strip())
    audit.record(actor=actor, action="deviations.case.addendum", target=case, helsefellesskap=case.helsefellesskap)
    return event


def deviation_reveal_patient(*, actor: User, case: Deviation) -> dict[str, str]:
    """Decrypt the patient's identity for a handler of one of the two organisations, and log that it was shown.

    Not one transaction on purpose: a refused attempt is logged and stays logged although the call then fails."""
    if not case.has_patient_identity:
        return {"id": "", "name": ""}
    try:
        require(actor, "deviations.reveal_patient", case)
    except PermissionDenied:
        audit.record(
            actor=actor, action="deviations.patient.refused", target=case, helsefellesskap=case.helsefellesskap
        )
        raise
    audit.record(actor=actor, action="deviations.patient.shown", target=case, helsefellesskap=case.helsefellesskap)
    return {"id": crypto.decrypt(case.patient_id_encrypted), "name": crypto.decrypt(case.patient_name_encrypted)}


@transaction.atomic
def deviation_settings_update(*, actor: User, community: Helsefellesskap, **values) -> DeviationSettings:
    require(actor, "deviations.configure", community)
    found = settings_for(community)
    changes = {}
    for name in ("leader_completion_required", "acknowledge_days", "answer_days"):
        if name in values and getattr(found, name) != values[name]:
            changes[name] = [getattr(found, name), values[name]]
            setattr(found, name, values[name])
    if changes:
        found.save()
        audit.record(
            actor=actor, action="deviations.settings.updated", target=found, helsefellesskap=community, data=changes
        )
    return found


# --- categories ---------------------------------------------------------------------------------------------------


@transaction.atomic
def category_save(
    *, actor: User, community: Helsefellesskap, code: str, name_nb: str, name_nn: str, category: Category | None = None
) -> Category:
    """Add a category to the community's list, or rename one. Codes are unique per community and never reused."""
    require(actor, "deviations.configure", community)
    code = code.strip().upper()
    clash = Category.objects.filter(helsefellesskap=community, code=code)
    if category is not None:
        if category.helsefellesskap_id != community.pk:
            raise PermissionDenied
        clash = clash.exclude(pk=category.pk)
    if clash.exists():
        raise ValidationError({"code": _("The health community already has a category with this code.")})
    created = category is None
    category = category or Category(
        helsefellesskap=community, order=Category.objects.filter(helsefellesskap=community).count()
    )
    category.code, category.name_nb, category.name_nn = code, name_nb.strip(), name_nn.strip()
    category.save()
    audit.record(
        actor=actor,
        action="deviations.category.created" if created else "deviations.category.updated",
        target=category,
        helsefellesskap=community,
        data={"code": code},
    )
    return category


@transaction.atomic
def category_set_active(*, actor: User, category: Category, active: bool) -> Category:
    """Retire a category (existing cases keep it) or bring it back."""
    require(actor, "deviations.configure", category.helsefellesskap)
    if category.is_active != active:
        category.is_active = active
        category.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action="deviations.category.reactivated" if active else "deviations.category.deactivated",
            target=category,
            helsefellesskap=category.helsefellesskap,
            data={"code": category.code},
        )
    return category
