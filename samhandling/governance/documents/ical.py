"""The invitation (one per member, METHOD:REQUEST or CANCEL) and a body's meeting plan feed as iCalendar."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

# The print helpers of the deviation reports (local-only URL fetcher, translated "Page x of y", Word fields) serve
# every WeasyPrint and python-docx document of the project; they are imported rather than copied.
from ..models import (
    Body,
    BodyMember,
    DocumentKind,
    Meeting,
    MeetingStatus,
    MemberRole,
)
from .content import DEFAULT_DURATION, OSLO, PRODID, _members, _when

NOTICE, MINUTES = DocumentKind.NOTICE, DocumentKind.MINUTES


# --- iCalendar --------------------------------------------------------------------------------------------------------


def _uid(meeting: Meeting) -> str:
    # Stable for the meeting's life, so each new version of the invitation replaces the earlier one in calendars.
    return f"samhandling-meeting-{meeting.pk}@{meeting.body.helsefellesskap.code.lower()}.samhandling"


def _start_end(meeting: Meeting) -> tuple[datetime, datetime]:
    start = datetime.combine(meeting.date, meeting.start_time, tzinfo=OSLO)
    end = (
        datetime.combine(meeting.date, meeting.end_time, tzinfo=OSLO) if meeting.end_time else start + DEFAULT_DURATION
    )
    return start, end


def _sequence(meeting: Meeting) -> int:
    """0 for the first notice, then one more for each new version of it (and one more once cancelled)."""
    versions = meeting.documents.filter(kind=NOTICE).aggregate(latest=Max("version"))["latest"] or 1
    return versions - 1 + (1 if meeting.status == MeetingStatus.CANCELLED else 0)


def _summary(meeting: Meeting) -> str:
    return meeting.title or _("Meeting in %(body)s") % {"body": meeting.body}


def _organizer(meeting: Meeting):
    from icalendar import vCalAddress

    secretary = next(
        (m for m in _members(meeting) if m.role == MemberRole.SECRETARY and m.contact_email),
        None,
    )
    if secretary is not None:
        name, email = secretary.display_name, secretary.contact_email
    else:
        name, email = meeting.body.helsefellesskap.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    organizer = vCalAddress(f"mailto:{email}")
    organizer.params["CN"] = name
    return organizer


def _event(meeting: Meeting, *, base_url: str, sequence: int | None, video_link: bool = True):
    """One VEVENT; without `video_link` the meeting's join link is left out (the public feed: anyone may read it)."""
    from icalendar import Event

    start, end = _start_end(meeting)
    event = Event()
    event.add("uid", _uid(meeting))
    event.add("dtstamp", timezone.now())
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", _summary(meeting))
    event.add("sequence", _sequence(meeting) if sequence is None else sequence)
    link_shown = meeting.video_link if video_link else ""
    location = meeting.place or link_shown
    if location:
        event.add("location", location)
    lines = [meeting.body.name, _when(meeting)]
    if link_shown:
        lines.append(_("Video meeting: %(link)s") % {"link": link_shown})
    if base_url:
        link = base_url.rstrip("/") + meeting.get_absolute_url()
        event.add("url", link)
        lines.append(_("Agenda and case papers: %(link)s") % {"link": link})
    event.add("description", "\n".join(lines))
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar(method: str, *events, name: str = ""):
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("name", name)
        calendar.add("x-wr-timezone", "Europe/Oslo")
    for event in events:
        calendar.add_component(event)
    # The VTIMEZONE for Europe/Oslo, so calendars without the tz database still place the meeting right.
    calendar.add_missing_timezones()
    return calendar


def meeting_invitation_ics(
    meeting: Meeting,
    recipient: BodyMember | None = None,
    *,
    base_url: str = "",
    sequence: int | None = None,
) -> bytes:
    """The invitation (METHOD:REQUEST; METHOD:CANCEL once the meeting is cancelled) with a UID stable per meeting
    and SEQUENCE counting the notice's versions; ORGANIZER and ATTENDEE when a recipient is given."""
    from icalendar import vCalAddress

    event = _event(meeting, base_url=base_url, sequence=sequence)
    if recipient is not None and recipient.contact_email:
        event.add("organizer", _organizer(meeting))
        attendee = vCalAddress(f"mailto:{recipient.contact_email}")
        attendee.params["CN"] = recipient.display_name
        attendee.params["CUTYPE"] = "INDIVIDUAL"
        optional = recipient.role in (MemberRole.DEPUTY, MemberRole.OBSERVER)
        attendee.params["ROLE"] = "OPT-PARTICIPANT" if optional else "REQ-PARTICIPANT"
        attendee.params["PARTSTAT"] = "NEEDS-ACTION"
        # Replies are not read by the platform: absence is reported to the secretariat.
        attendee.params["RSVP"] = "FALSE"
        event.add("attendee", attendee)
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    return _calendar(method, event).to_ical()


def body_calendar_ics(body: Body, year: int | None = None, *, base_url: str = "") -> bytes:
    """The body's meeting plan as a subscribable feed (METHOD:PUBLISH): every meeting of `year`, or from the start
    of this year on when no year is given; cancelled meetings stay in with STATUS:CANCELLED. The feed is public, so
    it never carries video links: members get theirs in the invitation."""
    meetings = body.meetings.select_related("body__helsefellesskap").order_by("date", "start_time")
    if year is None:
        meetings = meetings.filter(date__year__gte=timezone.localdate().year)
        name = _("Meeting plan %(body)s") % {"body": body.name}
    else:
        meetings = meetings.filter(date__year=year)
        name = _("Meeting plan %(body)s %(year)s") % {"body": body.name, "year": year}
    events = [_event(meeting, base_url=base_url, sequence=None, video_link=False) for meeting in meetings]
    return _calendar("PUBLISH", *events, name=name).to_ical()
