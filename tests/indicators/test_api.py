"""The open API: JSON-stat 2.0 read back by two independent readers (jsonstat-validator's strict schema and pyjstat's
DataFrame), CSV, the filters, the published run only, and a sweep over every filter combination for hidden values:
a hidden cell is null with the status ":" (JSON-stat) or empty with suppressed=true (CSV), never a number or zero."""

import csv
import io
import itertools
import json

import pytest
from jsonstat_validator import Dataset as JsonStatDataset
from pyjstat import pyjstat

from samhandling.indicators import services
from samhandling.indicators.api import HIDDEN_STATUS, MEASURES
from samhandling.indicators.models import Result

from .webfixtures import HIDDEN_MUNICIPALITY, HIDDEN_TEXT, HIDDEN_VALUE, INDICATORS, YEARS, make_run

BASE = "/styringsinformasjon/api/v1/"


@pytest.fixture
def run(demo):
    return make_run()


def _get(client, path: str, **query):
    return client.get(BASE + path, query)


def test_the_json_stat_is_valid_and_reads_back_with_the_numbers_of_the_database(client, demo, run):
    response = _get(client, "resultater.json", niva="kommune", indikator="reinnleggelse_30d")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/json")
    assert response["Access-Control-Allow-Origin"] == "*" and "max-age" in response["Cache-Control"]
    data = json.loads(response.content)
    JsonStatDataset.model_validate(data)  # strict JSON-stat 2.0 schema: raises on any breach
    frame = pyjstat.Dataset.read(json.dumps(data)).write("dataframe", naming="id")
    assert len(frame) == 1 * 6 * len(YEARS) * 1 * len(MEASURES)  # indicator × 6 municipalities × years × measures
    values = frame[frame["maal"] == "value"].set_index(["omrade", "aar"])["value"]
    for result in Result.objects.filter(run=run, indicator="reinnleggelse_30d", level="kommune", period="1y"):
        read = values[(result.area, str(result.year))]
        if result.suppressed:
            assert read != read  # NaN: no number, not zero
        else:
            assert read == pytest.approx(result.value)
    hidden_offset = _offset(data, "reinnleggelse_30d", HIDDEN_MUNICIPALITY, "2025", "value")
    assert data["value"][hidden_offset] is None and data["status"][str(hidden_offset)] == HIDDEN_STATUS


def _offset(data: dict, indicator: str, area: str, year: str, measure: str) -> int:
    coordinates = {"indikator": indicator, "omrade": area, "aar": year, "periode": data["dimension"]["periode"]}
    coordinates["periode"] = data["dimension"]["periode"]["category"]["index"][0]
    coordinates["maal"] = measure
    offset = 0
    for name, size in zip(data["id"], data["size"], strict=True):
        offset = offset * size + data["dimension"][name]["category"]["index"].index(coordinates[name])
    return offset


LEVELS = ["", "land", "helsefellesskap", "kommune", "bydel"]


@pytest.mark.parametrize(
    ("level", "indicator", "year"),
    list(itertools.product(LEVELS, ["", *INDICATORS], ["", *map(str, YEARS)])),
)
def test_no_response_carries_a_hidden_number(client, demo, run, level, indicator, year):
    query = {key: value for key, value in (("niva", level), ("indikator", indicator), ("aar", year)) if value}
    hidden = Result.objects.filter(run=run, suppressed=True, period="1y")
    if level:
        hidden = hidden.filter(level=level)
    if indicator:
        hidden = hidden.filter(indicator=indicator)
    if year:
        hidden = hidden.filter(year=int(year))
    data = json.loads(_get(client, "resultater.json", **query).content)
    text = _get(client, "resultater.csv", **query).content.decode()
    for body in (json.dumps(data), text):
        assert HIDDEN_TEXT not in body and str(HIDDEN_VALUE) not in body
    for result in hidden:
        for measure in MEASURES:
            offset = _offset(data, result.indicator, result.area, str(result.year), measure)
            assert data["value"][offset] is None and data["status"][str(offset)] == HIDDEN_STATUS
    rows = list(csv.DictReader(io.StringIO(text)))
    keys = {(r.indicator, r.area, r.year) for r in hidden}
    for row in rows:
        if (row["indicator"], row["area"], int(row["year"])) in keys:
            assert row["suppressed"] == "true" and all(row[measure] == "" for measure in MEASURES)
        else:
            assert row["suppressed"] == "false" and row["value"] != ""
    assert len(rows) == Result.objects.filter(run=run, period="1y", **_orm(query)).count()


def _orm(query: dict) -> dict:
    mapping = {"niva": "level", "indikator": "indicator", "aar": "year"}
    return {mapping[key]: value for key, value in query.items()}


def test_the_filters_narrow_and_bad_filters_are_refused_with_a_message(client, demo, run):
    data = json.loads(_get(client, "resultater.json", omrade="3905,NO", aar="2025").content)
    assert data["dimension"]["omrade"]["category"]["index"] == ["NO", "3905"]
    assert data["dimension"]["aar"]["category"]["index"] == ["2025"]
    for query in ({"niva": "fylke"}, {"indikator": "nope"}, {"aar": "20x5"}, {"periode": "5y"}):
        response = _get(client, "resultater.json", **query)
        assert response.status_code == 400 and json.loads(response.content)["error"]
    assert _get(client, "resultater.csv", niva="fylke").status_code == 400


def test_only_the_published_run_is_served_and_nothing_can_be_written(client, demo):
    draft = make_run(published=False, offset=7)
    assert _get(client, "resultater.json").status_code == 404
    services.run_publish(actor=demo.anders, run=draft)
    data = json.loads(_get(client, "resultater.json", niva="land").content)
    assert data["extension"]["run"] == draft.pk
    assert client.post(BASE + "resultater.json").status_code == 405


def test_an_unchanged_result_answers_304(client, demo, run):
    first = _get(client, "resultater.json", niva="land")
    again = client.get(BASE + "resultater.json", {"niva": "land"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_the_openapi_document_names_every_address_and_filter(client, demo, run):
    schema = json.loads(_get(client, "openapi.json").content)
    assert schema["openapi"].startswith("3.1")
    assert set(schema["paths"]) == {"/resultater.json", "/resultater.csv", "/indikatorer.json"}
    names = {p["name"] for p in schema["paths"]["/resultater.json"]["get"]["parameters"]}
    assert names == {"indikator", "niva", "omrade", "aar", "periode"}
    catalogue = json.loads(_get(client, "indikatorer.json").content)
    assert {"reinnleggelse_30d", "epikrise_innen_1_dag"} <= {i["id"] for i in catalogue}


def test_a_response_is_built_once_per_run_and_query_and_a_new_run_is_served_at_once(client, demo, run):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = _get(client, "resultater.json", niva="kommune")
    with CaptureQueriesContext(connection) as captured:
        again = _get(client, "resultater.json", niva="kommune")
    assert again.content == first.content
    assert not any("indicators_result" in query["sql"] for query in captured.captured_queries)
    newer = make_run(published=False, offset=7)
    services.run_publish(actor=demo.anders, run=newer)
    after = json.loads(_get(client, "resultater.json", niva="kommune").content)
    assert after["extension"]["run"] == newer.pk
