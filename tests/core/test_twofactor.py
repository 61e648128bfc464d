"""Two-factor log-in for password accounts: required for the secretariat, admin and analyst roles, set up with an
authenticator app (TOTP) and recovery codes, and asked for at every password log-in once set up."""

import re
import time

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from samhandling.core.models import AuditEvent


@pytest.fixture
def required(settings):
    settings.SAMHANDLING_REQUIRE_2FA = True


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift):06d}"


def log_in(client, user, password):
    response = client.post("/konto/logg-inn/", {"username": user.username, "password": password})
    assert response.status_code == 302, response.content[:300]
    return response


def test_a_secretariat_member_must_set_up_two_factor_before_anything_else(client, demo, required):
    log_in(client, demo.sigrid, demo.password)
    response = client.get("/avvik/")
    assert response.status_code == 302
    assert response["Location"] == "/konto/tofaktor/?next=%2Favvik%2F"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Rollen din krever tofaktor-innlogging" in page
    assert 'src="data:image/svg+xml' in page


def test_setting_up_the_app_shows_recovery_codes_and_opens_the_platform(client, demo, required):
    log_in(client, demo.sigrid, demo.password)
    client.get("/konto/tofaktor/")
    device = TOTPDevice.objects.get(user=demo.sigrid, confirmed=False)
    wrong = client.post("/konto/tofaktor/", {"code": "000000", "next": "/"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert "Koden stemmer ikke" in wrong.content.decode()
    time.sleep(1.1)  # django-otp lets the next try in after a second (doubling with each failure)
    response = client.post("/konto/tofaktor/", {"code": code_for(device), "next": "/avvik/"})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert set(codes) == set(StaticToken.objects.filter(device__user=demo.sigrid).values_list("token", flat=True))
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/avvik/").status_code == 200
    assert AuditEvent.objects.filter(action="core.user.two_factor_enabled", actor=demo.sigrid).exists()


def test_a_password_log_in_asks_for_the_code_from_the_app(client, demo, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 3  # seconds after the first wrong code (doubling after each)
    device = TOTPDevice.objects.create(user=demo.kari, name="app", confirmed=True)
    log_in(client, demo.kari, demo.password)
    assert client.get("/").status_code == 302  # nothing before the code, even where it is not required
    wrong = client.post("/konto/logg-inn/kode/", {"code": "123456", "next": "/"}, HTTP_ACCEPT_LANGUAGE="nb")
    assert wrong.status_code == 200
    assert "Koden er feil eller for gammel" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="core.user.login_failed", data__reason="wrong_code").exists()
    # Right after a wrong guess even the right code is refused: guessing is throttled.
    assert client.post("/konto/logg-inn/kode/", {"code": code_for(device)}).status_code == 200
    time.sleep(3.1)
    response = client.post("/konto/logg-inn/kode/", {"code": code_for(device), "next": "/avvik/"})
    assert response["Location"] == "/avvik/"
    assert client.get("/").status_code == 200
    verified = AuditEvent.objects.get(action="core.user.two_factor_verified", actor=demo.kari)
    assert verified.data == {"method": "totp"}


def test_a_code_from_the_app_works_only_once(client, demo):
    device = TOTPDevice.objects.create(user=demo.kari, name="app", confirmed=True)
    code = code_for(device)
    log_in(client, demo.kari, demo.password)
    client.post("/konto/logg-inn/kode/", {"code": code})
    client.post("/konto/logg-ut/")
    log_in(client, demo.kari, demo.password)
    client.post("/konto/logg-inn/kode/", {"code": code})
    assert client.get("/").status_code == 302


def test_a_recovery_code_logs_in_once(client, demo):
    TOTPDevice.objects.create(user=demo.kari, name="app", confirmed=True)
    recovery = StaticDevice.objects.create(user=demo.kari, name="recovery", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    log_in(client, demo.kari, demo.password)
    assert client.post("/konto/logg-inn/kode/", {"code": "ABCD 2345"})["Location"] == "/"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.get(action="core.user.two_factor_verified").data == {"method": "recovery_code"}
    assert not recovery.token_set.exists()
    client.post("/konto/logg-ut/")
    log_in(client, demo.kari, demo.password)
    client.post("/konto/logg-inn/kode/", {"code": "abcd2345"})
    assert client.get("/").status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, demo):
    device = TOTPDevice.objects.create(user=demo.kari, name="app", confirmed=True)
    StaticDevice.objects.create(user=demo.kari, name="recovery", confirmed=True).token_set.create(token="oldcode2")
    log_in(client, demo.kari, demo.password)
    client.post("/konto/logg-inn/kode/", {"code": code_for(device)})
    response = client.post("/konto/tofaktor/reservekoder/")
    assert len(re.findall(r"<li><code>", response.content.decode())) == 10
    assert not StaticToken.objects.filter(token="oldcode2").exists()
    assert AuditEvent.objects.filter(action="core.user.recovery_codes_renewed", actor=demo.kari).exists()


def test_a_reporter_is_not_made_to_set_it_up(client, demo, required):
    log_in(client, demo.kari, demo.password)
    assert client.get("/").status_code == 200


def test_the_demo_setting_lets_the_secretariat_in_with_a_password_only(client, demo, settings):
    settings.SAMHANDLING_REQUIRE_2FA = False
    log_in(client, demo.sigrid, demo.password)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("url", ["/konto/tofaktor/", "/konto/logg-inn/kode/", "/konto/tofaktor/reservekoder/"])
def test_the_two_factor_pages_need_a_log_in(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/konto/logg-inn/?next=")


def test_recovery_codes_are_made_only_by_post_for_someone_with_the_app(client, demo):
    client.force_login(demo.kari)
    assert client.get("/konto/tofaktor/reservekoder/")["Location"] == "/konto/"
    assert client.post("/konto/tofaktor/reservekoder/")["Location"] == "/konto/"
    assert not StaticDevice.objects.filter(user=demo.kari).exists()


def test_the_secretariat_removes_the_app_of_someone_who_lost_the_phone(client, demo):
    TOTPDevice.objects.create(user=demo.kari, name="app", confirmed=True)
    StaticDevice.objects.create(user=demo.kari, name="recovery", confirmed=True).token_set.create(token="abcd2345")
    client.force_login(demo.sigrid)
    response = client.post(f"/administrasjon/brukere/{demo.kari.pk}/", {"form": "reset_two_factor"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=demo.kari).exists()
    assert not StaticDevice.objects.filter(user=demo.kari).exists()
    assert AuditEvent.objects.filter(action="core.user.two_factor_reset", actor=demo.sigrid).exists()


def test_a_reporter_cannot_remove_anyones_app(client, demo):
    TOTPDevice.objects.create(user=demo.ingrid, name="app", confirmed=True)
    client.force_login(demo.kari)
    assert client.post(f"/administrasjon/brukere/{demo.ingrid.pk}/", {"form": "reset_two_factor"}).status_code == 403
    assert TOTPDevice.objects.filter(user=demo.ingrid).exists()
