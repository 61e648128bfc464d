"""The main menu, filtered with the same permission rules the pages use: a user sees only what they may open.

Each app registers its entry from `AppConfig.ready()`; `permission` is asked about the user's current community
when `about_community` is set, otherwise about nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise

from . import access_cache
from .permissions import can


@dataclass(frozen=True)
class MenuEntry:
    key: str
    label: str | Promise
    url_name: str
    permission: str
    path_prefix: str
    about_community: bool = False
    order: int = 100
    visible: Callable[[Any], bool] | None = None  # an extra test on the request, for entries no single rule decides


_MENU: dict[str, MenuEntry] = {}


def register_menu(entry: MenuEntry) -> None:
    _MENU[entry.key] = entry


def menu_for(request: HttpRequest) -> list[dict[str, Any]]:
    """The entries this user may open, in order, each with its URL and whether it is the current section."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    community = getattr(request, "helsefellesskap", None)
    allowed = access_cache.cached_for(
        user, "menu", lambda: _allowed_entries(request, community), community.pk if community else "-"
    )
    entries = []
    for key, url in allowed:
        entry = _MENU[key]
        current = request.path == url if entry.path_prefix == "/" else request.path.startswith(entry.path_prefix)
        entries.append({"key": entry.key, "label": entry.label, "url": url, "current": current})
    return entries


def _allowed_entries(request: HttpRequest, community: Any) -> list[tuple[str, str]]:
    """(key, URL) of the entries the user may open, in order: the same for every page of a community."""
    user = request.user
    allowed = []
    for entry in sorted(_MENU.values(), key=lambda e: (e.order, e.key)):
        obj = community if entry.about_community else None
        if entry.about_community and not community:
            continue
        if not can(user, entry.permission, obj):
            continue
        if entry.visible is not None and not entry.visible(request):
            continue
        allowed.append((entry.key, reverse(entry.url_name)))
    return allowed
