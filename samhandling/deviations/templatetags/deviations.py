"""Template helpers of the deviation module: its tabs for the current user."""

from django import template

from ..navigation import tabs_for

register = template.Library()


@register.simple_tag(takes_context=True)
def deviation_tabs(context):
    """`{% deviation_tabs as tabs %}`: the module's tabs this user may open."""
    request = context.get("request")
    if request is None:
        return []
    return tabs_for(request.user, getattr(request, "helsefellesskap", None))
