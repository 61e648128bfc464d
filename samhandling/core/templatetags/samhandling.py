"""Small template helpers: dictionary look-up, audit sentences, role labels."""

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
