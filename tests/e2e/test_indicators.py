"""End-to-end: the analyst (anders) uploads a tiny data set through the import page and follows the progress bar,
starts a run and follows it, publishes it, and the public dashboard shows it without log-in. axe-core checks every
page on the way, and the dashboards again in nynorsk.

Elements are found by id, name, URL and attributes, never by visible text (translations are merged later)."""

import re

import pytest
from playwright.sync_api import Page, expect

from samhandling.indicators.models import Run, RunStatus

from .conftest import assert_no_sideways_scroll, check_axe, login

HEADER = (
    "stay_id,person_id,kjonn,alder,kommune,bydel,behandlende_hf,omsorgsniva,innleggelsesmate,fagomrade,"
    "hovedtilstand,inn_tid,ut_tid,utskrivningsklar_tid,utskrevet_til,epikrise_sendt_tid"
)
JOB_TIMEOUT_MS = 60_000


@pytest.fixture
def storage(settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    settings.INDICATOR_DATA_ROOT = tmp_path / "inbox"
    return tmp_path


def _tiny_opphold(path) -> None:
    lines = [HEADER]
    for n in range(40):
        municipality = ("3905", "3907", "3909")[n % 3]
        lines.append(
            f"s{n},p{n},{'KM'[n % 2]},{60 + n % 35},{municipality},,Sykehuset i Vestfold,dogn,akutt,somatikk,I50,"
            f"2025-03-0{1 + n % 5}T08:00:00,2025-03-1{n % 5}T10:00:00,2025-03-0{6 + n % 3}T12:00:00,hjem,"
            f"2025-03-1{n % 5}T15:00:00"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _wait_for_job(page: Page) -> None:
    status = page.locator("#job-status")
    expect(status).to_be_attached()
    expect(status).to_have_attribute("data-status", "done", timeout=JOB_TIMEOUT_MS)


def test_analyst_imports_runs_and_publishes_and_the_public_sees_it(site, storage, page: Page, browser):
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(f"pageerror {error}"))
    login(page, "anders")

    page.goto("/styringsinformasjon/")
    check_axe(page, "dashboards without results (analyst)")

    page.goto("/styringsinformasjon/datasett/importer/")
    check_axe(page, "import page")
    upload = storage / "opphold.csv"
    _tiny_opphold(upload)
    page.locator("#id_name").fill("E2E-levering")
    page.locator("#id_files").set_input_files(str(upload))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/styringsinformasjon/jobber/\d+/$"))
    expect(page.locator("#job-status")).to_be_attached()
    check_axe(page, "import job page (while running or done)")
    _wait_for_job(page)
    check_axe(page, "import job page (done)")

    page.locator("#job-status a[href*='/kjoringer/ny/']").click()
    page.wait_for_url(re.compile(r"/styringsinformasjon/kjoringer/ny/"))
    check_axe(page, "start a run")
    page.locator("#id_years").fill("2025")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/styringsinformasjon/jobber/\d+/$"))
    _wait_for_job(page)

    page.locator("#job-status a[href*='/kjoringer/']").first.click()
    page.wait_for_url(re.compile(r"/styringsinformasjon/kjoringer/\d+/$"))
    check_axe(page, "run page")
    page.locator("main form[action$='/publiser/'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/styringsinformasjon/kjoringer/\d+/$"))
    run = Run.objects.get(dataset__name="E2E-levering")
    assert run.status == RunStatus.PUBLISHED

    for path in (
        "/styringsinformasjon/datasett/",
        f"/styringsinformasjon/datasett/{run.dataset_id}/",
        "/styringsinformasjon/kjoringer/",
        "/styringsinformasjon/helsefellesskap/vestfold/",
        "/styringsinformasjon/kommuner/3905/",
    ):
        page.goto(path)
        check_axe(page, f"{path} as anders")

    public = browser.new_context(base_url=site.url, viewport={"width": 1280, "height": 900}, locale="nb-NO")
    try:
        visitor = public.new_page()
        visitor.on("pageerror", lambda error: problems.append(f"public pageerror {error}"))
        for language in ("nb", "nn"):
            if language == "nn":
                visitor.locator("form.language-switcher button[value=nn]").click()
                expect(visitor.locator("html")).to_have_attribute("lang", "nn")
            for path in (
                "/styringsinformasjon/offentlig/",
                "/styringsinformasjon/offentlig/helsefellesskap/vestfold/?indikator=epikrise_innen_1_dag",
                "/styringsinformasjon/offentlig/kommuner/3905/",
                "/styringsinformasjon/offentlig/bydeler/030101/",
                "/styringsinformasjon/offentlig/indikatorer/reinnleggelse_30d/",
            ):
                response = visitor.goto(path)
                assert response is not None and response.status == 200, path
                expect(visitor.locator("html")).to_have_attribute("lang", language)
                expect(visitor.locator(".synthetic-marker")).to_have_count(0)  # an uploaded data set is not synthetic
                expect(visitor.locator(".run-info")).to_be_attached()
                check_axe(visitor, f"{path} public in {language}")
                # No sideways scrolling of the page on a laptop or a phone.
                assert_no_sideways_scroll(visitor, f"{path} ({language})", sizes=((1366, 900), (390, 900)))
                visitor.set_viewport_size({"width": 1280, "height": 900})
            # The chart of the community comparison is drawn (vega-embed ran under the CSP).
            visitor.goto("/styringsinformasjon/offentlig/?indikator=epikrise_innen_1_dag")
            expect(visitor.locator("[data-vega-spec] svg").first).to_be_attached()
    finally:
        public.close()
    assert not problems, "\n".join(problems)
