"""Deviations in "Mine oppgaver": cases to complete, acknowledge, answer, or give information on."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.audit import register_actions
from samhandling.core.tasks import Task, register_task_provider

from .models import OPEN_STATUSES, Status
from .selectors import awaiting_my_completion, inbox, my_reports

MODULE = _("Deviations")


def deviation_tasks(user) -> list[Task]:
    tasks = []
    for case in awaiting_my_completion(user)[:50]:
        tasks.append(
            Task(
                title=_("Complete the report from %(unit)s") % {"unit": case.reporter_unit.name},
                url=reverse("deviations:detail", args=[case.pk]),
                module=MODULE,
            )
        )
    for case in my_reports(user).filter(status__in=[Status.NEEDS_INFO, Status.DRAFT])[:50]:
        if case.status == Status.DRAFT:
            title = _("Finish and send your draft")
        else:
            title = _("%(reference)s: the receiver asks for more information") % {"reference": case.reference}
        tasks.append(Task(title=title, url=reverse("deviations:detail", args=[case.pk]), module=MODULE))
    for case in inbox(user).filter(status__in=OPEN_STATUSES - {Status.NEEDS_INFO})[:100]:
        waiting_ack = case.status in (Status.SUBMITTED, Status.REDIRECTED)
        title = (
            _("%(reference)s: acknowledge receipt") if waiting_ack else _("%(reference)s: answer the reporter")
        ) % {"reference": case.reference}
        due = case.acknowledge_deadline if waiting_ack else case.answer_deadline
        tasks.append(
            Task(
                title=title,
                url=reverse("deviations:detail", args=[case.pk]),
                module=MODULE,
                due=due,
                overdue=case.is_overdue(),
            )
        )
    return tasks


register_task_provider(deviation_tasks)

register_actions(
    {
        "deviations.case.drafted": _("Started a deviation report"),
        "deviations.case.awaiting_leader": _("Sent a deviation to the leader"),
        "deviations.case.submitted": _("Sent a deviation"),
        "deviations.case.acknowledged": _("Acknowledged a deviation"),
        "deviations.case.under_review": _("Started reviewing a deviation"),
        "deviations.case.needs_info": _("Asked the reporter for information"),
        "deviations.case.updated": _("Gave the information asked for"),
        "deviations.case.answered": _("Answered a deviation"),
        "deviations.case.closed": _("Closed a deviation"),
        "deviations.case.redirected": _("Sent a deviation on to another organisation"),
        "deviations.case.not_deviation": _("Marked as not a samhandlingsavvik"),
        "deviations.case.duplicate": _("Marked as a duplicate"),
        "deviations.case.withdrawn": _("Withdrew a deviation"),
        "deviations.case.reopened": _("Reopened a deviation"),
        "deviations.case.measure_added": _("Recorded a measure"),
        "deviations.case.addendum": _("Added an addendum"),
        "deviations.patient.shown": _("Showed the patient's identity"),
        "deviations.patient.refused": _("Was refused the patient's identity"),
        "deviations.settings.updated": _("Changed the deviation settings"),
        "deviations.webhook.configured": _("Connected a deviation system (webhook)"),
        "deviations.webhook.secret_rotated": _("Made a new webhook secret"),
        "deviations.case.external_id": _("The receiving system reported its case id"),
        "deviations.category.created": _("Added a deviation category"),
        "deviations.category.updated": _("Changed a deviation category"),
        "deviations.category.deactivated": _("Retired a deviation category"),
        "deviations.category.reactivated": _("Brought back a deviation category"),
    }
)
