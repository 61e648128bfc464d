"""Every write of the action plans: one function per use case, keyword-only, the acting user explicit, one
transaction each with its audit event. Status changes of plans and measures go through their workflows."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, User
from samhandling.core.permissions import require

from .models import (
    DEFAULT_THEMES,
    MEASURE_WORKFLOW,
    PLAN_WORKFLOW,
    UNFINISHED,
    ActionPlan,
    Goal,
    Measure,
    MeasureStatus,
    PlanStatus,
    PriorityGroup,
    Theme,
)

audit.register_actions(
    {
        "plans.plan.created": gettext_lazy("Created action plan"),
        "plans.plan.updated": gettext_lazy("Changed action plan"),
        "plans.plan.approved": gettext_lazy("Recorded the approval of an action plan"),
        "plans.plan.draft": gettext_lazy("Put an action plan back to draft"),
        "plans.plan.published": gettext_lazy("Published action plan"),
        "plans.plan.copied": gettext_lazy("Copied action plan to the next year"),
        "plans.plan.report_on_agenda": gettext_lazy("Put the action plan's status report on an agenda"),
        "plans.theme.created": gettext_lazy("Added theme to action plan"),
        "plans.theme.updated": gettext_lazy("Changed theme of action plan"),
        "plans.goal.created": gettext_lazy("Added goal to action plan"),
        "plans.goal.updated": gettext_lazy("Changed goal of action plan"),
        "plans.measure.created": gettext_lazy("Added measure to action plan"),
        "plans.measure.updated": gettext_lazy("Changed measure of action plan"),
        "plans.theme.removed": gettext_lazy("Removed theme from action plan"),
        "plans.goal.removed": gettext_lazy("Removed goal from action plan"),
        "plans.measure.removed": gettext_lazy("Removed measure from action plan"),
        "plans.measure.not_started": gettext_lazy("Reported a measure as not started"),
        "plans.measure.in_progress": gettext_lazy("Reported a measure as in progress"),
        "plans.measure.delayed": gettext_lazy("Reported a measure as delayed"),
        "plans.measure.completed": gettext_lazy("Reported a measure as completed"),
        "plans.measure.closed": gettext_lazy("Reported a measure as closed"),
    }
)

PLAN_FIELDS = ("title", "start_year", "end_year", "introduction")
THEME_FIELDS = ("priority_group", "title", "description")
GOAL_FIELDS = ("title", "description", "indicator", "areas", "baseline_year", "target_value")
MEASURE_FIELDS = (
    "title",
    "description",
    "target_group",
    "responsible_body",
    "owner",
    "owner_name",
    "start_date",
    "due_date",
    "agenda_items",
)


def _record(*, actor: User, action: str, target, plan: ActionPlan, data: dict | None = None) -> None:
    audit.record(actor=actor, action=action, target=target, helsefellesskap=plan.helsefellesskap, data=data)


def _check_editable(plan: ActionPlan) -> None:
    if not plan.is_editable:
        raise ValidationError(
            _("The plan is approved: put it back to draft to change it, or copy it to the next year.")
        )


def _check_period(plan: ActionPlan) -> None:
    errors = {}
    if not (2000 <= plan.start_year <= 2100):
        errors["start_year"] = _("Enter a year between 2000 and 2100.")
    if not (2000 <= plan.end_year <= 2100):
        errors["end_year"] = _("Enter a year between 2000 and 2100.")
    elif plan.end_year < plan.start_year:
        errors["end_year"] = _("The last year cannot come before the first year.")
    elif plan.end_year - plan.start_year > 10:
        errors["end_year"] = _("A plan covers at most ten years.")
    if not plan.title.strip():
        errors["title"] = _("Give the plan a title.")
    if errors:
        raise ValidationError(errors)
    clash = ActionPlan.objects.filter(
        helsefellesskap=plan.helsefellesskap, start_year=plan.start_year, end_year=plan.end_year
    ).exclude(pk=plan.pk)
    if clash.exists():
        raise ValidationError({"start_year": _("The community already has a plan for this period.")})


def _save_plan(plan: ActionPlan) -> None:
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # two secretaries creating the same period at once
        raise ValidationError({"start_year": _("The community already has a plan for this period.")}) from None


def _next_position(queryset) -> int:
    return (queryset.aggregate(last=Max("position"))["last"] or 0) + 1


# --- plans -----------------------------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: User,
    community: Helsefellesskap,
    title: str,
    start_year: int,
    end_year: int,
    introduction: str = "",
    default_themes: bool = True,
) -> ActionPlan:
    """A new draft plan; with `default_themes` it starts with the five themes of the priority groups."""
    require(actor, "plans.manage", community)
    plan = ActionPlan(
        helsefellesskap=community,
        title=(title or "").strip(),
        start_year=start_year,
        end_year=end_year,
        introduction=(introduction or "").strip(),
        created_by=actor,
    )
    _check_period(plan)
    _save_plan(plan)
    if default_themes:
        for position, group in enumerate(DEFAULT_THEMES, start=1):
            Theme.objects.create(plan=plan, position=position, priority_group=group, title=str(group.label))
    _record(actor=actor, action="plans.plan.created", target=plan, plan=plan, data={"period": plan.period})
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: ActionPlan, **fields) -> ActionPlan:
    require(actor, "plans.manage_plan", plan)
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    _check_editable(plan)
    for name in PLAN_FIELDS:
        if name in fields:
            value = fields[name]
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
    _check_period(plan)
    _save_plan(plan)
    _record(actor=actor, action="plans.plan.updated", target=plan, plan=plan, data={"fields": sorted(fields)})
    return plan


@transaction.atomic
def plan_approve(*, actor: User, plan: ActionPlan, item) -> ActionPlan:
    """Record that the plan was approved in `item` (an agenda item of one of the community's bodies)."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    PLAN_WORKFLOW.require(actor, plan, "approve")
    if item is None or item.body.helsefellesskap_id != plan.helsefellesskap_id:
        raise ValidationError({"item": _("Choose an agenda item of one of the community's bodies.")})
    plan.approved_by_item = item
    plan.approved_at = timezone.now()
    PLAN_WORKFLOW.move(plan, PlanStatus.APPROVED, actor=actor, data={"item": item.number or item.pk})
    return plan


@transaction.atomic
def plan_reopen(*, actor: User, plan: ActionPlan) -> ActionPlan:
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    PLAN_WORKFLOW.require(actor, plan, "reopen")
    plan.approved_by_item, plan.approved_at = None, None
    PLAN_WORKFLOW.move(plan, PlanStatus.DRAFT, actor=actor)
    return plan


@transaction.atomic
def plan_publish(*, actor: User, plan: ActionPlan) -> ActionPlan:
    """Publish an approved plan on the community's public pages."""
    plan = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    PLAN_WORKFLOW.require(actor, plan, "publish")
    plan.published_at = timezone.now()
    PLAN_WORKFLOW.move(plan, PlanStatus.PUBLISHED, actor=actor)
    return plan


@transaction.atomic
def plan_copy_to_next_year(*, actor: User, plan: ActionPlan, title: str = "") -> ActionPlan:
    """The next year's draft: every theme and goal, and the measures that are not finished (not started, in
    progress or delayed), each keeping its status and pointing back at the measure it was carried from."""
    require(actor, "plans.manage_plan", plan)
    year = plan.end_year + 1
    default_title = plan.title.replace(plan.period, str(year)) if plan.period in plan.title else ""
    copy = ActionPlan(
        helsefellesskap=plan.helsefellesskap,
        title=(title or "").strip() or default_title or f"{plan.title} {year}",
        start_year=year,
        end_year=year,
        introduction=plan.introduction,
        copied_from=plan,
        created_by=actor,
    )
    _check_period(copy)
    _save_plan(copy)
    carried = 0
    for theme in plan.themes.prefetch_related("goals__measures__agenda_items"):
        new_theme = Theme.objects.create(
            plan=copy,
            position=theme.position,
            priority_group=theme.priority_group,
            title=theme.title,
            description=theme.description,
        )
        for goal in theme.goals.all():
            new_goal = Goal.objects.create(
                theme=new_theme,
                position=goal.position,
                title=goal.title,
                description=goal.description,
                indicator=goal.indicator,
                areas=list(goal.areas or []),
                baseline_year=goal.baseline_year,
                target_value=goal.target_value,
            )
            for measure in goal.measures.all():
                if measure.status not in UNFINISHED:
                    continue
                new_measure = Measure.objects.create(
                    goal=new_goal,
                    position=measure.position,
                    title=measure.title,
                    description=measure.description,
                    target_group=measure.target_group,
                    responsible_body=measure.responsible_body,
                    owner=measure.owner,
                    owner_name=measure.owner_name,
                    start_date=measure.start_date,
                    due_date=measure.due_date,
                    status=measure.status,
                    status_text=measure.status_text,
                    status_at=measure.status_at,
                    carried_from=measure,
                )
                new_measure.agenda_items.set(measure.agenda_items.all())
                carried += 1
    _record(
        actor=actor,
        action="plans.plan.copied",
        target=copy,
        plan=copy,
        data={"from": plan.pk, "carried_measures": carried},
    )
    return copy


# --- themes, goals, measures -----------------------------------------------------------------------------------------


def _require_text(value: str, field: str, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text


@transaction.atomic
def theme_create(*, actor: User, plan: ActionPlan, title: str, priority_group: str = "", description: str = ""):
    require(actor, "plans.manage_plan", plan)
    _check_editable(plan)
    if priority_group not in PriorityGroup.values:
        raise ValidationError({"priority_group": _("Choose a priority group or “Other theme”.")})
    theme = Theme.objects.create(
        plan=plan,
        position=_next_position(plan.themes),
        priority_group=priority_group,
        title=_require_text(title, "title", _("Give the theme a title.")),
        description=(description or "").strip(),
    )
    _record(actor=actor, action="plans.theme.created", target=theme, plan=plan)
    return theme


@transaction.atomic
def theme_update(*, actor: User, theme: Theme, **fields) -> Theme:
    plan = theme.plan
    require(actor, "plans.manage_plan", plan)
    _check_editable(plan)
    if "priority_group" in fields and fields["priority_group"] not in PriorityGroup.values:
        raise ValidationError({"priority_group": _("Choose a priority group or “Other theme”.")})
    for name in THEME_FIELDS:
        if name in fields:
            setattr(theme, name, (fields[name] or "").strip())
    _require_text(theme.title, "title", _("Give the theme a title."))
    theme.save()
    _record(actor=actor, action="plans.theme.updated", target=theme, plan=plan)
    return theme


def _check_goal(goal: Goal, community: Helsefellesskap) -> None:
    from .selectors import area_choices

    errors = {}
    if not goal.title.strip():
        errors["title"] = _("Describe the goal.")
    if goal.indicator:
        from samhandling.indicators.engine.catalogue import get

        try:
            get(goal.indicator)
        except KeyError:
            errors["indicator"] = _("Choose an indicator from the catalogue.")
        known = {key for key, _name in area_choices(community)}
        if not goal.areas:
            errors["areas"] = _("Choose at least one area the goal applies to.")
        elif set(goal.areas) - known:
            errors["areas"] = _("Choose areas of the community.")
        if goal.target_value is None:
            errors["target_value"] = _("Give the target value the indicator should reach.")
        if goal.baseline_year is not None and not (2000 <= goal.baseline_year <= 2100):
            errors["baseline_year"] = _("Enter a year between 2000 and 2100.")
    else:
        goal.areas, goal.baseline_year, goal.target_value = [], None, None
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def goal_create(*, actor: User, theme: Theme, **fields) -> Goal:
    plan = theme.plan
    require(actor, "plans.manage_plan", plan)
    _check_editable(plan)
    goal = Goal(theme=theme, position=_next_position(theme.goals))
    _set_fields(goal, GOAL_FIELDS, fields)
    _check_goal(goal, plan.helsefellesskap)
    goal.save()
    _record(actor=actor, action="plans.goal.created", target=goal, plan=plan, data={"indicator": goal.indicator})
    return goal


@transaction.atomic
def goal_update(*, actor: User, goal: Goal, **fields) -> Goal:
    plan = goal.theme.plan
    require(actor, "plans.manage_plan", plan)
    _check_editable(plan)
    _set_fields(goal, GOAL_FIELDS, fields)
    _check_goal(goal, plan.helsefellesskap)
    goal.save()
    _record(actor=actor, action="plans.goal.updated", target=goal, plan=plan, data={"indicator": goal.indicator})
    return goal


def _set_fields(obj, allowed, fields) -> None:
    for name in allowed:
        if name in fields and name != "agenda_items":
            value = fields[name]
            setattr(obj, name, value.strip() if isinstance(value, str) else value)


def _check_measure(measure: Measure, community: Helsefellesskap, agenda_items) -> None:
    errors = {}
    if not measure.title.strip():
        errors["title"] = _("Describe the measure.")
    if measure.owner_id and measure.owner_name:
        errors["owner_name"] = _("Choose a user or write a name, not both.")
    if measure.responsible_body is not None and measure.responsible_body.helsefellesskap_id != community.pk:
        errors["responsible_body"] = _("Choose a body of the community.")
    if measure.start_date and measure.due_date and measure.due_date < measure.start_date:
        errors["due_date"] = _("The due date cannot come before the start.")
    if any(item.body.helsefellesskap_id != community.pk for item in agenda_items or []):
        errors["agenda_items"] = _("Choose agenda items of the community's bodies.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def measure_create(*, actor: User, goal: Goal, **fields) -> Measure:
    plan = goal.theme.plan
    require(actor, "plans.manage_plan", plan)
    _check_editable(plan)
    measure = Measure(goal=goal, position=_next_position(goal.measures))
    _set_fields(measure, MEASURE_FIELDS, fields)
    items = list(fields.get("agenda_items") or [])
    _check_measure(measure, plan.helsefellesskap, items)
    measure.save()
    measure.agenda_items.set(items)
    _record(actor=actor, action="plans.measure.created", target=measure, plan=plan)
    return measure


@transaction.atomic
def measure_update(*, actor: User, measure: Measure, **fields) -> Measure:
    plan = measure.plan
    require(actor, "plans.manage_plan", plan)
    _check_editable(plan)
    _set_fields(measure, MEASURE_FIELDS, fields)
    items = list(fields["agenda_items"]) if "agenda_items" in fields else list(measure.agenda_items.all())
    _check_measure(measure, plan.helsefellesskap, items)
    measure.save()
    measure.agenda_items.set(items)
    _record(actor=actor, action="plans.measure.updated", target=measure, plan=plan)
    return measure


@transaction.atomic
def measure_report_status(*, actor: User, measure: Measure, status: str, text: str = "") -> Measure:
    """A new status for the measure with a short text; the earlier ones stay in its history."""
    measure = Measure.objects.select_for_update().select_related("goal__theme__plan").get(pk=measure.pk)
    MEASURE_WORKFLOW.require(actor, measure, "report")
    if status not in MeasureStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    text = (text or "").strip()
    if status in (MeasureStatus.DELAYED, MeasureStatus.CLOSED) and not text:
        raise ValidationError({"text": _("Say briefly why.")})
    if not MEASURE_WORKFLOW.can_move(measure, status):
        raise ValidationError(
            {
                "status": _("A measure that is “%(status)s” cannot be reported as “%(target)s”.")
                % {"status": measure.get_status_display(), "target": dict(MeasureStatus.choices)[status]}
            }
        )
    measure.status_text = text
    measure.status_at = timezone.now()
    MEASURE_WORKFLOW.move(measure, status, actor=actor, text=text)
    return measure


# --- the status report on an agenda ----------------------------------------------------------------------------------


@transaction.atomic
def plan_report_to_agenda(*, actor: User, plan: ActionPlan, meeting, fmt: str = "pdf"):
    """An information item on `meeting` (the SSU's or the partnership meeting's) with the status report attached as
    it stands now; the same path as the deviation half-year report (governance's item and attachment services)."""
    from samhandling.governance import services as governance
    from samhandling.governance.models import ItemKind, ItemOrigin, Visibility

    from . import documents

    PLAN_WORKFLOW.require(actor, plan, "report")
    if meeting is None or meeting.body.helsefellesskap_id != plan.helsefellesskap_id:
        raise ValidationError({"meeting": _("Choose a meeting of one of the community's bodies.")})
    today = date.today()
    content = documents.status_report(plan, fmt, today=today)
    filename = documents.report_filename(plan, fmt, today)
    item = governance.item_from_document(
        actor=actor,
        body=meeting.body,
        meeting=meeting,
        kind=ItemKind.INFORMATION,
        title=_("Status of %(plan)s") % {"plan": plan.title},
        description=_("The secretariat presents the status of the measures in %(plan)s.") % {"plan": plan.title},
        proposed_conclusion=_("The status report is noted."),
        visibility=Visibility.PUBLIC if plan.status == PlanStatus.PUBLISHED else Visibility.INTERNAL,
        document=governance.Document(filename, content, documents.report_title(plan, today)),
        origin=governance.Origin(ItemOrigin.PLAN_REPORT, plan.title, plan.get_absolute_url()),
    )
    for measure in Measure.objects.filter(goal__theme__plan=plan):
        measure.agenda_items.add(item)
    _record(
        actor=actor,
        action="plans.plan.report_on_agenda",
        target=plan,
        plan=plan,
        data={"meeting": meeting.pk, "item": item.pk, "format": fmt},
    )
    return item


# --- removing from a draft -------------------------------------------------------------------------------------------


@transaction.atomic
def plan_part_remove(*, actor: User, part: Theme | Goal | Measure) -> ActionPlan:
    """Remove a theme, goal or measure (with what lies under it) from a draft plan; an approved plan keeps its
    contents (a measure that ends is reported "avsluttet" instead)."""
    plan = part.theme.plan if isinstance(part, Goal) else part.plan
    require(actor, "plans.manage_plan", plan)
    _check_editable(plan)
    action = {Theme: "plans.theme.removed", Goal: "plans.goal.removed", Measure: "plans.measure.removed"}[type(part)]
    _record(actor=actor, action=action, target=part, plan=plan, data={"title": part.title})
    part.delete()
    return plan
