"""Who may see and manage a community's action plans.

The secretariat (or an administrator) manages the plans; people of the community's member organisations read the
approved and published plans, never drafts; a measure's owner reads the plan of the measure and reports its
status. The public pages show published plans only and do not go through these rules.
"""

from samhandling.core.models import Role
from samhandling.core.permissions import is_active_user, managed_communities, rule, user_communities

from .models import ActionPlan, Measure, PlanStatus

MANAGERS = (Role.SECRETARIAT, Role.ADMIN)
MEMBER = "community member"
OWNER = "measure owner"


def manages(user, community) -> bool:
    if community is None or not is_active_user(user):
        return False
    cached = getattr(user, "_samhandling_plans_managed", None)
    if cached is None:
        cached = set(managed_communities(user).values_list("pk", flat=True))
        user._samhandling_plans_managed = cached
    return community.pk in cached


def member_of(user, community) -> bool:
    if community is None or not is_active_user(user):
        return False
    return any(c.pk == community.pk for c in user_communities(user))


def owns_measure_in(user, plan: ActionPlan) -> bool:
    return Measure.objects.filter(goal__theme__plan=plan, owner=user).exists()


@rule("plans.view_list", roles=(*MANAGERS, MEMBER), about="helsefellesskap")
def _view_list(user, community) -> bool:
    """Open the action plans of a community one belongs to."""
    return member_of(user, community)


@rule("plans.manage", roles=MANAGERS, about="helsefellesskap")
def _manage(user, community) -> bool:
    """Create action plans for a community one manages."""
    return manages(user, community)


@rule("plans.view_plan", roles=(*MANAGERS, MEMBER, OWNER), about="action plan")
def _view_plan(user, plan) -> bool:
    """Read an action plan: managers always; members of the community once it is approved; owners of its measures."""
    if not isinstance(plan, ActionPlan):
        return False
    if manages(user, plan.helsefellesskap):
        return True
    if plan.status != PlanStatus.DRAFT and member_of(user, plan.helsefellesskap):
        return True
    return owns_measure_in(user, plan)


@rule("plans.manage_plan", roles=MANAGERS, about="action plan")
def _manage_plan(user, plan) -> bool:
    """Change a plan, its themes, goals and measures; record its approval, publish it, copy it, report on it."""
    return isinstance(plan, ActionPlan) and manages(user, plan.helsefellesskap)


@rule("plans.report_status", roles=(*MANAGERS, OWNER), about="measure")
def _report_status(user, measure) -> bool:
    """Report the status of a measure: its owner and the community's secretariat."""
    if not isinstance(measure, Measure):
        return False
    return measure.owner_id == user.pk or manages(user, measure.goal.theme.plan.helsefellesskap)
