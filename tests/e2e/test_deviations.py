"""End-to-end: the whole samhandlingsavvik loop in a real browser, with axe-core on every page of the flow.

sigrid (secretariat) makes the reporter's leader complete reports; kari (home nursing, Tønsberg) reports a missing
discharge summary to the hospital's medical clinic, first with a wrong fødselsnummer; ingrid (kari's leader) finds
the task on her front page and completes the report; per (the clinic's contact point) finds it in the inbox, shows
the patient's identity (htmx), acknowledges and asks kari for information; kari replies; per answers and closes; kari
reads the answer. The flow runs in bokmål; at the end kari, per and sigrid switch to nynorsk with the header button
and the case, the lists and the statistics are checked again.

Elements are found by id, name, URL and form action, never by visible text (translations are still being written).
Each persona gets a fresh browser context, so no cookie or session leaks from one to the next.
"""

import re

from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, expect

from samhandling.core.models import Helsefellesskap, Organisation
from samhandling.deviations.models import Category, Deviation, Status

from .conftest import TIMEOUT_MS, assert_no_sideways_scroll, check_axe, login

BAD_PATIENT_ID = "15108695089"  # one digit off: the control digits do not match
PATIENT_ID = "15108695088"
DESCRIPTION = "E2E: Pasienten kom hjem fra sengeposten uten epikrise og uten oppdatert legemiddelliste."
QUESTION = "E2E: Hvilken dag og omtrent når kom pasienten hjem?"
REPLY = "E2E: Torsdag 19. november rundt kl. 18."
ANSWER = "E2E: Beklager. Rutinen for utsending av epikrise ved utskriving er endret."
ADDENDUM = "E2E: Enig, dette har skjedd før."
RECEIVER = "Medisinsk klinikk (demo)"
LANGUAGE_BUTTON = "form.language-switcher button[name=language][value={}]"


