"""The runner's outputs (results.parquet in the contract's schema, run.json) and the `indicators_run` command."""

import io
import json

import pyarrow.parquet as pq
from django.core.management import call_command

from samhandling.indicators.engine.catalogue import CATALOGUE, DEFINITION_VERSION, get
from samhandling.indicators.engine.run import EXTRA_COLUMNS, RESULT_COLUMNS, RESULT_SCHEMA, run_indicators

from .test_engine_support import DataBuilder


def _data(tmp_path):
    data = DataBuilder().people(1000).stay(klar="2024-03-04T10:00").contact(kontaktform="video")
    return data.assessment(alder=80).write(tmp_path / "data")


def test_it_writes_results_in_the_contracts_columns_and_types(tmp_path):
    summary = run_indicators(_data(tmp_path), tmp_path / "out", csv=True)
    table = pq.read_table(summary.results_path)
    # The contract's columns, in its order, then the documented extra (the DSR variance for the intervals).
    assert tuple(table.column_names) == RESULT_COLUMNS + EXTRA_COLUMNS
    assert table.schema.equals(RESULT_SCHEMA)
    assert summary.rows == table.num_rows > 0
    assert (tmp_path / "out" / "results.csv").exists()


def test_it_records_dataset_definition_version_and_engine_in_run_json(tmp_path):
    run_indicators(_data(tmp_path), tmp_path / "out", indicators=["overliggerdogn"])
    record = json.loads((tmp_path / "out" / "run.json").read_text())
    assert (record["dataset_version"], record["definition_version"], record["engine"]) == (
        "test0001",
        DEFINITION_VERSION,
        "duckdb",
    )
    assert record["years"] == [2024] and set(record["timings"]) == {"overliggerdogn"}
    assert record["synthetic"] is True


def test_it_runs_only_the_indicators_asked_for(tmp_path):
    summary = run_indicators(_data(tmp_path), tmp_path / "out", indicators=["andel_video_telefon"])
    assert set(pq.read_table(summary.results_path)["indicator"].to_pylist()) == {"andel_video_telefon"}


def test_it_describes_every_indicator_in_bokmal_and_nynorsk():
    assert len(CATALOGUE) == 12
    assert get("epikrise_innen_1_dag").target == 70.0 and get("andel_video_telefon").target == 15.0
    for indicator in CATALOGUE:
        assert indicator.name("nn") == indicator.name_nn != "" and indicator.name("nb") == indicator.name_nb != ""
        assert indicator.description("nn") != indicator.description("nb")
        assert indicator.standardised == (indicator.unit == "per_1000")


def test_the_command_prints_a_summary(tmp_path):
    out = io.StringIO()
    call_command(
        "indicators_run",
        "--data",
        str(_data(tmp_path)),
        "--out",
        str(tmp_path / "out"),
        "--years",
        "2024",
        "--indicators",
        "overliggerdogn",
        stdout=out,
    )
    assert "rows for 2024" in out.getvalue() and "definitions v1" in out.getvalue()


def test_it_prepares_a_raw_folder_first_and_places_2023_codes_in_their_2024_areas(tmp_path):
    raw = DataBuilder().stay(kommune="3803", klar="2024-03-04T10:00").write(tmp_path / "raw")  # Tønsberg, 2023 code
    (raw / "manifest.json").unlink()
    summary = run_indicators(raw, tmp_path / "out", indicators=["overliggerdogn"])
    rows = pq.read_table(summary.results_path).to_pylist()
    found = {(r["level"], r["area"]) for r in rows if r["numerator"] == 1}
    assert {("kommune", "3905"), ("helsefellesskap", "Vestfold"), ("land", "NO")} <= found
    assert (tmp_path / "out" / "dataset" / "manifest.json").exists()


def test_it_defaults_to_the_years_of_discharge_contact_and_assessment(tmp_path):
    data = DataBuilder().stay(inn="2023-12-20T10:00", ut="2024-01-03T10:00").contact(tid="2025-02-01T10:00")
    summary = run_indicators(data.write(tmp_path / "data"), tmp_path / "out", indicators=["epikrise_innen_1_dag"])
    assert summary.years == [2024, 2025]
