"""Tertial values on the web side: stored with the run when it is loaded (with intervals and the marking against the
country's same tertial), shown beside the yearly values on the area and indicator pages, and served by the open API
(periode=T1–T3) and the CSV export, with the small-number rule swept over every response: a hidden tertial has no
number at all, never zero."""

import csv
import io
import itertools
import json

import pytest
from django.utils import translation

from samhandling.indicators import exports, jobs, services
from samhandling.indicators.api import HIDDEN_STATUS, MEASURES
from samhandling.indicators.models import Result

from .webfixtures import (
    HIDDEN_MUNICIPALITY,
    HIDDEN_TERTIAL_TEXT,
    HIDDEN_TERTIAL_VALUE,
    TERTIAL_INDICATORS,
    TERTIAL_PERIODS,
    add_tertials,
    make_run,
)

API = "/styringsinformasjon/api/v1/"
TERTIALS = ("T1", "T2", "T3")


@pytest.fixture
def run(demo):
    run = make_run()
    add_tertials(run)
    return run


def _nb(text: str) -> str:
    with translation.override("nb"):
        return translation.gettext(text)


# --- stored when the run is loaded --------------------------------------------------------------------------------

HEADER = (
    "stay_id,person_id,kjonn,alder,kommune,bydel,behandlende_hf,omsorgsniva,innleggelsesmate,fagomrade,"
    "hovedtilstand,inn_tid,ut_tid,utskrivningsklar_tid,utskrevet_til,epikrise_sendt_tid"
)


def _stays_over_the_year() -> str:
    """Inpatient stays ready for discharge four times a month in 2025 in Tønsberg and Sandefjord, 2 overliggerdøgn each;
    the data ends on 30 June, so T2 and T3 are partial and left out."""
    lines = [HEADER]
    for n in range(24):
        month, day = 1 + n // 4, 2 + (n % 4) * 7
        kommune = "3905" if n % 2 else "3907"
        lines.append(
            f"s{n},p{n},K,{60 + n},{kommune},,SiV,dogn,akutt,somatikk,I50,"
            f"2025-{month:02d}-{day:02d}T08:00:00,2025-{month:02d}-{day + 3:02d}T10:00:00,"
            f"2025-{month:02d}-{day + 1:02d}T12:00:00,hjem,2025-{month:02d}-{day + 3:02d}T15:00:00"
        )
    lines.append("last,pz,K,50,3905,,SiV,dag,elektiv,somatikk,I50,2025-06-30T08:00:00,2025-06-30T10:00:00,,hjem,")
    return "\n".join(lines) + "\n"


