"""Reads of the events module. The public calendar shows published (and cancelled) events and the public meetings of
the meeting module; registrations are read only through `registrations_for`, which checks the organiser rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.models import Helsefellesskap
from samhandling.core.permissions import require

from .access import organiser_communities, organises
from .models import SEAT_STATUSES, Event, EventStatus, Registration, RegistrationStatus

PUBLIC_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


@dataclass(frozen=True)
class CalendarEntry:
    """One line of the calendar: an event, or a public meeting of a partnership body."""

    pk: int
    title: str
    starts_at: datetime
    ends_at: datetime
    place: str
    organiser: str
    url: str
    cancelled: bool
    kind_label: str
    event: Event | None = None

    @property
    def is_meeting(self) -> bool:
        return self.event is None


def public_events() -> QuerySet[Event]:
    return Event.objects.filter(status__in=PUBLIC_STATUSES).select_related("helsefellesskap")


def public_event(pk) -> Event:
    found = public_events().filter(pk=pk).first()
    if found is None:
        raise Http404
    return found


def organiser_communities_with_events() -> QuerySet[Helsefellesskap]:
    return Helsefellesskap.objects.filter(events__status__in=PUBLIC_STATUSES).distinct().order_by("name")


def _meeting_entries(community: Helsefellesskap | None, start: date, end: date | None) -> list[CalendarEntry]:
    from samhandling.governance import selectors as governance

    from .ical import OSLO_DURATION

    communities = [community] if community is not None else list(governance.public_communities())
    entries = []
    for each in communities:
        meetings = governance.public_upcoming_meetings(each, today=start)
        if end is not None:
            meetings = meetings.filter(date__lte=end)
        for meeting in meetings:
            starts = timezone.make_aware(datetime.combine(meeting.date, meeting.start_time))
            ends = (
                timezone.make_aware(datetime.combine(meeting.date, meeting.end_time))
                if meeting.end_time
                else starts + OSLO_DURATION
            )
            entries.append(
                CalendarEntry(
                    pk=meeting.pk,
                    title=str(meeting),
                    starts_at=starts,
                    ends_at=ends,
                    place=meeting.place,
                    organiser=f"{meeting.body.name}, {each.name}",
                    url=meeting_url(each, meeting),
                    cancelled=meeting.status == "cancelled",
                    kind_label=str(_("Meeting")),
                )
            )
    return entries


def meeting_url(community: Helsefellesskap, meeting) -> str:
    """The meeting's public page once its notice is out; before that, the community's public archive."""
    from django.urls import reverse

    if meeting.notice_sent_at:
        return reverse("governance:public_meeting", args=[community.slug, meeting.pk])
    return reverse("governance:public_archive", args=[community.slug])


def calendar(
    *,
    community: Helsefellesskap | None = None,
    national: bool = False,
    kind: str = "",
    audience: str = "",
    topic: str = "",
    start: date | None = None,
    end: date | None = None,
    meetings: bool = True,
) -> list[CalendarEntry]:
    """Events (and, unless a kind, audience or topic narrows the list, public meetings) from `start` (today) to `end`
    (open), by time. `national` keeps only national events."""
    start = start or timezone.localdate()
    events = public_events().filter(ends_at__gte=timezone.make_aware(datetime.combine(start, time.min)))
    if end is not None:
        events = events.filter(starts_at__lt=timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)))
    if national:
        events = events.filter(helsefellesskap__isnull=True)
    elif community is not None:
        events = events.filter(helsefellesskap=community)
    if kind:
        events = events.filter(kind=kind)
    if audience:
        events = events.filter(audience=audience)
    if topic:
        events = events.filter(topic__iexact=topic)
    entries = [
        CalendarEntry(
            pk=event.pk,
            title=event.title,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            place=event.place or (str(_("Online")) if event.video_link else ""),
            organiser=event.organiser_name,
            url=event.get_absolute_url(),
            cancelled=event.status == EventStatus.CANCELLED,
            kind_label=str(event.get_kind_display()),
            event=event,
        )
        for event in events
    ]
    if meetings and not (kind or audience or topic or national):
        entries += _meeting_entries(community, start, end)
    return sorted(entries, key=lambda e: (e.starts_at, e.title))


def topics() -> list[str]:
    return sorted(set(public_events().exclude(topic="").values_list("topic", flat=True).distinct()), key=str.lower)


# --- organisers ------------------------------------------------------------------------------------------------------


def events_organised_by(user) -> QuerySet[Event]:
    """The events the user organises, newest first, with their seat counts."""
    q = Q(helsefellesskap__in=organiser_communities(user))
    if user.is_superuser:
        q = Q()
    return (
        Event.objects.filter(q)
        .select_related("helsefellesskap")
        .annotate(
            seats=Count("registrations", filter=Q(registrations__status__in=SEAT_STATUSES)),
            waiting=Count("registrations", filter=Q(registrations__status=RegistrationStatus.WAITLISTED)),
        )
        .order_by("-starts_at")
    )


def event_for_organiser(user, pk) -> Event:
    event = Event.objects.select_related("helsefellesskap").filter(pk=pk).first()
    if event is None or not organises(user, event.helsefellesskap):
        raise Http404
    return event


def event_for(user, pk) -> Event:
    """A published or cancelled event for anyone; a draft only for its organisers."""
    event = Event.objects.select_related("helsefellesskap").filter(pk=pk).first()
    if event is None or (event.status not in PUBLIC_STATUSES and not organises(user, event.helsefellesskap)):
        raise Http404
    return event


def registrations_for(user, event: Event) -> QuerySet[Registration]:
    """The registrations of an event: personal data, for its organisers only."""
    require(user, "events.manage_registrations", event)
    return event.registrations.order_by("created_at", "pk")


def registration_for(user, pk) -> Registration:
    registration = Registration.objects.select_related("event__helsefellesskap").filter(pk=pk).first()
    if registration is None:
        raise Http404
    require(user, "events.manage_registrations", registration.event)
    return registration


def waiting_position(registration: Registration) -> int | None:
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = registration.event.registrations.filter(status=RegistrationStatus.WAITLISTED).filter(
        Q(created_at__lt=registration.created_at) | Q(created_at=registration.created_at, pk__lt=registration.pk)
    )
    return ahead.count() + 1
