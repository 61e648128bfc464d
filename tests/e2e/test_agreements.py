"""End-to-end: a cooperation agreement in a real browser, with axe-core on every page of the flow.

sigrid registers the overarching agreement between the hospital and two municipalities, writes version 1 (first with
a line the parser refuses, named at the field with the text kept), adopts it, and records the hospital board's
approval with the signed copy; the overview shows the § 6-2 coverage with the gaps and the municipalities that
have not approved. Anonymous visitors read the adopted agreement on the public page, also in nynorsk.

Elements are found by id, name, URL and form action, never by visible text.
"""

import re
from pathlib import Path

from django.utils import timezone
from playwright.sync_api import expect

from samhandling.agreements.models import Agreement, VersionStatus
from samhandling.core.models import Organisation

from .conftest import check_axe, login
from .test_governance import LANGUAGE_BUTTON, PDF, new_page, submit, visit

TEXT = "1 Formål\nHelhetlige tjenester.\n2 Utskrivningsklare pasienter\n§ 6-2: 2, 5\nKommunen varsles samme dag."


def test_an_agreement_from_draft_to_approved_and_public(site, browser, tmp_path):
    community, today = site.community, timezone.localdate()
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    tonsberg = Organisation.objects.get(reference_key="kommune:3905")
    larvik = Organisation.objects.get(reference_key="kommune:3909")
    problems: list[str] = []

    page = new_page(browser, site.url, problems, "sigrid")
    login(page, "sigrid")
    visit(page, "/avtaler/", "the agreements")
    visit(page, "/avtaler/ny/", "new agreement")
    page.select_option("#id_kind", "overarching")
    page.fill("#id_title", "Overordnet samarbeidsavtale (E2E)")
    for party in (hospital, tonsberg, larvik):
        page.check(f"input[name=parties][value='{party.pk}']")
    submit(page, "main form.form-wide")
    agreement = Agreement.objects.get(title="Overordnet samarbeidsavtale (E2E)")
    expect(page).to_have_url(re.compile(rf"/avtaler/{agreement.pk}/ny-versjon/$"))

    page.fill("#id_text", "Innledning uten nummer\n" + TEXT)
    submit(page, "main form.form-wide", expect_status=400)
    expect(page.locator("#id_text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_text")).to_have_value(re.compile("Innledning uten nummer"))
    check_axe(page, "the version form with errors")
    page.fill("#id_text", TEXT)
    submit(page, "main form.form-wide")
    version = agreement.versions.get()
    expect(page).to_have_url(re.compile(rf"/avtaler/versjon/{version.pk}/$"))
    check_axe(page, "the draft version")

    page.fill("#id_adopt-valid_from", today.isoformat())
    submit(page, f"form[action='/avtaler/versjon/{version.pk}/vedta/']")
    version.refresh_from_db()
    assert version.status == VersionStatus.ADOPTED

    signed = Path(tmp_path) / "signert.pdf"
    signed.write_bytes(PDF)
    page.select_option("#id_approval-party", str(hospital.pk))
    page.fill("#id_approval-approved_by", "Styret")
    page.fill("#id_approval-approved_on", today.isoformat())
    page.set_input_files("#id_approval-signed_copy", str(signed))
    submit(page, f"form[action='/avtaler/versjon/{version.pk}/godkjenning/']")
    approval = version.approvals.get()
    assert approval.party == hospital and approval.signed_copy
    check_axe(page, "the adopted version with one approval")
    expect(page.locator(f"a[href='/avtaler/godkjenning/{approval.pk}/signert.pdf']")).to_be_visible()

    visit(page, "/avtaler/", "the coverage table")
    visit(page, f"/avtaler/{agreement.pk}/", "the agreement with its approvals")

    anonymous = new_page(browser, site.url, problems, "anonymous")
    visit(anonymous, f"/avtaler/offentlig/{community.slug}/", "the public agreements")
    expect(anonymous.locator("main")).to_contain_text("Utskrivningsklare pasienter")
    with anonymous.expect_navigation():
        anonymous.locator(LANGUAGE_BUTTON.format("nn")).click()
    visit(anonymous, f"/avtaler/offentlig/{community.slug}/", "the public agreements", language="nn")
    assert not problems, "\n".join(problems)


