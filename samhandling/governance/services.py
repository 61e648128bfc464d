"""Every write of the meeting module: one function per use case, keyword-only, the acting user explicit, one
transaction each with its audit event, mail after commit. The meeting status moves through MEETING_TRANSITIONS only,
case numbers are claimed from a counter row with one conditional UPDATE, and published documents are new rows."""

import hashlib
import io
import logging
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from samhandling.core import audit
from samhandling.core.models import Helsefellesskap, Organisation, User
from samhandling.core.permissions import require

from .access import forget_access
from .models import (
    ActionPoint,
    ActionPointStatus,
    AgendaItem,
    Attachment,
    Attendance,
    AttendanceStatus,
    Body,
    BodyKind,
    BodyMember,
    DocumentKind,
    DocumentVersion,
    GovernanceSettings,
    ItemCounter,
    ItemKind,
    Meeting,
    MeetingStatus,
    MemberRole,
    Outcome,
    RecurringItem,
    StandardItem,
    Visibility,
    current_members_q,
    format_case_number,
)

MS = MeetingStatus
# from-status → the statuses it may move to. The only place the meeting workflow is defined.
MEETING_TRANSITIONS: dict[str, frozenset[str]] = {
    MS.PLANNED: frozenset({MS.NOTICE_SENT, MS.HELD, MS.CANCELLED}),
    MS.NOTICE_SENT: frozenset({MS.HELD, MS.CANCELLED}),
    MS.HELD: frozenset({MS.MINUTES_DRAFTED}),
    MS.MINUTES_DRAFTED: frozenset({MS.MINUTES_APPROVED}),
    MS.MINUTES_APPROVED: frozenset(),
    MS.CANCELLED: frozenset({MS.PLANNED}),
}
ACTION_POINT_TRANSITIONS: dict[str, frozenset[str]] = {
    ActionPointStatus.OPEN: frozenset({ActionPointStatus.DONE}),
    ActionPointStatus.DONE: frozenset({ActionPointStatus.OPEN}),
}
# Until the meeting is held its agenda may change; from then on the record of it may (until approved).
BEFORE_MEETING = frozenset({MS.PLANNED, MS.NOTICE_SENT})
MINUTES_OPEN = frozenset({MS.HELD, MS.MINUTES_DRAFTED})

# Standard items sort first (notice, minutes) and last (any other business); ordinary items between.
_RANK = {StandardItem.APPROVE_NOTICE: 0, StandardItem.APPROVE_MINUTES: 1, StandardItem.NONE: 2}
_LAST_RANK = 3

ALLOWED_ATTACHMENTS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
}
_VISIBILITY_ORDER = [Visibility.PUBLIC, Visibility.INTERNAL, Visibility.CONFIDENTIAL]


logger = logging.getLogger(__name__)


class InvalidTransition(ValidationError):
    pass


def _record(*, actor, action: str, target, body: Body, data: dict | None = None) -> None:
    audit.record(actor=actor, action=action, target=target, helsefellesskap=body.helsefellesskap, data=data)


def _transition(meeting: Meeting, to: str, *, actor: User, action: str | None = None, data: dict | None = None) -> None:
    if to not in MEETING_TRANSITIONS[meeting.status]:
        raise InvalidTransition(
            _("A meeting with status “%(status)s” cannot change to “%(target)s”.")
            % {"status": MeetingStatus(meeting.status).label, "target": MeetingStatus(to).label}
        )
    previous = meeting.status
    meeting.status = to
    meeting.save()
    _record(
        actor=actor,
        action=action or f"governance.meeting.{to}",
        target=meeting,
        body=meeting.body,
        data={"from": previous, "to": to, **(data or {})},
    )


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


# --- settings and bodies -------------------------------------------------------------------------------------------


def settings_for(community: Helsefellesskap) -> GovernanceSettings:
    return GovernanceSettings.objects.get_or_create(helsefellesskap=community)[0]


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


# --- numbering and agenda order ------------------------------------------------------------------------------------


def allocate_item_numbers(body: Body, year: int, count: int = 1) -> list[int]:
    """Claim `count` consecutive case numbers of a body and year with one atomic UPDATE; concurrent claims wait for
    each other on the counter row, so no number is ever handed out twice, and none is ever taken back."""
    if count < 1:
        return []
    ItemCounter.objects.get_or_create(body=body, year=year)
    ItemCounter.objects.filter(body=body, year=year).update(last_number=F("last_number") + count)
    last = ItemCounter.objects.get(body=body, year=year).last_number
    return list(range(last - count + 1, last + 1))


def _number(items: list[AgendaItem], body: Body, year: int) -> None:
    if not items:
        return
    fmt = settings_for(body.helsefellesskap).case_number_format
    for item, sequence in zip(items, allocate_item_numbers(body, year, len(items)), strict=True):
        item.year, item.sequence = year, sequence
        item.number = format_case_number(fmt, year, sequence)
        item.save(update_fields=["year", "sequence", "number", "updated_at"])


