"""The events pages: the public calendar and feeds (valid iCalendar for both icalendar and vobject), registering
without log-in, the personal withdrawal page, and the organiser pages with who may open them."""

from datetime import timedelta

import pytest
import vobject
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from samhandling.core.models import AuditEvent
from samhandling.events import services
from samhandling.events.models import Event, Registration, RegistrationStatus

from .conftest import make_event, sign_up


def _parse_both(content: bytes):
    calendar = Calendar.from_ical(content)
    parsed = vobject.readOne(content.decode("utf-8"))
    return calendar, parsed


def test_the_calendar_is_public_and_filters(client, ev):
    page = client.get(reverse("events:calendar"))
    assert page.status_code == 200
    assert "Fagdag om samhandling" in page.text
    narrowed = client.get(reverse("events:calendar"), {"kind": "webinar"})
    assert "Fagdag om samhandling" not in narrowed.text
    bad = client.get(reverse("events:calendar"), {"kind": "nonsense", "organiser": "<x>"})
    assert bad.status_code == 200


def test_the_feeds_validate_in_icalendar_and_vobject(client, ev):
    for url in (
        reverse("events:feed"),
        reverse("events:community_feed", args=[ev.vestfold.slug]),
        reverse("events:event_ics", args=[ev.event.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        calendar, parsed = _parse_both(response.content)
        summaries = [str(v["SUMMARY"]) for v in calendar.walk("VEVENT")]
        assert "Fagdag om samhandling" in summaries
        assert any(v.summary.value == "Fagdag om samhandling" for v in parsed.vevent_list)
    national = client.get(reverse("events:community_feed", args=["nasjonalt"]))
    assert "Fagdag" not in national.text
    assert client.get(reverse("events:community_feed", args=["finnes-ikke"])).status_code == 404


def test_the_feed_shows_public_meetings_beside_events(client, ev):
    from datetime import date, time

    from samhandling.governance import services as governance
    from samhandling.governance.models import BodyKind

    body = governance.body_create(
        actor=ev.sigrid, community=ev.vestfold, kind=BodyKind.SSU, name="Strategisk samarbeidsutvalg Testfold"
    )
    governance.meeting_plan(
        actor=ev.sigrid, body=body, date=date.today() + timedelta(days=20), start_time=time(10), place="Sandefjord"
    )
    page = client.get(reverse("events:calendar"), {"organiser": ev.vestfold.slug})
    assert "Strategisk samarbeidsutvalg Testfold" in page.text
    feed = client.get(reverse("events:community_feed", args=[ev.vestfold.slug]))
    assert "Strategisk samarbeidsutvalg Testfold" in feed.text
    assert Calendar.from_ical(feed.content)


def test_someone_without_an_account_registers_and_withdraws_by_the_link(client, ev, django_capture_on_commit_callbacks):
    url = reverse("events:event_detail", args=[ev.event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"name": "Anne", "email": "anne@example.no", "consent": "on", "question_0": "Vegan"}
        )
    assert response.status_code == 302
    registration = Registration.objects.get(email="anne@example.no")
    assert registration.answers == {"Kost": "Vegan"}
    status_page = client.get(response["Location"])
    assert "Bekreftet" in status_page.text
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"])
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.WITHDRAWN
    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Påmelding bekreftet", "Avmeldt"]


def test_a_registration_without_consent_comes_back_with_what_was_typed(client, ev):
    response = client.post(
        reverse("events:event_detail", args=[ev.event.pk]), {"name": "Anne Ås", "email": "anne@example.no"}
    )
    assert response.status_code == 400
    assert "Anne Ås" in response.text
    assert "personvernerklæringen" in response.text
    assert not Registration.objects.exists()


def test_a_forged_or_expired_withdrawal_link_is_refused(client, ev):
    registration = sign_up(ev.event, "Anne")
    token = services.withdraw_token(registration)
    assert client.get(reverse("events:withdraw", args=[token + "x"])).status_code == 404
    Event.objects.filter(pk=ev.event.pk).update(ends_at=timezone.now() - timedelta(minutes=1))
    assert client.post(reverse("events:withdraw", args=[token])).status_code == 404
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED


def test_a_draft_is_hidden_from_the_public(client, ev):
    draft = services.event_create(
        actor=ev.sigrid,
        community=ev.vestfold,
        title="Hemmelig utkast",
        kind="kurs",
        audience="everyone",
        summary="x",
        starts_at=timezone.now() + timedelta(days=2),
        ends_at=timezone.now() + timedelta(days=2, hours=1),
        place="Sted",
    )
    assert client.get(draft.get_absolute_url()).status_code == 404
    client.force_login(ev.sigrid)
    assert client.get(draft.get_absolute_url()).status_code == 200


def test_the_organiser_creates_publishes_and_sees_participants(client, ev):
    client.force_login(ev.sigrid)
    assert client.get(reverse("events:organiser_list")).status_code == 200
    start = (timezone.localtime() + timedelta(days=5)).replace(microsecond=0)
    data = {
        "organiser": str(ev.vestfold.pk),
        "title": "Webinar om e-helse",
        "kind": "webinar",
        "audience": "everyone",
        "language": "nn",
        "summary": "Korleis bruke dei nye tenestene.",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "video_link": "https://video.example.no/rom",
        "registration_required": "on",
        "capacity": "30",
        "questions": "Rolle\nOrganisasjon",
        "retention_days": "90",
    }
    response = client.post(reverse("events:event_create"), data)
    assert response.status_code == 302, response.content
    event = Event.objects.get(title="Webinar om e-helse")
    assert event.questions == ["Rolle", "Organisasjon"]
    client.post(reverse("events:event_act", args=[event.pk, "publiser"]))
    event.refresh_from_db()
    assert event.status == "published"
    sign_up(event, "Anne")
    page = client.get(reverse("events:participants", args=[event.pk]))
    assert "anne@example.no" in page.text
    export = client.get(reverse("events:participants_export", args=[event.pk, "xlsx"]))
    assert export.status_code == 200
    assert AuditEvent.objects.filter(action="events.registrations.exported").count() == 1


def test_a_bad_event_form_keeps_what_was_typed(client, ev):
    client.force_login(ev.sigrid)
    response = client.post(
        reverse("events:event_create"),
        {"organiser": str(ev.vestfold.pk), "title": "Uten tid", "kind": "kurs", "starts_at": "i morgen"},
    )
    assert response.status_code == 400
    assert "Uten tid" in response.text


@pytest.mark.parametrize("persona", ["ola", "kari"])
def test_others_cannot_open_the_organiser_pages_or_the_participants(client, ev, persona):
    registration = sign_up(ev.event, "Anne")
    client.force_login(getattr(ev, persona))
    assert client.get(reverse("events:organiser_list")).status_code == 403
    assert client.get(reverse("events:event_create")).status_code == 403
    assert client.get(reverse("events:participants", args=[ev.event.pk])).status_code == 404
    assert client.get(reverse("events:participants_export", args=[ev.event.pk, "csv"])).status_code == 404
    assert client.get(reverse("events:event_edit", args=[ev.event.pk])).status_code == 404
    response = client.post(reverse("events:registration_act", args=[registration.pk, "sjekk-inn"]))
    assert response.status_code == 403
    page = client.get(ev.event.get_absolute_url())
    assert "anne@example.no" not in page.text


def test_anonymous_visitors_are_sent_to_log_in_for_organiser_pages(client, ev):
    response = client.get(reverse("events:participants", args=[ev.event.pk]))
    assert response.status_code == 302 and "logg-inn" in response["Location"]


def test_the_organiser_checks_in_a_participant(client, ev):
    registration = sign_up(ev.event, "Anne")
    client.force_login(ev.sigrid)
    client.post(reverse("events:registration_act", args=[registration.pk, "sjekk-inn"]))
    registration.refresh_from_db()
    assert registration.checked_in_at is not None


def test_an_event_with_log_in_required_shows_no_form_to_anonymous(client, ev):
    event = make_event(ev.sigrid, ev.vestfold, login_required=True)
    page = client.get(event.get_absolute_url())
    assert "Logg inn for å melde deg på" in page.text
    response = client.post(event.get_absolute_url(), {"name": "A", "email": "a@example.no", "consent": "on"})
    assert response.status_code == 302
    assert not Registration.objects.filter(event=event).exists()


def test_registrations_awaiting_approval_are_in_the_organisers_tasks(ev):
    from samhandling.core.todo import todo_for

    event = make_event(ev.sigrid, ev.vestfold, moderation=True, title="Med godkjenning")
    sign_up(event, "Anne")
    titles = [str(item.title) for item in todo_for(ev.sigrid)]
    assert any("Med godkjenning (1)" in title for title in titles)
    assert not any("Med godkjenning" in str(item.title) for item in todo_for(ev.ola))


def test_the_organiser_withdraws_someone_and_the_waiting_list_moves_up(client, ev):
    first, _second, waiting = (sign_up(ev.event, name) for name in ("Anne", "Bjorn", "Cecilie"))
    client.force_login(ev.ola)
    assert client.post(reverse("events:registration_act", args=[first.pk, "meld-av"])).status_code == 403
    client.force_login(ev.sigrid)
    client.post(reverse("events:registration_act", args=[first.pk, "meld-av"]))
    first.refresh_from_db()
    waiting.refresh_from_db()
    assert (first.status, waiting.status) == (RegistrationStatus.WITHDRAWN, RegistrationStatus.CONFIRMED)
