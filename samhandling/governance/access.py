"""Who may see and manage bodies, meetings, items, attachments and documents of the meeting module.

The secretariat (or an administrator) of a community manages its bodies; a person with a seat in a body sees its
meetings (a former member only those held during the seat) and their items once the notice has gone out;
confidential items are for managers and current members other than observers. `GovernanceAccess` is computed once
per request; the rules below and the selectors both use it, so a list never shows what the detail page would
refuse. The public archive does not go through these rules.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from samhandling.core.models import Role
from samhandling.core.permissions import is_active_user, managed_communities, rule

from .models import (
    CONFIDENTIAL_ROLES,
    ActionPoint,
    AgendaItem,
    Attachment,
    Body,
    BodyMember,
    DocumentVersion,
    Meeting,
    MeetingStatus,
    Visibility,
)

# Meetings whose agenda members do not read yet (a cancelled meeting's items have moved on).
AGENDA_IN_PREPARATION = frozenset({MeetingStatus.PLANNED, MeetingStatus.CANCELLED})


@dataclass
class GovernanceAccess:
    user_id: int | None
    managed_community_ids: set[int] = field(default_factory=set)
    # body id → list of (valid_from, valid_to) periods of the user's seats
    seats: dict[int, list[tuple[date, date | None]]] = field(default_factory=dict)
    current_body_ids: set[int] = field(default_factory=set)
    confidential_body_ids: set[int] = field(default_factory=set)

    @property
    def body_ids(self) -> set[int]:
        return set(self.seats)

    def manages(self, body: Body) -> bool:
        return body.helsefellesskap_id in self.managed_community_ids

    def sees_body(self, body: Body) -> bool:
        return self.manages(body) or body.pk in self.seats

    def sees_confidential(self, body: Body) -> bool:
        return self.manages(body) or body.pk in self.confidential_body_ids

    def sees_meeting(self, meeting: Meeting) -> bool:
        if meeting.body_id in self.current_body_ids or self.manages(meeting.body):
            return True
        return any(
            start <= meeting.date and (end is None or meeting.date <= end)
            for start, end in self.seats.get(meeting.body_id, [])
        )

    def sees_item(self, item: AgendaItem) -> bool:
        if self.manages(item.body):
            return True
        if item.visibility == Visibility.CONFIDENTIAL and item.body_id not in self.confidential_body_ids:
            return False
        # The queue and an agenda still being prepared are the secretariat's working papers: members read the
        # items once the notice has gone out.
        if item.meeting_id is None or item.meeting.status in AGENDA_IN_PREPARATION:
            return False
        return self.sees_meeting(item.meeting)

    def sees_attachment(self, attachment: Attachment) -> bool:
        item = attachment.item
        if not self.sees_item(item):
            return False
        if attachment.visibility == Visibility.CONFIDENTIAL:
            return self.manages(item.body) or item.body_id in self.confidential_body_ids
        return True

    def bodies_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}helsefellesskap__in": self.managed_community_ids}) | Q(**{f"{prefix}pk__in": self.seats})

    def visible_meetings_q(self, prefix: str = "") -> Q:
        """Q over Meeting (or a relation to it, with `prefix` such as "meeting__")."""
        if self.user_id is None:
            return Q(pk__in=[])
        q = Q(**{f"{prefix}body__helsefellesskap__in": self.managed_community_ids}) | Q(
            **{f"{prefix}body__in": self.current_body_ids}
        )
        for body_id, periods in self.seats.items():
            if body_id in self.current_body_ids:
                continue
            for start, end in periods:
                period = Q(**{f"{prefix}body": body_id, f"{prefix}date__gte": start})
                if end is not None:
                    period &= Q(**{f"{prefix}date__lte": end})
                q |= period
        return q

    def visible_items_q(self) -> Q:
        """Q over AgendaItem: everything in managed communities; for members, items of visible meetings whose
        notice has gone out, minus confidential items outside the user's confidential bodies."""
        if self.user_id is None:
            return Q(pk__in=[])
        managed = Q(body__helsefellesskap__in=self.managed_community_ids)
        on_meeting = Q(meeting__isnull=False) & ~Q(meeting__status__in=AGENDA_IN_PREPARATION)
        on_meeting &= self.visible_meetings_q("meeting__")
        not_confidential = ~Q(visibility=Visibility.CONFIDENTIAL) | Q(body__in=self.confidential_body_ids)
        return managed | (on_meeting & not_confidential)

    def visible_attachments_q(self) -> Q:
        """Q over Attachment (the item must be visible too; callers combine with visible_items_q on item)."""
        return (
            ~Q(visibility=Visibility.CONFIDENTIAL)
            | Q(item__body__helsefellesskap__in=self.managed_community_ids)
            | Q(item__body__in=self.confidential_body_ids)
        )