def _agenda(meeting: Meeting) -> list[AgendaItem]:
    return list(meeting.items.order_by("position", "pk"))


def _rank(item: AgendaItem) -> int:
    return _RANK.get(item.standard, _LAST_RANK)


def _reorder(meeting: Meeting, ordinary: list[AgendaItem] | None = None) -> list[AgendaItem]:
    """Give the meeting's items positions 1…n: standard opening items, ordinary items (in the given order, or as
    they were), any other business last."""
    items = _agenda(meeting)
    if ordinary is not None:
        order = {item.pk: index for index, item in enumerate(ordinary)}
        items.sort(key=lambda item: (_rank(item), order.get(item.pk, len(order)), item.position, item.pk))
    else:
        items.sort(key=lambda item: (_rank(item), item.position, item.pk))
    changed = []
    for position, item in enumerate(items, start=1):
        if item.position != position:
            item.position = position
            changed.append(item)
    AgendaItem.objects.bulk_update(changed, ["position"])
    return items


def _agenda_fixed(meeting: Meeting) -> bool:
    """The agenda is fixed (numbers claimed) once the notice has gone or the secretariat has numbered it."""
    return meeting.status != MS.PLANNED or meeting.items.filter(sequence__isnull=False).exists()


def _number_unnumbered(meeting: Meeting) -> list[AgendaItem]:
    items = [item for item in _reorder(meeting) if item.sequence is None]
    _number(items, meeting.body, meeting.date.year)
    return items


def _place(item: AgendaItem, meeting: Meeting) -> None:
    """Put an item on a meeting before any other business, numbering it at once when the agenda is fixed."""
    item.meeting = meeting
    item.position = 10_000
    item.save(update_fields=["meeting", "position", "updated_at"])
    _reorder(meeting)
    if item.sequence is None and _agenda_fixed(meeting):
        _number([item], meeting.body, meeting.date.year)


def _next_open_meeting(body: Body, after: date | None = None) -> Meeting | None:
    """The body's next meeting whose agenda is still open (planned, notice not sent)."""
    meetings = body.meetings.filter(status=MS.PLANNED)
    if after is not None:
        meetings = meetings.filter(date__gt=after)
    return meetings.order_by("date", "start_time").first()


def _to_next_meeting_or_queue(item: AgendaItem, after: date | None) -> None:
    meeting = _next_open_meeting(item.body, after)
    if meeting is not None:
        _place(item, meeting)


# --- meetings ------------------------------------------------------------------------------------------------------

MEETING_FIELDS = ("date", "start_time", "end_time", "place", "video_link", "title", "minute_taker", "minute_taker_name")


def _check_meeting(meeting: Meeting) -> None:
    errors = {}
    if not isinstance(meeting.date, date):
        errors["date"] = _("Give the date of the meeting.")
    if not isinstance(meeting.start_time, time):
        errors["start_time"] = _("Give the time the meeting starts.")
    elif meeting.end_time is not None and meeting.end_time <= meeting.start_time:
        errors["end_time"] = _("The meeting must end after it starts.")
    if errors:
        raise ValidationError(errors)


def previous_meeting_of(meeting: Meeting) -> Meeting | None:
    earlier = meeting.body.meetings.exclude(status=MS.CANCELLED).exclude(pk=meeting.pk)
    earlier = earlier.filter(date__lt=meeting.date) | earlier.filter(
        date=meeting.date, start_time__lt=meeting.start_time
    )
    return earlier.order_by("-date", "-start_time").first()


def _standard_item(meeting: Meeting, standard: str, actor: User, **fields) -> AgendaItem:
    return AgendaItem.objects.create(
        body=meeting.body,
        meeting=meeting,
        standard=standard,
        created_by=actor,
        position=_RANK.get(standard, 9999),
        **fields,
    )


def _add_standard_items(meeting: Meeting, actor: User) -> None:
    _standard_item(
        meeting,
        StandardItem.APPROVE_NOTICE,
        actor,
        kind=ItemKind.APPROVAL,
        title=_("Approval of the notice and agenda"),
        proposed_conclusion=_("The notice and agenda are approved."),
    )
    previous = previous_meeting_of(meeting)
    if previous is not None and previous.status != MS.MINUTES_APPROVED:
        _standard_item(
            meeting,
            StandardItem.APPROVE_MINUTES,
            actor,
            kind=ItemKind.APPROVAL,
            title=_("Approval of the minutes of %(meeting)s") % {"meeting": previous},
            proposed_conclusion=_("The minutes are approved."),
            approves_minutes_of=previous,
        )
    _standard_item(
        meeting,
        StandardItem.ANY_OTHER_BUSINESS,
        actor,
        kind=ItemKind.DISCUSSION,
        title=_("Any other business"),
    )


