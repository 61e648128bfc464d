"""The JSON-stat 2.0 reader on the json-stat.org samples and PxWebApi's own file, and SSB's projection layout in
JSON-stat and CSV: codes mapped to 2024, alternatives chosen, all or nothing with row and column errors."""

import json
from pathlib import Path

import pytest

from samhandling.projections.engine.ssb import ProjectionRefused, jsonstat_cells, read_projection

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLES = FIXTURES / "jsonstat"


def _load(name: str) -> dict:
    return json.loads((SAMPLES / name).read_text(encoding="utf-8"))


def test_values_run_with_the_last_dimension_fastest():
    ids, cells = jsonstat_cells(_load("order.json"))
    assert ids == ["A", "B", "C"]
    by_codes = dict(cells)
    assert by_codes[("1", "2", "3")] == "A1B2C3"
    assert by_codes[("3", "2", "4")] == "A3B2C4"
    assert by_codes[("2", "2", "1")] == "A2B2C1"


def test_it_reads_the_canada_sample_with_index_objects():
    ids, cells = jsonstat_cells(_load("canada.json"))
    assert ids == ["country", "year", "age", "concept", "sex"]
    assert len(cells) == 120
    assert cells[0] == (("CA", "2012", "T", "POP", "T"), 34880.5)
    assert dict(cells)[("CA", "2012", "T", "POP", "F")] == 17571.3


def test_it_reads_the_six_dimensions_of_galicia():
    ids, cells = jsonstat_cells(_load("galicia.json"))
    assert len(ids) == 6 and len(cells) == 3960
    assert cells[0][1] == 2695880


def test_a_sparse_value_object_gives_only_the_cells_it_has():
    document = _load("hierarchy.json")
    _ids, cells = jsonstat_cells(document)
    assert len(cells) == len(document["value"])


def test_a_file_that_is_not_json_stat_is_refused(tmp_path):
    with pytest.raises(ProjectionRefused) as refused:
        read_projection(SAMPLES / "notjsonstat.json")
    assert refused.value.errors[0].code == "not_jsonstat"


def test_pxwebapis_metadata_response_has_no_values_and_is_refused_as_empty():
    with pytest.raises(ProjectionRefused) as refused:
        read_projection(SAMPLES / "PxWebApi_MetadataById_tab001_js2.json")
    assert [error.code for error in refused.value.errors][-1] == "empty"


def _value(table, level, area, year, kjonn, alder):
    rows = [
        r["antall"]
        for r in table.to_pylist()
        if (r["level"], r["area"], r["aar"], r["kjonn"], r["alder"]) == (level, area, year, kjonn, alder)
    ]
    assert len(rows) == 1
    return rows[0]


def test_ssbs_json_stat_layout_becomes_2024_municipalities_by_sex_and_age():
    table = read_projection(FIXTURES / "ssb_14288_sample.json", alternative="MMMM")
    # Moss, men (1), aged 0, MMMM, 2027: 250 − 0 + 3 + 0 + 0.
    assert _value(table, "kommune", "3103", 2027, "M", 0) == 253
    # Women (2) aged 105+ in 2028: 250 − 2 × 105 + 3 + 1 + 1; "105+" is the open age group.
    assert _value(table, "kommune", "3103", 2028, "K", 105) == 45
    # 1507 Ålesund (2020–2023) is divided between 1508 Ålesund and 1580 Haram with the code map's weights.
    assert _value(table, "kommune", "1508", 2027, "M", 0) == pytest.approx(403 * 0.5)
    assert _value(table, "kommune", "1580", 2027, "M", 0) == pytest.approx(403 * 0.5)
    assert set(table["aar"].to_pylist()) == {2027, 2028}
    assert set(table["projected"].to_pylist()) == {True}


def test_a_community_is_summed_only_when_all_its_municipalities_are_there():
    table = read_projection(FIXTURES / "ssb_14288_sample.json", alternative="MMMM")
    assert set(table["level"].to_pylist()) == {"kommune"}  # three municipalities: no community is whole


def test_the_alternative_is_chosen_from_contentscode():
    low = read_projection(FIXTURES / "ssb_14288_sample.json", alternative="llml")
    assert _value(low, "kommune", "3103", 2027, "M", 0) == 250


def test_a_file_with_several_alternatives_needs_one_chosen():
    with pytest.raises(ProjectionRefused) as refused:
        read_projection(FIXTURES / "ssb_14288_sample.json")
    error = refused.value.errors[0]
    assert error.code == "choose_alternative" and error.params["alternatives"] == "LLML, MMMM"


def test_ssbs_csv_with_codes_and_texts_gives_the_same_numbers():
    from_csv = read_projection(FIXTURES / "ssb_14288_sample.csv")
    from_json = read_projection(FIXTURES / "ssb_14288_sample.json", alternative="MMMM")
    assert from_csv.equals(from_json)


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_returned(tmp_path):
    lines = (FIXTURES / "ssb_14288_sample.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"3103 Moss"', '"9999 Nowhere"')
    lines[2] = lines[2].replace('"1 Menn"', '"3 Ukjent"')
    lines[3] = lines[3].rsplit(";", 1)[0] + ";-4"
    path = tmp_path / "bad.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ProjectionRefused) as refused:
        read_projection(path)
    found = [(e.code, e.row, e.column) for e in refused.value.errors]
    assert found == [("unknown_region", 1, "region"), ("bad_sex", 2, "kjonn"), ("bad_value", 3, "antall")]


def test_a_missing_age_is_reported_as_incomplete(tmp_path):
    lines = (FIXTURES / "ssb_14288_sample.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if '"5444 Sør-Varanger";"2 Kvinner";"050 ' not in line]
    path = tmp_path / "gap.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    with pytest.raises(ProjectionRefused) as refused:
        read_projection(path)
    error = refused.value.errors[0]
    assert (error.code, error.params["area"], error.params["count"]) == (
        "incomplete",
        "5605",
        2,
    )  # 5444 is Sør-Varanger's 2020–2023 code
