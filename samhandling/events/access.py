"""Who may organise events and see their registrations.

A community's secretariat (or administrator) organises the community's events; national events (no community) are
organised by platform operators. Registrants' personal data is for the organiser only: the same rule guards the
participant list, its export, moderation and check-in."""

from typing import Any

from samhandling.core.models import Helsefellesskap, Role
from samhandling.core.permissions import is_active_user, managed_communities, rule


def organises(user: Any, community: Helsefellesskap | None) -> bool:
    """True for the secretariat/admin of `community`, or a platform operator for the national level (None)."""
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    return community is not None and managed_communities(user).filter(pk=community.pk).exists()


def organiser_communities(user: Any):
    """The communities whose events the user organises."""
    return managed_communities(user)


def may_organise_somewhere(user: Any) -> bool:
    return is_active_user(user) and (user.is_superuser or managed_communities(user).exists())


@rule("events.create_event", roles=(Role.SECRETARIAT, Role.ADMIN), about="helsefellesskap (None: national)")
def _create_event(user: Any, community: Any) -> bool:
    """Create an event for a community one runs (the national level: platform operators)."""
    return organises(user, community)


@rule("events.organise", roles=(Role.SECRETARIAT, Role.ADMIN))
def _organise(user: Any, obj: Any) -> bool:
    """Open the organisers' event pages (anyone who organises events somewhere)."""
    return may_organise_somewhere(user)


@rule("events.manage_event", roles=(Role.SECRETARIAT, Role.ADMIN), about="event")
def _manage_event(user: Any, event: Any) -> bool:
    """Edit, publish and cancel an event of a community one runs."""
    return event is not None and organises(user, event.helsefellesskap)


@rule("events.manage_registrations", roles=(Role.SECRETARIAT, Role.ADMIN), about="event or registration")
def _manage_registrations(user: Any, obj: Any) -> bool:
    """See, approve, decline, check in and export the registrations of an event one organises (personal data)."""
    event = getattr(obj, "event", obj)
    return event is not None and organises(user, event.helsefellesskap)
