"""Idle time-out and the longest session: the server logs out a session left alone too long (the page's own warning
and log-out are tested in the browser, tests/e2e/test_auth.py), and the reason reaches the person and the log."""

import time

from samhandling.core.models import AuditEvent
from samhandling.core.sessions import LAST_ACTIVITY_KEY, STARTED_KEY


def age_session(client, **seconds_ago):
    session = client.session
    for key, ago in seconds_ago.items():
        session[key] = time.time() - ago
    session.save()


def test_a_session_left_alone_past_the_idle_time_is_logged_out(client, demo, settings):
    client.force_login(demo.kari)
    assert client.get("/").status_code == 200
    age_session(client, **{LAST_ACTIVITY_KEY: settings.SAMHANDLING_IDLE_TIMEOUT + 61})
    response = client.get("/avvik/")
    assert response["Location"] == "/konto/logg-inn/?next=%2Favvik%2F"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Du ble logget ut etter 30 minutter uten aktivitet." in page
    assert client.get("/").status_code == 302
    event = AuditEvent.objects.filter(action="core.user.logged_out", actor=demo.kari).latest("id")
    assert event.data == {"reason": "idle"}


def test_activity_within_the_idle_time_keeps_the_session(client, demo, settings):
    client.force_login(demo.kari)
    client.get("/")
    age_session(client, **{LAST_ACTIVITY_KEY: settings.SAMHANDLING_IDLE_TIMEOUT - 60})
    assert client.get("/avvik/").status_code == 200
    assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5  # that request counted as activity


def test_the_idle_time_is_a_setting(client, demo, settings):
    settings.SAMHANDLING_IDLE_TIMEOUT = 5 * 60
    client.force_login(demo.kari)
    client.get("/")
    age_session(client, **{LAST_ACTIVITY_KEY: 7 * 60})
    assert client.get("/").status_code == 302


def test_a_session_past_its_longest_age_is_logged_out_however_active(client, demo, settings):
    client.force_login(demo.kari)
    client.get("/")
    age_session(client, **{STARTED_KEY: settings.SAMHANDLING_MAX_SESSION_AGE + 1})
    response = client.get("/")
    assert response.status_code == 302
    page = client.get("/konto/logg-inn/").content.decode()  # in kari's language, bokmål
    assert "økten nådde den lengste tillatte tiden" in page
    assert AuditEvent.objects.filter(action="core.user.logged_out", data__reason="max_age").exists()


def test_an_htmx_request_is_sent_to_the_log_in_page(client, demo, settings):
    client.force_login(demo.kari)
    client.get("/")
    age_session(client, **{LAST_ACTIVITY_KEY: settings.SAMHANDLING_IDLE_TIMEOUT + 61})
    response = client.get("/avvik/", HTTP_HX_REQUEST="true")
    assert response.headers["HX-Redirect"].startswith("/konto/logg-inn/?next=")


def test_staying_logged_in_counts_as_activity(client, demo):
    client.force_login(demo.kari)
    client.get("/")
    age_session(client, **{LAST_ACTIVITY_KEY: 25 * 60})
    response = client.post("/konto/aktiv/")
    assert response.json()["logged_in"] is True
    assert time.time() - client.session[LAST_ACTIVITY_KEY] < 5


def test_the_keep_alive_needs_a_session_and_a_post(client, demo):
    assert client.post("/konto/aktiv/").status_code == 401
    client.force_login(demo.kari)
    assert client.get("/konto/aktiv/").status_code == 405


def test_the_page_logging_out_for_idleness_logs_out_here_only_and_says_why(client, demo):
    client.force_login(demo.kari)
    client.get("/")
    response = client.post("/konto/logg-ut/?reason=idle")
    assert response["Location"] == "/konto/logg-inn/"
    assert "uten aktivitet" in client.get("/konto/logg-inn/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert AuditEvent.objects.filter(action="core.user.logged_out", data__reason="idle").exists()


def test_every_signed_in_page_carries_the_warning_and_anonymous_pages_do_not(client, demo, settings):
    html = client.get("/konto/logg-inn/").content.decode()
    assert 'id="idle-warning"' not in html
    client.force_login(demo.kari)
    html = client.get("/").content.decode()
    assert f'data-idle-seconds="{settings.SAMHANDLING_IDLE_TIMEOUT}"' in html
    assert "js/idle-timeout.js" in html