def access_for(user) -> GovernanceAccess:
    """The user's standing in the meeting module, cached on the user object for the request."""
    if not is_active_user(user):
        return GovernanceAccess(user_id=None)
    cached = getattr(user, "_samhandling_governance_access", None)
    if cached is not None:
        return cached
    today = date.today()
    access = GovernanceAccess(
        user_id=user.pk, managed_community_ids=set(managed_communities(user).values_list("pk", flat=True))
    )
    for body_id, role, start, end in BodyMember.objects.filter(user=user, body__is_active=True).values_list(
        "body_id", "role", "valid_from", "valid_to"
    ):
        access.seats.setdefault(body_id, []).append((start, end))
        if start <= today and (end is None or end >= today):
            access.current_body_ids.add(body_id)
            if role in CONFIDENTIAL_ROLES:
                access.confidential_body_ids.add(body_id)
    user._samhandling_governance_access = access
    return access


# Roles for the generated permission document: the secretariat and administrators manage; a seat in a body (data of
# this module, not a core role) lets a person read.
MANAGERS = (Role.SECRETARIAT, Role.ADMIN)
SEAT = "body member"
READERS = (*MANAGERS, SEAT)


def forget_access(user) -> None:
    """Drop the cached standing (after a seat or role changes within the same request or test)."""
    if hasattr(user, "_samhandling_governance_access"):
        del user._samhandling_governance_access


@rule("governance.manage_community", roles=MANAGERS, about="helsefellesskap")
def _manage_community(user, community) -> bool:
    """Change the meeting module's settings and create bodies in a community one manages."""
    return community is not None and community.pk in access_for(user).managed_community_ids


@rule("governance.manage_body", roles=MANAGERS, about="body")
def _manage_body(user, body) -> bool:
    """Manage a body's members, meetings, queue and recurring items (the community's secretariat and administrators)."""
    return isinstance(body, Body) and access_for(user).manages(body)


@rule("governance.view_body", roles=READERS, about="body")
def _view_body(user, body) -> bool:
    """See a body: its managers, and everyone who has or had a seat in it."""
    return isinstance(body, Body) and access_for(user).sees_body(body)


@rule("governance.view_meeting", roles=READERS, about="meeting")
def _view_meeting(user, meeting) -> bool:
    """See a meeting: managers, current members, and former members for meetings during their seat."""
    return isinstance(meeting, Meeting) and access_for(user).sees_meeting(meeting)


@rule("governance.manage_meeting", roles=MANAGERS, about="meeting")
def _manage_meeting(user, meeting) -> bool:
    """Change a meeting, send its notice, record and publish its minutes."""
    return isinstance(meeting, Meeting) and access_for(user).manages(meeting.body)


@rule("governance.view_item", roles=READERS, about="agenda item")
def _view_item(user, item) -> bool:
    """Read an item once the notice is out; confidential items only for managers and members other than observers."""
    return isinstance(item, AgendaItem) and access_for(user).sees_item(item)


@rule("governance.manage_item", roles=MANAGERS, about="agenda item")
def _manage_item(user, item) -> bool:
    """Change, schedule, move, withdraw an item and record its outcome, attachments and action points."""
    return isinstance(item, AgendaItem) and access_for(user).manages(item.body)


@rule("governance.view_attachment", roles=READERS, about="attachment")
def _view_attachment(user, attachment) -> bool:
    """Download an attachment of an item one may read (confidential ones as for confidential items)."""
    return isinstance(attachment, Attachment) and access_for(user).sees_attachment(attachment)


@rule("governance.view_document", roles=READERS, about="document version")
def _view_document(user, document) -> bool:
    """Download a published notice or minutes of a meeting one may see."""
    return isinstance(document, DocumentVersion) and access_for(user).sees_meeting(document.meeting)


@rule("governance.view_action_point", roles=(*READERS, "owner"), about="action point")
def _view_action_point(user, action_point) -> bool:
    """See an action point: its owner and whoever reads its item."""
    if not isinstance(action_point, ActionPoint):
        return False
    return action_point.owner_id == user.pk or access_for(user).sees_item(action_point.item)


@rule("governance.complete_action_point", roles=(*MANAGERS, "owner"), about="action point")
def _complete_action_point(user, action_point) -> bool:
    """Mark an action point as done or open it again: its owner and the body's managers."""
    if not isinstance(action_point, ActionPoint):
        return False
    return action_point.owner_id == user.pk or access_for(user).manages(action_point.item.body)
