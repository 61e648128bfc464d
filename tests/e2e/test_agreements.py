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
