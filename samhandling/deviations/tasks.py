"""Background tasks of samhandlingsavvik: status e-mails (enqueued on commit), webhook delivery and the reminders
and digest (periodic). Each is idempotent: e-mails are claimed in ReminderLog, deliveries with a conditional
UPDATE, so a task that a dead worker left behind is simply run again.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from samhandling.core.queue import periodic


def base_url() -> str:
    """The platform's public address for links in e-mail and webhooks sent without a request."""
    return settings.SAMHANDLING_BASE_URL


@task()
def send_status_emails(case_id: int, event_id: int, recipient_ids: list[int], link_base: str) -> int:
    from .services.notifications import send_status_emails as send

    return send(case_id=case_id, event_id=event_id, recipient_ids=recipient_ids, base_url=link_base)


@periodic(every=timedelta(minutes=1))
@task()
def deliver_webhooks() -> dict[str, int]:
    from .services.webhooks import deliver_pending

    return deliver_pending(base_url=base_url())


@periodic(every=timedelta(hours=1))
@task()
def send_reminders() -> dict[str, int]:
    from .services.reminders import send_reminders as send

    url = base_url()
    if not url:  # a reminder without a link helps nobody; the cron command takes --base-url instead
        return {"reminders": 0, "digests": 0}
    run = send(today=timezone.localdate(), base_url=url)
    return {"reminders": run.reminders, "digests": run.digests}
