"""The reporter's side of a case: draft, send (to the leader or the receiver), the leader's completion,
withdrawal, and the audit-logged showing of the patient's identity.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core import audit, clauses, crypto
from samhandling.core.identity import validate_national_id
from samhandling.core.models import User
from samhandling.core.permissions import require
from samhandling.core.workdays import add_working_days

from ..access import access_for, with_units
from ..models import (
    CaseEvent,
    Deviation,
    EventKind,
    Status,
)
from . import webhooks
from .common import (
    _community_for,
    allocate_reference,
    move,
    receiver_contacts,
    reporter_leaders,
    settings_for,
)
from .notifications import notify

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
    case.clause_id = _checked_clause(case, community, data.get("clause"))
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


def _checked_clause(case: Deviation, community, clause) -> int | None:
    """The clause id, if it is one of the community's agreements in force (a draft keeps the clause it already names
    after a newer version replaced it; a new choice must be in force)."""
    if clause in (None, ""):
        return None
    clause_id = getattr(clause, "pk", clause)
    if case.pk and clause_id == case.clause_id and case.helsefellesskap_id == community.pk:
        return clause_id
    if clause_id not in {ref.pk for ref in clauses.clauses_for(community)}:
        raise ValidationError(
            {"clause": _("Choose a clause of an agreement in force in the health community the deviation belongs to.")}
        )
    return clause_id


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
    case.reference = case.reference or allocate_reference(case.helsefellesskap, today.year)
    case.submitted_at = timezone.now()
    case.acknowledge_deadline = add_working_days(today, rules.acknowledge_days)
    case.answer_deadline = add_working_days(today, rules.answer_days)
    move(case, Status.SUBMITTED, actor=actor)
    webhooks.enqueue(case, "deviation.submitted")
    notify(case, receiver_contacts(case), base_url)


@transaction.atomic
def deviation_send(*, actor: User, case: Deviation, base_url: str = "") -> Deviation:
    """The reporter sends the draft: to the leader when the community requires it, otherwise to the receiver."""
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.edit_draft", case)
    if settings_for(case.helsefellesskap).leader_completion_required:
        move(case, Status.AWAITING_LEADER, actor=actor)
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
    notify(case, leaders, base_url)


@transaction.atomic
def deviation_complete(*, actor: User, case: Deviation, addendum: str = "", base_url: str = "") -> Deviation:
    """The reporter's leader checks the report, may add to it, and sends it to the receiver."""
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.complete", case)
    if addendum.strip():
        CaseEvent.objects.create(deviation=case, kind=EventKind.ADDENDUM, actor=actor, text=addendum.strip())
    _submit(case, actor=actor, base_url=base_url)
    notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_withdraw(*, actor: User, case: Deviation, reason: str) -> Deviation:
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.withdraw", case)
    if not reason.strip():
        raise ValidationError({"text": _("Say why the deviation is withdrawn.")})
    move(case, Status.WITHDRAWN, actor=actor, text=reason.strip())
    return case


def deviation_reveal_patient(*, actor: User, case: Deviation) -> dict[str, str]:
    """Decrypt the patient's identity for a handler of one of the two organisations, and log that it was shown.

    Not one transaction on purpose: a refused attempt is logged and stays logged although the call then fails. The
    permission comes first even when nothing is stored, so the answer never tells an outsider whether it is."""
    try:
        require(actor, "deviations.reveal_patient", case)
    except PermissionDenied:
        audit.record(
            actor=actor, action="deviations.patient.refused", target=case, helsefellesskap=case.helsefellesskap
        )
        raise
    stored = case.has_patient_identity
    audit.record(
        actor=actor,
        action="deviations.patient.shown",
        target=case,
        helsefellesskap=case.helsefellesskap,
        data={"stored": stored},
    )
    if not stored:
        return {"id": "", "name": ""}
    return {"id": crypto.decrypt(case.patient_id_encrypted), "name": crypto.decrypt(case.patient_name_encrypted)}
