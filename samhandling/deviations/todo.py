"""Deviations in "Mine oppgaver": cases to complete, acknowledge, answer, or give information on."""

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.audit import register_actions
from samhandling.core.todo import Todo, register_todo_provider

from .access import access_for
from .models import OPEN_STATUSES, Deviation, Status

MODULE = _("Deviations")


def deviation_todo(user) -> list[Todo]:
    """Lean queries (the front page runs them on every visit): one table, a few columns, no joins but one."""
    access = access_for(user)
    columns = ("pk", "reference", "status", "acknowledge_deadline", "answer_deadline", "reporter_unit__name")
    items = []

    def task(row: dict, title, due=None, *, action: str = "", url: str = "") -> Todo:
        case = Deviation(
            status=row["status"],
            acknowledge_deadline=row["acknowledge_deadline"],
            answer_deadline=row["answer_deadline"],
        )
        return Todo(
            title=title,
            # Straight to the form of the next step, not just the case.
            url=url or reverse("deviations:detail", args=[row["pk"]]) + (f"#action-{action}" if action else ""),
            module=MODULE,
            due=due,
            overdue=due is not None and case.is_overdue(),
        )

    if access.leader_units:
        waiting = Deviation.objects.filter(reporter_unit__in=access.leader_units, status=Status.AWAITING_LEADER)
        for row in waiting.values(*columns)[:50]:
            items.append(
                task(
                    row,
                    _("Complete the report from %(unit)s") % {"unit": row["reporter_unit__name"]},
                    action="complete",
                )
            )
    mine = Deviation.objects.filter(reporter=user, status__in=[Status.NEEDS_INFO, Status.DRAFT])
    for row in mine.values(*columns)[:50]:
        if row["status"] == Status.DRAFT:
            items.append(task(row, _("Finish and send your draft"), url=reverse("deviations:edit", args=[row["pk"]])))
        else:
            items.append(task(row, _("%(reference)s: the receiver asks for more information") % row, action="reply"))
    receiving = Q(handler=user) | Q(receiver__in=access.contact_units) if access.contact_units else Q(handler=user)
    open_cases = Deviation.objects.filter(receiving, status__in=OPEN_STATUSES - {Status.NEEDS_INFO})
    for row in open_cases.values(*columns).order_by("answer_deadline")[:100]:
        if row["status"] in (Status.SUBMITTED, Status.REDIRECTED):
            items.append(
                task(
                    row,
                    _("%(reference)s: acknowledge receipt") % row,
                    row["acknowledge_deadline"],
                    action="acknowledge",
                )
            )
        else:
            items.append(
                task(row, _("%(reference)s: answer the reporter") % row, row["answer_deadline"], action="answer")
            )
    return items


register_todo_provider(deviation_todo)

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
