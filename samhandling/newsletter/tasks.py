"""Background tasks of the newsletter: sending an issue (rate-limited, resumable), scheduled issues, test sends,
confirmation e-mails and editorial decisions. Sending is idempotent: deliveries are claimed row by row."""

from datetime import timedelta

from django_tasks import task

from samhandling.core.queue import periodic


@task()
def send_issue(issue_pk: int) -> int:
    from .mail import send_pending

    return send_pending(issue_pk)


@periodic(every=timedelta(minutes=1))
@task()
def send_due_issues() -> int:
    """Start the scheduled issues whose time has come, and carry on with any issue still being sent (a sender that
    was killed, or a mail server that was away)."""
    from .mail import issues_being_sent, send_pending
    from .services import start_scheduled_issues

    start_scheduled_issues()
    sent = 0
    for pk in issues_being_sent():
        sent += send_pending(pk)
    return sent


@task()
def send_test(issue_pk: int, email: str, language: str, base_url: str) -> None:
    from .mail import send_test as send

    send(issue_pk, email, language, base_url)


@task()
def send_confirmation(subscriber_pk: int, base_url: str) -> None:
    from .mail import send_confirmation as send

    send(subscriber_pk, base_url)


@task()
def send_contribution_decision(contribution_pk: int) -> None:
    from .mail import send_contribution_decision as send

    send(contribution_pk)