def test_a_run_stores_its_tertials_with_intervals_and_the_marking(demo, settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    settings.INDICATOR_DATA_ROOT = tmp_path / "inbox"
    settings.INDICATOR_JOBS_IN_WEB = False
    (tmp_path / "inbox").mkdir()
    upload = type("Upload", (), {"name": "opphold.csv", "chunks": lambda self: [_stays_over_the_year().encode()]})()
    job = services.dataset_import_start(actor=demo.anders, name="Første halvår", files=[upload])
    assert jobs.run_job(job.pk)
    job.refresh_from_db()
    run_job = services.indicator_run_start(actor=demo.anders, dataset=job.dataset, years=[2025])
    assert jobs.run_job(run_job.pk)
    run_job.refresh_from_db()
    run = run_job.run
    assert run is not None, run_job.message
    periods = set(Result.objects.filter(run=run).values_list("period", flat=True))
    assert periods == {"1y", "T1"}  # T2 (to 30 June) is partial: left out, not shown as low
    t1 = Result.objects.get(run=run, indicator="overliggerdogn", level="kommune", area="3905", period="T1")
    # 8 of the 12 Tønsberg stays (odd n) of January–June were discharged in January–April, 2 days each.
    assert t1.numerator == 16 and t1.ci_low is not None and t1.ci_low < t1.value < t1.ci_high
    assert t1.significance in ("better", "similar", "worse")
    assert run.summary["tertial_rows"] == Result.objects.filter(run=run, period="T1").count() > 0
    country = Result.objects.get(run=run, indicator="overliggerdogn", level="land", period="T1")
    assert country.significance == "" and country.ci_low is not None


# --- the open API -------------------------------------------------------------------------------------------------


def _offset(data: dict, indicator: str, area: str, year: str, measure: str) -> int:
    coordinates = {
        "indikator": indicator,
        "omrade": area,
        "aar": year,
        "periode": data["dimension"]["periode"]["category"]["index"][0],
        "maal": measure,
    }
    offset = 0
    for name, size in zip(data["id"], data["size"], strict=True):
        offset = offset * size + data["dimension"][name]["category"]["index"].index(coordinates[name])
    return offset


def test_the_api_serves_a_tertial_with_its_label(client, run):
    data = json.loads(client.get(API + "resultater.json", {"periode": "T1", "niva": "land"}).content)
    assert data["dimension"]["periode"]["category"]["index"] == ["T1"]
    assert data["dimension"]["periode"]["category"]["label"]["T1"] == _nb("first tertial (January–April)")
    assert data["dimension"]["aar"]["category"]["index"] == ["2024", "2025"]
    text = client.get(API + "resultater.csv", {"periode": "T2"}).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["period"] for r in rows} == {"T2"} and {r["year"] for r in rows} == {"2024"}
    assert len(rows) == Result.objects.filter(run=run, period="T2").count()
    # The yearly default is unchanged by the tertials beside it.
    yearly = list(csv.DictReader(io.StringIO(client.get(API + "resultater.csv").content.decode())))
    assert {r["period"] for r in yearly} == {"1y"}
    assert client.get(API + "resultater.json", {"periode": "T4"}).status_code == 400


@pytest.mark.parametrize(
    ("period", "level", "indicator"),
    list(itertools.product(TERTIALS, ["", "kommune", "bydel"], ["", *TERTIAL_INDICATORS])),
)
def test_no_tertial_response_carries_a_hidden_number(client, run, period, level, indicator):
    query = {"periode": period, **({"niva": level} if level else {}), **({"indikator": indicator} if indicator else {})}
    hidden = Result.objects.filter(run=run, suppressed=True, period=period)
    if level:
        hidden = hidden.filter(level=level)
    if indicator:
        hidden = hidden.filter(indicator=indicator)
    data = json.loads(client.get(API + "resultater.json", query).content)
    text = client.get(API + "resultater.csv", query).content.decode()
    for body in (json.dumps(data), text):
        assert HIDDEN_TERTIAL_TEXT not in body and str(HIDDEN_TERTIAL_VALUE) not in body and "28.57" not in body
    for result in hidden:
        for measure in MEASURES:
            offset = _offset(data, result.indicator, result.area, str(result.year), measure)
            assert data["value"][offset] is None and data["status"][str(offset)] == HIDDEN_STATUS
    keys = {(r.indicator, r.level, r.area, r.year) for r in hidden}
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and {r["period"] for r in rows} == {period}
    for row in rows:
        if (row["indicator"], row["level"], row["area"], int(row["year"])) in keys:
            assert row["suppressed"] == "true" and all(row[measure] == "" for measure in MEASURES), row
        else:
            assert row["suppressed"] == "false" and row["value"] not in ("", "0", "0.0"), row
    if period == "T1" and level in ("", "bydel"):
        assert hidden.filter(level="bydel", value=0).exists()  # the sweep met a hidden zero


# --- exports ------------------------------------------------------------------------------------------------------


def _csv(response) -> list[dict]:
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return [dict(zip(exports.COLUMNS, line, strict=True)) for line in lines[1:]]


