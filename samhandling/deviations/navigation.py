"""The deviation module's tabs, in one place: each tab names the permission that opens its page, so a person only
sees the tabs they may open (a reporter sees no inbox, statistics or reports that would answer 403)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core import access_cache
from samhandling.core.permissions import can

# key, label, URL name, permission, whether the permission is asked about the current community
TABS = (
    ("mine", _("My reports"), "deviations:mine", "deviations.report", False),
    ("report", _("Report a deviation"), "deviations:report", "deviations.report", False),
    ("inbox", _("Inbox"), "deviations:inbox", "deviations.view_inbox", False),
    ("units", _("From my units"), "deviations:units", "deviations.view_units", False),
    ("statistics", _("Statistics"), "deviations:statistics", "deviations.view_statistics", True),
    ("reports", _("Reports"), "deviations:reports", "deviations.view_statistics", True),
)


def tabs_for(user, community) -> list[tuple[str, str, str]]:
    """(key, label, url) of the tabs the user may open. Each rule is asked once (two tabs share one); the answer is
    kept between requests (core/access_cache.py)."""
    community = community or None  # the request's lazy "no community" is falsy but not None
    allowed = access_cache.cached_for(
        user, "deviation-tabs", lambda: _allowed_tabs(user, community), community.pk if community else "-"
    )
    labels = {key: label for key, label, *_rest in TABS}
    return [(key, str(labels[key]), url) for key, url in allowed]


def _allowed_tabs(user, community) -> list[tuple[str, str]]:
    answers: dict[tuple[str, bool], bool] = {}
    allowed = []
    for key, _label, url_name, permission, about_community in TABS:
        asked = (permission, about_community)
        if asked not in answers:
            answers[asked] = can(user, permission, community if about_community else None)
        if answers[asked]:
            allowed.append((key, reverse(url_name)))
    return allowed
