"""Log-in with lock-out, password change, the language choice (bokmål/nynorsk, `no` → bokmål) and the error pages."""

import pytest
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import override_settings

from samhandling.core.models import AuditEvent, User
from samhandling.settings import PASSWORD_HASHERS as CONFIGURED_HASHERS


def test_passwords_are_stored_with_argon2():
    with override_settings(PASSWORD_HASHERS=CONFIGURED_HASHERS):
        assert make_password("et-langt-passord").startswith("argon2$")


def test_log_in_with_the_form_and_log_out(client, demo):
    response = client.post("/konto/logg-inn/", {"username": "kari", "password": demo.password})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="core.user.logged_in", actor=demo.kari).exists()
    client.post("/konto/logg-ut/")
    assert client.get("/").status_code == 302


def test_a_wrong_password_gives_a_norwegian_message_and_keeps_the_username(client, demo):
    response = client.post("/konto/logg-inn/", {"username": "kari", "password": "feil"}, HTTP_ACCEPT_LANGUAGE="nb")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Feil brukernavn eller passord" in html
    assert 'value="kari"' in html


def test_repeated_failures_lock_the_account_with_a_clear_message(client, demo):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post("/konto/logg-inn/", {"username": "kari", "password": "feil"})
    response = client.post("/konto/logg-inn/", {"username": "kari", "password": demo.password})
    assert response.status_code in (403, 429)
    assert "For mange mislykkede innlogginger" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_changing_the_password_keeps_the_user_logged_in(client, demo):
    client.force_login(demo.kari)
    response = client.post(
        "/konto/passord/",
        {"old_password": demo.password, "new_password1": "Blåbærsyltetøy-42", "new_password2": "Blåbærsyltetøy-42"},
    )
    assert response.status_code == 302
    assert User.objects.get(pk=demo.kari.pk).check_password("Blåbærsyltetøy-42")
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="core.user.password_changed", actor=demo.kari).exists()


def test_a_wrong_old_password_is_reported_at_that_field(client, demo):
    client.force_login(demo.kari)
    response = client.post(
        "/konto/passord/",
        {"old_password": "gal", "new_password1": "Blåbærsyltetøy-42", "new_password2": "Blåbærsyltetøy-42"},
    )
    assert list(response.context["form"].errors) == ["old_password"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [("no", "nb"), ("no-NO,en;q=0.5", "nb"), ("nn-NO,nb;q=0.8", "nn"), ("nb", "nb"), ("en-US", "nb"), ("", "nb")],
)
def test_the_browser_language_picks_bokmal_or_nynorsk(client, db, header, expected):
    response = client.get("/konto/logg-inn/", HTTP_ACCEPT_LANGUAGE=header)
    assert f'<html lang="{expected}"' in response.content.decode()


def test_the_language_choice_is_stored_on_the_user_and_wins_over_the_browser(client, demo):
    client.force_login(demo.kari)
    client.post("/sprak/", {"language": "nn", "next": "/konto/"})
    assert User.objects.get(pk=demo.kari.pk).language == "nn"
    client.cookies.clear()
    client.force_login(User.objects.get(pk=demo.kari.pk))
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="nb")
    html = response.content.decode()
    assert '<html lang="nn"' in html
    assert "Mine oppgåver" in html


def test_the_language_switch_refuses_a_foreign_redirect(client, demo):
    response = client.post("/sprak/", {"language": "nn", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_dates_and_numbers_are_norwegian(client, demo):
    client.force_login(demo.kari)
    html = client.get("/kommuner/3905/").content.decode()
    assert "60\xa0246" in html  # Tønsberg 2026, with a non-breaking space as thousands separator


def test_the_404_page_is_friendly_and_translated(client, db):
    response = client.get("/finnes-ikke/", HTTP_ACCEPT_LANGUAGE="nn")
    assert response.status_code == 404
    assert "Vi fann ikkje sida" in response.content.decode()


def test_the_500_page_reveals_nothing_internal(client, db, monkeypatch):
    from samhandling.core import views

    def explode(*args, **kwargs):
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(views.selectors, "community_directory", explode)
    user = User.objects.create_user("x", password="y-y-y-y-y-y-y")
    client.force_login(user)
    client.raise_request_exception = False
    response = client.get("/helsefellesskap/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Noe gikk galt" in html
    assert "secret-internal-detail" not in html
    assert "Traceback" not in html


def test_responses_carry_a_content_security_policy(client, db):
    response = client.get("/konto/logg-inn/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
