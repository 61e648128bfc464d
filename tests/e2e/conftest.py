"""Fixtures for the browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Every test here runs in a real browser against the real application with the demo world loaded (see `site`).
Helpers: `login(page, username)` logs in through the real form; `check_axe(page)` runs axe-core on the page
and fails on serious or critical violations.
"""

import os
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connections
from playwright.sync_api import Page, expect, sync_playwright

from samhandling.core.management.commands.demo import DEMO_PASSWORD
from samhandling.core.models import Helsefellesskap, Organisation, User

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE_SOURCE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
TIMEOUT_MS = 10_000
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    """Every test in tests/e2e is an end-to-end test (`-m "not e2e"` leaves them out)."""
    for item in items:
        if E2E_DIR in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="package", autouse=True)
def _allow_orm_beside_playwright():
    """Playwright's sync API keeps an event loop running in the test thread, and Django then refuses ORM calls
    ("SynchronousOnlyOperation"). DJANGO_ALLOW_ASYNC_UNSAFE lifts that, but only while the browser tests run: set
    for the whole process it would leak into other tests and their subprocesses (`manage.py check --deploy`
    rightly fails with async.E001 when it is set)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_allow_orm_beside_playwright):
    """Chromium for the browser tests; package-scoped so Playwright's event loop is gone after tests/e2e."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/ensure_test_tools.sh (apt-get install chromium).")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context per test; relative URLs (page.goto("/konto/")) go to the live server."""
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def _seen_from_another_thread() -> dict[str, bool]:
    """What a thread with its own database connection (like the live server's) sees of the demo world."""
    seen: dict[str, bool] = {}

    def probe():
        try:
            seen["municipality 3905"] = Organisation.objects.filter(type="kommune", municipality_number="3905").exists()
            seen["sigrid"] = User.objects.filter(username="sigrid", is_active=True).exists()
        finally:
            connections.close_all()

    thread = threading.Thread(target=probe)
    thread.start()
    thread.join()
    return seen


@pytest.fixture
def site(live_server, transactional_db, demo):
    """The live server with the demo world: `site.url`, `site.demo` (the personas), `site.password`.

    live_server makes the test transactional, so the demo world is committed and the server thread sees it;
    `transactional_db` is requested before `demo` so the `db` fixture under it opens no transaction (the
    shared `reference` fixture rebuilds the world when an earlier transactional test has flushed it).
    """
    community = Helsefellesskap.objects.get(slug="vestfold")
    seen = _seen_from_another_thread()
    assert seen == {"municipality 3905": True, "sigrid": True}, (
        f"the live server thread cannot see the demo world (not committed?): {seen}"
    )
    return SimpleNamespace(url=live_server.url, demo=demo, password=demo.password, community=community)


def login(page: Page, username: str, password: str = DEMO_PASSWORD) -> None:
    """Log in through the real form at /konto/logg-inn/ and wait until the front page has loaded."""
    page.goto("/konto/logg-inn/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("/")
    expect(page.locator("form[action='/konto/logg-ut/']"), f"{username} should be logged in").to_be_attached()


def run_axe(page: Page) -> list[dict]:
    """Run axe-core on the page; returns the serious and critical violations.

    The site's CSP (`script-src 'self'`) would block an injected <script>; page.evaluate is not subject to it.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    results = page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]};
            const result = await axe.run(document, options);
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary, html: n.html})),
            }));
        }""",
        AXE_TAGS,
    )
    return [violation for violation in results if violation["impact"] in ("serious", "critical")]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        for node in violation["nodes"][:10]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    at {target}: {node['html'][:160]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", "\n      "))
    return "\n".join(lines)


def check_axe(page: Page, label: str = "") -> None:
    """Assert that axe finds no serious or critical WCAG 2.1 A/AA or best-practice violation on the page."""
    violations = run_axe(page)
    where = label or page.url
    assert not violations, f"axe: serious/critical violations on {where}:\n{format_violations(violations)}"


LAPTOP_AND_PHONE = ((1366, 768), (390, 844))


def assert_no_sideways_scroll(page: Page, label: str, sizes=LAPTOP_AND_PHONE) -> None:
    """At each (width, height), the page is no wider than the window; the window is left at the last size."""
    for width, height in sizes:
        page.set_viewport_size({"width": width, "height": height})
        scrolled = page.evaluate("document.documentElement.scrollWidth")
        assert scrolled <= width, f"{label} is {scrolled} px wide at {width} px"
