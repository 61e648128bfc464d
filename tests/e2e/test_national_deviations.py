"""End-to-end for the national deviation statistics (issue 11): the secretariat opens it from the national view,
changes the period with the button (choosing alone changes nothing, WCAG 3.2.2), and axe finds nothing in bokmål or
nynorsk; no page scrolls sideways at 1366 or 390 px. Elements are found by id, class and attributes."""

import os
from pathlib import Path

from playwright.sync_api import expect

from tests.deviations.nationaldata import YEAR, demo_places, small_world

from .conftest import check_axe, login

URL = f"/styringsinformasjon/nasjonalt/avvik/?aar={YEAR}&periode=year"


def test_national_deviation_statistics_in_both_languages(site, browser):
    small_world(demo_places())
    shots = os.environ.get("SCREENSHOT_DIR")
    problems: list[str] = []
    context = browser.new_context(base_url=site.url, viewport={"width": 1366, "height": 768}, locale="nb-NO")
    try:
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"pageerror {error}"))
        login(page, "sigrid")
        page.goto("/styringsinformasjon/nasjonalt/")
        page.locator("a[href='/styringsinformasjon/nasjonalt/avvik/']").click()
        page.wait_for_url("**/nasjonalt/avvik/")
        # Choosing a period changes nothing until the button is pressed.
        page.locator("#id_aar").select_option(str(YEAR))
        page.locator("#id_periode").select_option("year")
        assert page.url.endswith("/nasjonalt/avvik/")
        page.locator("form.filters button[type=submit]").click()
        page.wait_for_url(f"**aar={YEAR}&periode=year")
        expect(page.locator("table caption")).to_have_count(4)
        expect(page.locator(".hidden-value").first).to_be_visible()
        for language in ("nb", "nn"):
            if language == "nn":
                page.locator("form.language-switcher button[value=nn]").click()
                expect(page.locator("html")).to_have_attribute("lang", "nn")
            page.goto(URL)
            for width, height in ((1366, 768), (390, 844)):
                page.set_viewport_size({"width": width, "height": height})
                check_axe(page, f"national deviations in {language} at {width} px")
                scrolled = page.evaluate("document.documentElement.scrollWidth")
                assert scrolled <= width, f"the page is {scrolled} px wide at {width} px ({language})"
                if shots:
                    stem = Path(shots) / f"national-deviations-{language}-{width}"
                    page.screenshot(path=f"{stem}.png", full_page=True)
                    page.locator("#harm-heading").scroll_into_view_if_needed()
                    page.screenshot(path=f"{stem}-harm.png")
                    page.evaluate("window.scrollTo(0, 0)")
            # The wide tables scroll inside their own frame, which the keyboard reaches.
            frame = page.locator(".deviation-table").first
            expect(frame).to_have_attribute("tabindex", "0")
            frame.focus()
            assert page.evaluate("document.activeElement.classList.contains('deviation-table')")
    finally:
        context.close()
    assert not problems, "\n".join(problems)
