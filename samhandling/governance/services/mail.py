"""E-mail to a meeting's members: title, time, place and link only, never case content.

Sending is crash-safe: the service writes one `MailDelivery` row per member in its own transaction and enqueues
`governance.tasks.send_meeting_mail` on commit; the task claims each row before sending and marks it sent after, so a
task run again (a killed worker's task is) sends only what is still pending, and nobody gets two."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from samhandling.core.queue import enqueue_on_commit

from .. import documents
from ..models import MAIL_WORKFLOW, BodyMember, MailDelivery, MailStatus, Meeting, current_members_q

logger = logging.getLogger(__name__)

# A row claimed this long ago and never marked sent belongs to a process that died while talking to the mail server;
# it is sent again (with the same Message-ID, so a mail client shows one message if the first did arrive).
STALE_CLAIM = timedelta(minutes=10)


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
    invitation = documents.render("invitation", "ics", meeting=meeting, seat=seat, base_url=base_url)
    message.attach("invitation.ics", invitation, "text/calendar; method=REQUEST")
    return message


def _mail_cancelled(meeting: Meeting, seat: BodyMember, link: str, version: int, base_url: str) -> EmailMessage:
    subject = _("Cancelled: %(meeting)s") % {"meeting": meeting}
    body = "\n".join([_("The meeting is cancelled."), "", _("Time: %(when)s") % {"when": _when(meeting)}, "", link])
    message = EmailMessage(subject, body, None, [seat.contact_email])
    # The calendar entry is withdrawn too (METHOD:CANCEL, same UID as the invitation).
    cancellation = documents.render("invitation", "ics", meeting=meeting, seat=seat, base_url=base_url)
    message.attach("cancellation.ics", cancellation, "text/calendar; method=CANCEL")
    return message


def _mail_minutes(meeting: Meeting, seat: BodyMember, link: str, version: int, base_url: str) -> EmailMessage:
    subject = _("Draft minutes: %(meeting)s") % {"meeting": meeting}
    body = "\n".join(
        [_("The draft minutes of this meeting are ready in Samhandling."), "", str(meeting), _when(meeting), "", link]
    )
    return EmailMessage(subject, body, None, [seat.contact_email])


# Who gets the e-mails of a meeting (the notice's confirmation step counts them).
recipients_of = _recipients

BUILDERS = {"notice": _mail_notice, "cancellation": _mail_cancelled, "minutes": _mail_minutes}


def _mail_members(meeting: Meeting, base_url: str, kind: str, version: int = 0) -> None:
    """Write a delivery row per current member for this mail and send them after commit, as a task."""
    from .. import tasks

    if kind == "cancellation":
        version = (
            MailDelivery.objects.filter(meeting=meeting, kind=kind).aggregate(last=Max("version"))["last"] or 0
        ) + 1
    rows = [
        MailDelivery(meeting=meeting, kind=kind, version=version, member=seat, base_url=base_url[:200])
        for seat in _recipients(meeting)
    ]
    MailDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    enqueue_on_commit(tasks.send_meeting_mail, meeting.pk, kind, version)


def _message_id(delivery: MailDelivery) -> str:
    domain = getattr(settings, "GOVERNANCE_MESSAGE_ID_DOMAIN", "samhandling.invalid")
    return f"<governance-{delivery.meeting_id}-{delivery.kind}-{delivery.version}-{delivery.member_id}@{domain}>"


def _claimable(now=None) -> Q:
    now = now or timezone.now()
    return Q(status=MailStatus.PENDING) | Q(status=MailStatus.SENDING, claimed_at__lt=now - STALE_CLAIM)


def send_pending(meeting_pk: int, kind: str | None = None, version: int | None = None, *, now=None) -> int:
    """Send the pending deliveries of a meeting (of one mail when `kind` and `version` are given); returns how many
    were sent. Safe to run twice or at once in two workers: a row is claimed with one conditional UPDATE before its
    mail goes, and marked sent after."""
    sent = 0
    candidates = MailDelivery.objects.filter(_claimable(now), meeting_id=meeting_pk)
    if kind is not None:
        candidates = candidates.filter(kind=kind, version=version)
    candidates = candidates.order_by("pk")
    for delivery in candidates.select_related("meeting__body", "member__user"):
        claimed = MAIL_WORKFLOW.claim(
            delivery,
            MailStatus.SENDING,
            where=_claimable(now),
            claimed_at=timezone.now(),
            attempts=delivery.attempts + 1,
        )
        if not claimed:
            continue  # another worker has it
        seat, meeting = delivery.member, delivery.meeting
        link = (
            delivery.base_url.rstrip("/") + reverse("governance:meeting_detail", args=[meeting.pk])
            if delivery.base_url
            else ""
        )
        language = seat.user.language if seat.user_id else settings.LANGUAGE_CODE
        try:
            with translation.override(language):
                message = BUILDERS[delivery.kind](meeting, seat, link, delivery.version, delivery.base_url)
                message.extra_headers["Message-ID"] = _message_id(delivery)
                message.send()
        except Exception:
            # The mail server refused or is away: the row goes back to the queue (the periodic sweep retries it) and
            # this run stops, as the next mails would most likely fail the same way.
            MAIL_WORKFLOW.claim(delivery, MailStatus.PENDING, claimed_at=None)
            logger.exception("Could not mail meeting %s to seat %s", meeting.pk, seat.pk)
            raise
        MAIL_WORKFLOW.claim(delivery, MailStatus.SENT, sent_at=timezone.now())
        sent += 1
    return sent


def meetings_with_pending_mail(now=None) -> list[int]:
    return sorted(set(MailDelivery.objects.filter(_claimable(now)).values_list("meeting_id", flat=True)))
