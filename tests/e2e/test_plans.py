"""End-to-end: the action plan in a real browser, with axe-core on every page of the flow.

sigrid (secretariat) drafts next year's plan with the priority groups as themes, adds a goal measured by the
readmission indicator (first with errors, kept at the fields) and a measure owned by kari; records the approval in
an SSU item and publishes. kari reports the measure's status from her page. sigrid downloads the status report and
puts it on the next SSU meeting's agenda; the item carries the report. Anonymous visitors read the published plan;
the plan page reads in nynorsk too.

Elements are found by id, name, URL and form action, never by visible text.
"""

import re
from datetime import time, timedelta

from django.utils import timezone
from playwright.sync_api import expect

from samhandling.governance import services as governance
from samhandling.governance.models import BodyKind, MemberRole
from samhandling.plans.models import ActionPlan, Measure, MeasureStatus, PlanStatus
from tests.indicators.webfixtures import make_run

from .conftest import check_axe, login
from .test_governance import LANGUAGE_BUTTON, new_page, submit, visit


def test_an_action_plan_from_draft_to_the_ssu_agenda(site, browser):
    demo, community, today = site.demo, site.community, timezone.localdate()
    sigrid = demo.sigrid
    make_run()
    ssu = governance.body_create(
        actor=sigrid, community=community, kind=BodyKind.SSU, name="SSU (E2E)", short_name="SSU"
    )
    governance.member_add(actor=sigrid, body=ssu, role=MemberRole.MEMBER, user=demo.hilde, valid_from=today)
    past = governance.meeting_plan(actor=sigrid, body=ssu, date=today - timedelta(days=7), start_time=time(13, 0))
    approval = governance.item_create(
        actor=sigrid, body=ssu, meeting=past, title="Handlingsplan for helsefellesskapet", kind="decision"
    )
    upcoming = governance.meeting_plan(actor=sigrid, body=ssu, date=today + timedelta(days=14), start_time=time(13, 0))
    year = today.year + 1
    problems: list[str] = []

    # --- sigrid drafts the plan ------------------------------------------------------------------------------------
    page = new_page(browser, site.url, problems, "sigrid")
    login(page, "sigrid")
    visit(page, "/handlingsplan/", "the plans")
    visit(page, "/handlingsplan/ny/", "new plan")
    page.fill("#id_title", f"Handlingsplan {year} (E2E)")
    page.fill("#id_end_year", str(year - 1))
    submit(page, expect_status=400)
    expect(page.locator("#id_end_year")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_title")).to_have_value(f"Handlingsplan {year} (E2E)")
    check_axe(page, "the plan form with errors")
    page.fill("#id_end_year", str(year))
    submit(page)
    plan = ActionPlan.objects.get(title=f"Handlingsplan {year} (E2E)")
    expect(page).to_have_url(re.compile(rf"/handlingsplan/{plan.pk}/$"))
    check_axe(page, "the new plan")
    elderly = plan.themes.get(priority_group="elderly")

    visit(page, f"/handlingsplan/tema/{elderly.pk}/nytt-mal/", "new goal")
    page.fill("#id_title", "Færre reinnleggelser (E2E)")
    page.select_option("#id_indicator", "reinnleggelse_30d")
    page.fill("#id_target_value", "12,5")
    submit(page, expect_status=400)  # no area chosen
    expect(page.locator("#id_title")).to_have_value("Færre reinnleggelser (E2E)")
    check_axe(page, "the goal form with errors")
    page.check(f"input[name=areas][value='helsefellesskap:{community.reference_key}']")
    page.check("input[name=areas][value='kommune:3911']")
    page.fill("#id_baseline_year", "2024")
    submit(page)
    goal = elderly.goals.get()
    assert goal.target_value == 12.5

    visit(page, f"/handlingsplan/mal/{goal.pk}/nytt-tiltak/", "new measure")
    page.fill("#id_title", "Prosjekt Vitality (E2E)")
    page.select_option("#id_responsible_body", str(ssu.pk))
    page.select_option("#id_owner", str(demo.kari.pk))
    page.fill("#id_due_date", f"{year}-12-31")
    submit(page)
    measure = Measure.objects.get(title="Prosjekt Vitality (E2E)")

    # The plan shows the indicator, with Færder's small number hidden.
    visit(page, f"/handlingsplan/{plan.pk}/", "the plan with its goal")
    expect(page.locator(f"#mal-{goal.pk} .goal-progress table")).to_be_visible()

    # --- approval in the SSU item, then publishing ---------------------------------------------------------------
    page.select_option("#id_approve-item", str(approval.pk))
    submit(page, f"form[action='/handlingsplan/{plan.pk}/godkjenn/']")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.APPROVED and plan.approved_by_item == approval
    check_axe(page, "the approved plan")
    submit(page, f"form[action='/handlingsplan/{plan.pk}/publiser/']")
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED

    # --- kari reports the status --------------------------------------------------------------------------------------
    kari = new_page(browser, site.url, problems, "kari")
    login(kari, "kari")
    expect(kari.locator(f"a[href='/handlingsplan/tiltak/{measure.pk}/#status']").first).to_be_attached()
    visit(kari, f"/handlingsplan/tiltak/{measure.pk}/", "the measure, for its owner")
    kari.check("input[name=status][value=delayed]")
    submit(kari, expect_status=400)  # a delay needs a reason
    expect(kari.locator("#id_text")).to_have_attribute("aria-invalid", "true")
    check_axe(kari, "the status form with errors")
    kari.fill("#id_text", "Venter på finansiering fra Helsedirektoratet.")
    submit(kari)
    measure.refresh_from_db()
    assert measure.status == MeasureStatus.DELAYED
    check_axe(kari, "the measure with its history")

    # --- sigrid downloads the report and puts it on the next SSU agenda ----------------------------------------------
    visit(page, f"/handlingsplan/{plan.pk}/", "the published plan")
    with page.expect_download() as download:
        page.locator(f"a[href='/handlingsplan/{plan.pk}/statusrapport.docx']").click()
    assert download.value.suggested_filename.endswith(".docx")
    page.select_option("#id_agenda-meeting", str(upcoming.pk))
    submit(page, f"form[action='/handlingsplan/{plan.pk}/pa-sakskartet/']")
    item = upcoming.items.get(title__startswith="Status")
    expect(page).to_have_url(re.compile(rf"/moter/sak/{item.pk}/$"))
    assert item.attachments.get().original_name.endswith(".pdf")

    # --- the public page, and nynorsk ----------------------------------------------------------------------------
    anonymous = new_page(browser, site.url, problems, "anonymous")
    visit(anonymous, f"/handlingsplan/offentlig/{community.slug}/", "the public plans")
    visit(anonymous, f"/handlingsplan/offentlig/{community.slug}/{plan.pk}/", "the public plan")
    expect(anonymous.locator("main")).to_contain_text("Prosjekt Vitality (E2E)")
    with page.expect_navigation():
        page.locator(LANGUAGE_BUTTON.format("nn")).click()
    visit(page, f"/handlingsplan/{plan.pk}/", "the plan", language="nn")
    visit(page, f"/handlingsplan/tiltak/{measure.pk}/", "the measure", language="nn")
    assert not problems, "\n".join(problems)
