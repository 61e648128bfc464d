"""One place that answers "may this user do X (to this object)?". Default deny.

Views call `require()` (or the `permission_required` decorator) and services call `require()` again, so a rule is
never checked in one path and forgotten in another. Selectors use `managed_communities()` and
`community_organisations()` to filter lists with the same rules the detail pages use.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from .models import Helsefellesskap, Membership, Organisation, Role

MANAGER_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        _RULES[name] = fn
        return fn

    return register


def is_active_user(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def memberships(user) -> list[Membership]:
    """The user's memberships, loaded once per request (cached on the user object)."""
    if not is_active_user(user):
        return []
    cached = getattr(user, "_samhandling_memberships", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=user, organisation__is_active=True).select_related("organisation"))
        user._samhandling_memberships = cached
    return cached


def forget_memberships(user) -> None:
    if hasattr(user, "_samhandling_memberships"):
        del user._samhandling_memberships


def communities_of(user) -> QuerySet[Helsefellesskap]:
    """Communities the user takes part in through any membership (every community for a superuser)."""
    if not is_active_user(user):
        return Helsefellesskap.objects.none()
    if user.is_superuser:
        return Helsefellesskap.objects.all()
    roots = {m.organisation.root_id for m in memberships(user)}
    return Helsefellesskap.objects.filter(Q(members__in=roots) | Q(secretariat__in=roots)).distinct()


def _role_communities(user, roles: frozenset[str]) -> QuerySet[Helsefellesskap]:
    roots = {m.organisation.root_id for m in memberships(user) if m.role in roles}
    return Helsefellesskap.objects.filter(secretariat__in=roots)


def managed_communities(user) -> QuerySet[Helsefellesskap]:
    """Communities whose organisations, users and audit log the user manages (secretariat or admin role)."""
    if not is_active_user(user):
        return Helsefellesskap.objects.none()
    if user.is_superuser:
        return Helsefellesskap.objects.all()
    return _role_communities(user, MANAGER_ROLES)


def community_organisations(community: Helsefellesskap) -> QuerySet[Organisation]:
    """Every organisation and unit that belongs to a community, including its secretariat."""
    return Organisation.objects.filter(Q(root__in=community.members.values("pk")) | Q(root_id=community.secretariat_id))


def communities_of_organisation(organisation: Organisation) -> QuerySet[Helsefellesskap]:
    root_id = organisation.root_id or organisation.pk
    return Helsefellesskap.objects.filter(Q(members=root_id) | Q(secretariat=root_id)).distinct()


def _manages(user, community: Helsefellesskap | None) -> bool:
    return community is not None and managed_communities(user).filter(pk=community.pk).exists()


def _manages_organisation(user, organisation: Organisation) -> bool:
    if user.is_superuser:
        return True
    return managed_communities(user).filter(pk__in=communities_of_organisation(organisation)).exists()


@rule("core.view_directory")
def _view_directory(user, obj) -> bool:
    return True


@rule("core.manage_community")
def _manage_community(user, community) -> bool:
    return _manages(user, community)


@rule("core.view_audit_log")
def _view_audit_log(user, community) -> bool:
    return _manages(user, community)


@rule("core.manage_organisation")
def _manage_organisation(user, organisation) -> bool:
    return isinstance(organisation, Organisation) and _manages_organisation(user, organisation)


@rule("core.manage_user")
def _manage_user(user, target) -> bool:
    if user.is_superuser:
        return True
    if target is None or target.is_superuser:
        return False
    managed = managed_communities(user)
    target_roots = Membership.objects.filter(user=target).values("organisation__root")
    return managed.filter(Q(members__in=target_roots) | Q(secretariat__in=target_roots)).exists()


@rule("core.grant_role")
def _grant_role(user, organisation_and_role) -> bool:
    organisation, role = organisation_and_role
    if not _manages_organisation(user, organisation):
        return False
    if role != Role.ADMIN or user.is_superuser:
        return True
    # Only an administrator of one of the organisation's communities may make another administrator.
    admin_of = _role_communities(user, frozenset({Role.ADMIN}))
    return admin_of.filter(pk__in=communities_of_organisation(organisation)).exists()


def can(user, permission: str, obj: Any = None) -> bool:
    """True only when a rule exists for `permission` and says yes for this active user."""
    check = _RULES.get(permission)
    if check is None or not is_active_user(user):
        return False
    return bool(check(user, obj))


def require(user, permission: str, obj: Any = None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied(permission)


def permission_required(permission: str, obj_from_request: Callable | None = None):
    """View decorator: 403 unless `can(request.user, permission, obj)`; the object comes from the request."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            obj = obj_from_request(request) if obj_from_request else None
            require(request.user, permission, obj)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
