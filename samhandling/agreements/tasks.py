"""Background tasks of the agreements: the e-mail of a reminder to a party that has not approved a version. Each is
idempotent: the reminder row is claimed before anything is sent."""

from django_tasks import task


@task()
def send_approval_reminder(reminder_id: int, link_base: str) -> int:
    from .services import send_approval_reminder as send

    return send(reminder_id=reminder_id, base_url=link_base)
