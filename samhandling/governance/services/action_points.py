"""Action points (oppfølgingspunkter) from decisions; their status moves through `ACTION_POINT_WORKFLOW`."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samhandling.core.models import User
from samhandling.core.permissions import require

from ..models import (
    ACTION_POINT_WORKFLOW,
    ActionPoint,
    ActionPointStatus,
    AgendaItem,
    BodyMember,
)
from .common import _record, _require_text


@transaction.atomic
def action_point_create(
    *,
    actor: User,
    item: AgendaItem,
    description: str,
    owner: User | None = None,
    owner_member: BodyMember | None = None,
    due_date: date | None = None,
) -> ActionPoint:
    """An action point owned by a user or by a named member of the item's body who has no account."""
    require(actor, "governance.manage_item", item)
    description = _require_text(description, "description", _("Describe what is to be done."))
    if owner_member is not None:
        if owner_member.body_id != item.body_id or owner is not None:
            raise ValidationError({"owner": _("Choose a user or a member of this body as owner.")})
        if owner_member.user_id is not None:
            owner, owner_member = owner_member.user, None
    if owner_member is None and (owner is None or not owner.is_active):
        raise ValidationError({"owner": _("Choose an active user as owner.")})
    point = ActionPoint.objects.create(
        item=item,
        owner=owner,
        owner_member=owner_member,
        description=description,
        due_date=due_date,
        created_by=actor,
    )
    _record(
        actor=actor,
        action="governance.action_point.created",
        target=point,
        body=item.body,
        data={
            "item": item.number,
            "owner": owner.pk if owner else None,
            "owner_member": getattr(owner_member, "pk", None),
        },
    )
    return point


@transaction.atomic
def action_point_complete(*, actor: User, action_point: ActionPoint, note: str = "") -> ActionPoint:
    require(actor, "governance.complete_action_point", action_point)
    action_point.done_note = note.strip()
    ACTION_POINT_WORKFLOW.move(action_point, ActionPointStatus.DONE, actor=actor)
    return action_point


@transaction.atomic
def action_point_reopen(*, actor: User, action_point: ActionPoint) -> ActionPoint:
    require(actor, "governance.complete_action_point", action_point)
    ACTION_POINT_WORKFLOW.move(action_point, ActionPointStatus.OPEN, actor=actor)
    return action_point
