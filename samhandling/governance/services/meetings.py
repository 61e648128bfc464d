"""Planning, changing, cancelling and holding meetings, and their attendance. The status moves through
`MEETING_WORKFLOW` only."""

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.models import User
from samhandling.core.permissions import require
from samhandling.core.workflow import TransitionError

from ..models import (
    BEFORE_MEETING,
    MEETING_WORKFLOW,
    MINUTES_OPEN,
    MS,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Body,
    BodyMember,
    DocumentKind,
    ItemKind,
    Meeting,
    MeetingStatus,
    MemberRole,
    Outcome,
    StandardItem,
)
from .common import _RANK, _assign, _record, _require_text
from .mail import _mail_members
from .numbering import _agenda, _number, _number_unnumbered, _reorder, _to_next_meeting_or_queue, release_item_numbers

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
    """Change time, place or title before the meeting is held. After the notice, send a new version of it.

    A move must keep the chain of minutes approval (a meeting approves the minutes of the one before it), and a move
    into another year renumbers the items whose numbers were never published into the new year's sequence."""
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status not in BEFORE_MEETING:
        raise ValidationError(_("Only a meeting that has not been held can be changed."))
    old_year, old_when = meeting.date.year, (meeting.date, meeting.start_time)
    _assign(meeting, fields, MEETING_FIELDS, "meeting_update")
    _check_meeting(meeting)
    if (meeting.date, meeting.start_time) != old_when:
        _check_approval_chain(meeting)
    meeting.save()
    renumbered = _renumber_unsent(meeting, old_year)
    _record(
        actor=actor,
        action="governance.meeting.updated",
        target=meeting,
        body=meeting.body,
        data={"fields": sorted(fields), "renumbered": renumbered},
    )
    return meeting


def _check_approval_chain(meeting: Meeting) -> None:
    """Refuse a date that puts the meeting before the meeting whose minutes it approves, or after a meeting that
    approves its minutes: the chain of approvals would run backwards."""
    when = (meeting.date, meeting.start_time)
    errors = []
    approving = meeting.items.filter(standard=StandardItem.APPROVE_MINUTES, approves_minutes_of__isnull=False)
    for item in approving.select_related("approves_minutes_of__body"):
        earlier = item.approves_minutes_of
        if (earlier.date, earlier.start_time) >= when:
            errors.append(
                _("This meeting approves the minutes of %(meeting)s, so it must be held after that meeting.")
                % {"meeting": earlier}
            )
    approvers = meeting.approval_items.exclude(meeting=None).exclude(meeting__status=MS.CANCELLED)
    for item in approvers.select_related("meeting__body"):
        later = item.meeting
        if (later.date, later.start_time) <= when:
            errors.append(
                _("%(meeting)s approves the minutes of this meeting, so this meeting must be held before it.")
                % {"meeting": later}
            )
    if errors:
        raise ValidationError({"date": errors})


check_approval_chain = _check_approval_chain


def _renumber_unsent(meeting: Meeting, old_year: int) -> list[str]:
    """Items numbered in the old year whose numbers no notice has published take numbers of the meeting's new year;
    the old numbers go back to the counter when they were the last ones claimed (published numbers never move)."""
    if meeting.date.year == old_year:
        return []
    published = set()
    for snapshot in meeting.documents.filter(kind=DocumentKind.NOTICE).values_list("snapshot", flat=True):
        published |= {entry["pk"] for entry in snapshot.get("items", [])}
    items = [
        item
        for item in _agenda(meeting)
        if item.sequence is not None and item.year == old_year and item.pk not in published
    ]
    if not items:
        return []
    freed = [item.sequence for item in items]
    _number(items, meeting.body, meeting.date.year)
    release_item_numbers(meeting.body, old_year, freed)
    return [item.number for item in items]


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str, base_url: str = "") -> Meeting:
    require(actor, "governance.manage_meeting", meeting)
    meeting.cancelled_reason = _require_text(reason, "reason", _("Say why the meeting is cancelled."))
    notice_was_sent = meeting.status == MS.NOTICE_SENT
    MEETING_WORKFLOW.move(meeting, MS.CANCELLED, actor=actor)
    # Items not dealt with wait for the next meeting; numbered ones keep their numbers.
    for item in meeting.items.filter(standard=StandardItem.NONE):
        item.meeting = None
        item.save(update_fields=["meeting", "updated_at"])
        _to_next_meeting_or_queue(item, meeting.date)
    _relink_minutes_approval(meeting, actor)
    if notice_was_sent:
        _mail_members(meeting, base_url, "cancellation")
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
    MEETING_WORKFLOW.move(meeting, MS.PLANNED, actor=actor, action="governance.meeting.reinstated")
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


