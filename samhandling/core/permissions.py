"""One place that answers "may this user do X (to this object)?". Default deny, and loud about mistakes.

Each app's `access.py` registers its rules with `@rule(name, ...)`; the app's `AppConfig.ready()` imports it, so every
rule exists from start-up. Two rules with one name is an error at start-up; asking for a name nobody registered raises
`UnknownPermission` under DEBUG and in tests (SAMHANDLING_STRICT_PERMISSIONS) and is logged and denied in production,
so a misspelt name can never silently deny. Views call `require()` (or `permission_required`), services call
`require()` again, and menus and tabs are filtered with the same `can()`. `docs/permissions.md` is generated from
this registry (`manage.py permissions_doc`).
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse

from . import access_cache
from .models import Helsefellesskap, Membership, Organisation, Role

log = logging.getLogger(__name__)

MANAGER_ROLES = frozenset({Role.SECRETARIAT, Role.ADMIN})

Check = Callable[[Any, Any], bool]
View = Callable[..., HttpResponse]


class UnknownPermission(LookupError):
    """A permission name that no rule was registered for: a typo, or an app whose access.py was never loaded."""


@dataclass(frozen=True)
class Rule:
    name: str
    check: Check
    description: str
    roles: tuple[str, ...]
    about: str  # what the rule is asked about: the object it takes

    def __call__(self, user: Any, obj: Any) -> bool:
        return self.check(user, obj)


_RULES: dict[str, Rule] = {}


def rule(name: str, *, roles: Iterable[str] = (), about: str = "") -> Callable[[Check], Check]:
    """Register the decorated function as the rule `name`. Its docstring (first line) describes it in
    docs/permissions.md; `roles` are the roles that can hold it (data, for the document: the function decides)."""

    def register(fn: Check) -> Check:
        existing = _RULES.get(name)
        origin = f"{fn.__module__}.{fn.__qualname__}"
        if existing is not None and f"{existing.check.__module__}.{existing.check.__qualname__}" != origin:
            raise ImproperlyConfigured(f"The permission {name!r} is registered twice ({origin}).")
        description = (fn.__doc__ or "").strip().split("\n\n")[0].replace("\n", " ")
        _RULES[name] = Rule(name=name, check=fn, description=description, roles=tuple(roles), about=about)
        return fn

    return register


def registered_rules() -> dict[str, Rule]:
    return dict(sorted(_RULES.items()))


def _strict() -> bool:
    return bool(getattr(settings, "SAMHANDLING_STRICT_PERMISSIONS", settings.DEBUG))


def is_active_user(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def memberships(user: Any) -> list[Membership]:
    """The user's memberships, loaded once per request (cached on the user object)."""
    if not is_active_user(user):
        return []
    cached = getattr(user, "_samhandling_memberships", None)
    if cached is None:
        cached = access_cache.cached_for(
            user,
            "memberships",
            lambda: list(
                Membership.objects.filter(user=user, organisation__is_active=True).select_related("organisation")
            ),
        )
        user._samhandling_memberships = cached
    return cached


def forget_memberships(user: Any) -> None:
    for name in ("_samhandling_memberships", "_samhandling_communities"):
        if hasattr(user, name):
            delattr(user, name)


def user_communities(user: Any) -> list[Helsefellesskap]:
    """The user's communities by name, read once per request (and kept between requests, core/access_cache.py)."""
    if not is_active_user(user):
        return []
    cached = getattr(user, "_samhandling_communities", None)
    if cached is None:
        cached = access_cache.cached_for(user, "communities", lambda: list(communities_of(user).order_by("name")))
        user._samhandling_communities = cached
    return cached


def communities_of(user: Any) -> QuerySet[Helsefellesskap]:
    """Communities the user takes part in through any membership (every community for a superuser)."""
    if not is_active_user(user):
        return Helsefellesskap.objects.none()
    if user.is_superuser:
        return Helsefellesskap.objects.all()
    roots = {m.organisation.root_id for m in memberships(user)}
    return Helsefellesskap.objects.filter(Q(members__in=roots) | Q(secretariat__in=roots)).distinct()


