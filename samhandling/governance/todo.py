"""Meetings in "Mine oppgaver": the user's open action points, and the secretariat's next steps (send the notice,
write the minutes, get drafted minutes approved). Also registers the module's audit-log labels."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.audit import register_actions
from samhandling.core.todo import Todo, register_todo_provider

from .access import access_for
from .models import ActionPoint, ActionPointStatus, Meeting, MeetingStatus

MODULE = _("Meetings")
# How far ahead the secretariat is reminded to send a notice (a week before is the custom; two gives time).
NOTICE_HORIZON_DAYS = 14
NOTICE_LEAD_DAYS = 7
MINUTES_DAYS = 14


def _meeting_todo(title, meeting: Meeting, due, today) -> Todo:
    return Todo(
        title=title % {"meeting": meeting},
        url=meeting.get_absolute_url(),
        module=MODULE,
        due=due,
        overdue=due is not None and due < today,
    )


def governance_todo(user) -> list[Todo]:
    today = timezone.localdate()
    items = []
    points = ActionPoint.objects.filter(owner=user, status=ActionPointStatus.OPEN).select_related("item")
    for point in points.order_by("due_date", "pk")[:100]:
        label = point.item.number or point.item.title
        items.append(
            Todo(
                title=_("%(item)s: %(description)s") % {"item": label, "description": point.description[:120]},
                url=reverse("governance:home"),
                module=MODULE,
                due=point.due_date,
                overdue=point.is_overdue,
            )
        )
    managed = access_for(user).managed_community_ids
    if not managed:
        return items
    meetings = Meeting.objects.filter(body__helsefellesskap__in=managed, body__is_active=True).select_related("body")
    soon = meetings.filter(
        status=MeetingStatus.PLANNED, date__gte=today, date__lte=today + timedelta(NOTICE_HORIZON_DAYS)
    )
    for meeting in soon[:50]:
        items.append(
            _meeting_todo(
                _("Send the notice of %(meeting)s"), meeting, meeting.date - timedelta(days=NOTICE_LEAD_DAYS), today
            )
        )
    past = meetings.filter(status__in=[MeetingStatus.NOTICE_SENT, MeetingStatus.HELD], date__lt=today)
    for meeting in past[:50]:
        items.append(
            _meeting_todo(_("Write the minutes of %(meeting)s"), meeting, meeting.date + timedelta(MINUTES_DAYS), today)
        )
    drafted = meetings.filter(status=MeetingStatus.MINUTES_DRAFTED)
    for meeting in drafted[:50]:
        if not meeting.approval_items.exclude(meeting__status=MeetingStatus.CANCELLED).exists():
            items.append(_meeting_todo(_("Put the minutes of %(meeting)s up for approval"), meeting, None, today))
    return items


register_todo_provider(governance_todo)

register_actions(
    {
        "governance.settings.updated": _("Changed the meeting settings"),
        "governance.body.created": _("Created a body"),
        "governance.body.updated": _("Changed a body"),
        "governance.member.added": _("Added a member to a body"),
        "governance.member.updated": _("Changed a member of a body"),
        "governance.member.ended": _("Ended a seat in a body"),
        "governance.meeting.planned": _("Planned a meeting"),
        "governance.meeting.updated": _("Changed a meeting"),
        "governance.meeting.numbered": _("Numbered the agenda items"),
        "governance.meeting.notice_sent": _("Changed the meeting status to notice sent"),
        "governance.meeting.notice_published": _("Sent the notice"),
        "governance.meeting.notice_resent": _("Sent a new version of the notice"),
        "governance.meeting.held": _("Marked the meeting as held"),
        "governance.meeting.attendance_recorded": _("Recorded attendance"),
        "governance.meeting.minutes_drafted": _("Shared the draft minutes"),
        "governance.meeting.minutes_redrafted": _("Shared a new draft of the minutes"),
        "governance.meeting.minutes_approved": _("Approved the minutes"),
        "governance.meeting.minutes_corrected": _("Corrected approved minutes"),
        "governance.meeting.cancelled": _("Cancelled a meeting"),
        "governance.meeting.reinstated": _("Reinstated a cancelled meeting"),
        "governance.item.created": _("Created an agenda item"),
        "governance.item.updated": _("Changed an agenda item"),
        "governance.item.scheduled": _("Put an item on a meeting"),
        "governance.item.unscheduled": _("Took an item off a meeting"),
        "governance.item.moved": _("Moved an agenda item"),
        "governance.item.removed": _("Deleted an agenda item"),
        "governance.item.withdrawn": _("Withdrew an agenda item"),
        "governance.item.outcome_recorded": _("Recorded the outcome of an item"),
        "governance.item.minutes_prepared": _("Prepared the minutes of an item before the meeting"),
        "governance.item.forwarded": _("Forwarded an item to another body"),
        "governance.item.deviation_report_added": _("Added the deviation report to an agenda"),
        "governance.item.added_from_document": _("Put a document from another module on an agenda"),
        "governance.attachment.added": _("Added an attachment"),
        "governance.attachment.updated": _("Changed an attachment"),
        "governance.attachment.removed": _("Removed an attachment"),
        "governance.action_point.created": _("Created an action point"),
        "governance.action_point.done": _("Completed an action point"),
        "governance.action_point.open": _("Reopened an action point"),
        "governance.recurring.created": _("Created a recurring item"),
        "governance.recurring.updated": _("Changed a recurring item"),
    }
)