def _add_recurring_items(meeting: Meeting, actor: User) -> None:
    same_month = AgendaItem.objects.filter(
        meeting__body=meeting.body, meeting__date__year=meeting.date.year, meeting__date__month=meeting.date.month
    ).exclude(meeting__status=MS.CANCELLED)
    taken = set(same_month.filter(recurring__isnull=False).values_list("recurring_id", flat=True))
    for template in meeting.body.recurring_items.filter(is_active=True):
        if meeting.date.month not in template.months or template.pk in taken:
            continue
        item = AgendaItem.objects.create(
            body=meeting.body,
            meeting=meeting,
            recurring=template,
            kind=template.kind,
            title=template.title,
            description=template.description,
            visibility=template.visibility,
            created_by=actor,
            position=10_000,
        )
        if template.responsible_name:
            item.responsibles.create(name=template.responsible_name)


def _pull_queue(meeting: Meeting) -> None:
    """Put the body's waiting items on a newly planned meeting, unless an earlier open meeting should take them."""
    earlier_open = meeting.body.meetings.filter(status=MS.PLANNED, date__lt=meeting.date).exclude(pk=meeting.pk)
    if earlier_open.exists():
        return
    waiting = meeting.body.items.filter(meeting__isnull=True).exclude(outcome=Outcome.WITHDRAWN)
    waiting.update(meeting=meeting, position=10_000)


@transaction.atomic
def meeting_plan(
    *,
    actor: User,
    body: Body,
    date: date,
    start_time: time,
    end_time: time | None = None,
    place: str = "",
    video_link: str = "",
    title: str = "",
    minute_taker: User | None = None,
    minute_taker_name: str = "",
) -> Meeting:
    """Plan a meeting with its standard items, the body's queue and the recurring items of its month."""
    require(actor, "governance.manage_body", body)
    meeting = Meeting(
        body=body,
        date=date,
        start_time=start_time,
        end_time=end_time,
        place=place.strip(),
        video_link=video_link.strip(),
        title=title.strip(),
        minute_taker=minute_taker,
        minute_taker_name=minute_taker_name.strip(),
        created_by=actor,
    )
    _check_meeting(meeting)
    meeting.save()
    _add_standard_items(meeting, actor)
    _pull_queue(meeting)
    _add_recurring_items(meeting, actor)
    _reorder(meeting)
    _record(
        actor=actor, action="governance.meeting.planned", target=meeting, body=body, data={"date": date.isoformat()}
    )
    return meeting


@transaction.atomic
def meeting_plan_year(
    *,
    actor: User,
    body: Body,
    dates: Iterable[date],
    start_time: time,
    end_time: time | None = None,
    place: str = "",
    video_link: str = "",
) -> list[Meeting]:
    """The yearly plan: one meeting per date, all or none."""
    dates = sorted(set(dates))
    if not dates:
        raise ValidationError({"dates": _("Give at least one date.")})
    return [
        meeting_plan(
            actor=actor,
            body=body,
            date=day,
            start_time=start_time,
            end_time=end_time,
            place=place,
            video_link=video_link,
        )
        for day in dates
    ]


@transaction.atomic
def meeting_update(*, actor: User, meeting: Meeting, **fields) -> Meeting:
    """Change time, place or title before the meeting is held. After the notice, send a new version of it."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status not in BEFORE_MEETING:
        raise ValidationError(_("Only a meeting that has not been held can be changed."))
    _assign(meeting, fields, MEETING_FIELDS, "meeting_update")
    _check_meeting(meeting)
    meeting.save()
    _record(
        actor=actor,
        action="governance.meeting.updated",
        target=meeting,
        body=meeting.body,
        data={"fields": sorted(fields)},
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str, base_url: str = "") -> Meeting:
    require(actor, "governance.manage_meeting", meeting)
    meeting.cancelled_reason = _require_text(reason, "reason", _("Say why the meeting is cancelled."))
    notice_was_sent = meeting.status == MS.NOTICE_SENT
    _transition(meeting, MS.CANCELLED, actor=actor)
    # Items not dealt with wait for the next meeting; numbered ones keep their numbers.
    for item in meeting.items.filter(standard=StandardItem.NONE):
        item.meeting = None
        item.save(update_fields=["meeting", "updated_at"])
        _to_next_meeting_or_queue(item, meeting.date)
    _relink_minutes_approval(meeting, actor)
    if notice_was_sent:
        _mail_members(meeting, base_url, _mail_cancelled)
    return meeting


def _relink_minutes_approval(cancelled: Meeting, actor: User) -> None:
    """A cancelled meeting has no minutes: a later meeting's approval item approves the minutes the cancelled
    meeting would have approved instead (or goes, when there are none to approve)."""
    earlier = cancelled.items.filter(standard=StandardItem.APPROVE_MINUTES).first()
    for item in cancelled.approval_items.filter(outcome=Outcome.NONE, meeting__status__in=BEFORE_MEETING):
        target = earlier.approves_minutes_of if earlier is not None else None
        if target is None or target.status == MS.MINUTES_APPROVED:
            if item.sequence is None:
                item.delete()
            continue
        item.approves_minutes_of = target
        item.title = _("Approval of the minutes of %(meeting)s") % {"meeting": target}
        item.save(update_fields=["approves_minutes_of", "title", "updated_at"])


@transaction.atomic
def meeting_reinstate(*, actor: User, meeting: Meeting) -> Meeting:
    require(actor, "governance.manage_meeting", meeting)
    meeting.cancelled_reason = ""
    _transition(meeting, MS.PLANNED, actor=actor, action="governance.meeting.reinstated")
    return meeting


@transaction.atomic
def meeting_number_items(*, actor: User, meeting: Meeting) -> list[AgendaItem]:
    """Fix the agenda now: claim numbers for its unnumbered items in agenda order."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status == MS.CANCELLED:
        raise ValidationError(_("A cancelled meeting gets no case numbers."))
    items = _number_unnumbered(meeting)
    _record(
        actor=actor,
        action="governance.meeting.numbered",
        target=meeting,
        body=meeting.body,
        data={"numbers": [item.number for item in items]},
    )
    return items


