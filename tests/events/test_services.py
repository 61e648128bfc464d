"""The events services: publishing, registration with capacity and waiting list, moderation, withdrawal by the
personal link, check-in, export, reminders and the retention purge, and who may do what."""

import csv
import io
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from openpyxl import load_workbook

from samhandling.core.models import AuditEvent
from samhandling.core.permissions import can
from samhandling.events import selectors, services
from samhandling.events.models import Event, EventMail, Registration, RegistrationStatus

from .conftest import make_event, sign_up

S = RegistrationStatus


def test_sign_ups_beyond_capacity_go_to_the_waiting_list_in_order(ev):
    a, b, c, d = (sign_up(ev.event, name) for name in ("Anne", "Bjorn", "Cecilie", "Dag"))
    assert [a.status, b.status] == [S.CONFIRMED, S.CONFIRMED]
    assert [c.status, d.status] == [S.WAITLISTED, S.WAITLISTED]
    assert selectors.waiting_position(c) == 1
    assert selectors.waiting_position(d) == 2


def test_a_withdrawal_moves_the_first_waiting_up_and_tells_them(ev, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        a, _b, c, d = (sign_up(ev.event, name) for name in ("Anne", "Bjorn", "Cecilie", "Dag"))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_withdraw(registration=a)
    c.refresh_from_db()
    d.refresh_from_db()
    assert c.status == S.CONFIRMED
    assert d.status == S.WAITLISTED
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects["cecilie@example.no"].startswith("Du har fått plass")
    assert subjects["anne@example.no"].startswith("Avmeldt")
    assert "dag@example.no" not in subjects


def test_the_confirmation_carries_the_event_as_ics_and_a_withdrawal_link(ev, django_capture_on_commit_callbacks):
    from icalendar import Calendar

    with django_capture_on_commit_callbacks(execute=True):
        registration = sign_up(ev.event, "Anne")
    [message] = mail.outbox
    assert message.subject == "Påmelding bekreftet: Fagdag om samhandling"
    token = services.withdraw_token(registration)
    assert f"http://testserver/arrangementer/pamelding/{token}/" in message.body
    [(filename, content, mimetype)] = message.attachments
    assert filename.endswith(".ics") and mimetype.startswith("text/calendar")
    [vevent] = Calendar.from_ical(content).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Fagdag om samhandling"


def test_a_mail_task_run_twice_sends_each_mail_once(ev, django_capture_on_commit_callbacks):
    from samhandling.events.mail import send_pending

    with django_capture_on_commit_callbacks(execute=False):
        sign_up(ev.event, "Anne")
    assert send_pending() == 1
    assert send_pending() == 0
    assert len(mail.outbox) == 1


def test_the_waiting_list_moves_up_when_capacity_grows(ev):
    for name in ("Anne", "Bjorn", "Cecilie"):
        sign_up(ev.event, name)
    services.event_update(actor=ev.sigrid, event=ev.event, capacity=3)
    assert ev.event.registrations.filter(status=S.CONFIRMED).count() == 3


def test_moderation_holds_seats_until_the_organiser_decides(ev):
    event = make_event(ev.sigrid, ev.vestfold, moderation=True, capacity=1)
    first, second = sign_up(event, "Anne"), sign_up(event, "Bjorn")
    assert (first.status, second.status) == (S.PENDING, S.WAITLISTED)
    services.registration_reject(actor=ev.sigrid, registration=first)
    second.refresh_from_db()
    assert second.status == S.PENDING  # moved up, but still to be approved
    services.registration_approve(actor=ev.sigrid, registration=second)
    second.refresh_from_db()
    assert second.status == S.CONFIRMED


def test_only_the_organiser_moderates_and_checks_in(ev):
    event = make_event(ev.sigrid, ev.vestfold, moderation=True)
    registration = sign_up(event, "Anne")
    with pytest.raises(PermissionDenied):
        services.registration_approve(actor=ev.ola, registration=registration)
    confirmed = sign_up(ev.event, "Bjorn")
    with pytest.raises(PermissionDenied):
        services.registration_check_in(actor=ev.kari, registration=confirmed)
    assert not can(ev.ola, "events.manage_registrations", event)
    assert can(ev.sigrid, "events.manage_registrations", event)


def test_registration_needs_consent_an_open_window_and_a_fresh_email(ev):
    with pytest.raises(ValidationError) as error:
        sign_up(ev.event, "Anne", consent=False)
    assert "consent" in error.value.message_dict
    sign_up(ev.event, "Anne")
    with pytest.raises(ValidationError) as error:
        sign_up(ev.event, "Anne")
    assert "email" in error.value.message_dict
    later = make_event(ev.sigrid, ev.vestfold, registration_opens_at=timezone.now() + timedelta(days=1))
    with pytest.raises(ValidationError, match="ikke åpnet"):
        sign_up(later, "Bjorn")
    closed = make_event(ev.sigrid, ev.vestfold, registration_closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="stengt"):
        sign_up(closed, "Bjorn")


def test_an_event_with_log_in_required_refuses_anonymous_sign_ups(ev):
    event = make_event(ev.sigrid, ev.vestfold, login_required=True)
    with pytest.raises(ValidationError):
        sign_up(event, "Anne")
    registration = sign_up(event, "Kari", user=ev.kari)
    assert registration.user == ev.kari


def test_the_withdrawal_link_is_signed_and_expires_when_the_event_ends(ev):
    registration = sign_up(ev.event, "Anne")
    token = services.withdraw_token(registration)
    assert services.registration_from_token(token) == registration
    assert services.registration_from_token(token[:-2] + "xx") is None
    assert services.registration_from_token(token, now=ev.event.ends_at + timedelta(seconds=1)) is None


def test_an_organiser_of_another_community_cannot_create_or_edit(ev):
    from samhandling.core.models import Helsefellesskap

    other = Helsefellesskap.objects.exclude(pk=ev.vestfold.pk).first()
    with pytest.raises(PermissionDenied):
        make_event(ev.sigrid, other)
    with pytest.raises(PermissionDenied):
        make_event(ev.sigrid, None)  # national: platform operators only
    with pytest.raises(PermissionDenied):
        services.event_update(actor=ev.ola, event=ev.event, title="Nytt")


def test_an_event_must_end_after_it_starts_and_have_a_place(ev):
    start = timezone.now() + timedelta(days=3)
    with pytest.raises(ValidationError) as error:
        make_event(ev.sigrid, ev.vestfold, starts_at=start, ends_at=start, place="", video_link="")
    assert {"ends_at", "place"} <= set(error.value.message_dict)


def test_the_export_holds_the_answers_and_is_audit_logged(ev):
    sign_up(ev.event, "Anne", answers={"Kost": "Vegetar"}, organisation="=HYPERLINK(1)")
    content = services.registrations_export(actor=ev.sigrid, event=ev.event, fmt="csv").decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][-1] == "Kost"
    assert rows[1][0] == "Anne" and rows[1][-1] == "Vegetar"
    assert rows[1][2] == "'=HYPERLINK(1)"  # a formula is written as text
    sheet = load_workbook(io.BytesIO(services.registrations_export(actor=ev.sigrid, event=ev.event, fmt="xlsx"))).active
    assert sheet.cell(2, 2).value == "anne@example.no"
    exports = AuditEvent.objects.filter(action="events.registrations.exported", target_id=str(ev.event.pk))
    assert exports.count() == 2
    assert "anne" not in str(list(exports.values_list("data", flat=True)))
    with pytest.raises(PermissionDenied):
        services.registrations_export(actor=ev.ola, event=ev.event, fmt="csv")


