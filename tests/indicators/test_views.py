"""The indicator pages × every persona and anonymous, and what each may read: hidden values stay hidden (never zero)
for everyone but the analyst (anders), the public pages show only the published run, and exports leave small
numbers blank with a flag and carry the synthetic-data marker."""

import csv
import io
import json

import pytest
from django.utils import translation
from openpyxl import load_workbook

from samhandling.indicators import exports, selectors, services
from samhandling.indicators.models import Run, RunStatus
from tests.matrix import url_names, walk

from .webfixtures import HIDDEN_MUNICIPALITY, HIDDEN_TEXT, deferred, make_run

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "turid", "per", "hilde", "sigrid", "tove", "lars", "anders", "ola", ANON]
ANALYSTS = {"anders"}
ANALYST_VIEWS = {"datasets", "dataset", "dataset_period", "dataset_import", "job", "runs", "run", "run_start"}
DASHBOARDS = {"home", "indicator", "community", "municipality", "district", "export", "map", "funnel", "national"}

API_VIEWS = {"api_docs", "api_results_json", "api_results_csv", "api_indicators", "api_openapi"}  # open to anyone
COVERED_URL_NAMES = (
    DASHBOARDS
    | {f"public_{name}" for name in DASHBOARDS}
    | ANALYST_VIEWS
    | {"run_publish", "run_unpublish"}
    | API_VIEWS
    | {"groups", "group_delete"}
    | {"national_deviations", "national_deviations_csv"}
)
# The national deviation statistics: analysts and the communities' secretariats and administrators, never public.
NATIONAL_DEVIATIONS = {"anders", "sigrid", "tove"}


@pytest.fixture
def published_run(demo):
    return make_run()


def test_every_indicator_url_is_in_a_matrix():
    assert url_names("indicators") == COVERED_URL_NAMES


def _expect(view: str, persona: str) -> int:
    if view == "group_delete":  # someone else's (here: no) group is not found; anonymous goes to the log-in page
        return 302 if persona == ANON else 404
    if view.startswith("public_") or view in API_VIEWS:
        return 200
    if view.startswith("national_deviations"):
        return 302 if persona == ANON else (200 if persona in NATIONAL_DEVIATIONS else 403)
    if view in ANALYST_VIEWS or view in ("run_publish", "run_unpublish"):
        if persona == ANON:
            return 302
        return (
            302
            if persona in ANALYSTS and view in ("run_publish", "run_unpublish")
            else (200 if persona in ANALYSTS else 403)
        )
    return 302 if persona == ANON else 200


@pytest.mark.parametrize("persona", PERSONAS)
def test_indicator_permission_matrix(client, demo, published_run, persona):
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    draft = make_run(published=False, offset=1)
    job = services.Job.objects.create(kind="run", params={}, created_by=demo.anders)
    area = "?niva=kommune&omrade=3901"
    requests = {}
    for prefix, base in (("", "/styringsinformasjon/"), ("public_", "/styringsinformasjon/offentlig/")):
        requests |= {
            f"{prefix}home": base,
            f"{prefix}indicator": f"{base}indikatorer/reinnleggelse_30d/",
            f"{prefix}community": f"{base}helsefellesskap/vestfold/",
            f"{prefix}municipality": f"{base}kommuner/3905/",
            f"{prefix}district": f"{base}bydeler/030101/",
            f"{prefix}export": f"{base}eksport.csv{area}",
            f"{prefix}map": f"{base}kart/?indikator=reinnleggelse_30d&aar=2025&fellesskap=Vestfold",
            f"{prefix}funnel": f"{base}trakt/?indikator=reinnleggelse_30d&fellesskap=Vestfold",
            f"{prefix}national": f"{base}nasjonalt/",
        }
    requests |= {
        "datasets": "/styringsinformasjon/datasett/",
        "dataset": f"/styringsinformasjon/datasett/{draft.dataset_id}/",
        "dataset_period": f"/styringsinformasjon/datasett/{draft.dataset_id}/periode/",
        "dataset_import": "/styringsinformasjon/datasett/importer/",
        "job": f"/styringsinformasjon/jobber/{job.pk}/",
        "runs": "/styringsinformasjon/kjoringer/",
        "run": f"/styringsinformasjon/kjoringer/{draft.pk}/",
        "run_start": "/styringsinformasjon/kjoringer/ny/",
        "run_publish": ("post", f"/styringsinformasjon/kjoringer/{draft.pk}/publiser/"),
        "run_unpublish": ("post", f"/styringsinformasjon/kjoringer/{draft.pk}/avpubliser/"),
        "groups": "/styringsinformasjon/grupper/",
        "group_delete": ("post", "/styringsinformasjon/grupper/999999/slett/"),
        "national_deviations": "/styringsinformasjon/nasjonalt/avvik/?aar=2025&periode=1",
        "national_deviations_csv": "/styringsinformasjon/nasjonalt/avvik.csv?aar=2025&periode=year",
        "api_docs": "/styringsinformasjon/api/",
        "api_results_json": "/styringsinformasjon/api/v1/resultater.json?niva=kommune",
        "api_results_csv": "/styringsinformasjon/api/v1/resultater.csv?niva=kommune",
        "api_indicators": "/styringsinformasjon/api/v1/indikatorer.json",
        "api_openapi": "/styringsinformasjon/api/v1/openapi.json",
    }

    def redirect_or_login(view, response, status):
        if status == 302 and persona in ANALYSTS and not response["Location"].startswith("/styringsinformasjon/"):
            return [f"{view}: redirected to {response['Location']}"]
        return []

    # walk() insists that a 302 leads to the log-in page; publish/unpublish redirect the analyst to the run page.
    plain = {k: v for k, v in requests.items() if not (persona in ANALYSTS and k in ("run_publish", "run_unpublish"))}
    failures = walk(client, plain, lambda view: _expect(view, persona))
    if persona in ANALYSTS:
        for view in ("run_publish", "run_unpublish"):
            response = client.post(requests[view][1])
            if response.status_code != 302:
                failures.append(f"{view}: expected 302, got {response.status_code}")
            failures += redirect_or_login(view, response, response.status_code)
    assert not failures, "\n".join(failures)


