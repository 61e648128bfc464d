"""The overview tiles, the map and the funnel plot: the marking in words, the same numbers in the chart and the table
beside it, and a sweep over every map layer, tooltip and funnel point for hidden values (never a number, never zero).
The map file itself: every municipality, every community's outline, and small."""

import gzip
import json
import re
from pathlib import Path

import pytest
from django.utils import translation

from samhandling.indicators import charts, selectors
from samhandling.indicators.models import Result

from .webfixtures import HIDDEN_MUNICIPALITY, HIDDEN_TEXT, HIDDEN_VALUE, VESTFOLD_MUNICIPALITIES, deferred, make_run

MAP_FILE = Path(__file__).resolve().parents[2] / "samhandling" / "static" / "maps" / "kommuner_2024.topo.json"


@pytest.fixture
def run(demo):
    return make_run()


def _nb(text: str) -> str:
    with translation.override("nb"):
        return translation.gettext(text)


def _spec_rows(spec: dict) -> list[dict]:
    """Every inline data row anywhere in a spec (layers, lookups)."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            if isinstance(node.get("values"), list):
                found.extend(row for row in node["values"] if isinstance(row, dict))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    return found


def test_the_map_file_has_every_municipality_and_community_outline_and_is_small():
    raw = MAP_FILE.read_bytes()
    topology = json.loads(raw)
    codes = {g["id"] for g in topology["objects"]["kommuner"]["geometries"]}
    assert len(codes) == 357 and set(VESTFOLD_MUNICIPALITIES) <= codes
    assert all(g["properties"]["hf"] for g in topology["objects"]["kommuner"]["geometries"])
    assert len(topology["objects"]["helsefellesskap"]["geometries"]) == 19
    assert len(gzip.compress(raw)) < 300_000  # the goal; it is about 35 KB


@pytest.mark.parametrize("level", ["kommune", "helsefellesskap"])
def test_the_map_never_carries_a_hidden_value(client, demo, run, level):
    response = client.get(
        f"/styringsinformasjon/offentlig/kart/?indikator=reinnleggelse_30d&aar=2025&niva={level}&fellesskap=Vestfold"
    )
    assert response.status_code == 200
    spec = deferred(response.context["chart"])
    rows = _spec_rows(spec)
    hidden = {
        r.area
        for r in Result.objects.filter(
            run=run, indicator="reinnleggelse_30d", year=2025, level=level, suppressed=True, period="1y"
        )
    }
    assert (level == "kommune") == bool(hidden)
    for row in rows:
        if row.get("code") in hidden:
            assert row["hidden"] is True and "value" not in row and "display" not in row
    text = json.dumps(spec, ensure_ascii=False) + response.content.decode()
    assert HIDDEN_TEXT not in text and str(round(HIDDEN_VALUE, 3)) not in text
    # Hidden areas are hatched (a pattern, not a colour of the scale), and the credit is on the map.
    assert charts.HATCH in json.dumps(spec) and 'id="skjult-hatch"' in response.content.decode()
    assert "© Kartverket" in json.dumps(spec, ensure_ascii=False)


def test_the_map_table_has_the_numbers_of_the_map(client, demo, run):
    response = client.get("/styringsinformasjon/offentlig/kart/?indikator=reinnleggelse_30d&aar=2025")
    drawn = {
        row["code"]: row.get("display") for row in _spec_rows(deferred(response.context["chart"])) if "hidden" in row
    }
    table = {
        row.code: (row.cell.display if not row.cell.hidden else None)
        for row, _url in deferred(response.context["rows"])
    }
    assert drawn == table and drawn[HIDDEN_MUNICIPALITY] is None
    html = response.content.decode()
    for display in filter(None, table.values()):
        assert display in html


def test_the_choosers_change_the_page_only_with_a_button(client, demo, run):
    for url in ("/styringsinformasjon/offentlig/kart/", "/styringsinformasjon/offentlig/trakt/"):
        html = client.get(url).content.decode()
        form = re.search(r'<form class="filters map-choices" method="get">(.*?)</form>', html, re.S).group(1)
        assert 'type="submit"' in form and "onchange" not in form and "hx-trigger" not in form


def test_a_bad_choice_falls_back_to_the_defaults(client, demo, run):
    response = client.get("/styringsinformasjon/offentlig/kart/?indikator=nope&aar=abc&niva=x&fellesskap=<b>")
    assert response.status_code == 200
    assert deferred(response.context["year"]) == 2025 and deferred(response.context["community"]) is None


def test_the_funnel_plot_leaves_hidden_municipalities_out_and_places_the_others(client, demo, run):
    response = client.get(
        "/styringsinformasjon/offentlig/trakt/?indikator=reinnleggelse_30d&aar=2025&fellesskap=Vestfold"
    )
    spec = deferred(response.context["chart"])
    labels = {row.get("label") for row in _spec_rows(spec)}
    assert "Færder" not in labels and "Tønsberg" in labels
    places = {row.name: place for row, place in deferred(response.context["rows"])}
    assert places["Færder"] is None and places["Tønsberg"] == _nb("Within the limits")
    limits = [row for row in _spec_rows(spec) if "limit" in row]
    assert limits and all(row["y"] is not None for row in limits)
    assert HIDDEN_TEXT not in json.dumps(spec, ensure_ascii=False)


def test_the_overview_tiles_mark_in_words_and_hide_small_numbers(client, demo, run):
    html = client.get("/styringsinformasjon/offentlig/kommuner/3911/").content.decode()
    assert 'class="tiles"' in html and HIDDEN_TEXT not in html
    assert html.count('class="tile"') == len(selectors.catalogue())  # every indicator, with a value or not
    marked = re.findall(r'data-significance="(\w+)"', html)
    labels = {
        "better": "Better than Norway",
        "similar": "No clear difference from Norway",
        "worse": "Worse than Norway",
    }
    for significance in set(marked) - {"none"}:
        assert _nb(labels[significance]) in html


def test_the_stored_marking_follows_the_direction(demo, run):
    # Fixture: the country 12.5 %, Vestfold's municipalities 12.5–16.6 % of 1 600 stays.
    low = Result.objects.get(run=run, indicator="reinnleggelse_30d", level="kommune", area="3901", year=2025)
    high = Result.objects.get(run=run, indicator="reinnleggelse_30d", level="kommune", area="3909", year=2025)
    letters = Result.objects.get(run=run, indicator="epikrise_innen_1_dag", level="kommune", area="3909", year=2025)
    assert low.ci_low < 12.5 < low.ci_high and low.significance == "similar"
    assert high.ci_low > 12.5 and high.significance == "worse"  # more readmissions is worse
    assert letters.significance == "better"  # more letters in time is better
    hidden = Result.objects.get(run=run, indicator="reinnleggelse_30d", area=HIDDEN_MUNICIPALITY, year=2025)
    assert hidden.suppressed and hidden.ci_low is None and hidden.significance == ""


def test_the_national_view_shows_every_community_with_its_interval_and_marking(client, demo, run):
    response = client.get("/styringsinformasjon/offentlig/nasjonalt/")
    html = response.content.decode()
    rows = deferred(response.context["rows"])
    assert len(rows) == 19 and len(response.context["indicators"]) == len(selectors.catalogue())
    vestfold = next(row for row, _url in rows if row.area.code == "Vestfold")
    shown = [cell for cell in vestfold.cells if cell is not None]
    assert shown and all(cell.display_interval and cell.display_interval in html for cell in shown)
    for cell in shown:
        if cell.significance:
            assert (
                _nb(
                    {
                        "better": "Better than Norway",
                        "similar": "No clear difference from Norway",
                        "worse": "Worse than Norway",
                    }[cell.significance]
                )
                in html
            )


def test_the_funnel_plot_compares_with_the_same_centrality_class(client, demo, run):
    from samhandling.core.models import Organisation, OrganisationType

    tonsberg = Organisation.objects.get(type=OrganisationType.KOMMUNE, municipality_number="3905")
    same = set(
        Organisation.objects.filter(
            type=OrganisationType.KOMMUNE, centrality_class=tonsberg.centrality_class
        ).values_list("name", flat=True)
    )
    html = client.get("/styringsinformasjon/offentlig/kommuner/3905/").content.decode()
    assert f"/styringsinformasjon/offentlig/trakt/?sentralitet={tonsberg.centrality_class}" in html
    url = f"/styringsinformasjon/offentlig/trakt/?indikator=reinnleggelse_30d&sentralitet={tonsberg.centrality_class}"
    names = {row.name for row, _place in deferred(client.get(url).context["rows"])}
    assert "Tønsberg" in names and names <= same


def test_the_kept_fragments_never_carry_an_analysts_numbers_to_others(client, demo, run):
    # The analyst sees the raw value first; the fragment kept for them must not be served to anyone else.
    client.force_login(demo.anders)
    assert HIDDEN_TEXT in client.get("/styringsinformasjon/kommuner/3911/?indikator=reinnleggelse_30d").content.decode()
    assert HIDDEN_TEXT in client.get("/styringsinformasjon/kart/?indikator=reinnleggelse_30d&aar=2025").content.decode()
    client.force_login(demo.kari)
    for path in ("/styringsinformasjon/kommuner/3911/", "/styringsinformasjon/kart/"):
        html = client.get(path + "?indikator=reinnleggelse_30d&aar=2025").content.decode()
        assert HIDDEN_TEXT not in html, path
    client.logout()
    for path in ("/styringsinformasjon/offentlig/kommuner/3911/", "/styringsinformasjon/offentlig/kart/"):
        html = client.get(path + "?indikator=reinnleggelse_30d&aar=2025").content.decode()
        assert HIDDEN_TEXT not in html, path


def test_the_trend_line_coordinates_are_machine_numbers_in_every_language(client, demo, run):
    for language in ("nb", "nn"):
        client.cookies["django_language"] = language
        html = client.get("/styringsinformasjon/offentlig/kommuner/3905/").content.decode()
        coordinates = re.findall(r'<(?:circle|line) class?[^>]*?(?:cx|cy|y1|y2)="([^"]+)"', html)
        coordinates += re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', html)
        flat = [value for item in coordinates for value in (item if isinstance(item, tuple) else (item,))]
        assert flat and all("," not in value for value in flat)
        assert re.search(r'<polyline points="[0-9. ,]+"', html)
