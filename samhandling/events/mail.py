"""E-mails to registrants: confirmation (with the event as .ics), waiting list, moving up, approval, declining,
withdrawal, reminder and cancellation. Each carries the personal withdrawal link. Rows are claimed one by one
before sending (decision 28), so a task run again sends only what is still pending."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from .ical import event_ics
from .models import EVENT_MAIL_WORKFLOW, EventMail, MailKind, MailStatus, Registration

logger = logging.getLogger(__name__)

STALE_CLAIM = timedelta(minutes=10)
WITH_CALENDAR = {MailKind.CONFIRMED, MailKind.PROMOTED, MailKind.REMINDER}


def _when(registration: Registration) -> str:
    event = registration.event
    start, end = timezone.localtime(event.starts_at), timezone.localtime(event.ends_at)
    day = formats.date_format(start, "DATE_FORMAT")
    if start.date() == end.date():
        return f"{day}, {formats.time_format(start, 'TIME_FORMAT')}–{formats.time_format(end, 'TIME_FORMAT')}"
    return f"{day} {formats.time_format(start, 'TIME_FORMAT')} – {formats.date_format(end, 'DATE_FORMAT')}"


def _subject_and_intro(kind: str, title: str) -> tuple[str, str]:
    texts = {
        MailKind.CONFIRMED: (_("Registration confirmed: %(title)s"), _("You are registered for this event.")),
        MailKind.PENDING: (
            _("Registration received: %(title)s"),
            _("We have received your registration. The organiser will confirm it."),
        ),
        MailKind.WAITLISTED: (
            _("On the waiting list: %(title)s"),
            _("The event is full, and you are on the waiting list. We will e-mail you if a seat becomes free."),
        ),
        MailKind.PROMOTED: (
            _("You have a seat: %(title)s"),
            _("A seat has become free, and you have moved up from the waiting list."),
        ),
        MailKind.REJECTED: (
            _("Registration declined: %(title)s"),
            _("The organiser could not give you a seat at this event."),
        ),
        MailKind.WITHDRAWN: (_("Withdrawn: %(title)s"), _("Your registration is withdrawn.")),
        MailKind.REMINDER: (_("Reminder: %(title)s"), _("Welcome to the event.")),
        MailKind.CANCELLED: (_("Cancelled: %(title)s"), _("The event is cancelled.")),
    }
    subject, intro = texts[MailKind(kind)]
    return subject % {"title": title}, intro


def build_message(mail: EventMail) -> EmailMultiAlternatives:
    from .services import withdraw_token

    registration, event = mail.registration, mail.registration.event
    base = registration.base_url.rstrip("/") or settings.SAMHANDLING_BASE_URL.rstrip("/")
    subject, intro = _subject_and_intro(mail.kind, event.title)
    if mail.kind == MailKind.PROMOTED and registration.status == "pending":
        intro += " " + _("The organiser will confirm it.")
    lines = [
        _("Hello %(name)s,") % {"name": registration.name},
        "",
        intro,
        "",
        _("Event: %(title)s") % {"title": event.title},
        _("Organiser: %(organiser)s") % {"organiser": event.organiser_name},
        _("Time: %(when)s") % {"when": _when(registration)},
    ]
    if event.place:
        lines.append(_("Place: %(place)s") % {"place": event.place})
    if event.video_link and mail.kind in WITH_CALENDAR:
        lines.append(_("Video link: %(link)s") % {"link": event.video_link})
    lines += ["", _("About the event: %(link)s") % {"link": base + event.get_absolute_url()}]
    if mail.kind not in (MailKind.WITHDRAWN, MailKind.REJECTED, MailKind.CANCELLED):
        link = base + reverse("events:withdraw", args=[withdraw_token(registration)])
        lines += ["", _("Cannot come? Withdraw your registration here: %(link)s") % {"link": link}]
    message = EmailMultiAlternatives(subject, "\n".join(lines), None, [registration.email])
    if mail.kind in WITH_CALENDAR:
        message.attach("arrangement.ics", event_ics(event, base_url=base), "text/calendar; method=PUBLISH")
    domain = getattr(settings, "GOVERNANCE_MESSAGE_ID_DOMAIN", "samhandling.invalid")
    message.extra_headers["Message-ID"] = f"<event-mail-{mail.pk}@{domain}>"
    return message


def _claimable(now=None) -> Q:
    now = now or timezone.now()
    return Q(status=MailStatus.PENDING) | Q(status=MailStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)


def send_pending(now=None) -> int:
    """Send every pending registrant e-mail; returns how many went. Safe to run twice or in two workers at once."""
    sent = 0
    connection = None
    try:
        for mail in EventMail.objects.filter(_claimable(now)).select_related("registration__event__helsefellesskap"):
            if not EVENT_MAIL_WORKFLOW.claim(
                mail, MailStatus.SENDING, where=_claimable(now), claimed_at=timezone.now(), attempts=mail.attempts + 1
            ):
                continue
            if connection is None:
                connection = get_connection()
                connection.open()
            try:
                with translation.override(mail.registration.language):
                    message = build_message(mail)
                message.connection = connection
                message.send()
            except Exception:
                EVENT_MAIL_WORKFLOW.claim(mail, MailStatus.PENDING, claimed_at=None)
                logger.exception("Could not send event mail %s", mail.pk)
                raise
            EVENT_MAIL_WORKFLOW.claim(mail, MailStatus.SENT, sent_at=timezone.now())
            sent += 1
    finally:
        if connection is not None:
            connection.close()
    return sent
