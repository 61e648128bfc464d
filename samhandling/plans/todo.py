"""Action plans in "Mine oppgaver": a measure's owner is reminded to report its status before the next meeting of
the community's SSU or partnership meeting, unless the status was reported within the weeks before that meeting."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core.todo import Todo, register_todo_provider
from samhandling.governance.models import BEFORE_MEETING, BodyKind, Meeting

from .models import UNFINISHED, Measure, PlanStatus

MODULE = _("Action plan")
# The reminder shows this many days before the meeting; a report in the same many days before it counts as done.
REMINDER_DAYS = 30
REPORTING_BODIES = (BodyKind.SSU, BodyKind.PARTNERSHIP_MEETING)


def plans_todo(user) -> list[Todo]:
    if not user.is_authenticated:
        return []
    measures = list(
        Measure.objects.filter(owner=user, status__in=UNFINISHED)
        .exclude(goal__theme__plan__status=PlanStatus.DRAFT)
        .select_related("goal__theme__plan")[:100]
    )
    if not measures:
        return []
    today = timezone.localdate()
    communities = {m.goal.theme.plan.helsefellesskap_id for m in measures}
    next_meeting = {}
    for community_id, day in (
        Meeting.objects.filter(
            body__helsefellesskap__in=communities,
            body__kind__in=REPORTING_BODIES,
            status__in=BEFORE_MEETING,
            date__gte=today,
            date__lte=today + timedelta(days=REMINDER_DAYS),
        )
        .order_by("-date")
        .values_list("body__helsefellesskap", "date")
    ):
        next_meeting[community_id] = day  # the earliest wins (ordered latest first)
    items = []
    for measure in measures:
        due = next_meeting.get(measure.goal.theme.plan.helsefellesskap_id)
        if due is None:
            continue
        if measure.status_at is not None and measure.status_at.date() >= due - timedelta(days=REMINDER_DAYS):
            continue
        items.append(
            Todo(
                title=_("Report the status of “%(measure)s”") % {"measure": measure.title},
                url=measure.get_absolute_url() + "#status",
                module=MODULE,
                due=due,
                overdue=False,
            )
        )
    return items


register_todo_provider(plans_todo)
