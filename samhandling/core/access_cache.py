"""What every page asks about its user — memberships, organisations, communities, menu and tabs — kept between
requests instead of being read again on each one.

A signed-in user's page asks the same questions on every request: which memberships they hold, which units lie
under them, which communities they belong to, which menu entries and tabs they may open. The answers change only
when an administrator changes roles, organisations or communities. They are cached under a key that holds the
user's `access_version`, a number on the user row that the receivers below raise on every such change; the user
row is read on every request anyway, so an outdated answer is never used and the check costs no query. The entries
also expire after `TTL` seconds, which bounds how long an answer that depends on other data (for instance "has
someone made me the handler of a case") may lag; the services that change such data raise the version themselves.

Only the user object that the authentication middleware loaded for the request uses this cache
(`mark_request_user`): a user object held by a service or a test may be older than the row, and keeps the
per-object caching of `core.permissions`. The cache is Django's default cache: local memory per web process, or
shared when `CACHES` points at a shared one.
"""

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db.models import F

T = TypeVar("T")

TTL = 60  # seconds
_FLAG = "_samhandling_shared_access_cache"


def mark_request_user(user: Any) -> None:
    """The request's own user object, fresh from the database, may use the cache between requests."""
    if user is not None and user.is_authenticated:
        setattr(user, _FLAG, True)


def uses_cache(user: Any) -> bool:
    return bool(getattr(user, _FLAG, False))


def _user_key(user: Any) -> str:
    # date_joined separates two users that got the same id (SQLite reuses the ids of rolled-back rows in tests).
    joined = int(user.date_joined.timestamp() * 1_000_000) if user.date_joined else 0
    return f"samhandling:access:{user.pk}:{joined}:{user.access_version}:{int(user.is_superuser)}:{int(user.is_active)}"


def cached_for(user: Any, name: str, compute: Callable[[], T], *parts: Any) -> T:
    """`compute()` for this user, from the cache when the request's user may use it."""
    if not uses_cache(user):
        return compute()
    key = ":".join([_user_key(user), name, *(str(part) for part in parts)])
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value


def changed_for_users(user_ids: Any) -> None:
    """The access of these users changed: raise their version (a queryset of ids or a list)."""
    from .models import User

    User.objects.filter(pk__in=user_ids).update(access_version=F("access_version") + 1)


def changed_for_everyone() -> None:
    """A change that may touch anyone's access (a community's members, its secretariat): raise every version."""
    from .models import User

    User.objects.update(access_version=F("access_version") + 1)
