"""Reminders and the weekly digest: sent once per deadline and week, however often cron runs the command."""

from datetime import timedelta
from io import StringIO

from django.core import mail
from django.core.management import call_command

from samhandling.deviations import services

from .conftest import PATIENT_ID


def _run(day) -> str:
    out = StringIO()
    call_command(
        "deviation_reminders", "--base-url=https://samhandling.example", f"--today={day.isoformat()}", stdout=out
    )
    return out.getvalue()


def test_nothing_is_sent_before_the_deadline(demo, sent_case):
    assert "0 reminders and 0 digests" in _run(sent_case.acknowledge_deadline)
    assert mail.outbox == []


def test_an_overdue_acknowledgement_reminds_the_contact_point_once(demo, sent_case):
    late = sent_case.acknowledge_deadline + timedelta(days=1)
    assert "1 reminders and 1 digests" in _run(late)
    assert "0 reminders and 0 digests" in _run(late)  # the second cron run sends nothing
    assert {tuple(m.to) for m in mail.outbox} == {(demo.per.email,)}
    bodies = " ".join(m.subject + m.body for m in mail.outbox)
    assert sent_case.reference in bodies
    assert PATIENT_ID not in bodies and "epikrise" not in bodies


def test_the_digest_comes_again_the_next_week_but_the_reminder_does_not(demo, sent_case):
    late = sent_case.acknowledge_deadline + timedelta(days=1)
    _run(late)
    assert "0 reminders and 1 digests" in _run(late + timedelta(days=7))


def test_after_acknowledgement_the_handler_is_reminded_of_the_answer(demo, sent_case):
    services.deviation_acknowledge(actor=demo.per, case=sent_case, handler=demo.hilde)
    sent_case.refresh_from_db()
    mail.outbox.clear()
    _run(sent_case.answer_deadline + timedelta(days=1))
    assert {tuple(m.to) for m in mail.outbox} == {(demo.hilde.email,)}
