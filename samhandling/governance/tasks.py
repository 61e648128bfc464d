"""Background tasks of the meeting module: the e-mails of a notice, a cancellation or draft minutes to the members.

Each task is idempotent (a killed worker's task is run again): it sends only the delivery rows still pending, see
`services.mail.send_pending`. A periodic sweep picks up rows whose task never ran or failed on the mail server."""

from datetime import timedelta

from django_tasks import task

from samhandling.core.queue import periodic

from .services import mail


@task()
def send_meeting_mail(meeting_pk: int, kind: str, version: int) -> int:
    """Send the pending e-mails of one notice, cancellation or draft minutes; returns how many went."""
    return mail.send_pending(meeting_pk, kind, version)


@periodic(every=timedelta(minutes=5))
@task()
def send_pending_meeting_mail() -> int:
    """Retry what is still pending (mail server away, or a task that never ran)."""
    sent = 0
    for meeting_pk in mail.meetings_with_pending_mail():
        try:
            sent += mail.send_pending(meeting_pk)
        except Exception:  # noqa: S112  (logged in send_pending; the other meetings still get theirs)
            continue
    return sent
