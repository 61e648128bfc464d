"""Status e-mail about a case: reference, status and link, never the description or the patient. Sent by a
background task enqueued when the transaction commits, so a rolled-back write never sends mail, and claimed per
recipient and history entry, so a task run twice sends nothing twice.
"""

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from samhandling.core.models import User
from samhandling.core.queue import enqueue_on_commit

from ..models import CaseEvent, Deviation, EventKind, ReminderLog, Status

KIND = "status"


def notify(case: Deviation, recipients: list[User | None], base_url: str) -> None:
    """E-mail the recipients that the case reached its current status (after commit, from a task)."""
    from ..tasks import send_status_emails

    ids = sorted({user.pk for user in recipients if user and user.email and user.is_active})
    event = case.events.filter(kind=EventKind.STATUS).order_by("-id").values_list("pk", flat=True).first()
    if ids and event:
        enqueue_on_commit(send_status_emails, case.pk, event, ids, base_url)


def subject_and_body(*, reference: str | None, status: str, link: str) -> tuple[str, str]:
    """The e-mail in the active language. Before submission a case has no reference: it is then named by what it
    is, never "None"."""
    label = Status(status).label
    if reference:
        subject = _("Samhandlingsavvik %(reference)s: %(status)s") % {"reference": reference, "status": label}
    else:
        subject = _("A samhandlingsavvik: %(status)s") % {"status": label}
    body = render_to_string("deviations/email/status.txt", {"reference": reference, "status": label, "link": link})
    return subject, body


def _claim(recipient_id: int, case_id: int, event_id: int) -> bool:
    try:
        with transaction.atomic():
            ReminderLog.objects.create(deviation_id=case_id, recipient_id=recipient_id, kind=KIND, key=str(event_id))
    except IntegrityError:
        return False
    return True


def send_status_emails(*, case_id: int, event_id: int, recipient_ids: list[int], base_url: str) -> int:
    """Send the e-mail about one history entry to each recipient once; returns how many were sent."""
    event = CaseEvent.objects.filter(pk=event_id, deviation_id=case_id).select_related("deviation").first()
    if event is None:
        return 0
    case = event.deviation
    link = base_url.rstrip("/") + reverse("deviations:detail", args=[case.pk]) if base_url else ""
    sent = 0
    for user in User.objects.filter(pk__in=recipient_ids, is_active=True).exclude(email="").order_by("pk"):
        if not _claim(user.pk, case.pk, event.pk):
            continue
        with translation.override(user.language):
            subject, body = subject_and_body(reference=case.reference, status=event.to_status, link=link)
        send_mail(subject, body, None, [user.email])
        sent += 1
    return sent
