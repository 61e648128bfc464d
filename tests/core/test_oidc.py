"""Sign-in through OpenID Connect against a real provider on loopback (oidc-provider, see tests/oidc_provider.py):
binding an invited user, refusing the uninvited, HelseID's private_key_jwt with PAR, forged ID tokens refused one
kind at a time, and signing out at the provider."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from samhandling.core.models import AuditEvent, User
from tests.oidc_provider import sign_in_at_provider, start_provider

BACK = "http://testserver/"


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    running = start_provider(tmp_path_factory.mktemp("oidc"), ["http://testserver"])
    yield running
    running.process.terminate()
    running.process.wait(10)


@pytest.fixture
def testidp(oidc_provider, settings):
    settings.OIDC_PROVIDERS = [oidc_provider.settings_for("testidp")]
    yield oidc_provider
    oidc_provider.tamper("")


def sign_in(client, name: str, account: str):
    start = client.get(f"/konto/logg-inn/via/{name}/")
    assert start.status_code == 302, start.content[:500]
    callback = sign_in_at_provider(start["Location"], account, BACK)
    return client.get(callback)


def is_logged_in(client) -> bool:
    return client.get("/").status_code == 200


def test_the_log_in_page_has_a_button_for_each_provider(client, db, oidc_provider, settings):
    settings.OIDC_PROVIDERS = [
        oidc_provider.settings_for("entra", label="Helse Sør-Øst"),
        oidc_provider.helseid_settings(),
    ]
    html = client.get("/konto/logg-inn/?next=/avvik/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert 'href="/konto/logg-inn/via/entra/?next=/avvik/"' in html
    assert "Logg inn med Helse Sør-Øst" in html
    assert "Logg inn med HelseID" in html


def test_the_first_sign_in_binds_the_invited_user_by_verified_email(client, demo, testidp):
    response = sign_in(client, "testidp", "kari-entra")
    assert response.status_code == 302 and response["Location"] == "/"
    assert is_logged_in(client)
    demo.kari.refresh_from_db()
    assert (demo.kari.external_issuer, demo.kari.external_subject) == (testidp.issuer, "kari-entra")
    bound = AuditEvent.objects.get(action="core.user.identity_bound", actor=demo.kari)
    assert bound.data == {"provider": "testidp", "matched_by": "email"}
    logged_in = AuditEvent.objects.filter(action="core.user.logged_in", actor=demo.kari).latest("id")
    assert logged_in.data == {"method": "testidp"}


def test_the_secretariat_sees_whom_a_user_is_bound_to(client, demo, testidp):
    sign_in(client, "testidp", "kari-entra")
    client.force_login(demo.sigrid)
    html = client.get(f"/administrasjon/brukere/{demo.kari.pk}/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert f"Knyttet til {testidp.issuer}" in html


def test_the_secretariat_releases_an_identity_and_the_next_sign_in_binds_again(client, demo, testidp):
    sign_in(client, "testidp", "kari-entra")
    client.force_login(demo.sigrid)
    client.post(f"/administrasjon/brukere/{demo.kari.pk}/", {"form": "unbind_identity"})
    demo.kari.refresh_from_db()
    assert demo.kari.external_subject == ""
    assert AuditEvent.objects.get(action="core.user.identity_unbound").data == {"issuer": testidp.issuer}
    client.post("/konto/logg-ut/")
    sign_in(client, "testidp", "kari-entra")
    assert AuditEvent.objects.filter(action="core.user.identity_bound").count() == 2


def test_a_bound_identity_signs_in_again_without_binding_twice(client, demo, testidp):
    sign_in(client, "testidp", "kari-entra")
    client.post("/konto/logg-ut/")
    demo.kari.refresh_from_db()
    demo.kari.email = "kari.ny@demo.samhandling.invalid"  # the binding, not the address, identifies her now
    demo.kari.save()
    assert sign_in(client, "testidp", "kari-entra").status_code == 302
    assert is_logged_in(client)
    assert AuditEvent.objects.filter(action="core.user.identity_bound").count() == 1


def test_the_sign_in_returns_to_the_page_asked_for(client, demo, testidp):
    start = client.get("/konto/logg-inn/via/testidp/?next=/avvik/")
    response = client.get(sign_in_at_provider(start["Location"], "kari-entra", BACK))
    assert response["Location"] == "/avvik/"


def test_an_uninvited_person_gets_a_norwegian_message_and_no_account(client, demo, testidp):
    users_before = User.objects.count()
    response = sign_in(client, "testidp", "stranger")
    html = response.content.decode()
    assert response.status_code == 403
    assert "du er ikke invitert til Samhandling. Ingen konto er opprettet." in html
    assert User.objects.count() == users_before
    assert not is_logged_in(client)
    failed = AuditEvent.objects.filter(action="core.user.login_failed").latest("id")
    assert failed.data == {"provider": "testidp", "reason": "not_invited"}


def test_an_unverified_email_address_binds_nobody(client, demo, testidp):
    response = sign_in(client, "testidp", "unverified-kari")
    assert response.status_code == 403
    demo.kari.refresh_from_db()
    assert demo.kari.external_subject == ""


def test_an_operator_may_let_unknown_people_in_with_no_roles(client, demo, oidc_provider, settings):
    settings.OIDC_PROVIDERS = [oidc_provider.settings_for("optin", create_users=True)]
    assert sign_in(client, "optin", "stranger").status_code == 302
    user = User.objects.get(external_issuer=oidc_provider.issuer, external_subject="stranger")
    assert user.email == "ukjent@example.no"
    assert not user.memberships.exists()
    assert not user.has_usable_password()
    assert AuditEvent.objects.filter(action="core.user.created_from_identity", target_id=str(user.pk)).exists()


def test_a_deactivated_user_is_refused(client, demo, testidp):
    demo.kari.is_active = False
    demo.kari.save()
    response = sign_in(client, "testidp", "kari-entra")
    assert response.status_code == 403
    assert "deaktivert" in response.content.decode()


def test_helseid_signs_in_by_hpr_number_with_a_private_key_and_a_pushed_request(client, demo, oidc_provider, settings):
    settings.OIDC_PROVIDERS = [oidc_provider.helseid_settings()]
    demo.per.hpr_number = "9144889"
    demo.per.save()
    start = client.get("/konto/logg-inn/via/helseid/")
    query = parse_qs(urlsplit(start["Location"]).query)
    # Pushed: the browser carries only the client id and the request_uri, not the request's parameters.
    assert set(query) == {"client_id", "request_uri"}
    response = client.get(sign_in_at_provider(start["Location"], "per-helseid", BACK))
    assert response.status_code == 302
    demo.per.refresh_from_db()
    assert demo.per.external_subject == "per-helseid"
    assert AuditEvent.objects.get(action="core.user.identity_bound", actor=demo.per).data["matched_by"] == "hpr_number"


@pytest.mark.parametrize("mode", ["aud", "exp", "sig", "nonce"])
def test_a_forged_id_token_is_refused(client, demo, testidp, mode):
    testidp.tamper(mode)
    response = sign_in(client, "testidp", "kari-entra")
    assert response.status_code == 400
    assert "kunne ikke bekreftes" in response.content.decode()
    assert not is_logged_in(client)
    demo.kari.refresh_from_db()
    assert demo.kari.external_subject == ""
    failed = AuditEvent.objects.filter(action="core.user.login_failed").latest("id")
    assert failed.data == {"provider": "testidp", "reason": "invalid_response"}


def test_a_replayed_answer_is_refused(client, demo, testidp):
    start = client.get("/konto/logg-inn/via/testidp/")
    callback = sign_in_at_provider(start["Location"], "kari-entra", BACK)
    assert client.get(callback).status_code == 302
    client.post("/konto/logg-ut/")
    assert client.get(callback).status_code == 400
    assert not is_logged_in(client)


def test_an_answer_this_browser_did_not_ask_for_is_refused(client, demo, testidp):
    start = client.get("/konto/logg-inn/via/testidp/")
    callback = sign_in_at_provider(start["Location"], "kari-entra", BACK)
    client.cookies.clear()  # another browser: no state, no nonce, no code verifier
    assert client.get(callback).status_code == 400


def test_signing_out_also_signs_out_at_the_provider(client, demo, testidp):
    sign_in(client, "testidp", "kari-entra")
    response = client.post("/konto/logg-ut/")
    html = response.content.decode()
    href = re.search(r'<a class="ds-button" href="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert f'<meta http-equiv="refresh" content="0;url={href.replace("&", "&amp;")}">' in html
    location = urlsplit(href)
    assert f"{location.scheme}://{location.netloc}" == testidp.issuer
    query = parse_qs(location.query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/konto/logg-inn/"]
    assert "id_token_hint" in query
    assert not is_logged_in(client)
    assert AuditEvent.objects.filter(action="core.user.logged_out", actor=demo.kari).exists()


def test_a_password_user_signs_out_locally_only(client, demo, testidp):
    client.post("/konto/logg-inn/", {"username": "kari", "password": demo.password})
    assert client.post("/konto/logg-ut/")["Location"] == "/konto/logg-inn/"  # no page about a provider


def test_an_unknown_provider_is_not_found(client, db, testidp):
    assert client.get("/konto/logg-inn/via/ukjent/").status_code == 404


def test_an_installation_may_turn_password_log_in_off(client, demo, testidp, settings):
    settings.SAMHANDLING_PASSWORD_LOGIN = False
    html = client.get("/konto/logg-inn/", HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Logg inn med Testleverandør" in html
    assert 'name="password"' not in html and "/konto/passord/glemt/" not in html
    response = client.post("/konto/logg-inn/", {"username": "kari", "password": demo.password})
    assert response.status_code == 403
    assert not is_logged_in(client)
    assert client.get("/konto/passord/glemt/").status_code == 404
    assert sign_in(client, "testidp", "kari-entra").status_code == 302
