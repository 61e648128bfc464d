"""End-to-end: a year of the SSU in a real browser, with axe-core on every page of the flow.

sigrid (secretariat) sets up the SSU and gives per a seat; plans a meeting a week ago; adds a public decision item
with a case paper and an attachment (first a disguised file, refused at the field) and an internal item; sends the
notice; records attendance and outcomes and makes the draft minutes; plans today's meeting, whose agenda carries
"approval of the minutes" by itself; sends its notice and approves the minutes there. per sees the meeting and his
item. Anonymous visitors find the approved minutes and the public item in the public archive, never the internal
item. The pages are checked again in nynorsk.

Elements are found by id, name, URL and form action, never by visible text (translations are still being written).
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from samhandling.core.models import Organisation
from samhandling.governance.models import AgendaItem, Body, Meeting, MeetingStatus

from .conftest import TIMEOUT_MS, check_axe, login

PUBLIC_TITLE = "E2E: Felles prosedyre for samhandlingsavvik"
INTERNAL_TITLE = "E2E: Budsjett for felles stilling"
DECISION = "E2E: Revidert prosedyre godkjennes."
LANGUAGE_BUTTON = "form.language-switcher button[name=language][value={}]"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def new_page(browser: Browser, base_url: str, problems: list[str], who: str) -> Page:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("pageerror", lambda error: problems.append(f"{who} at {page.url}: {error}"))
    page.on("console", lambda msg: console_error(msg, problems, f"{who} at {page.url}"))
    return page


def console_error(message, problems: list[str], where: str) -> None:
    """A form sent back with errors answers 400 on purpose (Chromium logs it as a failed load); anything else counts."""
    if message.type == "error" and "status of 400" not in message.text:
        problems.append(f"{where}: {message.text}")


def visit(page: Page, path: str, what: str, *, language: str = "nb") -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path} gave {response and response.status}"
    expect(page.locator("html"), f"{path} should be in {language}").to_have_attribute("lang", language)
    check_axe(page, f"{what} ({language}) {path}")


def submit(page: Page, form: str = "main form.form-narrow, main form.form-wide", *, expect_status: int = 200) -> None:
    """Press the form's first submit button and wait for the page it leads to."""
    with page.expect_navigation() as navigation:
        page.locator(form).first.locator("button[type=submit]").first.click()
    status = navigation.value.status
    assert status == expect_status, f"submitting {form} at {page.url} gave HTTP {status}"


def plan_meeting(page: Page, body: Body, day, start: str) -> Meeting:
    visit(page, f"/moter/organer/{body.pk}/nytt-mote/", "plan a meeting")
    page.fill("#id_date", day.isoformat())
    page.fill("#id_start_time", start)
    page.fill("#id_end_time", "15:30")
    page.fill("#id_place", "Nøtterøy kulturhus, Lillesalen")
    submit(page)
    meeting = Meeting.objects.get(body=body, date=day)
    expect(page).to_have_url(re.compile(rf"/moter/mote/{meeting.pk}/$"))
    check_axe(page, "the planned meeting")
    return meeting


def add_item(page: Page, meeting: Meeting, title: str, kind: str, visibility: str) -> AgendaItem:
    visit(page, f"/moter/mote/{meeting.pk}/ny-sak/", "new item")
    page.fill("#id_title", title)
    page.check(f"input[name=kind][value={kind}]")
    page.check(f"input[name=visibility][value={visibility}]")
    page.fill("#id_description", "Leder for FSU-KT presenterer revidert prosedyre.")
    page.fill("#id_background", "Prosedyren fra 2019 er revidert etter innspill fra kommunene.")
    page.fill("#id_proposed_decision", DECISION)
    page.fill("#id_responsible_others", "Sissel Eksempel, Sykehuset i Vestfold")
    submit(page)
    item = AgendaItem.objects.get(meeting=meeting, title=title)
    expect(page, "a new item opens its own page").to_have_url(re.compile(rf"/moter/sak/{item.pk}/$"))
    return item


def send_notice(page: Page, meeting: Meeting) -> None:
    visit(page, f"/moter/mote/{meeting.pk}/innkalling/", "notice preview")
    past = page.locator("#id_send_for_past_date")
    if past.count():
        past.check()
    with page.expect_navigation():
        page.locator("main button[name=review]").click()
    check_axe(page, "the notice's confirmation")
    with page.expect_navigation():
        page.locator("main button[name=send]").click()
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.NOTICE_SENT, f"the notice was not sent: {meeting.status}"
    expect(page.locator("main a[href*='/moter/dokument/']").first).to_be_attached()
    check_axe(page, "the notice after sending")