def _snapshot(meeting: Meeting) -> dict:
    return {
        "status": meeting.status,
        "date": meeting.date.isoformat(),
        "start_time": meeting.start_time.isoformat(timespec="minutes"),
        "end_time": meeting.end_time.isoformat(timespec="minutes") if meeting.end_time else "",
        "place": meeting.place,
        "video_link": meeting.video_link,
        "items": [
            {
                "pk": item.pk,
                "number": item.number,
                "title": item.title,
                "kind": item.kind,
                "visibility": item.visibility,
                "outcome": item.outcome,
                "conclusion": item.conclusion,
            }
            for item in _agenda(meeting)
        ],
    }


def _publish(meeting: Meeting, kind: str, *, actor: User, reason: str = "", approved: bool = False) -> DocumentVersion:
    """Generate the document (members', observers' and public variants) and store it as the next immutable version."""
    from . import documents  # written by another part of the module; imported late to keep the import graph flat

    if kind == DocumentKind.NOTICE:
        pdf, docx = documents.notice_pdf, documents.notice_docx
    else:
        pdf, docx = documents.minutes_pdf, documents.minutes_docx
    number = (
        DocumentVersion.objects.filter(meeting=meeting, kind=kind).aggregate(last=Max("version"))["last"] or 0
    ) + 1
    stamp = {"version": number, "reason": reason}
    return DocumentVersion.objects.create(
        meeting=meeting,
        kind=kind,
        version=number,
        reason=reason,
        is_approved=approved,
        pdf=pdf(meeting, **stamp),
        docx=docx(meeting, **stamp),
        restricted_pdf=pdf(meeting, confidential=False, **stamp),
        restricted_docx=docx(meeting, confidential=False, **stamp),
        public_pdf=pdf(meeting, public=True, **stamp),
        public_docx=docx(meeting, public=True, **stamp),
        snapshot=_snapshot(meeting),
        published_by=actor,
    )


# --- mail: title, time, place and link only, never case content -----------------------------------------------------


def _recipients(meeting: Meeting) -> list[BodyMember]:
    today = timezone.localdate()
    seats = meeting.body.members.filter(current_members_q(max(today, meeting.date))).select_related("user")
    return [seat for seat in seats if seat.contact_email and (seat.user is None or seat.user.is_active)]


def _when(meeting: Meeting) -> str:
    day = formats.date_format(meeting.date, "DATE_FORMAT")
    start = formats.time_format(meeting.start_time, "TIME_FORMAT")
    if meeting.end_time:
        return f"{day}, {start}–{formats.time_format(meeting.end_time, 'TIME_FORMAT')}"
    return f"{day}, {start}"


def _where(meeting: Meeting) -> str:
    return ", ".join(part for part in (meeting.place, meeting.video_link) if part)


def _mail_notice(meeting: Meeting, seat: BodyMember, link: str, version: int, base_url: str) -> EmailMessage:
    from . import documents

    if version > 1:
        subject = _("Changed notice: %(meeting)s") % {"meeting": meeting}
        intro = _("The notice of this meeting has been changed (version %(version)s).") % {"version": version}
    else:
        subject = _("Notice: %(meeting)s") % {"meeting": meeting}
        intro = _("You are invited to this meeting. The agenda and case papers are in Samhandling.")
    body = "\n".join(
        [
            intro,
            "",
            _("Meeting: %(meeting)s") % {"meeting": meeting},
            _("Time: %(when)s") % {"when": _when(meeting)},
            _("Place: %(where)s") % {"where": _where(meeting) or "–"},
            "",
            link,
        ]
    )
    message = EmailMessage(subject, body, None, [seat.contact_email])
    invitation = documents.meeting_invitation_ics(meeting, seat, base_url=base_url)
    message.attach("invitation.ics", invitation, "text/calendar; method=REQUEST")
    return message


