"""Small template helpers: dictionary look-up, audit sentences, permissions and workflow actions, status tags."""

from django import template

from .. import audit

register = template.Library()


@register.filter
def get_item(mapping, key):
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def audit_label(action: str):
    return audit.describe(action)


@register.filter
def change(population: dict, years: list):
    """Change in residents from the first to the last of `years`, or None."""
    if not population or not years or years[0] not in population or years[-1] not in population:
        return None
    return population[years[-1]] - population[years[0]]


@register.filter
def as_json(value) -> str:
    import json

    return json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True, default=str)


@register.filter
def status_tone(obj) -> str:
    """The Designsystemet colour of an object's status, from its workflow (templates never compare statuses)."""
    from ..workflow import workflow_for

    return workflow_for(obj).tone(obj)


@register.filter
def status_label(obj) -> str:
    from ..workflow import workflow_for

    return workflow_for(obj).label_of(getattr(obj, workflow_for(obj).field))


@register.simple_tag(takes_context=True)
def can(context, permission: str, obj=None) -> bool:
    """`{% can "deviations.view_statistics" community as may %}`: the permission registry's answer for this user."""
    from ..permissions import can as allowed

    request = context.get("request")
    return allowed(getattr(request, "user", None), permission, obj)


@register.simple_tag(takes_context=True)
def allowed_actions(context, obj):
    """`{% allowed_actions case as actions %}` then `{% if actions.answer %}`: what the user may do now."""
    from ..workflow import workflow_for

    request = context.get("request")
    return workflow_for(obj).actions_for(getattr(request, "user", None), obj)


@register.filter
def html_attrs(attrs) -> str:
    """A widget's attributes as HTML, as Django's attrs.html writes them (True bare, False left out), in Python: the
    select partial uses it for every option, where an include per option costs more than the page's queries."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    parts = [
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in (attrs or {}).items()
        if value is not False
    ]
    return mark_safe("".join(parts))
