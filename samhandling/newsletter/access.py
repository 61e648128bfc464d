"""Who may edit a newsletter and who may send contributions.

A newsletter's editors are its named editors, the secretariat (or administrator) of its community, and platform
operators; they alone see subscribers and decide contributions. Any member of any community may send a contribution
(innspill) to any newsletter."""

from typing import Any

from samhandling.core.models import Role
from samhandling.core.permissions import communities_of, is_active_user, managed_communities, rule


def edits(user: Any, newsletter: Any) -> bool:
    if not is_active_user(user) or newsletter is None:
        return False
    if user.is_superuser or newsletter.editors.filter(pk=user.pk).exists():
        return True
    return (
        newsletter.helsefellesskap_id is not None
        and managed_communities(user).filter(pk=newsletter.helsefellesskap_id).exists()
    )


def _newsletter_of(obj: Any):
    from .models import Newsletter

    if isinstance(obj, Newsletter):
        return obj
    return getattr(obj, "newsletter", None)


@rule("newsletter.edit", roles=(Role.SECRETARIAT, Role.ADMIN, "editor"), about="newsletter, issue or contribution")
def _edit(user: Any, obj: Any) -> bool:
    """Edit a newsletter's issues, decide contributions, see and export its subscribers, send (its named editors,
    its community's secretariat and administrators)."""
    return edits(user, _newsletter_of(obj))


@rule("newsletter.contribute", roles=("any member",))
def _contribute(user: Any, obj: Any) -> bool:
    """Send a contribution (innspill) to a newsletter (anyone with a role in a community)."""
    return user.is_superuser or communities_of(user).exists()


@rule("newsletter.create", roles=(Role.SECRETARIAT, Role.ADMIN), about="helsefellesskap (None: national)")
def _create(user: Any, community: Any) -> bool:
    """Start a newsletter for a community one runs (the national newsletter: platform operators)."""
    if not is_active_user(user):
        return False
    if user.is_superuser:
        return True
    return community is not None and managed_communities(user).filter(pk=community.pk).exists()
