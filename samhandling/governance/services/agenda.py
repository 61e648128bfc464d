"""Agenda items (saker): create, change, schedule, move, withdraw, record outcomes, defer and forward."""

from collections.abc import Iterable
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core.models import User
from samhandling.core.permissions import require

from ..models import (
    BEFORE_MEETING,
    MINUTES_OPEN,
    MS,
    AgendaItem,
    Attachment,
    Body,
    ExemptionBasis,
    ItemKind,
    Meeting,
    Outcome,
    StandardItem,
    Visibility,
)
from .common import _VISIBILITY_ORDER, _assign, _check_editable, _record
from .meetings import _ensure_held
from .numbering import _agenda, _place, _reorder, _to_next_meeting_or_queue
from .publishing import meeting_approve_minutes

ITEM_FIELDS = (
    "title",
    "kind",
    "description",
    "background",
    "assessment",
    "proposed_decision",
    "proposed_conclusion",
    "visibility",
    "exemption_basis",
    "case_officer",
    "case_officer_name",
    "follows_up",
)


def _check_item(item: AgendaItem) -> None:
    errors = {}
    if not item.title.strip():
        errors["title"] = _("Give the item a title.")
    if item.kind not in ItemKind.values:
        errors["kind"] = _("Choose a type.")
    if item.visibility not in Visibility.values:
        errors["visibility"] = _("Choose who may read the item.")
    if item.exemption_basis not in ExemptionBasis.values:
        errors["exemption_basis"] = _("Choose a legal ground from the list.")
    elif item.exemption_basis and item.visibility == Visibility.PUBLIC:
        errors["exemption_basis"] = _("A public item has no ground for exemption: choose who may read it.")
    if item.follows_up_id is not None:
        if item.follows_up.body.helsefellesskap_id != item.body.helsefellesskap_id:
            errors["follows_up"] = _("An item can only follow up an item of the same health community.")
        elif item.pk is not None and item.follows_up_id == item.pk:
            errors["follows_up"] = _("An item cannot follow up itself.")
    if errors:
        raise ValidationError(errors)


def _set_responsibles(item: AgendaItem, responsibles: Iterable[dict]) -> None:
    item.responsibles.all().delete()
    rows = []
    for order, row in enumerate(responsibles):
        user, name = row.get("user"), (row.get("name") or "").strip()
        if user is None and not name:
            continue
        rows.append(
            item.responsibles.model(
                item=item,
                user=user,
                name=name,
                organisation_name=(row.get("organisation_name") or "").strip(),
                order=order,
            )
        )
    item.responsibles.model.objects.bulk_create(rows)


def _new_item(
    *,
    actor: User,
    body: Body,
    title: str,
    meeting: Meeting | None = None,
    kind: str = ItemKind.INFORMATION,
    description: str = "",
    background: str = "",
    assessment: str = "",
    proposed_decision: str = "",
    proposed_conclusion: str = "",
    visibility: str = Visibility.PUBLIC,
    exemption_basis: str = "",
    case_officer: User | None = None,
    case_officer_name: str = "",
    responsibles: Iterable[dict] = (),
    follows_up: AgendaItem | None = None,
    **links,
) -> AgendaItem:
    """The item checked, saved and placed (on the meeting or in the queue); the caller checks permission and audits."""
    if meeting is not None:
        if meeting.body_id != body.pk:
            raise ValidationError({"meeting": _("Choose a meeting of the same body.")})
        if meeting.status not in BEFORE_MEETING | MINUTES_OPEN:
            raise ValidationError({"meeting": _("Items cannot be added to approved minutes or a cancelled meeting.")})
    item = AgendaItem(
        body=body,
        title=(title or "").strip(),
        kind=kind,
        description=description.strip(),
        background=background.strip(),
        assessment=assessment.strip(),
        proposed_decision=proposed_decision.strip(),
        proposed_conclusion=proposed_conclusion.strip(),
        visibility=visibility,
        exemption_basis=exemption_basis,
        case_officer=case_officer,
        case_officer_name=case_officer_name.strip(),
        follows_up=follows_up,
        created_by=actor,
        **links,
    )
    _check_item(item)
    item.save()
    _set_responsibles(item, responsibles)
    if meeting is not None:
        _place(item, meeting)
    return item


