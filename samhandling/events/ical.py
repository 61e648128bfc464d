"""Events (and the public meetings shown beside them) as iCalendar: one event's invitation attached to the
confirmation e-mail, and the subscribable calendar feeds per community and for all."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event, EventStatus

PRODID = "-//Samhandling//Arrangementer//NB"
# A meeting without an end time lasts this long in calendars (as in the meeting module's own feed).
OSLO_DURATION = timedelta(hours=2)


def _uid(event: Event) -> str:
    return f"samhandling-event-{event.pk}@samhandling"


def _vevent(
    *,
    uid: str,
    start: datetime,
    end: datetime,
    summary: str,
    location: str,
    description: str,
    url: str,
    cancelled: bool,
):
    from icalendar import Event as VEvent

    vevent = VEvent()
    vevent.add("uid", uid)
    vevent.add("dtstamp", timezone.now())
    vevent.add("dtstart", timezone.localtime(start))
    vevent.add("dtend", timezone.localtime(end))
    vevent.add("summary", summary)
    if location:
        vevent.add("location", location)
    if description:
        vevent.add("description", description)
    if url:
        vevent.add("url", url)
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return vevent


def event_vevent(event: Event, *, base_url: str = ""):
    url = base_url.rstrip("/") + event.get_absolute_url() if base_url else ""
    lines = [event.organiser_name, event.summary]
    if event.video_link:
        lines.append(_("Video link: %(link)s") % {"link": event.video_link})
    return _vevent(
        uid=_uid(event),
        start=event.starts_at,
        end=event.ends_at,
        summary=event.title,
        location=event.place or event.video_link,
        description="\n".join(line for line in lines if line),
        url=url,
        cancelled=event.status == EventStatus.CANCELLED,
    )


def meeting_vevent(entry, *, base_url: str = ""):
    """A public governance meeting (a `CalendarEntry` from the selectors); no video link, as in the body's feed."""
    url = base_url.rstrip("/") + entry.url if base_url else ""
    return _vevent(
        uid=f"samhandling-meeting-{entry.pk}@samhandling",
        start=entry.starts_at,
        end=entry.ends_at,
        summary=entry.title,
        location=entry.place,
        description=entry.organiser,
        url=url,
        cancelled=entry.cancelled,
    )


def _calendar(method: str, components: Iterable, name: str = "") -> bytes:
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    if name:
        calendar.add("x-wr-calname", name)
        calendar.add("x-wr-timezone", "Europe/Oslo")
    for component in components:
        calendar.add_component(component)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def event_ics(event: Event, *, base_url: str = "") -> bytes:
    """One event as a calendar file (METHOD:PUBLISH), attached to confirmations and offered on the event page."""
    return _calendar("PUBLISH", [event_vevent(event, base_url=base_url)])


def feed_ics(entries: Iterable, *, name: str, base_url: str = "") -> bytes:
    """A feed of calendar entries (events and public meetings)."""
    components = [
        event_vevent(entry.event, base_url=base_url)
        if entry.event is not None
        else meeting_vevent(entry, base_url=base_url)
        for entry in entries
    ]
    return _calendar("PUBLISH", components, name=name)