def _ensure_held(meeting: Meeting, actor: User) -> None:
    """Recording what happened at a meeting marks it as held (not before its day)."""
    if meeting.status in BEFORE_MEETING:
        if meeting.date > timezone.localdate():
            raise ValidationError(_("The meeting has not taken place yet."))
        MEETING_WORKFLOW.move(meeting, MS.HELD, actor=actor)
    elif meeting.status not in MINUTES_OPEN:
        raise TransitionError(
            _("The minutes of a meeting with status “%(status)s” cannot be changed.")
            % {"status": MeetingStatus(meeting.status).label}
        )


@transaction.atomic
def meeting_mark_held(*, actor: User, meeting: Meeting) -> Meeting:
    require(actor, "governance.manage_meeting", meeting)
    if meeting.status not in BEFORE_MEETING:
        raise TransitionError(
            _("A meeting with status “%(status)s” cannot change to “%(target)s”.")
            % {"status": MeetingStatus(meeting.status).label, "target": MS.HELD.label}
        )
    _ensure_held(meeting, actor)
    return meeting


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, rows: Iterable[dict]) -> list[Attendance]:
    """Replace the attendance list of a meeting: members present, absent or with a substitute, and guests."""
    require(actor, "governance.manage_meeting", meeting)
    if not (meeting.status in BEFORE_MEETING and meeting.date > timezone.localdate()):
        # Apologies known in advance are recorded before the day without marking the meeting as held.
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
    errors += _attendance_contradictions(records, seats)
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


def meeting_start(meeting: Meeting) -> datetime:
    """The aware start of a meeting in Oslo time (for calendars and reminders)."""
    return timezone.make_aware(datetime.combine(meeting.date, meeting.start_time))


def notice_due(meeting: Meeting) -> date:
    """When the notice should go out: a week before, as the real secretariats do."""
    return meeting.date - timedelta(days=7)


def _attendance_contradictions(records: list[Attendance], seats: dict[int, BodyMember]) -> list[str]:
    """Check the attendance as a whole: a substitute named like a seat of the body is that seat, and that seat must
    not be the member it stands in for, be absent or replaced itself, stand in for two members, or (unless a deputy)
    attend in its own seat as well."""
    by_name: dict[str, BodyMember] = {}
    for seat in seats.values():
        by_name.setdefault(seat.display_name.strip().casefold(), seat)
    own_row = {record.member_id: record for record in records if record.member_id}
    errors: list[str] = []
    stood_in: dict[int, str] = {}
    for record in records:
        if record.status != AttendanceStatus.SUBSTITUTE:
            record.substitute, record.substitute_name = None, ""
            continue
        seat = record.substitute or by_name.get(record.substitute_name.casefold())
        if seat is None:
            continue
        record.substitute, record.substitute_name = seat, ""
        who, name = record.display_name, seat.display_name
        if seat.pk == record.member_id:
            errors.append(_("%(name)s cannot be their own substitute.") % {"name": who})
            continue
        if seat.pk in stood_in:
            errors.append(
                _("%(name)s is listed as substitute for both %(first)s and %(second)s.")
                % {"name": name, "first": stood_in[seat.pk], "second": who}
            )
        stood_in[seat.pk] = who
        own = own_row.get(seat.pk)
        if own is None:
            continue
        if own.status == AttendanceStatus.ABSENT:
            errors.append(
                _("%(name)s is listed as absent and as substitute for %(member)s.") % {"name": name, "member": who}
            )
        elif own.status == AttendanceStatus.SUBSTITUTE:
            errors.append(
                _("%(name)s has a substitute and is listed as substitute for %(member)s.")
                % {"name": name, "member": who}
            )
        elif seat.role != MemberRole.DEPUTY:
            errors.append(
                _("%(name)s attends in their own seat and cannot also stand in for %(member)s.")
                % {"name": name, "member": who}
            )
    return errors