def _mail_cancelled(meeting: Meeting, seat: BodyMember, link: str, version: int, base_url: str) -> EmailMessage:
    from . import documents

    subject = _("Cancelled: %(meeting)s") % {"meeting": meeting}
    body = "\n".join([_("The meeting is cancelled."), "", _("Time: %(when)s") % {"when": _when(meeting)}, "", link])
    message = EmailMessage(subject, body, None, [seat.contact_email])
    # The calendar entry is withdrawn too (METHOD:CANCEL, same UID as the invitation).
    cancellation = documents.meeting_invitation_ics(meeting, seat, base_url=base_url)
    message.attach("cancellation.ics", cancellation, "text/calendar; method=CANCEL")
    return message


def _mail_minutes(meeting: Meeting, seat: BodyMember, link: str, version: int, base_url: str) -> EmailMessage:
    subject = _("Draft minutes: %(meeting)s") % {"meeting": meeting}
    body = "\n".join(
        [_("The draft minutes of this meeting are ready in Samhandling."), "", str(meeting), _when(meeting), "", link]
    )
    return EmailMessage(subject, body, None, [seat.contact_email])


def _mail_members(meeting: Meeting, base_url: str, build, version: int = 0) -> None:
    """Mail every current member after commit, each in their own language."""
    meeting_pk = meeting.pk
    link = base_url.rstrip("/") + reverse("governance:meeting_detail", args=[meeting_pk]) if base_url else ""

    def send() -> None:
        fresh = Meeting.objects.select_related("body").get(pk=meeting_pk)
        for seat in _recipients(fresh):
            language = seat.user.language if seat.user_id else settings.LANGUAGE_CODE
            try:
                with translation.override(language):
                    build(fresh, seat, link, version, base_url).send()
            except Exception:
                # The notice is published whatever happens to one mail; the failure is logged for the operator.
                logger.exception("Could not mail meeting %s to seat %s", meeting_pk, seat.pk)

    transaction.on_commit(send)


# --- notice, meeting, minutes --------------------------------------------------------------------------------------


@transaction.atomic
def meeting_send_notice(*, actor: User, meeting: Meeting, reason: str = "", base_url: str = "") -> DocumentVersion:
    """Fix the agenda (numbers), freeze the notice as a new document version and invite the members.

    The first notice moves the meeting to "notice sent"; a later one needs a reason and is sent as a new version,
    the earlier versions kept."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status == MS.PLANNED:
        _transition(meeting, MS.NOTICE_SENT, actor=actor)
        action = "governance.meeting.notice_published"
    elif meeting.status == MS.NOTICE_SENT:
        reason = _require_text(reason, "reason", _("Say what has changed since the last notice."))
        action = "governance.meeting.notice_resent"
    else:
        raise InvalidTransition(_("The notice can only be sent before the meeting is held."))
    _number_unnumbered(meeting)
    meeting.notice_sent_at = timezone.now()
    meeting.save(update_fields=["notice_sent_at", "updated_at"])
    version = _publish(meeting, DocumentKind.NOTICE, actor=actor, reason=reason.strip())
    _record(
        actor=actor,
        action=action,
        target=meeting,
        body=meeting.body,
        data={"version": version.version, "reason": version.reason},
    )
    _mail_members(meeting, base_url, _mail_notice, version.version)
    return version


def _ensure_held(meeting: Meeting, actor: User) -> None:
    """Recording what happened at a meeting marks it as held (not before its day)."""
    if meeting.status in BEFORE_MEETING:
        if meeting.date > timezone.localdate():
            raise ValidationError(_("The meeting has not taken place yet."))
        _transition(meeting, MS.HELD, actor=actor)
    elif meeting.status not in MINUTES_OPEN:
        raise InvalidTransition(
            _("The minutes of a meeting with status “%(status)s” cannot be changed.")
            % {"status": MeetingStatus(meeting.status).label}
        )


@transaction.atomic
def meeting_mark_held(*, actor: User, meeting: Meeting) -> Meeting:
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status not in BEFORE_MEETING:
        raise InvalidTransition(
            _("A meeting with status “%(status)s” cannot change to “%(target)s”.")
            % {"status": MeetingStatus(meeting.status).label, "target": MS.HELD.label}
        )
    _ensure_held(meeting, actor)
    return meeting


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, rows: Iterable[dict]) -> list[Attendance]:
    """Replace the attendance list of a meeting: members present, absent or with a substitute, and guests."""
    require(actor, "governance.manage_meeting", meeting)
    _ensure_held(meeting, actor)
    seats = {seat.pk: seat for seat in meeting.body.members.all()}
    records, seen, errors = [], set(), []
    for index, row in enumerate(rows, start=1):
        member, status = row.get("member"), row.get("status")
        substitute = row.get("substitute")
        record = Attendance(
            meeting=meeting,
            member=member,
            name=(row.get("name") or "").strip(),
            organisation_name=(row.get("organisation_name") or "").strip(),
            status=status,
            substitute=substitute,
            substitute_name=(row.get("substitute_name") or "").strip(),
            note=(row.get("note") or "").strip(),
        )
        who = record.display_name or str(index)
        if member is not None and member.pk not in seats:
            errors.append(_("%(name)s is not a member of this body.") % {"name": who})
        elif member is None and not record.name:
            errors.append(_("Row %(row)s: choose a member or write a name.") % {"row": index})
        if member is not None and member.pk in seen:
            errors.append(_("%(name)s is listed twice.") % {"name": who})
        if status not in AttendanceStatus.values:
            errors.append(_("%(name)s: choose present, absent or substitute.") % {"name": who})
        if status == AttendanceStatus.SUBSTITUTE and substitute is None and not record.substitute_name:
            errors.append(_("%(name)s: say who attended instead.") % {"name": who})
        if substitute is not None and substitute.pk not in seats:
            errors.append(_("%(name)s: the substitute must be a member of this body.") % {"name": who})
        if member is not None:
            seen.add(member.pk)
        records.append(record)
    if errors:
        raise ValidationError({"attendance": errors})
    meeting.attendance.all().delete()
    Attendance.objects.bulk_create(records)
    _record(
        actor=actor,
        action="governance.meeting.attendance_recorded",
        target=meeting,
        body=meeting.body,
        data={"rows": len(records)},
    )
    return list(meeting.attendance.all())


@transaction.atomic
def meeting_draft_minutes(*, actor: User, meeting: Meeting, reason: str = "", base_url: str = "") -> DocumentVersion:
    """Share the draft minutes with the members (a new draft version each time)."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status in BEFORE_MEETING:
        _ensure_held(meeting, actor)
    if meeting.status == MS.HELD:
        _transition(meeting, MS.MINUTES_DRAFTED, actor=actor)
    elif meeting.status == MS.MINUTES_DRAFTED:
        reason = _require_text(reason, "reason", _("Say what has changed in the draft."))
        _record(actor=actor, action="governance.meeting.minutes_redrafted", target=meeting, body=meeting.body)
    else:
        raise InvalidTransition(_("Approved minutes are corrected, not drafted again."))
    missing = meeting.items.filter(outcome=Outcome.NONE).exclude(standard=StandardItem.ANY_OTHER_BUSINESS)
    if missing.exists():
        raise ValidationError(
            _("Record the outcome of every item first (missing: %(numbers)s).")
            % {"numbers": ", ".join(item.number or item.title for item in missing)}
        )
    version = _publish(meeting, DocumentKind.MINUTES, actor=actor, reason=reason.strip())
    _mail_members(meeting, base_url, _mail_minutes, version.version)
    return version


