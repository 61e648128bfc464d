"""End-to-end: a joint consultation response (høringssvar) in a real browser, with axe-core on every page of the flow.

sigrid (secretariat) opens a consultation with the document uploaded (first with the internal deadline after the
external one: refused at the field, what she typed kept), inviting the SSU and Tønsberg kommune. kari (Tønsberg)
finds it in "Mine oppgaver" and gives input; hilde (in the SSU) reads it and gives her own. sigrid composes the
response beside the inputs, puts it on the next SSU meeting's agenda, marks it sent and downloads it; the page reads
in nynorsk too.

Elements are found by id, name, URL and form action, never by visible text.
"""

import re
from datetime import time, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from samhandling.agreements.models import Consultation, ConsultationStatus
from samhandling.core.models import Organisation
from samhandling.governance import services as governance
from samhandling.governance.models import BodyKind, MemberRole

from .conftest import check_axe, login
from .test_governance import LANGUAGE_BUTTON, PDF, new_page, submit, visit


def test_a_consultation_from_input_to_the_sent_response(site, browser, tmp_path):
    demo, community, today = site.demo, site.community, timezone.localdate()
    sigrid = demo.sigrid
    ssu = governance.body_create(
        actor=sigrid, community=community, kind=BodyKind.SSU, name="SSU (E2E)", short_name="SSU"
    )
    governance.member_add(actor=sigrid, body=ssu, role=MemberRole.MEMBER, user=demo.hilde, valid_from=today)
    upcoming = governance.meeting_plan(actor=sigrid, body=ssu, date=today + timedelta(days=14), start_time=time(13, 0))
    tonsberg = Organisation.objects.get(reference_key="kommune:3905")
    document = tmp_path / "horingsnotat.pdf"
    document.write_bytes(PDF)
    problems: list[str] = []

    # --- sigrid opens the consultation ---------------------------------------------------------------------------
    page = new_page(browser, site.url, problems, "sigrid")
    login(page, "sigrid")
    visit(page, "/avtaler/horinger/", "the consultations")
    visit(page, "/avtaler/horinger/ny/", "new consultation")
    page.fill("#id_title", "Høring om legevakt (E2E)")
    page.fill("#id_external_body", "Helsedirektoratet")
    page.set_input_files("#id_document", str(document))
    page.fill("#id_external_deadline", (today + timedelta(days=30)).isoformat())
    page.fill("#id_internal_deadline", (today + timedelta(days=40)).isoformat())
    page.check(f"input[name=invited_bodies][value='{ssu.pk}']")
    page.check(f"input[name=invited_organisations][value='{tonsberg.pk}']")
    submit(page, expect_status=400)
    expect(page.locator("#id_internal_deadline")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_title")).to_have_value("Høring om legevakt (E2E)")
    check_axe(page, "the consultation form with errors")
    page.fill("#id_internal_deadline", (today + timedelta(days=20)).isoformat())
    page.set_input_files("#id_document", str(document))  # a browser never keeps a chosen file across a refusal
    submit(page)
    consultation = Consultation.objects.get(title="Høring om legevakt (E2E)")
    expect(page).to_have_url(re.compile(rf"/avtaler/horinger/{consultation.pk}/$"))
    first = consultation.questions.first()

    # --- kari gives input from "Mine oppgaver"; hilde reads it ----------------------------------------------------
    kari = new_page(browser, site.url, problems, "kari")
    login(kari, "kari")
    link = kari.locator(f"a[href='/avtaler/horinger/{consultation.pk}/#input-heading']")
    expect(link).to_be_attached()
    visit(kari, f"/avtaler/horinger/{consultation.pk}/", "the consultation, for an invited member")
    kari.fill(f"#id_input-q{first.pk}", "Legevakten i Tønsberg trenger flere leger på natt.")
    submit(kari, f"form[action='/avtaler/horinger/{consultation.pk}/innspill/']")
    check_axe(kari, "the consultation with kari's input")
    hilde = new_page(browser, site.url, problems, "hilde")
    login(hilde, "hilde")
    visit(hilde, f"/avtaler/horinger/{consultation.pk}/", "the consultation, for another invited member")
    expect(hilde.locator("main")).to_contain_text("Legevakten i Tønsberg trenger flere leger på natt.")

    # --- sigrid composes, puts it on the agenda, marks it sent --------------------------------------------------------
    visit(page, f"/avtaler/horinger/{consultation.pk}/svar/", "compose the response")
    expect(page.locator("main")).to_contain_text("Legevakten i Tønsberg trenger flere leger på natt.")
    page.fill(f"#id_q{first.pk}", "Helsefellesskapet støtter forslaget og peker på behovet for leger på natt.")
    submit(page, "main form")
    page.select_option("#id_agenda-meeting", str(upcoming.pk))
    submit(page, f"form[action='/avtaler/horinger/{consultation.pk}/sak/']")
    consultation.refresh_from_db()
    item = consultation.agenda_item
    expect(page).to_have_url(re.compile(rf"/moter/sak/{item.pk}/$"))
    assert item.meeting == upcoming and item.attachments.get().original_name.endswith(".pdf")
    visit(page, f"/avtaler/horinger/{consultation.pk}/", "the consultation on the agenda")
    submit(page, f"form[action='/avtaler/horinger/{consultation.pk}/sendt/']")
    consultation.refresh_from_db()
    assert consultation.status == ConsultationStatus.SENT
    check_axe(page, "the sent consultation")
    with page.expect_download() as download:
        page.locator(f"a[href='/avtaler/horinger/{consultation.pk}/horingssvar.docx']").click()
    assert download.value.suggested_filename.endswith(".docx")

    # --- nynorsk ----------------------------------------------------------------------------------------------------
    with page.expect_navigation():
        page.locator(LANGUAGE_BUTTON.format("nn")).click()
    visit(page, "/avtaler/horinger/", "the consultations", language="nn")
    visit(page, f"/avtaler/horinger/{consultation.pk}/", "the consultation", language="nn")
    assert not problems, "\n".join(problems)
