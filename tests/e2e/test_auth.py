"""Log-in in a real browser: through a real OpenID Connect provider on loopback (sign in, bound to the invited
user, sign out at the provider; an uninvited person refused in Norwegian), two-factor set-up and log-in with a
recovery code, and the idle time-out's warning used with the keyboard, then the page logging itself out."""

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from samhandling.core.models import AuditEvent
from tests.core.test_twofactor import code_for
from tests.oidc_provider import start_provider

from .conftest import check_axe, login


@pytest.fixture
def provider(site, tmp_path, settings):
    running = start_provider(tmp_path, [site.url])
    settings.OIDC_PROVIDERS = [running.settings_for("testidp", label="Testleverandør")]
    yield running
    running.process.terminate()
    running.process.wait(10)


def sign_in_at_provider(page: Page, account: str) -> None:
    page.goto("/konto/logg-inn/")
    check_axe(page, "the log-in page with a provider button")
    page.get_by_role("link", name="Logg inn med Testleverandør").click()
    page.get_by_label("Account").fill(account)
    page.get_by_role("button", name="Sign in").click()


def test_signing_in_and_out_through_the_provider(page: Page, site, provider):
    sign_in_at_provider(page, "kari-entra")
    page.wait_for_url(f"{site.url}/")
    expect(page.locator(".site-user")).to_have_text(site.demo.kari.get_full_name())
    site.demo.kari.refresh_from_db()
    assert site.demo.kari.external_subject == "kari-entra"
    assert AuditEvent.objects.filter(action="core.user.identity_bound", actor=site.demo.kari).exists()

    page.locator("header").get_by_role("button", name="Logg ut", exact=True).click()
    page.wait_for_url(f"{provider.issuer}/**")  # the provider asks before it ends its own session
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{site.url}/konto/logg-inn/**")
    assert page.goto("/").url.startswith(f"{site.url}/konto/logg-inn/")


def test_an_uninvited_person_is_told_in_norwegian_and_gets_nothing(page: Page, site, provider):
    sign_in_at_provider(page, "stranger")
    expect(page.get_by_role("heading", level=1)).to_have_text("Du ble ikke logget inn")
    expect(page.get_by_role("alert")).to_contain_text("du er ikke invitert til Samhandling")
    check_axe(page, "the refusal page")
    assert page.goto("/").url.startswith(f"{site.url}/konto/logg-inn/")


def test_the_idle_warning_works_with_the_keyboard_and_the_page_logs_out(page: Page, site, settings):
    settings.SAMHANDLING_IDLE_TIMEOUT = 8
    settings.SAMHANDLING_IDLE_WARNING = 5
    login(page, "kari")
    dialog = page.locator("#idle-warning")
    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog.get_by_role("button", name="Fortsett å være logget inn")).to_be_focused()
    check_axe(page, "the idle warning")
    page.keyboard.press("Enter")  # stay logged in
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8_000)  # warned again after the next quiet spell
    page.wait_for_url(f"{site.url}/konto/logg-inn/", timeout=12_000)
    expect(page.get_by_role("status")).to_contain_text("uten aktivitet")
    assert AuditEvent.objects.filter(action="core.user.logged_out", data__reason="idle").exists()


def test_setting_up_two_factor_and_logging_in_with_a_code(page: Page, site, settings):
    settings.SAMHANDLING_REQUIRE_2FA = True
    page.goto("/konto/logg-inn/?next=/avvik/")
    page.locator("#id_username").fill("sigrid")
    page.locator("#id_password").fill(site.password)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(f"{site.url}/konto/tofaktor/?next=%2Favvik%2F")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tofaktor-innlogging")
    check_axe(page, "the two-factor set-up page")
    device = TOTPDevice.objects.get(user=site.demo.sigrid, confirmed=False)
    page.get_by_label("Kode").fill(code_for(device))
    page.get_by_role("button", name="Slå på tofaktor-innlogging").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reservekodene dine")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    check_axe(page, "the recovery codes")
    page.get_by_role("link", name="Jeg har skrevet dem ned – gå videre").click()
    page.wait_for_url(f"{site.url}/avvik/")

    page.locator("header").get_by_role("button", name="Logg ut", exact=True).click()
    page.wait_for_url(f"{site.url}/konto/logg-inn/")
    page.locator("#id_username").fill("sigrid")
    page.locator("#id_password").fill(site.password)
    page.locator("main form button[type=submit]").last.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bekreft innloggingen")
    check_axe(page, "the code page")
    token = StaticToken.objects.filter(device__user=site.demo.sigrid).values_list("token", flat=True).first()
    page.get_by_label("Kode").fill(token)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/")