@transaction.atomic
def meeting_approve_minutes(
    *, actor: User, meeting: Meeting, approved_by_item: AgendaItem | None = None
) -> DocumentVersion:
    """The minutes become final and public: normally when the next meeting decides its "approval of the minutes"
    item; for a body's last meeting of a period the secretariat may approve them directly (e.g. after circulation)."""
    require(actor, "governance.manage_meeting", meeting)
    _transition(
        meeting,
        MS.MINUTES_APPROVED,
        actor=actor,
        data={"approved_by_item": approved_by_item.number if approved_by_item else ""},
    )
    meeting.minutes_approved_at = timezone.now()
    meeting.minutes_approved_by_item = approved_by_item
    meeting.save(update_fields=["minutes_approved_at", "minutes_approved_by_item", "updated_at"])
    return _publish(meeting, DocumentKind.MINUTES, actor=actor, approved=True)


@transaction.atomic
def minutes_correct(*, actor: User, meeting: Meeting, reason: str, conclusions: dict[int, str]) -> DocumentVersion:
    """Correct approved minutes: change conclusions and publish a new approved version with the reason."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status != MS.MINUTES_APPROVED:
        raise InvalidTransition(_("Only approved minutes are corrected; change the draft instead."))
    reason = _require_text(reason, "reason", _("Say why the approved minutes are corrected."))
    items = {item.pk: item for item in meeting.items.filter(pk__in=list(conclusions))}
    if set(conclusions) - set(items):
        raise ValidationError({"conclusions": _("Only items of this meeting can be corrected.")})
    for pk, text in conclusions.items():
        items[pk].conclusion = text.strip()
        items[pk].save(update_fields=["conclusion", "updated_at"])
    version = _publish(meeting, DocumentKind.MINUTES, actor=actor, reason=reason, approved=True)
    _record(
        actor=actor,
        action="governance.meeting.minutes_corrected",
        target=meeting,
        body=meeting.body,
        data={"version": version.version, "reason": reason, "items": [items[pk].number for pk in conclusions]},
    )
    return version


# --- items ---------------------------------------------------------------------------------------------------------

ITEM_FIELDS = (
    "title",
    "kind",
    "description",
    "background",
    "assessment",
    "proposed_decision",
    "proposed_conclusion",
    "visibility",
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


def _check_editable(item: AgendaItem) -> None:
    if item.meeting_id and item.meeting.status in (MS.MINUTES_APPROVED, MS.CANCELLED):
        raise ValidationError(_("The item belongs to approved minutes or a cancelled meeting and cannot be changed."))


@transaction.atomic
def item_create(
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
    case_officer: User | None = None,
    case_officer_name: str = "",
    responsibles: Iterable[dict] = (),
    follows_up: AgendaItem | None = None,
) -> AgendaItem:
    """A new item on a meeting (before any other business) or, without a meeting, in the body's queue."""
    require(actor, "governance.manage_body", body)
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
        case_officer=case_officer,
        case_officer_name=case_officer_name.strip(),
        follows_up=follows_up,
        created_by=actor,
    )
    _check_item(item)
    item.save()
    _set_responsibles(item, responsibles)
    if meeting is not None:
        _place(item, meeting)
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
        follows_up=item.follows_up,
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


