"""The receiver's side of a case: acknowledge, review, ask the reporter, measures, answer, close, reopen, send
on, classify, and addenda from either side. Every status change goes through the deviation workflow.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core import access_cache, audit
from samhandling.core.models import Membership, Organisation, User
from samhandling.core.permissions import require
from samhandling.core.workdays import add_working_days, working_days_between

from ..access import with_units
from ..models import (
    CaseEvent,
    Deviation,
    EventKind,
    Measure,
    Status,
)
from . import webhooks
from .common import (
    _community_for,
    move,
    receiver_contacts,
    record_answer_facts,
    reporter_leaders,
    settings_for,
)
from .notifications import notify

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
    if handler.pk != actor.pk:  # the new handler's inbox tab appears without waiting for the access cache
        access_cache.changed_for_users([handler.pk])
    move(case, Status.ACKNOWLEDGED, actor=actor)
    CaseEvent.objects.create(deviation=case, kind=EventKind.ASSIGNMENT, actor=actor, text=str(handler))
    notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_start_review(*, actor: User, case: Deviation) -> Deviation:
    case = _handled(case, actor)
    move(case, Status.UNDER_REVIEW, actor=actor)
    return case


@transaction.atomic
def deviation_request_information(*, actor: User, case: Deviation, question: str, base_url: str = "") -> Deviation:
    case = _handled(case, actor)
    if not question.strip():
        raise ValidationError({"text": _("Write what you need to know.")})
    move(case, Status.NEEDS_INFO, actor=actor)
    CaseEvent.objects.create(deviation=case, kind=EventKind.INFO_REQUEST, actor=actor, text=question.strip())
    notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_give_information(*, actor: User, case: Deviation, text: str, base_url: str = "") -> Deviation:
    case = Deviation.objects.select_for_update().get(pk=case.pk)
    require(actor, "deviations.reply", case)
    if not text.strip():
        raise ValidationError({"text": _("Write the information the receiver asked for.")})
    CaseEvent.objects.create(deviation=case, kind=EventKind.INFO_RESPONSE, actor=actor, text=text.strip())
    move(case, Status.UPDATED, actor=actor)
    notify(case, [case.handler] if case.handler else receiver_contacts(case), base_url)
    return case


@transaction.atomic
def deviation_add_measure(
    *, actor: User, case: Deviation, description: str, responsible: str = "", due: date | None = None
) -> Measure:
    case = _handled(case, actor)
    if not description.strip():
        raise ValidationError({"description": _("Describe the measure.")})
    if due and due < timezone.localdate():
        raise ValidationError({"due": _("The deadline of a measure cannot be in the past.")})
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
    move(case, Status.ANSWERED, actor=actor)
    CaseEvent.objects.create(deviation=case, kind=EventKind.ANSWER, actor=actor, text=case.answer)
    notify(case, [case.reporter, *reporter_leaders(case)], base_url)
    return case


@transaction.atomic
def deviation_close(*, actor: User, case: Deviation, base_url: str = "") -> Deviation:
    case = _handled(case, actor)
    case.closed_at = timezone.now()
    move(case, Status.CLOSED, actor=actor)
    notify(case, [case.reporter], base_url)
    return case


@transaction.atomic
def deviation_reopen(*, actor: User, case: Deviation, reason: str) -> Deviation:
    case = _handled(case, actor)
    if not reason.strip():
        raise ValidationError({"text": _("Say why the deviation is reopened.")})
    case.closed_at = None
    move(case, Status.REOPENED, actor=actor, text=reason.strip())
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
    move(case, Status.REDIRECTED, actor=actor, text=reason.strip())
    case.events.filter(pk=case.events.latest("id").pk).update(organisation=previous)
    webhooks.enqueue(case, "deviation.redirected")
    notify(case, [case.reporter, *receiver_contacts(case)], base_url)
    return case


@transaction.atomic
def deviation_classify(*, actor: User, case: Deviation, status: str, reason: str, base_url: str = "") -> Deviation:
    """Mark as not a samhandlingsavvik or as a duplicate; either leaves it out of statistics."""
    if status not in (Status.NOT_DEVIATION, Status.DUPLICATE):
        raise ValueError(status)
    case = _handled(case, actor)
    if not reason.strip():
        raise ValidationError({"text": _("Give the reason.")})
    move(case, status, actor=actor, text=reason.strip())
    notify(case, [case.reporter], base_url)
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
