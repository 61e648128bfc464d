"""Reads of the action plans, filtered by what the user may see, and a goal's progress read from the indicator
module's published results (through its selectors, so suppressed values stay hidden here too)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from samhandling.core.http import parse_id
from samhandling.core.models import Helsefellesskap
from samhandling.core.permissions import can
from samhandling.indicators import selectors as indicator_selectors
from samhandling.indicators.models import Level

from .access import manages, member_of
from .models import ActionPlan, Goal, Measure, PlanStatus, Theme


def plans_for(user, community: Helsefellesskap | None) -> QuerySet[ActionPlan]:
    """The community's plans the user may read: all for managers, approved and published ones for members, and
    drafts in which the user owns a measure."""
    if community is None:
        return ActionPlan.objects.none()
    plans = ActionPlan.objects.filter(helsefellesskap=community)
    if manages(user, community):
        return plans
    owned = plans.filter(themes__goals__measures__owner=user) if user.is_authenticated else plans.none()
    if member_of(user, community):
        return (plans.exclude(status=PlanStatus.DRAFT) | owned).distinct()
    return owned.distinct()


def published_plans(community: Helsefellesskap) -> QuerySet[ActionPlan]:
    return ActionPlan.objects.filter(helsefellesskap=community, status=PlanStatus.PUBLISHED)


def _measures() -> QuerySet[Measure]:
    return Measure.objects.select_related("responsible_body", "owner").prefetch_related("agenda_items")


def with_contents(plans: QuerySet[ActionPlan]) -> QuerySet[ActionPlan]:
    """Themes, goals and measures in order, in four queries."""
    return plans.select_related("helsefellesskap", "approved_by_item", "approved_by_item__meeting").prefetch_related(
        Prefetch(
            "themes",
            queryset=Theme.objects.prefetch_related(
                Prefetch("goals", queryset=Goal.objects.prefetch_related(Prefetch("measures", queryset=_measures())))
            ),
        )
    )


def plan_for(user, pk) -> ActionPlan:
    """A plan the user may read (404 otherwise, so the plan's existence is not told)."""
    number = parse_id(pk)
    plan = with_contents(ActionPlan.objects.filter(pk=number)).first() if number else None
    if plan is None or not can(user, "plans.view_plan", plan):
        raise Http404
    return plan


def theme_for(user, pk) -> Theme:
    theme = Theme.objects.select_related("plan", "plan__helsefellesskap").filter(pk=parse_id(pk) or 0).first()
    if theme is None or not can(user, "plans.view_plan", theme.plan):
        raise Http404
    return theme


def goal_for(user, pk) -> Goal:
    goal = (
        Goal.objects.select_related("theme", "theme__plan", "theme__plan__helsefellesskap")
        .filter(pk=parse_id(pk) or 0)
        .first()
    )
    if goal is None or not can(user, "plans.view_plan", goal.theme.plan):
        raise Http404
    return goal


def measure_for(user, pk) -> Measure:
    measure = (
        _measures()
        .select_related("goal", "goal__theme", "goal__theme__plan", "goal__theme__plan__helsefellesskap")
        .filter(pk=parse_id(pk) or 0)
        .first()
    )
    if measure is None or not can(user, "plans.view_plan", measure.plan):
        raise Http404
    return measure


def measures_of(plan: ActionPlan) -> list[Measure]:
    return [m for theme in plan.themes.all() for goal in theme.goals.all() for m in goal.measures.all()]


# --- a goal measured by an indicator ------------------------------------------------------------------------------

REACHED, ON_TRACK, OFF_TRACK, UNKNOWN = "reached", "on_track", "off_track", "unknown"


@dataclass
class AreaProgress:
    area: object
    latest_year: int | None
    latest: object  # indicators.selectors.Cell or None
    baseline: object
    trend: list = field(default_factory=list)  # [(year, Cell | None)]
    verdict: str = UNKNOWN


@dataclass
class GoalProgress:
    indicator: object
    unit_label: str
    target: str
    areas: list[AreaProgress]


def indicator_choices(language: str) -> list[tuple[str, str]]:
    return [(i.id, i.name(language)) for i in indicator_selectors.catalogue()]


def area_choices(community: Helsefellesskap) -> list[tuple[str, str]]:
    own = indicator_selectors.community_area(community)
    return [(own.key, own.name)] + [(a.key, a.name) for a in indicator_selectors.municipalities_of(own)]


def _area(community: Helsefellesskap, key: str):
    level, _sep, code = key.partition(":")
    if level == Level.HELSEFELLESSKAP:
        return indicator_selectors.community_area(community) if code == community.reference_key else None
    if level == Level.KOMMUNE:
        try:
            return indicator_selectors.municipality_area(code)
        except Http404:
            return None
    return None


def verdict(latest, baseline, target: float | None, higher_is_better: bool | None) -> str:
    """Reached when the latest value meets the target; on track when it has moved from the baseline towards the
    target; off track when it has not; unknown without a visible latest value."""
    if latest is None or latest.value is None or target is None:
        return UNKNOWN
    start = baseline.value if baseline is not None and baseline.value is not None else None
    better_up = higher_is_better
    if better_up is None:
        if start is None:
            return UNKNOWN
        better_up = target >= start
    if (latest.value >= target) if better_up else (latest.value <= target):
        return REACHED
    if start is None:
        return UNKNOWN
    return ON_TRACK if ((latest.value > start) if better_up else (latest.value < start)) else OFF_TRACK


def goal_progress(goal: Goal, community: Helsefellesskap) -> GoalProgress | None:
    """The goal's indicator in its areas from the published run: latest value, trend and verdict. Never raw values:
    a suppressed result is a hidden cell, and the verdict of a hidden value is unknown."""
    if not goal.indicator:
        return None
    try:
        from samhandling.indicators.engine.catalogue import get

        indicator = get(goal.indicator)
    except KeyError:
        return None
    run = indicator_selectors.published_run()
    areas = [a for a in (_area(community, key) for key in goal.areas or []) if a is not None]
    if not areas:
        areas = [indicator_selectors.community_area(community)]
    target = indicator_selectors.format_value(goal.target_value, indicator.unit)
    progress = GoalProgress(indicator, indicator_selectors.unit_label(indicator.unit), target, [])
    if run is None:
        progress.areas = [AreaProgress(area, None, None, None) for area in areas]
        return progress
    trends = indicator_selectors.trend(run, indicator, areas, raw=False)
    for area in areas:
        series = trends.get(area.key, [])
        shown = [(year, cell) for year, cell in series if cell is not None]
        latest_year, latest = shown[-1] if shown else (None, None)
        baseline = dict(series).get(goal.baseline_year) if goal.baseline_year else None
        progress.areas.append(
            AreaProgress(
                area,
                latest_year,
                latest,
                baseline,
                series,
                verdict(latest, baseline, goal.target_value, getattr(indicator, "higher_is_better", None)),
            )
        )
    return progress


def plan_progress(plan: ActionPlan) -> dict[int, GoalProgress]:
    """goal id → progress, for the goals of the plan that are measured by an indicator; each goal of the (prefetched)
    plan also gets it as `goal.progress`, for the templates."""
    found = {}
    for theme in plan.themes.all():
        for goal in theme.goals.all():
            goal.progress = goal_progress(goal, plan.helsefellesskap)
            if goal.progress is not None:
                found[goal.pk] = goal.progress
    return found
