"""End-to-end: the analyst (anders) imports an SSB projection file and follows its check, builds a scenario with a
change factor and a shift factor, runs it twice and follows the runs, compares them, exports and publishes; the
secretariat (sigrid) reads the population, the results and the public pages in bokmål and nynorsk, and puts the
report on the partnership meeting's agenda, whose item links back to the run. axe-core checks every page; no page
scrolls sideways.

Elements are found by id, name, URL and attributes, never by visible text."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from samhandling.projections.models import PopulationSource, Scenario, ScenarioRun, WorkStatus
from tests.projections.webfixtures import make_dataset, make_source

from .conftest import assert_no_sideways_scroll, check_axe, login

FIXTURES = Path(__file__).resolve().parents[1] / "projections" / "fixtures"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WORK_TIMEOUT_MS = 60_000


@pytest.fixture
def storage(settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    return tmp_path / "store"


def _partnership_meeting():
    from datetime import time, timedelta

    from django.utils import timezone

    from samhandling.core.models import Helsefellesskap, User
    from samhandling.governance import services as governance
    from samhandling.governance.models import BodyKind

    sigrid = User.objects.get(username="sigrid")
    body = governance.body_create(
        actor=sigrid,
        community=Helsefellesskap.objects.get(code="VES"),
        kind=BodyKind.PARTNERSHIP_MEETING,
        name="Partnerskapsmøtet E2E",
        short_name="PM E2E",
        meetings_per_year=1,
    )
    meeting = governance.meeting_plan(
        actor=sigrid, body=body, date=timezone.localdate() + timedelta(days=30), start_time=time(10, 0)
    )
    return body, meeting


def test_analyst_imports_builds_runs_compares_and_the_secretariat_reads(site, storage, page: Page, browser):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror {error}"))
    SHOTS.mkdir(parents=True, exist_ok=True)
    partnership, meeting = _partnership_meeting()
    builtin = make_source(storage)
    make_dataset(storage)
    login(page, "anders")

    page.goto("/framskrivning/befolkning/")
    check_axe(page, "population sources")
    page.locator("#id_ssb-name").fill("SSB E2E")
    page.locator("#id_ssb-alternative").fill("MMMM")
    page.locator("#id_ssb-upload").set_input_files(str(FIXTURES / "ssb_14288_sample.json"))
    page.locator("main form[enctype] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/framskrivning/befolkning/\d+/$"))
    source = PopulationSource.objects.get(name="SSB E2E")
    expect(page.locator("#source-status a[href*='kilde=']")).to_be_attached(timeout=WORK_TIMEOUT_MS)
    source.refresh_from_db()
    assert source.status == WorkStatus.DONE
    check_axe(page, "imported source")

    page.goto("/framskrivning/scenarioer/ny/")
    check_axe(page, "new scenario")
    page.locator("#id_scenario-name").fill("E2E-scenario")
    page.locator("#id_scenario-population").select_option(str(builtin.pk))
    page.locator("#id_scenario-dataset").select_option(index=1)
    page.locator("#id_scenario-base_first").fill("2024")
    page.locator("#id_scenario-base_last").fill("2025")
    page.locator("#id_scenario-to_year").fill("2030")
    page.locator("#id_scenario-draws").fill("200")
    page.locator("#id_faktor-0-service").select_option("liggedogn")
    page.locator("#id_faktor-0-kind").select_option("target")
    page.locator("#id_faktor-0-value").fill("-10")
    page.locator("#id_faktor-0-low").fill("-20")
    page.locator("#id_faktor-0-high").fill("-5")
    page.locator("#id_faktor-0-target_year").fill("2030")
    # A shift from inpatient to day care is one factor: 20 % (10–30 %) of bed-days become day stays by 2030.
    page.locator("#id_faktor-1-service").select_option("liggedogn")
    page.locator("#id_faktor-1-category").select_option("shift")
    page.locator("#id_faktor-1-kind").select_option("target")
    page.locator("#id_faktor-1-value").fill("20")
    page.locator("#id_faktor-1-low").fill("10")
    page.locator("#id_faktor-1-high").fill("30")
    page.locator("#id_faktor-1-target_year").fill("2030")
    page.locator("#id_faktor-1-to_service").select_option("dagopphold")
    page.locator("#id_faktor-1-ratio").fill("0")  # refused at its field first
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#id_faktor-1-ratio[aria-invalid=true]")).to_be_attached()
    check_axe(page, "scenario form with an error in the shift")
    page.locator("#id_faktor-1-ratio").fill("1")
    page.locator(".factor-row").nth(1).screenshot(path=str(SHOTS / "scenario-shift-factor.png"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/framskrivning/scenarioer/\d+/$"))
    scenario = Scenario.objects.get(name="E2E-scenario")
    assert scenario.factors[0]["service"] == "liggedogn"
    assert (scenario.factors[1]["to_service"], scenario.factors[1]["ratio"]) == ("dagopphold", 1.0)
    check_axe(page, "scenario")

    for _ in range(2):
        page.goto(f"/framskrivning/scenarioer/{scenario.pk}/")
        page.locator("main form[action$='/kjor/'] button[type=submit]").click()
        page.wait_for_url(re.compile(r"/framskrivning/kjoringer/\d+/$"))
        expect(page.locator("#summary-heading")).to_be_attached(timeout=WORK_TIMEOUT_MS)
    first, second = ScenarioRun.objects.filter(scenario=scenario).order_by("pk")
    assert first.status == second.status == WorkStatus.DONE
    page.goto(f"/framskrivning/kjoringer/{first.pk}/?omrade=kommune:3905")
    expect(page.locator("[data-vega-spec] svg").first).to_be_attached()
    check_axe(page, "run results")
    with page.expect_download() as download:
        page.locator("a[href$='/eksport.csv']").click()
    assert Path(download.value.path()).read_text(encoding="utf-8").startswith("level,area,service,year")

    page.goto(f"/framskrivning/sammenlign/?a={first.pk}&b={second.pk}&omrade=kommune:3905")
    check_axe(page, "compare")
    page.goto(f"/framskrivning/kjoringer/{first.pk}/")
    page.locator("main form[action$='/publiser/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/framskrivning/kjoringer/\d+/$"))
    first.refresh_from_db()
    assert first.published_at is not None

    reader = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    try:
        secretariat = reader.new_page()
        secretariat.on("pageerror", lambda error: problems.append(f"secretariat pageerror {error}"))
        login(secretariat, "sigrid")
        for language in ("nb", "nn"):
            if language == "nn":
                secretariat.locator("form.language-switcher button[value=nn]").click()
                expect(secretariat.locator("html")).to_have_attribute("lang", "nn")
            for path in (
                f"/framskrivning/?omrade=helsefellesskap:Vestfold&kilde={builtin.pk}",
                f"/framskrivning/?omrade=kommune:3905&kilde={source.pk}",
                "/framskrivning/scenarioer/",
                f"/framskrivning/kjoringer/{first.pk}/?omrade=kommune:3911",
                f"/framskrivning/sammenlign/?a={first.pk}&b={second.pk}&omrade=kommune:3905",
                "/framskrivning/offentlig/",
                f"/framskrivning/offentlig/kjoringer/{first.pk}/?omrade=helsefellesskap:Vestfold",
            ):
                response = secretariat.goto(path)
                assert response is not None and response.status == 200, path
                expect(secretariat.locator("html")).to_have_attribute("lang", language)
                check_axe(secretariat, f"{path} as sigrid in {language}")
                assert_no_sideways_scroll(secretariat, f"{path} ({language})", sizes=((1366, 900), (390, 900)))
                secretariat.set_viewport_size({"width": 1280, "height": 900})
        secretariat.goto(f"/framskrivning/kjoringer/{first.pk}/?omrade=kommune:3911")
        expect(secretariat.locator(".synthetic-marker")).to_be_attached()

        # The report on the partnership meeting's agenda, through the meeting module; the item links back.
        secretariat.goto(f"/framskrivning/kjoringer/{first.pk}/?omrade=helsefellesskap:Vestfold")
        secretariat.select_option("#id_body", str(partnership.pk))
        secretariat.select_option("#id_meeting", str(meeting.pk))
        secretariat.locator("main form[action$='/til-sak/'] button[type=submit]").click()
        secretariat.wait_for_url(re.compile(r"/moter/sak/\d+/$"))
        item = meeting.items.get(origin="projection")
        assert item.attachments.count() == 1 and item.origin_name == scenario.name
        for language in ("nn", "nb"):
            secretariat.locator(f"form.language-switcher button[value={language}]").click()
            expect(secretariat.locator("html")).to_have_attribute("lang", language)
            expect(secretariat.locator(f".gov-origin a[href^='/framskrivning/kjoringer/{first.pk}/']")).to_be_attached()
            check_axe(secretariat, f"agenda item from the projection in {language}")
        secretariat.locator(".gov-paper-head").screenshot(path=str(SHOTS / "agenda-item-origin.png"))
        secretariat.locator(".gov-origin a").click()
        secretariat.wait_for_url(re.compile(rf"/framskrivning/kjoringer/{first.pk}/\?omrade="))
    finally:
        reader.close()
    assert not problems, "\n".join(problems)
