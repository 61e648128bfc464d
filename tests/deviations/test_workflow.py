"""The deviation workflow and the mechanisms around it: one table, actions bound to registered rules, every rule in
access.py with roles and a description, templates that never compare statuses, and status e-mail sent by an
idempotent task that never says "None"."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.template.loader import render_to_string
from django.utils import translation

from samhandling.core.permissions import registered_rules
from samhandling.core.workflow import TransitionError, workflow_for
from samhandling.deviations import services
from samhandling.deviations.models import TRANSITIONS, WORKFLOW, Deviation, DeviationSettings, ReminderLog, Status
from samhandling.deviations.services.notifications import send_status_emails, subject_and_body

TEMPLATES = Path(__file__).resolve().parents[2] / "samhandling" / "deviations" / "templates"


def test_the_workflow_is_the_deviations_own():
    assert workflow_for(Deviation) is WORKFLOW
    assert services.TRANSITIONS is TRANSITIONS
    assert services.InvalidTransition is TransitionError


def test_every_action_is_bound_to_a_registered_rule():
    rules = registered_rules()
    for action in WORKFLOW.actions.values():
        assert action.permission in rules, action.name


def test_every_deviation_rule_lives_in_access_with_roles_and_a_description():
    rules = {name: rule for name, rule in registered_rules().items() if name.startswith("deviations.")}
    assert {"deviations.import", "deviations.reports_internal", "deviations.view_inbox"} <= set(rules)
    for name, rule in rules.items():
        assert rule.check.__module__ == "samhandling.deviations.access", name
        assert rule.roles, f"{name} has no roles"
        assert rule.description and "\n" not in rule.description, f"{name} has no one-line description"


def test_no_deviation_template_compares_a_status():
    pattern = re.compile(r"status\s*[!=]=|\.status\b")
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in pattern.finditer(path.read_text())
    ]
    assert not offenders, offenders


def test_a_move_the_table_refuses_changes_nothing(demo, sent_case):
    services.deviation_acknowledge(actor=demo.per, case=sent_case)
    with pytest.raises(TransitionError):
        services.deviation_close(actor=demo.per, case=sent_case)
    assert Deviation.objects.get(pk=sent_case.pk).status == Status.ACKNOWLEDGED


# --- e-mail -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_no_status_email_says_none_or_leaves_the_reference_empty(language):
    for status in Status.values:
        for reference in (None, "", "VES-2026-00042"):
            with translation.override(language):
                subject, body = subject_and_body(reference=reference, status=status, link="https://x.example/avvik/1/")
            text = subject + "\n" + body
            assert "None" not in text, (status, reference)
            assert not re.search(r"Samhandlingsavvik\s*[:(]", text), (status, reference, text)
            assert "  " not in subject


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_reminder_and_digest_emails_say_no_none(language):
    with translation.override(language):
        reminder = render_to_string(
            "deviations/email/reminder.txt",
            {"reference": "VES-2026-00042", "status": "Sendt", "deadline": None, "link": "https://x.example/"},
        )
        digest = render_to_string(
            "deviations/email/digest.txt",
            {"cases": [("VES-2026-00042", "Sendt", "https://x.example/")], "inbox": "https://x.example/innboks/"},
        )
    assert "None" not in reminder + digest


def test_the_leaders_email_before_submission_names_no_reference(
    demo, vestfold, report_data, mailoutbox, django_capture_on_commit_callbacks
):
    DeviationSettings.objects.filter(helsefellesskap=vestfold).update(leader_completion_required=True)
    draft = services.deviation_save_draft(actor=demo.kari, data=report_data())
    with django_capture_on_commit_callbacks(execute=True):
        services.deviation_send(actor=demo.kari, case=draft, base_url="https://samhandling.example/")
    assert mailoutbox, "the leader was not told"
    for message in mailoutbox:
        assert "None" not in message.subject + message.body
        assert "https://samhandling.example/avvik/" in message.body
        assert "epikrise" not in message.body and "Ola Testpasient" not in message.body


def test_a_status_email_task_run_twice_sends_once(demo, sent_case, mailoutbox):
    event = sent_case.events.latest("id")
    mail.outbox.clear()
    first = send_status_emails(case_id=sent_case.pk, event_id=event.pk, recipient_ids=[demo.per.pk], base_url="")
    second = send_status_emails(case_id=sent_case.pk, event_id=event.pk, recipient_ids=[demo.per.pk], base_url="")
    assert (first, second) == (1, 0) and len(mail.outbox) == 1
    assert ReminderLog.objects.filter(kind="status", recipient=demo.per).count() == 1


def test_acknowledging_mails_the_reporter_after_commit(demo, sent_case, mailoutbox, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.deviation_acknowledge(actor=demo.per, case=sent_case, base_url="https://samhandling.example/")
    assert not mailoutbox  # nothing before the commit
    for callback in callbacks:
        callback()
    assert [message.to for message in mailoutbox] == [[demo.kari.email]]
    assert sent_case.reference in mailoutbox[0].subject


def test_the_periodic_tasks_are_registered():
    from samhandling.core.queue import periodic_tasks
    from samhandling.deviations import tasks

    names = set(periodic_tasks())
    assert tasks.deliver_webhooks.module_path in names and tasks.send_reminders.module_path in names


def test_the_periodic_tasks_run_the_same_services_as_the_commands(demo, sent_case, settings, mailoutbox):
    from datetime import timedelta

    from django.utils import timezone

    from samhandling.deviations import tasks

    assert tasks.deliver_webhooks.enqueue().return_value == {"delivered": 0, "retrying": 0, "failed": 0}
    settings.SAMHANDLING_BASE_URL = ""
    assert tasks.send_reminders.enqueue().return_value == {"reminders": 0, "digests": 0}  # no link, no e-mail
    settings.SAMHANDLING_BASE_URL = "https://samhandling.example"
    Deviation.objects.filter(pk=sent_case.pk).update(acknowledge_deadline=timezone.localdate() - timedelta(days=3))
    first = tasks.send_reminders.enqueue().return_value
    again = tasks.send_reminders.enqueue().return_value
    assert first["reminders"] >= 1 and again == {"reminders": 0, "digests": 0}  # run twice, sent once
    assert all("https://samhandling.example/avvik/" in message.body for message in mailoutbox)