def test_a_deviation_reported_against_a_clause_shows_on_the_agreement_page(site, browser):
    """kari reports a deviation against clause 2 of the adopted delavtale, chosen in the report form's list (nb and
    nn axe-clean); the agreement page, which showed "<5" for the four earlier reports, now shows 5, and per (the
    clinic's contact point) follows the clause's link to his inbox filtered by it."""
    import os

    from samhandling.agreements import services as agreements
    from samhandling.deviations import services as deviations
    from samhandling.deviations.models import Category, Deviation

    community, today = site.community, timezone.localdate()
    sigrid, kari = site.demo.sigrid, site.demo.kari
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    tonsberg = Organisation.objects.get(reference_key="kommune:3905")
    home_nursing = Organisation.objects.get(name="Hjemmetjenesten Tønsberg sentrum (demo)")
    clinic = Organisation.objects.get(name="Medisinsk klinikk (demo)")
    agreement = agreements.agreement_create(
        actor=sigrid, community=community, kind="sub", title="Tjenesteavtale 5", parties=[hospital, tonsberg]
    )
    version = agreements.version_create(actor=sigrid, agreement=agreement, text=TEXT)
    agreements.version_adopt(actor=sigrid, version=version, valid_from=today)
    clause = version.clauses.get(number="2")
    deviations.settings_for(community)  # the community's starting categories
    epi = Category.objects.get(helsefellesskap=community, code="EPI")
    data = {
        "reporter_unit": home_nursing,
        "receiver": clinic,
        "occurred_on": today,
        "occurred_time": None,
        "description": "Tidligere avvik (E2E).",
        "category": epi,
        "clause": clause.pk,
        "agreement_clause": "",
        "immediate_action": "",
        "event_type": "incident",
        "harm_physical": "none",
        "harm_psychological": "none",
        "patient_involved": "no",
        "reporter_hidden": False,
        "reporter_hidden_reason": "",
    }
    for _earlier in range(4):
        deviations.deviation_send(actor=kari, case=deviations.deviation_save_draft(actor=kari, data=data))
    problems: list[str] = []

    ingrid = new_page(browser, site.url, problems, "ingrid")
    login(ingrid, "ingrid")
    visit(ingrid, f"/avtaler/{agreement.pk}/", "the agreement page before the report")
    row = ingrid.locator("table.clause-reports tbody tr").nth(1)
    expect(row.locator("td").nth(1)).to_have_text("<5")

    page = new_page(browser, site.url, problems, "kari")
    login(page, "kari")
    visit(page, "/avvik/ny/", "the report form with the agreement clauses")
    expect(page.locator(f"#id_clause optgroup[label='{agreement.title}'] option[value='{clause.pk}']")).to_have_count(1)
    if os.environ.get("SCREENSHOT_DIR"):
        page.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/report-form.png", full_page=True)
    if page.locator("#id_reporter_unit").input_value() == "":
        page.select_option("#id_reporter_unit", str(home_nursing.pk))
    page.select_option("#id_receiver", str(clinic.pk))
    page.fill("#id_occurred_on", today.isoformat())
    page.fill("#id_description", "Kommunen ble ikke varslet om utskrivningsklar pasient (E2E).")
    page.select_option("#id_category", str(epi.pk))
    page.select_option("#id_clause", str(clause.pk))
    for name, value in {
        "event_type": "incident",
        "harm_physical": "none",
        "harm_psychological": "none",
        "patient_involved": "no",
    }.items():
        page.locator(f"input[type=radio][name={name}][value={value}]").check()
    with page.expect_navigation() as navigation:
        page.locator("button[name=send]").click()
    assert navigation.value.status == 200, f"sending the report gave HTTP {navigation.value.status}"
    case = Deviation.objects.get(description="Kommunen ble ikke varslet om utskrivningsklar pasient (E2E).")
    assert case.clause == clause and case.submitted_at is not None
    with page.expect_navigation():
        page.locator(LANGUAGE_BUTTON.format("nn")).click()
    visit(page, "/avvik/ny/", "the report form with the agreement clauses", language="nn")

    visit(ingrid, f"/avtaler/{agreement.pk}/", "the agreement page after the report")
    expect(row.locator("td").nth(0)).to_have_text("5")
    expect(row.locator("td").nth(1)).to_have_text("5")
    with ingrid.expect_navigation():
        ingrid.locator(LANGUAGE_BUTTON.format("nn")).click()
    visit(ingrid, f"/avtaler/versjon/{version.pk}/", "the version page with the counts", language="nn")
    expect(ingrid.locator("table.clause-reports tbody tr").nth(1).locator("td").nth(1)).to_have_text("5")

    per = new_page(browser, site.url, problems, "per")
    login(per, "per")
    visit(per, f"/avtaler/{agreement.pk}/", "the agreement page for a contact point")
    if os.environ.get("SCREENSHOT_DIR"):
        per.screenshot(path=f"{os.environ['SCREENSHOT_DIR']}/agreement-page.png", full_page=True)
    with per.expect_navigation():
        per.locator(f"a[href='/avvik/innboks/?status=&clause={clause.pk}']").click()
    expect(per.locator("main")).to_contain_text(case.reference)
    expect(per.locator("#id_clause")).to_have_value(str(clause.pk))
    check_axe(per, "the inbox filtered by a clause")
    assert not problems, "\n".join(problems)