def _undo_copies(copies, message: str) -> None:
    """Changing an outcome back removes the waiting copy, as long as nobody has given it a number yet."""
    for copy in copies:
        if copy.sequence is not None:
            raise ValidationError({"outcome": message % {"number": copy.number}})
        meeting = copy.meeting
        copy.delete()
        if meeting is not None:
            _reorder(meeting)


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
    if item.standard == StandardItem.APPROVE_MINUTES and outcome == Outcome.DECIDED:
        earlier = item.approves_minutes_of
        if earlier is not None and earlier.status not in (MS.MINUTES_DRAFTED, MS.MINUTES_APPROVED):
            raise ValidationError(
                {"outcome": _("The minutes of %(meeting)s have not been drafted yet.") % {"meeting": earlier}}
            )
    previous = item.outcome
    approved = item.approves_minutes_of
    if previous == Outcome.DECIDED and outcome != previous and approved and approved.minutes_approved_by_item == item:
        # The approval made those minutes final; a published approval is not taken back.
        raise ValidationError(
            {"outcome": _("The minutes of %(meeting)s are already approved.") % {"meeting": approved}}
        )
    if previous == Outcome.DEFERRED and outcome != Outcome.DEFERRED:
        _undo_copies(item.deferred_to.all(), _("The deferred item already has number %(number)s at a later meeting."))
    if previous == Outcome.FORWARDED and outcome != Outcome.FORWARDED:
        _undo_copies(item.forwarded_to.all(), _("The forwarded item already has number %(number)s in the other body."))
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


@transaction.atomic
def item_from_deviation_report(
    *, actor: User, meeting: Meeting, year: int, half: int, version: str = "published"
) -> AgendaItem:
    """An orientering item with the deviation module's half-year report attached (the report as it is now)."""
    from samhandling.deviations import reports

    require(actor, "governance.manage_meeting", meeting)
    if half not in (1, 2):
        raise ValidationError({"half": _("Choose the first or second half of the year.")})
    community = meeting.body.helsefellesskap
    filename, content, _content_type = reports.generate_report(
        community, reports.HALF_YEAR, year, half, version, reports.PDF
    )
    period = reports.half_label(year, half)
    visibility = Visibility.PUBLIC if version == reports.PUBLISHED else Visibility.INTERNAL
    item = item_create(
        actor=actor,
        body=meeting.body,
        meeting=meeting,
        kind=ItemKind.INFORMATION,
        title=_("Samhandlingsavvik: report for %(period)s") % {"period": period},
        description=_("The secretariat presents the deviation statistics for %(period)s.") % {"period": period},
        proposed_conclusion=_("The report is noted."),
        visibility=visibility,
        case_officer=actor,
    )
    _store_attachment(
        item=item,
        name=filename,
        content=content,
        title=reports.report_title(reports.HALF_YEAR, year, half),
        visibility=visibility,
        actor=actor,
    )
    _record(
        actor=actor,
        action="governance.item.deviation_report_added",
        target=item,
        body=meeting.body,
        data={"year": year, "half": half, "version": version},
    )
    return item


# --- attachments ---------------------------------------------------------------------------------------------------


def _sniff(extension: str, head: bytes, content: bytes) -> bool:
    """Does the content really look like the file type its name says?"""
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in ("docx", "xlsx") and head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
        except zipfile.BadZipFile:
            return False
        main = "word/document.xml" if extension == "docx" else "xl/workbook.xml"
        return "[Content_Types].xml" in names and main in names
    return False


def check_attachment(name: str, content: bytes) -> str:
    """The content type of an acceptable attachment, or a ValidationError on "file" saying what is wrong."""
    extension = PurePath(name or "").suffix.lower().lstrip(".")
    if extension not in ALLOWED_ATTACHMENTS:
        raise ValidationError({"file": _("Attach a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG file.")})
    limit = settings.GOVERNANCE_MAX_ATTACHMENT_BYTES
    if len(content) > limit:
        raise ValidationError(
            {
                "file": _("The file is larger than %(size)s MB.")
                % {"size": formats.number_format(limit / 1024 / 1024, 0)}
            }
        )
    if not content:
        raise ValidationError({"file": _("The file is empty.")})
    if not _sniff(extension, content[:16], content):
        raise ValidationError(
            {"file": _("The file's content does not match its name (.%(extension)s).") % {"extension": extension}}
        )
    return ALLOWED_ATTACHMENTS[extension]