@transaction.atomic
def item_create(*, actor: User, body: Body, title: str, meeting: Meeting | None = None, **fields) -> AgendaItem:
    """A new item on a meeting (before any other business) or, without a meeting, in the body's queue. The fields
    are `_new_item`'s (kind, description, background, …, responsibles, follows_up)."""
    require(actor, "governance.manage_body", body)
    item = _new_item(actor=actor, body=body, title=title, meeting=meeting, **fields)
    _record(
        actor=actor,
        action="governance.item.created",
        target=item,
        body=body,
        data={"meeting": meeting.pk if meeting else None, "number": item.number},
    )
    return item


@transaction.atomic
def item_update(*, actor: User, item: AgendaItem, **fields) -> AgendaItem:
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    responsibles = fields.pop("responsibles", None)
    _assign(item, fields, ITEM_FIELDS, "item_update")
    _check_item(item)
    item.save()
    if responsibles is not None:
        _set_responsibles(item, responsibles)
    # An attachment is never more public than its item.
    rank = _VISIBILITY_ORDER.index(item.visibility)
    item.attachments.filter(visibility__in=_VISIBILITY_ORDER[:rank]).update(visibility=item.visibility)
    _record(
        actor=actor,
        action="governance.item.updated",
        target=item,
        body=item.body,
        data={"fields": sorted(fields) + (["responsibles"] if responsibles is not None else [])},
    )
    return item


@transaction.atomic
def item_schedule(*, actor: User, item: AgendaItem, meeting: Meeting) -> AgendaItem:
    """Move an item from the queue (or another meeting not yet held) onto a meeting of the same body."""
    require(actor, "governance.manage_item", item)
    if meeting.body_id != item.body_id:
        raise ValidationError({"meeting": _("Choose a meeting of the same body.")})
    if meeting.status not in BEFORE_MEETING:
        raise ValidationError({"meeting": _("Choose a meeting that has not been held.")})
    if item.standard:
        raise ValidationError(_("Standard items stay on their meeting."))
    previous = item.meeting
    if previous is not None and previous.status not in BEFORE_MEETING:
        raise ValidationError(_("The item was dealt with at a meeting that has been held."))
    _place(item, meeting)
    if previous is not None and previous.pk != meeting.pk:
        _reorder(previous)
    _record(
        actor=actor,
        action="governance.item.scheduled",
        target=item,
        body=item.body,
        data={"meeting": meeting.pk, "from": previous.pk if previous else None, "number": item.number},
    )
    return item


@transaction.atomic
def item_unschedule(*, actor: User, item: AgendaItem) -> AgendaItem:
    """Take an item off a meeting that has not been held and back to the queue (a number stays with the item)."""
    require(actor, "governance.manage_item", item)
    meeting = item.meeting
    if meeting is None:
        return item
    if meeting.status not in BEFORE_MEETING:
        raise ValidationError(_("The item was dealt with at a meeting that has been held."))
    if item.standard:
        raise ValidationError(_("Standard items stay on their meeting."))
    item.meeting = None
    item.save(update_fields=["meeting", "updated_at"])
    _reorder(meeting)
    _record(
        actor=actor, action="governance.item.unscheduled", target=item, body=item.body, data={"meeting": meeting.pk}
    )
    return item


@transaction.atomic
def item_move(*, actor: User, item: AgendaItem, position: int) -> None:
    """Move an ordinary item to `position` (1 = first) among the ordinary items; standard items stay in place."""
    require(actor, "governance.manage_item", item)
    if item.meeting is None or item.standard:
        raise ValidationError(_("Only ordinary items on a meeting can be moved."))
    _check_editable(item)
    ordinary = [other for other in _agenda(item.meeting) if not other.standard and other.pk != item.pk]
    ordinary.insert(max(0, min(position - 1, len(ordinary))), item)
    _reorder(item.meeting, ordinary)
    _record(actor=actor, action="governance.item.moved", target=item, body=item.body, data={"position": position})


@transaction.atomic
def item_remove(*, actor: User, item: AgendaItem) -> None:
    """Delete an item that never got a number; a numbered item is withdrawn instead, so its number is never reused."""
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    meeting = item.meeting
    if item.sequence is None:
        _record(actor=actor, action="governance.item.removed", target=item, body=item.body, data={"title": item.title})
        item.delete()
    else:
        item.outcome = Outcome.WITHDRAWN
        if not item.conclusion:
            item.conclusion = _("The item was withdrawn.")
        item.save(update_fields=["outcome", "conclusion", "updated_at"])
        _record(
            actor=actor, action="governance.item.withdrawn", target=item, body=item.body, data={"number": item.number}
        )
    if meeting is not None:
        _reorder(meeting)


