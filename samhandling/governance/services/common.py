"""Helpers every service module shares: the audit record, field assignment, required text, the community's
settings and the agenda order ranks."""

import logging

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap

from ..models import (
    MS,
    AgendaItem,
    Body,
    GovernanceSettings,
    StandardItem,
    Visibility,
)

_RANK = {StandardItem.APPROVE_NOTICE: 0, StandardItem.APPROVE_MINUTES: 1, StandardItem.NONE: 2}


_LAST_RANK = 3


_VISIBILITY_ORDER = [Visibility.PUBLIC, Visibility.INTERNAL, Visibility.CONFIDENTIAL]


logger = logging.getLogger(__name__)


def _record(*, actor, action: str, target, body: Body, data: dict | None = None) -> None:
    audit.record(actor=actor, action=action, target=target, helsefellesskap=body.helsefellesskap, data=data)


def _assign(instance, fields: dict, allowed: tuple[str, ...], service: str) -> None:
    """Set the given fields (text stripped); an unknown name is a programming error, not a user's."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"{service}() got unknown fields {sorted(unknown)}")
    for name, value in fields.items():
        setattr(instance, name, value.strip() if isinstance(value, str) else value)


def _require_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def settings_for(community: Helsefellesskap) -> GovernanceSettings:
    return GovernanceSettings.objects.get_or_create(helsefellesskap=community)[0]


def _check_editable(item: AgendaItem) -> None:
    if item.meeting_id and item.meeting.status in (MS.MINUTES_APPROVED, MS.CANCELLED):
        raise ValidationError(_("The item belongs to approved minutes or a cancelled meeting and cannot be changed."))