def _store_attachment(*, item: AgendaItem, name: str, content: bytes, title: str, visibility: str, actor: User):
    content_type = check_attachment(name, content)
    if visibility not in Visibility.values:
        raise ValidationError({"visibility": _("Choose who may read the attachment.")})
    # Never more public than the item it belongs to.
    if _VISIBILITY_ORDER.index(visibility) < _VISIBILITY_ORDER.index(item.visibility):
        visibility = item.visibility
    original = PurePath(name).name[:255]
    order = (item.attachments.aggregate(last=Max("order"))["last"] or 0) + 1
    return Attachment.objects.create(
        item=item,
        title=(title or "").strip() or PurePath(original).stem,
        file=ContentFile(content, name=original),
        original_name=original,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        visibility=visibility,
        order=order,
        uploaded_by=actor,
    )


@transaction.atomic
def attachment_add(
    *, actor: User, item: AgendaItem, upload, title: str = "", visibility: str | None = None
) -> Attachment:
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    limit = settings.GOVERNANCE_MAX_ATTACHMENT_BYTES
    if upload.size is not None and upload.size > limit:
        # Refuse before reading a huge upload into memory.
        check_attachment(upload.name, b"\0" * (limit + 1))
    upload.seek(0)
    content = upload.read()
    attachment = _store_attachment(
        item=item,
        name=upload.name,
        content=content,
        title=title,
        visibility=visibility or item.visibility,
        actor=actor,
    )
    _record(
        actor=actor,
        action="governance.attachment.added",
        target=attachment,
        body=item.body,
        data={"item": item.number or item.pk, "size": attachment.size, "type": attachment.content_type},
    )
    return attachment


@transaction.atomic
def attachment_update(
    *, actor: User, attachment: Attachment, title: str | None = None, visibility: str | None = None
) -> Attachment:
    item = attachment.item
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    if title is not None:
        attachment.title = _require_text(title, "title", _("Give the attachment a title."))
    if visibility is not None:
        if visibility not in Visibility.values:
            raise ValidationError({"visibility": _("Choose who may read the attachment.")})
        if _VISIBILITY_ORDER.index(visibility) < _VISIBILITY_ORDER.index(item.visibility):
            raise ValidationError({"visibility": _("An attachment cannot be more public than its item.")})
        attachment.visibility = visibility
    attachment.save()
    _record(actor=actor, action="governance.attachment.updated", target=attachment, body=item.body)
    return attachment


@transaction.atomic
def attachment_remove(*, actor: User, attachment: Attachment) -> None:
    item = attachment.item
    require(actor, "governance.manage_item", item)
    _check_editable(item)
    _record(
        actor=actor,
        action="governance.attachment.removed",
        target=attachment,
        body=item.body,
        data={"title": attachment.title},
    )
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    # Published documents keep only the list of attachments, so the file can go once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(name))


# --- action points and recurring items -----------------------------------------------------------------------------


@transaction.atomic
def action_point_create(
    *, actor: User, item: AgendaItem, owner: User, description: str, due_date: date | None = None
) -> ActionPoint:
    require(actor, "governance.manage_item", item)
    description = _require_text(description, "description", _("Describe what is to be done."))
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": _("Choose an active user as owner.")})
    point = ActionPoint.objects.create(
        item=item, owner=owner, description=description, due_date=due_date, created_by=actor
    )
    _record(
        actor=actor,
        action="governance.action_point.created",
        target=point,
        body=item.body,
        data={"item": item.number, "owner": owner.pk},
    )
    return point


def _action_point_transition(point: ActionPoint, to: str, *, actor: User) -> None:
    if to not in ACTION_POINT_TRANSITIONS[point.status]:
        raise InvalidTransition(
            _("An action point with status “%(status)s” cannot change to “%(target)s”.")
            % {"status": ActionPointStatus(point.status).label, "target": ActionPointStatus(to).label}
        )
    point.status = to
    point.done_at = timezone.now() if to == ActionPointStatus.DONE else None
    point.save()
    _record(actor=actor, action=f"governance.action_point.{to}", target=point, body=point.item.body)


@transaction.atomic
def action_point_complete(*, actor: User, action_point: ActionPoint, note: str = "") -> ActionPoint:
    require(actor, "governance.complete_action_point", action_point)
    action_point.done_note = note.strip()
    _action_point_transition(action_point, ActionPointStatus.DONE, actor=actor)
    return action_point


@transaction.atomic
def action_point_reopen(*, actor: User, action_point: ActionPoint) -> ActionPoint:
    require(actor, "governance.complete_action_point", action_point)
    _action_point_transition(action_point, ActionPointStatus.OPEN, actor=actor)
    return action_point


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


def meeting_start(meeting: Meeting) -> datetime:
    """The aware start of a meeting in Oslo time (for calendars and reminders)."""
    return timezone.make_aware(datetime.combine(meeting.date, meeting.start_time))


def notice_due(meeting: Meeting) -> date:
    """When the notice should go out: a week before, as the real secretariats do."""
    return meeting.date - timedelta(days=7)
