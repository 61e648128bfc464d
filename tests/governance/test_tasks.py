"""The member e-mails of a notice go out as a task over one delivery row per member: a task run again (a killed
worker's task is) or a mail server that gives up midway never leaves a member with two e-mails or with none."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.utils import timezone

from samhandling.governance import services, tasks
from samhandling.governance.models import MailDelivery, MailStatus
from samhandling.governance.services.mail import STALE_CLAIM

pytestmark = pytest.mark.usefixtures("fake_documents")

MEMBERS = 5  # hilde, per, ingrid, lars and randi in gov's SSU


class Killed(BaseException):
    """What the process sees of a kill -9 (nothing after it runs; not an Exception, so nothing catches it)."""


class FailingBackend(EmailBackend):
    """Delivers `limit` messages to the outbox, then fails with `error` as a dead mail server or a killed process."""

    limit = 2
    error: type[BaseException] = ConnectionError

    def send_messages(self, messages):
        for message in messages:
            if len(mail.outbox) >= self.limit:
                raise self.error("the mail server went away")
            super().send_messages([message])
        return len(messages)


def addresses() -> list[str]:
    return sorted(message.to[0] for message in mail.outbox)


def send_notice(gov, settings, django_capture_on_commit_callbacks, error=ConnectionError):
    FailingBackend.error = error
    settings.EMAIL_BACKEND = "tests.governance.test_tasks.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting, base_url="https://s.example")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def test_each_member_gets_the_notice_once_when_the_task_runs_twice(gov, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
    assert len(mail.outbox) == MEMBERS
    assert tasks.send_meeting_mail.call(gov.meeting.pk, "notice", 1) == 0
    assert len(mail.outbox) == MEMBERS
    assert set(MailDelivery.objects.values_list("status", flat=True)) == {MailStatus.SENT}


def test_a_mail_server_failing_midway_leaves_the_rest_pending_and_a_rerun_sends_only_those(
    gov, settings, django_capture_on_commit_callbacks
):
    send_notice(gov, settings, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    assert MailDelivery.objects.filter(status=MailStatus.PENDING).count() == MEMBERS - 2

    assert tasks.send_pending_meeting_mail.call() == MEMBERS - 2
    assert len(addresses()) == len(set(addresses())) == MEMBERS


def test_a_process_killed_while_sending_never_mails_anybody_twice_and_nobody_is_left_out(
    gov, settings, django_capture_on_commit_callbacks
):
    send_notice(gov, settings, django_capture_on_commit_callbacks, error=Killed)
    assert len(mail.outbox) == 2
    in_flight = MailDelivery.objects.get(status=MailStatus.SENDING)

    # Run again at once (the worker's task is recovered): the mail that was being sent is not sent again yet ...
    tasks.send_meeting_mail.call(gov.meeting.pk, "notice", 1)
    assert len(mail.outbox) == MEMBERS - 1
    assert in_flight.member.contact_email not in addresses()

    # ... until its claim is stale: then it goes, with the same Message-ID a mail client would merge.
    MailDelivery.objects.filter(pk=in_flight.pk).update(claimed_at=timezone.now() - STALE_CLAIM - timedelta(seconds=1))
    tasks.send_pending_meeting_mail.call()
    assert len(addresses()) == len(set(addresses())) == MEMBERS
    message_ids = {message.extra_headers["Message-ID"] for message in mail.outbox}
    assert len(message_ids) == MEMBERS
    assert not MailDelivery.objects.exclude(status=MailStatus.SENT).exists()


def test_a_new_version_of_the_notice_is_mailed_again(gov, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting)
        services.meeting_send_notice(actor=gov.sigrid, meeting=gov.meeting, reason="Nytt møterom")
    assert len(mail.outbox) == 2 * MEMBERS
    assert MailDelivery.objects.filter(version=2, status=MailStatus.SENT).count() == MEMBERS


@pytest.mark.parametrize("language", ["nb", "nn"])
@pytest.mark.parametrize("kind", ["notice", "cancellation", "minutes"])
@pytest.mark.parametrize("version", [1, 2])
def test_every_member_e_mail_names_the_meeting_and_never_says_none(gov, kind, version, language):
    """Every kind of member e-mail, in every language, for a member with and without an account and for a meeting
    without end time, place or video link: no "None", no empty subject, the meeting and the link are there."""
    from django.utils import translation

    from samhandling.governance.services.mail import BUILDERS

    meeting = gov.meeting
    meeting.end_time, meeting.place, meeting.video_link = None, "", ""
    link = f"https://samhandling.example.no/moter/mote/{meeting.pk}/"
    for seat in (gov.seats.per, gov.seats.randi):
        with translation.override(language):
            message = BUILDERS[kind](meeting, seat, link, version, "https://samhandling.example.no/")
            title = str(meeting)
        text = f"{message.subject}\n{message.body}"
        assert "None" not in text, text
        assert message.subject.strip() and title in message.subject
        assert link in message.body
        assert message.to == [seat.contact_email] and seat.contact_email
