"""Who may do what with styringsinformasjon, registered with `core.permissions`.

Analysts (the `analyst` role in any organisation; they work nationally or regionally) import data sets, start and
publish runs and see raw, unsuppressed numbers. Every other logged-in user reads the dashboards of the published run
with small numbers hidden; the public pages need no rule at all (they only ever read the published run, suppressed).
"""

from samhandling.core.models import Role
from samhandling.core.permissions import can, is_active_user, memberships, rule


def is_analyst(user) -> bool:
    if not is_active_user(user):
        return False
    return user.is_superuser or any(m.role == Role.ANALYST for m in memberships(user))


@rule("indicators.view_dashboards", roles=("any",))
def _view_dashboards(user, obj) -> bool:
    """Read the dashboards of the published run, small numbers hidden (every signed-in user)."""
    return True


@rule("indicators.analyse", roles=(Role.ANALYST,))
def _analyse(user, obj) -> bool:
    """Import data sets, start indicator runs and see raw, unsuppressed numbers (analysts)."""
    return is_analyst(user)


@rule("indicators.publish_run", roles=(Role.ANALYST,), about="run")
def _publish_run(user, run) -> bool:
    """Publish a run's results on the public pages, or withdraw them (analysts)."""
    return is_analyst(user)


@rule("indicators.manage_groups", roles=("any",), about="comparison group")
def _manage_groups(user, group) -> bool:
    """Build, use and delete one's own comparison groups of municipalities (every signed-in user; only the owner)."""
    return group is None or group.owner_id == user.pk


def sees_raw_values(user) -> bool:
    """Raw numerators and denominators below the suppression limit are for analysts only."""
    return can(user, "indicators.analyse")
