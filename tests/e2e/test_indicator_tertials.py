"""End-to-end for the tertial values (issue 11), public pages, bokmål and nynorsk: the tertial chart is drawn under
the CSP beside its table, the table marks a hidden tertial as hidden (no number), no page scrolls sideways at 1366 or
390 px, and axe finds nothing. Screenshots are written to var/screenshots/ to be looked at."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.indicators.webfixtures import add_tertials, make_run

from .conftest import assert_no_sideways_scroll, check_axe

PAGES = (
    "/styringsinformasjon/offentlig/kommuner/3911/?indikator=reinnleggelse_30d#detail",
    "/styringsinformasjon/offentlig/indikatorer/overliggerdogn/",
)
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def published(site):
    run = make_run()
    add_tertials(run)
    return run


def test_tertial_table_and_chart_in_both_languages(site, published, browser):
    problems: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(base_url=site.url, viewport={"width": 1366, "height": 768}, locale="nb-NO")
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"pageerror {error}"))
        for language in ("nb", "nn"):
            page.goto("/styringsinformasjon/offentlig/")
            if language == "nn":
                page.locator("form.language-switcher button[value=nn]").click()
                expect(page.locator("html")).to_have_attribute("lang", "nn")
            for number, path in enumerate(PAGES):
                page.set_viewport_size({"width": 1366, "height": 768})
                response = page.goto(path)
                assert response is not None and response.status == 200, path
                expect(page.locator("html")).to_have_attribute("lang", language)
                heading = page.locator("#tertial-heading")
                expect(heading).to_be_visible()
                expect(page.locator("[data-vega-spec='tertial-spec'] svg")).to_be_attached()
                table = page.locator("table.tertial-table")
                expect(table.locator("thead th[scope=colgroup]")).to_have_count(2)  # 2024 and 2025
                if number == 0:  # Færder's T1 2025 readmissions are hidden: marked, no number
                    expect(table.locator(".hidden-value")).to_have_count(2)  # and 2025 as a whole (3 of 11)
                check_axe(page, f"{path} in {language}")
                block = page.locator("div.chart-with-table:has(table.tertial-table)")
                block.screenshot(path=str(SHOTS / f"tertials-{number}-{language}-1366.png"))
                assert_no_sideways_scroll(page, f"{path} ({language})")
                table.screenshot(path=str(SHOTS / f"tertials-{number}-{language}-390.png"))
    finally:
        context.close()
    assert not problems, "\n".join(problems)
