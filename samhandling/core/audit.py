"""The audit log: services call `record()` inside their transaction; `describe()` turns an action into a sentence.

Modules register their own action labels with `register_actions()` so the log viewer can show every event in the
user's language (pretix's pattern of dotted action types with a mapping to translated text).
"""

from collections.abc import Mapping
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, Helsefellesskap

_ACTION_LABELS: dict[str, Any] = {
    "core.reference_data.loaded": _("Loaded reference data"),
    "core.organisation.created": _("Created organisation"),
    "core.organisation.updated": _("Changed organisation"),
    "core.organisation.deactivated": _("Deactivated organisation"),
    "core.organisation.reactivated": _("Reactivated organisation"),
    "core.helsefellesskap.member_added": _("Added member organisation"),
    "core.user.created": _("Created user"),
    "core.user.updated": _("Changed user"),
    "core.user.deactivated": _("Deactivated user"),
    "core.user.reactivated": _("Reactivated user"),
    "core.user.language_changed": _("Changed language"),
    "core.user.password_changed": _("Changed password"),
    "core.user.logged_in": _("Logged in"),
    "core.user.logged_out": _("Logged out"),
    "core.user.login_failed": _("Failed log-in"),
    "core.user.identity_bound": _("Bound a log-in identity"),
    "core.user.two_factor_enabled": _("Set up two-factor log-in"),
    "core.user.two_factor_verified": _("Confirmed log-in with a second factor"),
    "core.user.recovery_codes_renewed": _("Made new recovery codes"),
    "core.user.two_factor_reset": _("Removed two-factor log-in"),
    "core.user.identity_unbound": _("Released a log-in identity"),
    "core.user.created_from_identity": _("Created user at first log-in"),
    "core.membership.granted": _("Granted role"),
    "core.membership.revoked": _("Revoked role"),
}


def register_actions(labels: Mapping[str, Any]) -> None:
    _ACTION_LABELS.update(labels)


def action_choices() -> list[tuple[str, Any]]:
    return sorted(_ACTION_LABELS.items(), key=lambda item: item[0])


def describe(action: str) -> Any:
    return _ACTION_LABELS.get(action, action)


def record(
    *,
    actor,
    action: str,
    target: models.Model | None = None,
    helsefellesskap: Helsefellesskap | None = None,
    data: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event. Never put patient-identifying data in `data`."""
    real_actor = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    return AuditEvent.objects.create(
        actor=real_actor,
        actor_name=str(real_actor) if real_actor else "",
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        target_repr=str(target)[:300] if target is not None else "",
        helsefellesskap=helsefellesskap,
        data=dict(data or {}),
    )