def test_reminders_go_once_to_confirmed_participants(ev, django_capture_on_commit_callbacks):
    from samhandling.events.tasks import send_event_reminders

    sign_up(ev.event, "Anne")
    sign_up(ev.event, "Bjorn")
    sign_up(ev.event, "Cecilie")  # waiting list: no reminder
    Event.objects.filter(pk=ev.event.pk).update(starts_at=timezone.now() + timedelta(hours=20))
    mail.outbox.clear()
    send_event_reminders.call()
    send_event_reminders.call()
    reminders = [m for m in mail.outbox if m.subject.startswith("Påminnelse")]
    assert sorted(m.to[0] for m in reminders) == ["anne@example.no", "bjorn@example.no"]
    assert EventMail.objects.filter(kind="reminder").count() == 2


def test_the_purge_deletes_registrations_after_the_retention_period_once(ev):
    sign_up(ev.event, "Anne")
    ended = timezone.now() - timedelta(days=91)
    Event.objects.filter(pk=ev.event.pk).update(starts_at=ended - timedelta(hours=6), ends_at=ended)
    kept = make_event(ev.sigrid, ev.vestfold)
    sign_up(kept, "Bjorn")
    assert services.purge_expired_registrations() == 1
    assert services.purge_expired_registrations() == 0
    assert not Registration.objects.filter(event=ev.event).exists()
    assert Registration.objects.filter(event=kept).count() == 1
    assert AuditEvent.objects.filter(action="events.registrations.purged").count() == 1


