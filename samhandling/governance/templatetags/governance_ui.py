"""Template tags of the meeting module's base template: the module's tabs (each filtered with `can()`, so nobody is
offered a page that would refuse them) and the breadcrumbs from the page's body, meeting and item."""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from samhandling.core.permissions import can

register = template.Library()


@register.simple_tag(takes_context=True)
def governance_tabs(context) -> list[tuple[str, str, str]]:
    """(key, label, url) of the tabs the user may open."""
    request = context.get("request")
    user = getattr(request, "user", None)
    community = context.get("current_helsefellesskap")
    tabs = []
    if can(user, "core.view_directory"):
        tabs += [
            ("home", _("Overview"), reverse("governance:home")),
            ("bodies", _("Bodies"), reverse("governance:body_list")),
            ("search", _("Search items"), reverse("governance:search")),
        ]
    if community is not None and can(user, "governance.manage_community", community):
        tabs.append(("settings", _("Settings"), reverse("governance:settings")))
    if community is not None:
        tabs.append(("public", _("Public archive"), reverse("governance:public_archive", args=[community.slug])))
    return tabs


@register.simple_tag(takes_context=True)
def governance_crumbs(context, skip: str = "") -> list[tuple[str, str]]:
    """(label, url) from the module's home through the page's body, meeting and item; `skip` names the one that is
    the page itself ("meeting" on the meeting's page)."""
    crumbs = [(_("Meetings"), reverse("governance:home"))]
    item, meeting = context.get("item"), context.get("meeting")
    body = context.get("body") or (meeting.body if meeting else None) or (item.body if item else None)
    if body is not None and skip != "body":
        crumbs.append((body.name, body.get_absolute_url()))
    if meeting is not None and skip != "meeting":
        crumbs.append((date_format(meeting.date, "SHORT_DATE_FORMAT"), meeting.get_absolute_url()))
    if item is not None and skip != "item":
        label = _("Item %(number)s") % {"number": item.number} if item.number else item.title[:40]
        crumbs.append((label, item.get_absolute_url()))
    return crumbs
