"""Settings, bodies, their members (seats) and recurring items: the standing structure of the meeting module."""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, Organisation, User
from samhandling.core.permissions import require

from ..access import forget_access
from ..models import (
    Body,
    BodyKind,
    BodyMember,
    GovernanceSettings,
    ItemKind,
    MemberRole,
    RecurringItem,
    Visibility,
)
from .common import _assign, _record, settings_for


@transaction.atomic
def settings_update(*, actor: User, community: Helsefellesskap, case_number_format: str) -> GovernanceSettings:
    require(actor, "governance.manage_community", community)
    found = settings_for(community)
    if case_number_format not in dict(GovernanceSettings._meta.get_field("case_number_format").choices):
        raise ValidationError({"case_number_format": _("Choose one of the number formats.")})
    previous = found.case_number_format
    found.case_number_format = case_number_format
    found.save()
    audit.record(
        actor=actor,
        action="governance.settings.updated",
        target=found,
        helsefellesskap=community,
        data={"case_number_format": [previous, case_number_format]},
    )
    return found


BODY_FIELDS = ("kind", "name", "short_name", "topic", "mandate", "parent", "meetings_per_year", "is_active")


def _check_body(body: Body, may_forward_to: Iterable[Body] | None) -> None:
    errors = {}
    if body.kind not in BodyKind.values:
        errors["kind"] = _("Choose a kind of body.")
    if not (body.name or "").strip():
        errors["name"] = _("Give the body a name.")
    elif Body.objects.filter(helsefellesskap=body.helsefellesskap, name=body.name.strip()).exclude(pk=body.pk).exists():
        errors["name"] = _("The community already has a body with this name.")
    if body.parent_id:
        parent, seen = body.parent, {body.pk}
        if parent.helsefellesskap_id != body.helsefellesskap_id:
            errors["parent"] = _("Choose a body of the same health community.")
        while parent is not None and "parent" not in errors:
            if parent.pk in seen:
                errors["parent"] = _("A body cannot report to itself, directly or through others.")
            seen.add(parent.pk)
            parent = parent.parent
    for target in may_forward_to or []:
        if target.helsefellesskap_id != body.helsefellesskap_id or target.pk == body.pk:
            errors["may_forward_to"] = _("Choose other bodies of the same health community.")
    if errors:
        raise ValidationError(errors)


check_body = _check_body


@transaction.atomic
def body_create(
    *,
    actor: User,
    community: Helsefellesskap,
    kind: str,
    name: str,
    short_name: str = "",
    topic: str = "",
    mandate: str = "",
    parent: Body | None = None,
    may_forward_to: Iterable[Body] = (),
    meetings_per_year: int = 4,
) -> Body:
    require(actor, "governance.manage_community", community)
    body = Body(
        helsefellesskap=community,
        kind=kind,
        name=(name or "").strip(),
        short_name=short_name.strip(),
        topic=topic.strip(),
        mandate=mandate.strip(),
        parent=parent,
        meetings_per_year=meetings_per_year,
    )
    may_forward_to = list(may_forward_to)
    _check_body(body, may_forward_to)
    body.save()
    body.may_forward_to.set(may_forward_to)
    _record(actor=actor, action="governance.body.created", target=body, body=body, data={"kind": kind})
    return body


@transaction.atomic
def body_update(*, actor: User, body: Body, **fields) -> Body:
    require(actor, "governance.manage_body", body)
    may_forward_to = fields.pop("may_forward_to", None)
    _assign(body, fields, BODY_FIELDS, "body_update")
    may_forward_to = list(may_forward_to) if may_forward_to is not None else None
    _check_body(body, may_forward_to)
    body.save()
    if may_forward_to is not None:
        body.may_forward_to.set(may_forward_to)
    _record(actor=actor, action="governance.body.updated", target=body, body=body, data={"fields": sorted(fields)})
    return body


MEMBER_FIELDS = ("role", "user", "name", "email", "organisation", "represents_text", "valid_from", "valid_to")


def _check_member(member: BodyMember) -> None:
    errors = {}
    if member.role not in MemberRole.values:
        errors["role"] = _("Choose a role.")
    if member.user_id is None and not member.name.strip():
        errors["name"] = _("Choose a user or write the person's name.")
    if member.valid_to is not None and member.valid_from and member.valid_to < member.valid_from:
        errors["valid_to"] = _("The end of the period must be after its start.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def member_add(
    *,
    actor: User,
    body: Body,
    role: str,
    user: User | None = None,
    name: str = "",
    email: str = "",
    organisation: Organisation | None = None,
    represents_text: str = "",
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> BodyMember:
    require(actor, "governance.manage_body", body)
    member = BodyMember(
        body=body,
        role=role,
        user=user,
        name=name.strip(),
        email=email.strip(),
        organisation=organisation,
        represents_text=represents_text.strip(),
        valid_from=valid_from or timezone.localdate(),
        valid_to=valid_to,
    )
    _check_member(member)
    member.save()
    if user is not None:
        forget_access(user)
    _record(actor=actor, action="governance.member.added", target=member, body=body, data={"role": role})
    return member


@transaction.atomic
def member_update(*, actor: User, member: BodyMember, **fields) -> BodyMember:
    require(actor, "governance.manage_body", member.body)
    _assign(member, fields, MEMBER_FIELDS, "member_update")
    _check_member(member)
    member.save()
    _record(
        actor=actor,
        action="governance.member.updated",
        target=member,
        body=member.body,
        data={"fields": sorted(fields)},
    )
    return member


@transaction.atomic
def member_end(*, actor: User, member: BodyMember, valid_to: date) -> BodyMember:
    """End a seat. Seats are kept (not deleted) so attendance and history still name the person."""
    require(actor, "governance.manage_body", member.body)
    member.valid_to = valid_to
    _check_member(member)
    member.save()
    _record(
        actor=actor,
        action="governance.member.ended",
        target=member,
        body=member.body,
        data={"valid_to": valid_to.isoformat()},
    )
    return member


RECURRING_FIELDS = ("title", "kind", "description", "responsible_name", "visibility", "months", "is_active")


def _check_recurring(recurring: RecurringItem) -> None:
    recurring.clean()
    if not recurring.title.strip():
        raise ValidationError({"title": _("Give the item a title.")})
    recurring.months = sorted(set(recurring.months))


@transaction.atomic
def recurring_item_create(
    *,
    actor: User,
    body: Body,
    title: str,
    months: Iterable[int],
    kind: str = ItemKind.INFORMATION,
    description: str = "",
    responsible_name: str = "",
    visibility: str = Visibility.PUBLIC,
) -> RecurringItem:
    require(actor, "governance.manage_body", body)
    recurring = RecurringItem(
        body=body,
        title=(title or "").strip(),
        months=list(months),
        kind=kind,
        description=description.strip(),
        responsible_name=responsible_name.strip(),
        visibility=visibility,
    )
    _check_recurring(recurring)
    recurring.save()
    _record(
        actor=actor,
        action="governance.recurring.created",
        target=recurring,
        body=body,
        data={"months": recurring.months},
    )
    return recurring


@transaction.atomic
def recurring_item_update(*, actor: User, recurring: RecurringItem, **fields) -> RecurringItem:
    require(actor, "governance.manage_body", recurring.body)
    if "months" in fields:
        fields["months"] = list(fields["months"])
    _assign(recurring, fields, RECURRING_FIELDS, "recurring_item_update")
    _check_recurring(recurring)
    recurring.save()
    _record(
        actor=actor,
        action="governance.recurring.updated",
        target=recurring,
        body=recurring.body,
        data={"fields": sorted(fields)},
    )
    return recurring