def _role_communities(user: Any, roles: frozenset[str]) -> QuerySet[Helsefellesskap]:
    roots = {m.organisation.root_id for m in memberships(user) if m.role in roles}
    if not roots:  # most users hold none of these roles: their menu and tabs then ask the database nothing
        return Helsefellesskap.objects.none()
    return Helsefellesskap.objects.filter(secretariat__in=roots)


def member_root_ids(community: Helsefellesskap) -> frozenset[int]:
    """The ids of the community's member organisations, read once per community object (so once per request for
    the current community, which the middleware loads per request)."""
    cached: frozenset[int] | None = getattr(community, "_samhandling_member_ids", None)
    if cached is None:
        cached = frozenset(community.members.values_list("pk", flat=True))
        community._samhandling_member_ids = cached  # type: ignore[attr-defined]
    return cached


def managed_communities(user: Any) -> QuerySet[Helsefellesskap]:
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


def _manages(user: Any, community: Helsefellesskap | None) -> bool:
    return community is not None and managed_communities(user).filter(pk=community.pk).exists()


def _manages_organisation(user: Any, organisation: Organisation) -> bool:
    if user.is_superuser:
        return True
    return managed_communities(user).filter(pk__in=communities_of_organisation(organisation)).exists()


@rule("core.view_directory", roles=("any",))
def _view_directory(user: Any, obj: Any) -> bool:
    """See the communities, their organisations, municipalities and population (every signed-in user)."""
    return True


@rule("core.manage_community", roles=(Role.SECRETARIAT, Role.ADMIN), about="helsefellesskap")
def _manage_community(user: Any, community: Any) -> bool:
    """Manage a community's settings, organisations and people (its secretariat and administrators)."""
    return _manages(user, community)


@rule("core.view_audit_log", roles=(Role.SECRETARIAT, Role.ADMIN), about="helsefellesskap")
def _view_audit_log(user: Any, community: Any) -> bool:
    """Read the community's audit log."""
    return _manages(user, community)


@rule("core.manage_organisation", roles=(Role.SECRETARIAT, Role.ADMIN), about="organisation")
def _manage_organisation(user: Any, organisation: Any) -> bool:
    """Add, change and deactivate an organisation or unit of a community one manages."""
    return isinstance(organisation, Organisation) and _manages_organisation(user, organisation)


@rule("core.manage_user", roles=(Role.SECRETARIAT, Role.ADMIN), about="user")
def _manage_user(user: Any, target: Any) -> bool:
    """Create, change and deactivate the users of a community one manages (never a platform operator)."""
    if user.is_superuser:
        return True
    if target is None or target.is_superuser:
        return False
    managed = managed_communities(user)
    target_roots = Membership.objects.filter(user=target).values("organisation__root")
    return managed.filter(Q(members__in=target_roots) | Q(secretariat__in=target_roots)).exists()


@rule("core.grant_role", roles=(Role.SECRETARIAT, Role.ADMIN), about="(organisation, role)")
def _grant_role(user: Any, organisation_and_role: Any) -> bool:
    """Grant a role in an organisation one manages; only an administrator may make another administrator."""
    organisation, role = organisation_and_role
    if not _manages_organisation(user, organisation):
        return False
    if role != Role.ADMIN or user.is_superuser:
        return True
    # Only an administrator of one of the organisation's communities may make another administrator.
    admin_of = _role_communities(user, frozenset({Role.ADMIN}))
    return admin_of.filter(pk__in=communities_of_organisation(organisation)).exists()


def can(user: Any, permission: str, obj: Any = None) -> bool:
    """True only when the rule `permission` says yes for this active user. An unknown name is an error."""
    found = _RULES.get(permission)
    if found is None:
        if _strict():
            raise UnknownPermission(permission)
        log.error("unknown permission %r asked for; denied", permission)
        return False
    if not is_active_user(user):
        return False
    return bool(found.check(user, obj))


def require(user: Any, permission: str, obj: Any = None) -> None:
    if not can(user, permission, obj):
        raise PermissionDenied(permission)


def permission_required(
    permission: str, obj_from_request: Callable[[HttpRequest], Any] | None = None
) -> Callable[[View], View]:
    """View decorator: 403 unless `can(request.user, permission, obj)`; the object comes from the request."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            obj = obj_from_request(request) if obj_from_request else None
            require(request.user, permission, obj)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