SAVED = re.compile(r"^(Lagret|Lagra|Saved)$")  # a block's saved state, in any of the three languages


def record_outcome(page: Page, item: AgendaItem, outcome: str, text: str) -> None:
    form = page.locator(f"main form[action$='/sak/{item.pk}/utfall/']")
    form.locator("select[name$='-outcome']").select_option(outcome)
    form.locator("textarea[name$='-conclusion']").fill(text)
    # Each block of the minutes saves on its own (htmx): the page stays, the block says it is saved.
    form.locator("button[type=submit]").click()
    expect(page.locator(f"#outcome-{item.pk} [data-save-state]"), f"{item} should be saved").to_have_text(SAVED)
    item.refresh_from_db()
    assert item.outcome == outcome, f"{item} has outcome {item.outcome!r}, not {outcome!r}"


def switch_language(page: Page, language: str) -> None:
    with page.expect_navigation():
        page.locator(LANGUAGE_BUTTON.format(language)).click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def test_a_year_of_the_ssu_in_the_browser(site, browser):
    demo = site.demo
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    today = timezone.localdate()
    problems: list[str] = []

    # --- sigrid sets up the SSU and gives per a seat ------------------------------------------------------------
    page = new_page(browser, site.url, problems, "sigrid")
    login(page, "sigrid")
    visit(page, "/moter/", "meetings overview")
    visit(page, "/moter/organer/ny/", "new body")
    page.select_option("#id_kind", "ssu")
    page.fill("#id_name", "Strategisk samarbeidsutvalg (E2E)")
    page.fill("#id_short_name", "SSU")
    submit(page)
    body = Body.objects.get(name="Strategisk samarbeidsutvalg (E2E)")
    expect(page).to_have_url(re.compile(rf"/moter/organer/{body.pk}/$"))
    check_axe(page, "the new body")

    visit(page, f"/moter/organer/{body.pk}/medlemmer/ny/", "add a member")
    page.fill("#id_valid_from", (today - timedelta(days=60)).isoformat())
    submit(page, expect_status=400)  # no person and no organisation: errors at the fields
    expect(page.locator("#id_name")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_organisation")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_valid_from"), "the typed date should be kept").to_have_value(
        (today - timedelta(days=60)).isoformat()
    )
    check_axe(page, "the member form with errors")
    page.select_option("#id_user", str(demo.per.pk))
    page.select_option("#id_organisation", str(hospital.pk))
    submit(page)
    assert body.members.filter(user=demo.per).exists()

    # --- the first meeting, a week ago ---------------------------------------------------------------------------
    first = plan_meeting(page, body, today - timedelta(days=7), "13:30")
    public_item = add_item(page, first, PUBLIC_TITLE, "decision", "public")
    internal_item = add_item(page, first, INTERNAL_TITLE, "decision", "internal")
    visit(page, f"/moter/mote/{first.pk}/", "the agenda with two items")

    # The agenda can be reordered (htmx swaps the table in place).
    row = page.locator("#agenda form", has=page.locator(f"input[name=item][value='{internal_item.pk}']"))
    row.locator("button[value=opp]").click()
    expect(page.locator("#agenda tbody tr").nth(2)).to_contain_text(INTERNAL_TITLE)
    expect(page).to_have_url(re.compile(rf"/moter/mote/{first.pk}/$"))

    visit(page, f"/moter/sak/{public_item.pk}/", "the item with its case paper")
    page.locator(f"main a[href$='/sak/{public_item.pk}/vedlegg/']").click()
    page.wait_for_url(f"**/sak/{public_item.pk}/vedlegg/")
    check_axe(page, "the attachment form")
    page.set_input_files("#id_file", files=[{"name": "prosedyre.pdf", "mimeType": "application/pdf", "buffer": b"MZ"}])
    page.fill("#id_title", "Prosedyre for samhandlingsavvik")
    submit(page, expect_status=400)
    expect(page.locator(".ds-field", has=page.locator("#id_file")).locator(".ds-validation-message")).to_be_visible()
    expect(page.locator("#id_title"), "the title should be kept").to_have_value("Prosedyre for samhandlingsavvik")
    check_axe(page, "the attachment form with an error")
    page.set_input_files("#id_file", files=[{"name": "prosedyre.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    submit(page)
    expect(page).to_have_url(re.compile(rf"/moter/sak/{public_item.pk}/#attachments-heading$"))
    assert public_item.attachments.count() == 1
    check_axe(page, "the item with its attachment")

    send_notice(page, first)
    public_item.refresh_from_db()
    assert re.fullmatch(rf"{first.date.year}\.\d+", public_item.number), f"unexpected number {public_item.number!r}"

    # --- minutes of the first meeting ---------------------------------------------------------------------------
    visit(page, f"/moter/mote/{first.pk}/referat/", "the minutes page")
    page.locator("main button[name=attendance]").click()
    expect(page.locator("#attendance-form [data-save-state]"), "the attendance should be saved").to_have_text(SAVED)
    assert first.attendance.count() == 1
    for item in first.items.order_by("position"):
        outcome = "decided" if item == public_item else "noted"
        record_outcome(page, item, outcome, DECISION if item == public_item else "Tatt til orientering.")
    check_axe(page, "the minutes page with outcomes")
    submit(page, f"main form[action$='/mote/{first.pk}/referat/lag/']")
    first.refresh_from_db()
    assert first.status == MeetingStatus.MINUTES_DRAFTED, f"expected drafted minutes, not {first.status}"
    check_axe(page, "the minutes page with a draft")

    # --- the next meeting, today: the approval of the minutes is on its agenda ---------------------------------
    second = plan_meeting(page, body, today, "08:30")
    approval = second.items.get(standard="approve_minutes")
    assert approval.approves_minutes_of_id == first.pk
    send_notice(page, second)
    visit(page, f"/moter/mote/{second.pk}/referat/", "the minutes page of the next meeting")
    record_outcome(page, approval, "decided", "Referatet godkjennes.")
    first.refresh_from_db()
    assert first.status == MeetingStatus.MINUTES_APPROVED, f"the minutes should be approved, not {first.status}"

    # --- nynorsk ---------------------------------------------------------------------------------------------------
    switch_language(page, "nn")
    for path, what in [
        (f"/moter/mote/{first.pk}/", "the meeting"),
        (f"/moter/sak/{public_item.pk}/", "the item"),
        (f"/moter/mote/{first.pk}/referat/", "the minutes"),
        (f"/moter/mote/{second.pk}/innkalling/", "the notice"),
        (f"/moter/organer/{body.pk}/", "the body"),
        ("/moter/sok/?q=prosedyre", "search"),
    ]:
        visit(page, path, what, language="nn")
    expect(page.locator(f"main a[href='/moter/sak/{public_item.pk}/']")).to_have_count(1)
    page.context.close()

    # --- per, a member, sees the meeting and the decision -----------------------------------------------------
    page = new_page(browser, site.url, problems, "per")
    login(page, "per")
    visit(page, "/moter/", "per's overview")
    visit(page, f"/moter/sak/{public_item.pk}/", "the decided item as a member")
    expect(page.locator("#decision-heading")).to_be_visible()
    page.context.close()

    # --- the public archive, without log-in ----------------------------------------------------------------------
    page = new_page(browser, site.url, problems, "anonymous")
    archive = f"/moter/offentlig/{site.community.slug}/"
    visit(page, archive, "the public archive")
    minutes = first.documents.get(kind="minutes", is_approved=True)
    expect(page.locator(f"main a[href$='/dokument/{minutes.pk}.pdf']")).to_have_count(1)
    visit(page, f"{archive}mote/{first.pk}/", "the public meeting page")
    main = page.locator("main")
    expect(main).to_contain_text(PUBLIC_TITLE)
    expect(main).to_contain_text(DECISION)
    expect(main).not_to_contain_text(INTERNAL_TITLE)
    expect(page.locator("main a[href*='/vedlegg/']")).to_have_count(1)
    with page.expect_download() as download:
        page.locator(f"main a[href$='/dokument/{minutes.pk}.pdf']").click()
    assert download.value.suggested_filename.endswith(".pdf")
    switch_language(page, "nn")
    visit(page, f"{archive}mote/{first.pk}/", "the public meeting page", language="nn")
    visit(page, archive, "the public archive", language="nn")
    page.context.close()

    assert not problems, "JavaScript errors during the flow:\n" + "\n".join(problems)