def test_it_hides_small_numbers_from_logged_in_users_who_are_not_analysts(client, demo, published_run):
    client.force_login(demo.kari)
    html = client.get("/styringsinformasjon/kommuner/3911/").content.decode()
    assert 'class="hidden-value"' in html and _nb("fewer than 5 cases") in html
    assert HIDDEN_TEXT not in html


def test_it_shows_raw_values_to_the_analyst_marked_as_hidden_for_others(client, demo, published_run):
    client.force_login(demo.anders)
    html = client.get("/styringsinformasjon/kommuner/3911/").content.decode()
    assert HIDDEN_TEXT in html
    assert 'class="ds-tag hidden-for-others"' in html


def test_it_never_shows_a_hidden_value_as_zero_in_the_dashboard_selector(demo, published_run):
    municipality = selectors.municipality_area(HIDDEN_MUNICIPALITY)
    dashboard = selectors.area_dashboard(published_run, municipality, raw=False)
    row = next(r for _g, rows in dashboard.groups for r in rows if r.indicator.id == "reinnleggelse_30d")
    assert row.latest.hidden and row.latest.value is None and row.latest.numerator is None
    assert row.versus_country.absolute is None
    assert row.trend[0][1].value is not None  # 2024 is not small


def test_it_leaves_hidden_values_out_of_the_comparison_chart(client, demo, published_run):
    client.force_login(demo.kari)
    response = client.get("/styringsinformasjon/kommuner/3905/?indikator=reinnleggelse_30d")
    chart = next(c for c in deferred(response.context["detail"])["comparisons"] if c["key"] == "municipalities")
    spec = json.dumps(chart["chart"], ensure_ascii=False)
    assert '"Færder"' not in spec and '"Tønsberg"' in spec


def test_the_public_pages_show_only_the_published_run(client, demo):
    draft = make_run(published=False, offset=3)
    html = client.get("/styringsinformasjon/offentlig/").content.decode()
    assert _nb("No results have been published yet.") in html
    services.run_publish(actor=demo.anders, run=draft)
    response = client.get("/styringsinformasjon/offentlig/")
    assert response.context["run"].pk == draft.pk


def test_the_public_pages_ignore_a_chosen_run(client, demo, published_run):
    draft = make_run(published=False, offset=4)
    response = client.get(f"/styringsinformasjon/offentlig/?kjoring={draft.pk}")
    assert response.context["run"].pk == published_run.pk


def test_it_marks_synthetic_data_on_the_page(client, demo, published_run):
    html = client.get("/styringsinformasjon/offentlig/helsefellesskap/vestfold/").content.decode()
    assert _nb("Synthetic data") in html


def test_it_shows_the_community_rank_among_the_others(client, demo, published_run):
    client.force_login(demo.sigrid)
    response = client.get("/styringsinformasjon/helsefellesskap/vestfold/")
    row = next(
        r
        for _g, rows in deferred(response.context["dashboard"]).groups
        for r in rows
        if r.indicator.id == "overliggerdogn"
    )
    assert row.rank is not None and row.ranked == 19
    assert row.versus_country.absolute is not None and row.versus_country.relative is not None


def test_it_lists_the_municipalities_side_by_side_on_the_community_page(client, demo, published_run):
    response = client.get("/styringsinformasjon/offentlig/helsefellesskap/vestfold/?indikator=overliggerdogn")
    kinds = [c["key"] for c in deferred(response.context["detail"])["comparisons"]]
    assert kinds == ["communities", "municipalities"]
    municipalities = deferred(response.context["detail"])["comparisons"][1]["rows"]
    assert len(municipalities) == 6
    assert deferred(response.context["detail"])["centrality"]


