"""Who may do what with framskrivning, registered with `core.permissions`.

Analysts compute populations, import SSB files, build and run scenarios and see every number. The secretariat of a
community reads the populations and scenario results (with the small-number rule applied to service need) and
enters today's capacity, which the results compare with the need.
"""

from samhandling.core.models import Role
from samhandling.core.permissions import can, is_active_user, memberships, rule
from samhandling.indicators.access import is_analyst


def is_secretariat(user) -> bool:
    return is_active_user(user) and any(m.role == Role.SECRETARIAT for m in memberships(user))


@rule("projections.view", roles=(Role.ANALYST, Role.SECRETARIAT))
def _view(user, obj) -> bool:
    """Read populations, scenarios and their results; small numbers hidden outside the analyst role."""
    return is_analyst(user) or is_secretariat(user)


@rule("projections.analyse", roles=(Role.ANALYST,))
def _analyse(user, obj) -> bool:
    """Compute and import populations, build, change and run scenarios, and see raw numbers (analysts)."""
    return is_analyst(user)


@rule("projections.set_capacity", roles=(Role.ANALYST, Role.SECRETARIAT))
def _set_capacity(user, obj) -> bool:
    """Enter today's beds, rooms and full-time equivalents of an area (secretariat and analysts)."""
    return is_analyst(user) or is_secretariat(user)


def sees_raw_values(user) -> bool:
    return can(user, "projections.analyse")
