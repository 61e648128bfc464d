"""Background tasks of the events module: registrant e-mails (enqueued on commit), and the periodic reminder and
retention purge. Each is idempotent: mails are claimed row by row, reminders and purges per event."""

from datetime import timedelta

from django_tasks import task

from samhandling.core.queue import periodic


@task()
def send_event_mail() -> int:
    from .mail import send_pending

    return send_pending()


@periodic(every=timedelta(minutes=5))
@task()
def retry_event_mail() -> int:
    """What a failed mail server or a killed worker left pending."""
    from .mail import send_pending

    return send_pending()


@periodic(every=timedelta(minutes=15))
@task()
def send_event_reminders() -> int:
    """Reminders for the events starting within a day (each event once)."""
    from .mail import send_pending
    from .services import queue_reminders

    if queue_reminders():
        return send_pending()
    return 0


@periodic(every=timedelta(hours=6))
@task()
def purge_registrations() -> int:
    """Delete registrations whose retention period after the event has run out."""
    from .services import purge_expired_registrations

    return purge_expired_registrations()