def test_an_unknown_area_is_404(client, demo, published_run):
    assert client.get("/styringsinformasjon/offentlig/kommuner/9999/").status_code == 404
    assert client.get("/styringsinformasjon/offentlig/helsefellesskap/finnes-ikke/").status_code == 404
    assert client.get("/styringsinformasjon/offentlig/indikatorer/finnes_ikke/").status_code == 404


def _nb(text: str) -> str:
    with translation.override("nb"):
        return translation.gettext(text)


def _csv(response) -> list[dict]:
    """Rows keyed by the export's column ids (the headers are translated)."""
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=","))
    return [dict(zip(exports.COLUMNS, line, strict=True)) for line in lines[1:]]


def test_the_csv_export_leaves_small_numbers_blank_with_a_flag(client, demo, published_run):
    response = client.get(f"/styringsinformasjon/offentlig/eksport.csv?niva=kommune&omrade={HIDDEN_MUNICIPALITY}")
    assert response.status_code == 200
    rows = _csv(response)
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert len(hidden) == 1
    assert hidden[0]["numerator"] == hidden[0]["denominator"] == hidden[0]["value"] == ""
    assert all(r["synthetic"] == "true" for r in rows)
    assert "27.27" not in response.content.decode("utf-8-sig")


def test_the_xlsx_export_of_an_indicator_has_no_small_numbers_and_says_synthetic(client, demo, published_run):
    response = client.get("/styringsinformasjon/offentlig/eksport.xlsx?indikator=reinnleggelse_30d")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(sheet.iter_rows(values_only=True))
    assert _nb("Synthetic data") in values[0][0]
    rows = [dict(zip(exports.COLUMNS, row, strict=True)) for row in values[3:]]
    assert {r["level"] for r in rows} == {"land", "helsefellesskap"}
    assert len(rows) == 2 * 20
    assert all(r["value"] is None for r in rows if r["suppressed"] is True)


def test_the_analyst_export_has_the_raw_numbers(client, demo, published_run):
    client.force_login(demo.anders)
    rows = _csv(client.get(f"/styringsinformasjon/eksport.csv?niva=kommune&omrade={HIDDEN_MUNICIPALITY}"))
    hidden = [r for r in rows if r["suppressed"] == "true"]
    assert hidden[0]["numerator"] == "3"


def test_an_export_that_names_no_view_is_a_bad_request(client, demo, published_run):
    assert client.get("/styringsinformasjon/offentlig/eksport.csv").status_code == 400


def test_the_analyst_publishes_and_unpublishes_a_run(client, demo, published_run):
    draft = make_run(published=False, offset=5)
    client.force_login(demo.anders)
    client.post(f"/styringsinformasjon/kjoringer/{draft.pk}/publiser/")
    assert Run.objects.get(pk=draft.pk).status == RunStatus.PUBLISHED
    assert Run.objects.get(pk=published_run.pk).status == RunStatus.READY
    client.post(f"/styringsinformasjon/kjoringer/{draft.pk}/avpubliser/")
    assert not Run.objects.filter(status=RunStatus.PUBLISHED).exists()


def test_the_job_page_answers_htmx_with_the_status_block_only(client, demo):
    job = services.Job.objects.create(kind="import", params={}, created_by=demo.anders, progress=0.4)
    client.force_login(demo.anders)
    html = client.get(f"/styringsinformasjon/jobber/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert html.lstrip().startswith('<div id="job-status"')
    assert 'value="40"' in html and 'hx-trigger="every 1s"' in html


def _number(text: str) -> float | None:
    return float(text) if text else None


def test_no_public_export_carries_a_numerator_of_1_to_4_or_a_denominator_below_5(client, demo, published_run):
    queries = [f"indikator={indicator}" for indicator in published_run.results.values_list("indicator", flat=True)]
    queries += [
        f"niva={level}&omrade={area}"
        for level, area in published_run.results.values_list("level", "area").distinct()
        if level != "land"
    ]
    checked = 0
    for query in sorted(set(queries)):
        response = client.get(f"/styringsinformasjon/offentlig/eksport.csv?{query}")
        assert response.status_code == 200, query
        for row in _csv(response):
            numerator, denominator = _number(row["numerator"]), _number(row["denominator"])
            if numerator is None and denominator is None:
                assert row["suppressed"] == "true" and row["value"] == "", (query, row)
                continue
            assert not 1 <= numerator <= 4 and denominator >= 5, (query, row)
            checked += 1
    assert checked > 100  # the sweep really read numbers (and the fixture has hidden ones: see the tests above)