@pytest.mark.parametrize(
    "query",
    [f"niva=kommune&omrade={HIDDEN_MUNICIPALITY}", "niva=bydel&omrade=030102", "indikator=reinnleggelse_30d"],
)
def test_the_export_has_the_tertials_named_and_hidden_ones_blank(client, run, query):
    response = client.get(f"/styringsinformasjon/offentlig/eksport.csv?{query}")
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig")
    assert HIDDEN_TERTIAL_TEXT not in body and "28.57" not in body
    rows = _csv(response)
    tertial_rows = [r for r in rows if r["period"] in TERTIALS]
    assert tertial_rows and {r["period_name"] for r in tertial_rows} >= {_nb("first tertial (January–April)")}
    for row in tertial_rows:
        if row["suppressed"] == "true":
            assert row["numerator"] == row["denominator"] == row["value"] == row["ci_low"] == ""
        else:
            numerator, denominator = float(row["numerator"]), float(row["denominator"])
            assert not 1 <= numerator <= 4 and denominator >= 5


# --- the pages ----------------------------------------------------------------------------------------------------


def test_the_area_page_shows_tertials_beside_the_years_with_hidden_cells_marked(client, run):
    html = client.get(
        f"/styringsinformasjon/offentlig/kommuner/{HIDDEN_MUNICIPALITY}/", {"indikator": "reinnleggelse_30d"}
    ).content.decode()
    assert 'id="tertial-heading"' in html and 'class="ds-table tertial-table"' in html
    table = html[html.index('class="ds-table tertial-table"') :]
    table = table[: table.index("</table>")]
    # 2024 with three tertials and the year, 2025 with T1 only (no partial tertial) and the year.
    assert table.count(">T1<") == 2 and table.count(">T2<") == 1 and table.count(_nb("Whole year")) == 2
    assert 'class="hidden-value"' in table and HIDDEN_TERTIAL_TEXT not in html
    assert 'data-vega-spec="tertial-spec"' in html
    spec = html[html.index('id="tertial-spec"') :]
    spec = spec[spec.index(">") + 1 : spec.index("</script>")]
    assert "28.57" not in spec and '"2025 T1"' in spec  # the country's 2025 T1 is drawn, Færder's is not
    # A share: no word about annualising.
    assert _nb("is not annualised") not in html


def test_a_rate_per_1000_says_its_tertials_are_not_annualised(client, run):
    html = client.get("/styringsinformasjon/offentlig/indikatorer/overliggerdogn/").content.decode()
    assert 'id="tertial-heading"' in html
    text = _nb(
        "A tertial value per 1,000 inhabitants is not annualised: it counts the four months only, over the "
        "population on 1 January, so it is about a third of the yearly value."
    )
    assert text in html


def test_an_indicator_without_tertials_has_no_tertial_table(client, run):
    html = client.get("/styringsinformasjon/offentlig/indikatorer/epikrise_innen_1_dag/").content.decode()
    assert 'id="detail-heading"' in html and 'id="tertial-heading"' not in html


def test_the_analyst_sees_the_raw_tertial_marked_hidden_for_others(client, demo, run):
    client.force_login(demo.anders)
    html = client.get(
        f"/styringsinformasjon/kommuner/{HIDDEN_MUNICIPALITY}/", {"indikator": "reinnleggelse_30d"}
    ).content.decode()
    table = html[html.index('class="ds-table tertial-table"') :]
    table = table[: table.index("</table>")]
    assert HIDDEN_TERTIAL_TEXT in table and "hidden-for-others" in table


def test_the_yearly_views_are_unchanged_by_tertial_rows(client, run):
    """The dashboards that read 1y (ranking, map) get no tertial rows: the map's 2025 values are the yearly ones."""
    assert TERTIAL_PERIODS[2025] == ("T1",)
    html = client.get(
        "/styringsinformasjon/offentlig/kart/", {"indikator": "reinnleggelse_30d", "aar": "2025"}
    ).content.decode()
    assert HIDDEN_TERTIAL_TEXT not in html and "28.57" not in html