class Session:
    """One persona in a fresh browser context; records JavaScript errors (a CSP block shows up there too)."""

    def __init__(self, browser: Browser, base_url: str, username: str, problems: list[str]):
        self.username = username
        self.context: BrowserContext = browser.new_context(
            base_url=base_url, viewport={"width": 1280, "height": 900}, locale="nb-NO"
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self.page.on("pageerror", lambda error: problems.append(f"{username} at {self.page.url}: pageerror {error}"))
        self.page.on(
            "console",
            lambda msg: msg.type == "error" and problems.append(f"{username} at {self.page.url}: console {msg.text}"),
        )
        login(self.page, username)

    def close(self) -> None:
        self.context.close()

    def open(self, path: str, *, language: str = "nb") -> None:
        response = self.page.goto(path)
        assert response is not None, f"{self.username}: no response for {path}"
        assert response.status == 200, f"{self.username}: {path} gave HTTP {response.status} (at {self.page.url})"
        expect(self.page.locator("html"), f"{path} should be in {language}").to_have_attribute("lang", language)

    def axe(self, what: str) -> None:
        check_axe(self.page, f"{what} — {self.page.url} as {self.username}")

    def act(self, case_path: str, action: str, text: str | None = None) -> None:
        """Use the action form on the case page (found by its action URL); it redirects back to the case."""
        form = self.page.locator(f"main form[action$='/{action}/']")
        expect(form, f"{self.username} should be offered the '{action}' action on {case_path}").to_have_count(1)
        if text is not None:
            form.locator(f"textarea[name='{action}-text']").fill(text)
        with self.page.expect_navigation() as navigation:
            form.locator("button[type=submit]").click()
        status = navigation.value.status
        assert status == 200, f"{self.username}: the '{action}' action on {case_path} gave HTTP {status}"
        expect(self.page, f"'{action}' should return to the case page").to_have_url(re.compile(rf"{case_path}$"))

    def switch_language(self, language: str) -> None:
        path = self.page.url
        with self.page.expect_navigation():
            self.page.locator(LANGUAGE_BUTTON.format(language)).click()
        expect(self.page.locator("html")).to_have_attribute("lang", language)
        assert self.page.url == path, f"the language switch should return to {path}, not {self.page.url}"


def status_of(case: Deviation) -> str:
    case.refresh_from_db()
    return case.status


def test_the_whole_deviation_loop_in_the_browser(site, browser):
    community = Helsefellesskap.objects.get(code="VES")
    clinic = Organisation.objects.get(name=RECEIVER)
    home_nursing = Organisation.objects.get(name="Hjemmetjenesten Tønsberg sentrum (demo)")
    problems: list[str] = []
    sessions: list[Session] = []

    def as_user(username: str) -> Session:
        for old in sessions:
            old.close()
        sessions.clear()
        sessions.append(Session(browser, site.url, username, problems))
        return sessions[0]

    try:
        # --- sigrid: the reporter's leader must complete reports before they are sent ------------------------
        sigrid = as_user("sigrid")
        sigrid.open("/avvik/innstillinger/")
        sigrid.axe("deviation settings")
        checkbox = sigrid.page.locator("#id_settings-leader_completion_required")
        checkbox.check()
        with sigrid.page.expect_navigation() as navigation:
            sigrid.page.locator("main form:has(input[name=form][value=settings]) button[type=submit]").click()
        assert navigation.value.status == 200, f"saving the settings gave HTTP {navigation.value.status}"
        expect(sigrid.page).to_have_url(re.compile(r"/avvik/innstillinger/$"))
        expect(
            sigrid.page.locator("#id_settings-leader_completion_required"), "the setting should be saved"
        ).to_be_checked()
        sigrid.axe("deviation settings after saving")

        # --- kari reports, first with a wrong fødselsnummer ----------------------------------------------------
        kari = as_user("kari")
        kari.open("/avvik/ny/")
        kari.axe("the empty report form")
        page = kari.page
        unit = page.locator("#id_reporter_unit")
        if unit.input_value() == "":
            unit.select_option(str(home_nursing.pk))
        expect(unit, "kari's own unit should be chosen").to_have_value(str(home_nursing.pk))

        labels = page.locator("#id_receiver option").evaluate_all(
            "options => options.map(option => [option.value, option.textContent.trim()])"
        )
        matches = [value for value, label in labels if label == RECEIVER or label.endswith(f"› {RECEIVER}")]
        assert len(matches) == 1, f"expected one receiver option for {RECEIVER!r}, found {matches} among {labels}"
        assert matches[0] == str(clinic.pk), f"the option {matches[0]} is not the clinic ({clinic.pk})"
        page.locator("#id_receiver").select_option(matches[0])

        page.fill("#id_occurred_on", "2026-11-20")
        page.locator("#id_description").fill(DESCRIPTION)
        epi = Category.objects.get(helsefellesskap=community, code="EPI")
        page.locator("#id_category").select_option(str(epi.pk))
        for name, value in {
            "event_type": "incident",
            "harm_physical": "none",
            "harm_psychological": "none",
            "patient_involved": "yes",
        }.items():
            page.locator(f"input[type=radio][name={name}][value={value}]").check()
        page.locator("#id_patient_id").fill(BAD_PATIENT_ID)
        with page.expect_navigation() as navigation:
            page.locator("button[name=send]").click()
        assert navigation.value.status == 200, f"an invalid report should come back, got {navigation.value.status}"
        expect(page).to_have_url(re.compile(r"/avvik/ny/$"))

        field = page.locator(".ds-field", has=page.locator("#id_patient_id"))
        error = field.locator(".ds-validation-message")
        expect(error, "the fødselsnummer error should be shown at the field").to_be_visible()
        expect(error).not_to_be_empty()
        expect(page.locator("#id_patient_id")).to_have_attribute("aria-invalid", "true")
        expect(page.locator("#id_patient_id"), "the typed number should be kept").to_have_value(BAD_PATIENT_ID)
        expect(page.locator("#id_description"), "the description should be kept").to_have_value(DESCRIPTION)
        expect(page.locator("#id_receiver")).to_have_value(str(clinic.pk))
        expect(page.locator("#id_occurred_on")).to_have_value("2026-11-20")
        expect(page.locator("#id_category")).to_have_value(str(epi.pk))
        expect(page.locator("input[name=event_type][value=incident]")).to_be_checked()
        expect(page.locator("input[name=patient_involved][value=yes]")).to_be_checked()
        errors = page.locator(".ds-validation-message").evaluate_all(
            "elements => elements.map(element => `${element.id}: ${element.textContent.trim()}`)"
        )
        assert len(errors) == 1, f"only the fødselsnummer should have an error, the form shows {errors}"
        assert not Deviation.objects.filter(description=DESCRIPTION).exists(), "an invalid report was saved"
        kari.axe("the report form with an error")

        page.locator("#id_patient_id").fill(PATIENT_ID)
        with page.expect_navigation() as navigation:
            page.locator("button[name=send]").click()
        assert navigation.value.status == 200, f"sending the report gave HTTP {navigation.value.status}"
        case = Deviation.objects.get(description=DESCRIPTION)
        case_path = f"/avvik/{case.pk}/"
        expect(page, "sending should lead to the case page").to_have_url(re.compile(rf"{case_path}$"))
        assert status_of(case) == Status.AWAITING_LEADER, f"the case should await the leader, not {case.status}"
        expect(page.locator("main h1")).to_be_visible()
        assert PATIENT_ID not in page.content(), "the reporter's case page shows the patient's identity"
        kari.axe("the case page, awaiting the leader, as the reporter")

        # --- ingrid completes the report from her front page ------------------------------------------------
        ingrid = as_user("ingrid")
        # The task leads straight to the form of the next step.
        task = ingrid.page.locator(f"section[aria-labelledby=tasks-heading] a[href='{case_path}#action-complete']")
        expect(task, "ingrid's front page should list the report to complete").to_have_count(1)
        ingrid.axe("front page with the task to complete")
        task.click()
        ingrid.page.wait_for_url(f"**{case_path}#action-complete")
        ingrid.axe("the case page, awaiting the leader, as the leader")
        ingrid.act(case_path, "complete", ADDENDUM)
        assert status_of(case) == Status.SUBMITTED, f"the completed case should be sent, not {case.status}"
        reference = case.reference
        year = timezone.localdate().year
        assert re.fullmatch(rf"VES-{year}-\d{{5}}", reference or ""), f"unexpected reference {reference!r}"
        expect(ingrid.page.locator("main h1"), "the h1 should carry the reference").to_contain_text(reference)
        ingrid.axe("the case page after completing")

        # --- per: inbox, the patient's identity, acknowledge, ask for information ---------------------------
        per = as_user("per")
        per.open("/avvik/innboks/")
        link = per.page.locator(f"main table a[href='{case_path}']")
        expect(link, "the case should be in per's inbox").to_have_count(1)
        expect(link).to_have_text(reference)
        assert PATIENT_ID not in per.page.content() and DESCRIPTION not in per.page.content()
        per.axe("inbox")
        link.click()
        per.page.wait_for_url(f"**{case_path}")
        expect(per.page.locator("main h1")).to_contain_text(reference)
        expect(per.page.locator("main")).to_contain_text(DESCRIPTION)
        expect(per.page.locator("main"), "the addendum should be shown").to_contain_text(ADDENDUM)
        assert PATIENT_ID not in per.page.content(), "the identity is shown before the click"
        per.axe("the sent case as the receiver")

        identity = per.page.locator("#patient-identity")
        identity.locator("button[type=submit]").click()
        expect(identity, "the identity should be swapped in").to_contain_text(PATIENT_ID)
        expect(per.page, "htmx should swap the identity in place").to_have_url(re.compile(rf"{case_path}$"))
        per.axe("the case with the patient's identity shown")

        per.act(case_path, "acknowledge")
        assert status_of(case) == Status.ACKNOWLEDGED, f"expected acknowledged, not {case.status}"
        assert case.handler_id == site.demo.per.pk, "the empty handler choice should mean per himself"
        assert PATIENT_ID not in per.page.content(), "the identity should not stay shown after a new page load"
        per.axe("the acknowledged case")
        per.act(case_path, "request_info", QUESTION)
        assert status_of(case) == Status.NEEDS_INFO, f"expected needs_info, not {case.status}"
        expect(per.page.locator("main")).to_contain_text(QUESTION)
        per.axe("the case awaiting information")

        # --- kari replies -----------------------------------------------------------------------------------
        kari = as_user("kari")
        task = kari.page.locator(f"section[aria-labelledby=tasks-heading] a[href='{case_path}#action-reply']")
        expect(task, "kari's front page should ask her to give the information").to_have_count(1)
        kari.axe("front page with the question")
        task.click()
        kari.page.wait_for_url(f"**{case_path}#action-reply")
        expect(kari.page.locator("main")).to_contain_text(QUESTION)
        kari.axe("the case with the question, as the reporter")
        kari.act(case_path, "reply", REPLY)
        assert status_of(case) == Status.UPDATED, f"expected updated, not {case.status}"
        expect(kari.page.locator("main")).to_contain_text(REPLY)
        kari.axe("the case after replying")

        # --- per answers and closes -------------------------------------------------------------------------
        per = as_user("per")
        per.open(case_path)
        expect(per.page.locator("main")).to_contain_text(REPLY)
        per.axe("the case with kari's reply")
        per.act(case_path, "answer", ANSWER)
        assert status_of(case) == Status.ANSWERED, f"expected answered, not {case.status}"
        per.axe("the answered case")
        per.act(case_path, "close")
        assert status_of(case) == Status.CLOSED, f"expected closed, not {case.status}"
        per.axe("the closed case")

        # --- kari reads the answer, in bokmål and then in nynorsk -------------------------------------------
        kari = as_user("kari")
        kari.open(case_path)
        expect(kari.page.locator("main h1")).to_contain_text(reference)
        expect(kari.page.locator("#answer-heading ~ *"), "kari should see the answer").to_contain_text(ANSWER)
        kari.axe("the closed case with the answer, as the reporter")
        kari.switch_language("nn")
        kari.page.reload()
        expect(kari.page.locator("html"), "nynorsk should survive a reload").to_have_attribute("lang", "nn")
        expect(kari.page.locator("main")).to_contain_text(ANSWER)
        kari.axe("the closed case in nynorsk")
        kari.open("/avvik/", language="nn")
        expect(kari.page.locator(f"main table a[href='{case_path}']")).to_have_text(reference)
        kari.axe("my reports in nynorsk")
        kari.open("/avvik/ny/", language="nn")
        kari.axe("the report form in nynorsk")

        per = as_user("per")
        per.open("/avvik/innboks/?status=")
        per.switch_language("nn")
        expect(per.page.locator(f"main table a[href='{case_path}']")).to_have_text(reference)
        per.axe("the inbox (all statuses) in nynorsk")
        per.open(case_path, language="nn")
        per.axe("the closed case in nynorsk, as the receiver")
        # On a phone the case page fits the screen (its facts once pushed it sideways).
        per.page.set_viewport_size({"width": 390, "height": 844})
        per.open(case_path, language="nn")
        per.axe("the closed case on a phone")
        assert_no_sideways_scroll(per.page, "the case page", sizes=((390, 844),))

        sigrid = as_user("sigrid")
        sigrid.open("/avvik/statistikk/")
        sigrid.switch_language("nn")
        sigrid.page.wait_for_load_state("networkidle")
        sigrid.axe("statistics in nynorsk")
        sigrid.open("/avvik/innstillinger/", language="nn")
        sigrid.axe("deviation settings in nynorsk")
    finally:
        for session in sessions:
            session.close()

    assert not problems, "JavaScript errors during the flow:\n" + "\n".join(problems)


def test_the_receiver_search_and_the_folded_actions_work_with_the_keyboard(site, browser):
    """kari narrows the receiver list by typing and reaches it with Enter; per opens a folded action and htmx
    brings its form; both pages pass axe and log no JavaScript error (the script is a file, allowed by the CSP)."""
    from samhandling.deviations import services

    problems: list[str] = []
    kari = Session(browser, site.url, "kari", problems)
    try:
        kari.open("/avvik/ny/")
        search = kari.page.locator("#id_receiver-filter")
        expect(search, "the search box should be added above the receiver list").to_be_visible()
        search.focus()
        kari.page.keyboard.type("medisinsk klinikk")
        visible = kari.page.locator("#id_receiver option").evaluate_all(
            "options => options.filter(o => !o.hidden && o.value).map(o => o.textContent)"
        )
        assert visible and all("Medisinsk klinikk" in text for text in visible), visible
        assert not any("Tønsberg" in text for text in visible), "kari's own organisation should not be offered"
        kari.page.keyboard.press("Enter")
        expect(kari.page.locator("#id_receiver"), "Enter should move to the list").to_be_focused()
        expect(kari.page, "Enter in the search box must not send the report").to_have_url(re.compile(r"/avvik/ny/$"))
        kari.axe("the report form after searching the receivers")
    finally:
        kari.close()

    draft = services.deviation_save_draft(
        actor=site.demo.kari,
        data={
            "reporter_unit": Organisation.objects.get(name="Hjemmetjenesten Tønsberg sentrum (demo)"),
            "receiver": Organisation.objects.get(name=RECEIVER),
            "occurred_on": timezone.localdate(),
            "occurred_time": None,
            "description": DESCRIPTION,
            "category": Category.objects.get(helsefellesskap=site.community, code="EPI"),
            "agreement_clause": "",
            "immediate_action": "",
            "event_type": "incident",
            "harm_physical": "none",
            "harm_psychological": "none",
            "patient_involved": "no",
            "reporter_hidden": False,
            "reporter_hidden_reason": "",
        },
    )
    case = services.deviation_send(actor=site.demo.kari, case=draft)
    per = Session(browser, site.url, "per", problems)
    try:
        per.open(f"/avvik/{case.pk}/")
        form = per.page.locator(f"main form[action$='/{case.pk}/redirect/']")
        expect(form, "a folded action's form is not built with the page").to_have_count(0)
        per.page.locator("#action-redirect").click()
        expect(form, "opening it should fetch the form").to_have_count(1)
        expect(form.locator("select[name=redirect-receiver]")).to_be_visible()
        per.axe("the case page with a folded action opened")
    finally:
        per.close()
    assert not problems, "\n".join(problems)
