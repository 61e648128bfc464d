"""End-to-end tests in a real browser: log-in and lock-out, every main page in bokmål and nynorsk checked
with axe, keyboard use, a form with a validation error, and the population chart under the CSP.

Elements are found by role, id and address; where text must be matched, both the bokmål and the English form
are accepted (translations are still being written).
"""

import re

from playwright.sync_api import Page, expect

from samhandling.core.models import Organisation, User

from .conftest import DEMO_PASSWORD, check_axe, login

TITLE = re.compile(r"Samhandling")
LANGUAGE_BUTTON = "form.language-switcher button[name=language][value={}]"


def open_page(page: Page, path: str, *, status: int = 200, language: str | None = None) -> None:
    """Go to `path`, check the status and (if given) <html lang>, and wait for the page to settle."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path}: expected HTTP {status}, got {response.status} at {page.url}"
    expect(page, f"{path} should have a <title> naming Samhandling").to_have_title(TITLE)
    if language:
        expect(page.locator("html"), f"{path} should be in {language}").to_have_attribute("lang", language)


def switch_language(page: Page, language: str) -> None:
    """Press the header's "Bokmål"/"Nynorsk" button; the same page comes back in that language."""
    path = page.url
    button = page.locator(LANGUAGE_BUTTON.format(language))
    with page.expect_navigation():
        button.click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator(LANGUAGE_BUTTON.format(language))).to_have_attribute("aria-current", "true")
    assert page.url == path, f"the language switch should return to {path}, not {page.url}"
    # The choice survives a new page load (cookie, and the user's own setting when logged in).
    page.reload()
    expect(page.locator("html"), f"{language} should survive a reload").to_have_attribute("lang", language)


def wait_for_chart(page: Page) -> None:
    chart = page.locator(".chart svg[role=img]")
    expect(chart, f"the chart on {page.url} should render as an svg with role=img").to_have_count(1)
    expect(chart).to_have_attribute("aria-label", re.compile(r"\S"))


def check_pages_in_both_languages(page: Page, paths: list[str], charts: set[str]) -> None:
    """Visit every path in bokmål, switch to nynorsk and visit them again, then switch back; axe on each."""
    for language in ("nb", "nn"):
        if language == "nn":
            switch_language(page, "nn")
        for path in paths:
            open_page(page, path, language=language)
            if path in charts:
                wait_for_chart(page)
            check_axe(page, f"{path} ({language})")
    switch_language(page, "nb")


# --- log-in -------------------------------------------------------------------------------------------------


def test_login_lands_on_front_page_with_my_tasks(site, page):
    login(page, "kari")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page).to_have_title(TITLE)
    tasks = page.locator("section[aria-labelledby=tasks-heading]")
    expect(tasks).to_be_visible()
    expect(page.locator("#tasks-heading")).to_have_text(re.compile(r"Mine oppgaver|My tasks"))
    check_axe(page, "front page as kari")


def test_wrong_password_shows_error_then_locks_out(site, page):
    open_page(page, "/konto/logg-inn/")
    check_axe(page, "log-in page")
    statuses = []
    for attempt in range(1, 6):
        page.locator("#id_username").fill("kari")
        page.locator("#id_password").fill(f"wrong-password-{attempt}")
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
        statuses.append(navigation.value.status)
        if attempt == 1:
            form = page.locator("main form")
            error = form.locator("[role=alert]")
            expect(error, "a wrong password should show an error in the form").to_be_visible()
            expect(page.locator("#id_username"), "the typed username should be kept").to_have_value("kari")
            expect(page.locator("#id_password"), "the password should not be sent back").to_have_value("")
            check_axe(page, "log-in page with an error")
    assert statuses[:4] == [200] * 4, f"the first four failures should show the form again: {statuses}"

    # After five failures (AXES_FAILURE_LIMIT) the account is locked: even the right password is refused.
    if statuses[4] not in (403, 429):
        page.locator("#id_username").fill("kari")
        page.locator("#id_password").fill(DEMO_PASSWORD)
        with page.expect_navigation() as navigation:
            page.locator("main form button[type=submit]").click()
        statuses.append(navigation.value.status)
    assert statuses[-1] in (403, 429), f"expected the lock-out page (403/429) after 5 failures: {statuses}"
    alert = page.locator("main [role=alert]")
    expect(alert, "the lock-out page should explain itself in an alert").to_be_visible()
    expect(page.locator("#id_password")).to_have_count(0)
    check_axe(page, "lock-out page")


# --- every main page, in bokmål and nynorsk -----------------------------------------------------------------


def test_main_pages_are_accessible_in_both_languages(site, page):
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    login(page, "kari")
    paths = [
        "/",
        "/helsefellesskap/",
        "/helsefellesskap/vestfold/",
        "/kommuner/3905/",
        "/bydeler/030101/",
        "/konto/",
        "/konto/passord/",
        f"/organisasjoner/{hospital.pk}/",
    ]
    check_pages_in_both_languages(page, paths, charts={"/kommuner/3905/", "/bydeler/030101/"})