def test_the_purge_waits_for_the_organisers_retention_days(ev):
    sign_up(ev.event, "Anne")
    ended = timezone.now() - timedelta(days=20)
    Event.objects.filter(pk=ev.event.pk).update(starts_at=ended - timedelta(hours=6), ends_at=ended, retention_days=30)
    assert services.purge_expired_registrations() == 0
    Event.objects.filter(pk=ev.event.pk).update(retention_days=14)
    assert services.purge_expired_registrations() == 1


def test_cancelling_tells_everyone_registered(ev, django_capture_on_commit_callbacks):
    for name in ("Anne", "Bjorn", "Cecilie"):
        sign_up(ev.event, name)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.event_cancel(actor=ev.sigrid, event=ev.event)
    assert len([m for m in mail.outbox if m.subject.startswith("Avlyst")]) == 3


def test_check_in_is_recorded_and_can_be_undone(ev):
    registration = sign_up(ev.event, "Anne")
    services.registration_check_in(actor=ev.sigrid, registration=registration)
    registration.refresh_from_db()
    assert registration.checked_in_at is not None
    services.registration_check_in(actor=ev.sigrid, registration=registration, undo=True)
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_the_calendar_shows_published_events_with_filters(ev):
    draft = services.event_create(
        actor=ev.sigrid,
        community=ev.vestfold,
        title="Utkast",
        kind="kurs",
        audience="everyone",
        summary="x",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1),
        place="Sted",
    )
    titles = [e.title for e in selectors.calendar(meetings=False)]
    assert "Fagdag om samhandling" in titles and draft.title not in titles
    assert selectors.calendar(kind="webinar", meetings=False) == []
    assert [e.title for e in selectors.calendar(audience="professionals")] == ["Fagdag om samhandling"]
    assert [e.title for e in selectors.calendar(topic="psykisk helse")] == ["Fagdag om samhandling"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_never_exceed_capacity_and_keep_the_waiting_order(reference, demo):
    """Twelve sign-ups at once for five seats: five seats taken, seven waiting, the waiting list in the order the
    rows were written. On PostgreSQL the event row lock serialises them; SQLite serialises writes itself."""
    from samhandling.core.models import Helsefellesskap

    event = make_event(demo.sigrid, Helsefellesskap.objects.get(code="VES"), capacity=5)
    barrier = threading.Barrier(12)
    errors: list[Exception] = []

    def run(index: int) -> None:
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            sign_up(event, f"Person{index}")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    rows = list(Registration.objects.filter(event=event).order_by("created_at", "pk"))
    assert len(rows) == 12
    assert sum(r.status == S.CONFIRMED for r in rows) == 5
    # Everyone written after the fifth seat went is waiting, in order.
    assert [r.status for r in rows] == [S.CONFIRMED] * 5 + [S.WAITLISTED] * 7
    services.registration_withdraw(registration=rows[0])
    rows[5].refresh_from_db()
    assert rows[5].status == S.CONFIRMED


def test_the_capacity_cannot_go_below_the_seats_taken(ev):
    sign_up(ev.event, "Anne")
    sign_up(ev.event, "Bjorn")
    with pytest.raises(ValidationError) as error:
        services.event_update(actor=ev.sigrid, event=ev.event, capacity=1)
    assert "capacity" in error.value.message_dict
