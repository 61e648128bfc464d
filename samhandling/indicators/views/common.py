"""What every page of styringsinformasjon shares: the module's tabs, filtered with the permission registry, and the
breadcrumbs in the shape of the ui/breadcrumbs.html partial."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from samhandling.core.permissions import can

# (key, label, url name, permission: None for a page anyone may open)
TABS = (
    ("dashboards", _("Dashboards"), "indicators:home", "indicators.view_dashboards"),
    ("datasets", _("Data sets"), "indicators:datasets", "indicators.analyse"),
    ("import", _("Import"), "indicators:dataset_import", "indicators.analyse"),
    ("runs", _("Runs"), "indicators:runs", "indicators.analyse"),
    ("run_start", _("Start a run"), "indicators:run_start", "indicators.analyse"),
    ("public", _("Public pages"), "indicators:public_home", None),
)


def tabs_for(user) -> list[tuple[str, str, str]]:
    """The tabs this user may open, as (key, label, url) for ui/tabs.html."""
    return [
        (key, label, reverse(url))
        for key, label, url, permission in TABS
        if permission is None or can(user, permission)
    ]


def page(request, tab: str, *, with_tabs: bool = True, crumbs=None, **context) -> dict:
    """The context of an indicator page: its tab, the tabs when the user works with the data, and breadcrumbs."""
    return {
        "tab": tab,
        "tabs": tabs_for(request.user) if with_tabs else [],
        "tabs_label": _("Management information"),
        "crumbs": crumbs or [],
        **context,
    }