def test_administration_pages_are_accessible_in_both_languages(site, page):
    organisation = Organisation.objects.get(name="Medisinsk klinikk (demo)")
    kari = User.objects.get(username="kari")
    login(page, "sigrid")
    paths = [
        "/administrasjon/organisasjoner/",
        f"/administrasjon/organisasjoner/{organisation.pk}/",
        "/administrasjon/brukere/",
        "/administrasjon/brukere/ny/",
        f"/administrasjon/brukere/{kari.pk}/",
        "/administrasjon/logg/",
    ]
    check_pages_in_both_languages(page, paths, charts=set())


def test_logged_out_pages_are_accessible_in_both_languages(site, page):
    for language in ("nb", "nn"):
        open_page(page, "/konto/logg-inn/")
        if language == "nn":
            switch_language(page, "nn")
        expect(page.locator("html")).to_have_attribute("lang", language)
        check_axe(page, f"log-in page ({language})")
        open_page(page, "/finnes-ikke/", status=404, language=language)
        expect(page.locator("h1")).to_be_visible()
        check_axe(page, f"404 page ({language})")
    open_page(page, "/konto/logg-inn/", language="nn")
    switch_language(page, "nb")


# --- keyboard -----------------------------------------------------------------------------------------------


def test_skip_link_is_first_and_moves_focus_to_main(site, page):
    login(page, "kari")
    open_page(page, "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement && document.activeElement.className")
    assert "ds-skip-link" in (focused or ""), f"the first Tab should focus the skip link, not {focused!r}"
    expect(page.locator("a.ds-skip-link")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#main"), "Enter on the skip link should move focus to <main>").to_be_focused()


# --- a form with a validation error -------------------------------------------------------------------------


def test_create_user_shows_error_at_the_field_and_keeps_values(site, page):
    organisation = Organisation.objects.get(name="Hjemmetjenesten Tønsberg sentrum (demo)")
    login(page, "sigrid")
    open_page(page, "/administrasjon/brukere/ny/")
    values = {
        "#id_first_name": "Nina",
        "#id_last_name": "Testesen",
        "#id_email": "nina.testesen@example.org",
        "#id_title": "Helsefagarbeider",
    }
    for selector, value in values.items():
        page.locator(selector).fill(value)
    page.locator("#id_username").fill("nina testesen")
    page.locator("#id_language").select_option("nn")
    page.locator("#id_organisation").select_option(str(organisation.pk))
    page.locator("#id_role").select_option("reporter")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    status = navigation.value.status
    assert status == 200, f"an invalid form should be shown again, got HTTP {status}"

    username_field = page.locator(".ds-field", has=page.locator("#id_username"))
    error = username_field.locator(".ds-validation-message")
    expect(error, "the username error should be shown at the username field").to_be_visible()
    expect(error).not_to_be_empty()
    expect(page.locator("#id_username")).to_have_attribute("aria-invalid", "true")
    for selector, value in values.items():
        expect(page.locator(selector), f"{selector} should keep the typed value").to_have_value(value)
    expect(page.locator("#id_username")).to_have_value("nina testesen")
    expect(page.locator("#id_language")).to_have_value("nn")
    expect(page.locator("#id_organisation")).to_have_value(str(organisation.pk))
    expect(page.locator("#id_role")).to_have_value("reporter")
    check_axe(page, "user form with an error")
    errors = page.locator(".ds-validation-message").evaluate_all(
        "elements => elements.map(element => `${element.id}: ${element.textContent.trim()}`)"
    )
    assert len(errors) == 1, (
        f"only the username should have an error, but the form shows {errors} "
        f"(organisation {organisation.pk} '{organisation.name}' was one of the options offered)"
    )

    page.locator("#id_username").fill("nina.testesen")
    with page.expect_navigation() as navigation:
        page.locator("main form button[type=submit]").click()
    assert navigation.value.status == 200, f"creating the user gave HTTP {navigation.value.status}"
    user = User.objects.get(username="nina.testesen")
    expect(page).to_have_url(re.compile(rf"/administrasjon/brukere/{user.pk}/$"))
    expect(page.locator("h1")).to_contain_text("Nina Testesen")
    assert user.email == "nina.testesen@example.org"
    assert user.memberships.filter(organisation=organisation, role="reporter").exists()


# --- the chart under the Content Security Policy ------------------------------------------------------------


def test_chart_renders_under_csp_without_console_errors(site, page):
    problems = []
    page.on("console", lambda msg: msg.type == "error" and problems.append(f"console: {msg.text}"))
    page.on("pageerror", lambda error: problems.append(f"pageerror: {error}"))
    login(page, "kari")
    response = page.goto("/kommuner/3905/")
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, f"the page should be served with the CSP, got {csp!r}"
    wait_for_chart(page)
    expect(page.locator(".chart svg[role=img] path, .chart svg[role=img] rect").first).to_be_attached()
    page.wait_for_load_state("networkidle")
    assert not problems, "the chart page logged errors:\n" + "\n".join(problems)