def _copy_item(item: AgendaItem, *, body: Body, actor: User, **links) -> AgendaItem:
    copy = AgendaItem.objects.create(
        body=body,
        kind=item.kind,
        title=item.title,
        description=item.description,
        background=item.background,
        assessment=item.assessment,
        proposed_decision=item.proposed_decision,
        proposed_conclusion=item.proposed_conclusion,
        case_officer=item.case_officer,
        case_officer_name=item.case_officer_name,
        visibility=item.visibility,
        exemption_basis=item.exemption_basis,
        follows_up=item.follows_up,
        origin=item.origin,
        origin_name=item.origin_name,
        origin_url=item.origin_url,
        created_by=actor,
        **links,
    )
    _set_responsibles(
        copy,
        [{"user": r.user, "name": r.name, "organisation_name": r.organisation_name} for r in item.responsibles.all()],
    )
    for attachment in item.attachments.all():
        with attachment.file.open("rb") as handle:
            content = handle.read()
        Attachment.objects.create(
            item=copy,
            title=attachment.title,
            file=ContentFile(content, name=attachment.original_name),
            original_name=attachment.original_name,
            content_type=attachment.content_type,
            size=attachment.size,
            sha256=attachment.sha256,
            visibility=attachment.visibility,
            order=attachment.order,
            uploaded_by=actor,
        )
    return copy


def _defer(item: AgendaItem, actor: User) -> AgendaItem:
    if item.deferred_to.exists():
        return item.deferred_to.first()
    links = {"deferred_from": item}
    if item.standard == StandardItem.APPROVE_MINUTES:
        # Minutes not ready for approval: the next meeting approves them, besides its own predecessor's.
        links.update(standard=item.standard, approves_minutes_of=item.approves_minutes_of)
    copy = _copy_item(item, body=item.body, actor=actor, **links)
    _to_next_meeting_or_queue(copy, item.meeting.date)
    return copy


def _undo_copies(item: AgendaItem, outcome: str) -> None:
    """Changing an outcome back removes the waiting copy (check_outcome has made sure it has no number yet)."""
    related, _message = _COPY_TAKEN[outcome]
    for copy in getattr(item, related).all():
        meeting = copy.meeting
        copy.delete()
        if meeting is not None:
            _reorder(meeting)


def check_outcome(item: AgendaItem, outcome: str) -> None:
    """What the item's state allows for an outcome (the minutes it approves are drafted and not yet final; a copy
    it left at a later meeting has no number). The outcome form runs it too, so it comes with the other errors."""
    earlier = item.approves_minutes_of
    approving = item.standard == StandardItem.APPROVE_MINUTES and outcome == Outcome.DECIDED and earlier is not None
    if approving and earlier.status not in (MS.MINUTES_DRAFTED, MS.MINUTES_APPROVED):
        raise ValidationError(
            {"outcome": _("The minutes of %(meeting)s have not been drafted yet.") % {"meeting": earlier}}
        )
    previous = item.outcome
    if previous == Outcome.DECIDED and outcome != previous and earlier and earlier.minutes_approved_by_item == item:
        # The approval made those minutes final; a published approval is not taken back.
        raise ValidationError({"outcome": _("The minutes of %(meeting)s are already approved.") % {"meeting": earlier}})
    if previous in _COPY_TAKEN and outcome != previous:
        _check_copies_unnumbered(item, previous)


# An outcome that left a copy elsewhere, the copies, and what is said when one of them already has a number.
_COPY_TAKEN = {
    Outcome.DEFERRED: (
        "deferred_to",
        gettext_lazy("The deferred item already has number %(number)s at a later meeting."),
    ),
    Outcome.FORWARDED: (
        "forwarded_to",
        gettext_lazy("The forwarded item already has number %(number)s in the other body."),
    ),
}


def _check_copies_unnumbered(item: AgendaItem, outcome: str) -> None:
    related, message = _COPY_TAKEN[outcome]
    numbered = getattr(item, related).filter(sequence__isnull=False).first()
    if numbered is not None:
        raise ValidationError({"outcome": message % {"number": numbered.number}})


@transaction.atomic
def item_record_outcome(
    *,
    actor: User,
    item: AgendaItem,
    outcome: str,
    conclusion: str = "",
    discussion: str = "",
    forward_to: Body | None = None,
    forward_note: str = "",
) -> AgendaItem:
    """Record what the meeting did with an item. Deferring puts a copy on the next meeting (or the queue);
    forwarding sends a copy to another body; deciding "approval of the minutes" approves the earlier minutes."""
    require(actor, "governance.manage_item", item)
    meeting = item.meeting
    if meeting is None:
        raise ValidationError(_("Only an item on a meeting gets an outcome."))
    _ensure_held(meeting, actor)
    if outcome not in Outcome.values or outcome == Outcome.NONE:
        raise ValidationError({"outcome": _("Choose what the meeting did with the item.")})
    conclusion = conclusion.strip()
    defaults = {
        Outcome.NOTED: _("The item is noted."),
        Outcome.DEFERRED: _("The item is deferred to the next meeting."),
        Outcome.WITHDRAWN: _("The item was withdrawn."),
    }
    if outcome == Outcome.DECIDED and not conclusion:
        raise ValidationError({"conclusion": _("Write the decision.")})
    if outcome == Outcome.FORWARDED and forward_to is None:
        raise ValidationError({"forward_to": _("Choose the body the item is forwarded to.")})
    check_outcome(item, outcome)  # among others: no copy to be undone below has a number
    previous = item.outcome
    if previous == Outcome.DEFERRED and outcome != Outcome.DEFERRED:
        _undo_copies(item, Outcome.DEFERRED)
    if previous == Outcome.FORWARDED and outcome != Outcome.FORWARDED:
        _undo_copies(item, Outcome.FORWARDED)
    item.outcome = outcome
    item.conclusion = conclusion or defaults.get(outcome, "")
    item.discussion = discussion.strip()
    item.save(update_fields=["outcome", "conclusion", "discussion", "updated_at"])
    _record(
        actor=actor,
        action="governance.item.outcome_recorded",
        target=item,
        body=item.body,
        data={"number": item.number, "outcome": outcome, "previous": previous},
    )
    if outcome == Outcome.DEFERRED:
        _defer(item, actor)
    elif outcome == Outcome.FORWARDED and not item.forwarded_to.filter(body=forward_to).exists():
        item_forward(actor=actor, item=item, to_body=forward_to, note=forward_note)
    elif item.standard == StandardItem.APPROVE_MINUTES and outcome == Outcome.DECIDED:
        earlier = item.approves_minutes_of
        if earlier is not None and earlier.status == MS.MINUTES_DRAFTED:
            meeting_approve_minutes(actor=actor, meeting=earlier, approved_by_item=item)
    return item


@transaction.atomic
def item_prepare_minutes(*, actor: User, item: AgendaItem, conclusion: str = "", discussion: str = "") -> AgendaItem:
    """Before the meeting: keep the secretary's draft of the conclusion and the discussion, so the minutes are ready
    to fill in on the day. No outcome is recorded and the meeting is not marked as held."""
    require(actor, "governance.manage_item", item)
    if item.meeting is None or item.meeting.status not in BEFORE_MEETING:
        raise ValidationError(_("Only the items of a meeting that has not been held are prepared."))
    item.conclusion, item.discussion = conclusion.strip(), discussion.strip()
    item.save(update_fields=["conclusion", "discussion", "updated_at"])
    _record(actor=actor, action="governance.item.minutes_prepared", target=item, body=item.body)
    return item


@transaction.atomic
def item_forward(*, actor: User, item: AgendaItem, to_body: Body, note: str = "") -> AgendaItem:
    """Send an item on to another body (FSU → SSU → partnerskapsmøte): a copy waits for the receiving body's next
    meeting, linked to where it came from."""
    require(actor, "governance.manage_item", item)
    if not item.body.may_forward_to.filter(pk=to_body.pk).exists():
        raise ValidationError(
            {
                "forward_to": _("%(body)s does not forward items to %(target)s.")
                % {
                    "body": item.body,
                    "target": to_body,
                }
            }
        )
    copy = _copy_item(item, body=to_body, actor=actor, forwarded_from=item, forward_note=note.strip())
    # The receiving body's next open meeting from today on (a forgotten past meeting never takes it).
    _to_next_meeting_or_queue(copy, timezone.localdate() - timedelta(days=1))
    _record(
        actor=actor,
        action="governance.item.forwarded",
        target=item,
        body=item.body,
        data={"number": item.number, "to_body": to_body.pk, "new_item": copy.pk},
    )
    return copy
