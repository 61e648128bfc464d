"""Validation and normalisation of delivered indicator data sets (`engine.dataset.prepare_dataset`).

Small crafted folders in CSV, Parquet and XLSX: one test per kind of breach of the contract, the refusal of
fødselsnumre in id columns, the mapping of 2023 municipality codes, atomicity and the content version.
"""

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from samhandling.indicators.engine import contract
from samhandling.indicators.engine.dataset import DatasetRefused, prepare_dataset, read_manifest
from samhandling.indicators.engine.synthetic import generate

STAY = {
    "stay_id": "S1",
    "person_id": "P1",
    "kjonn": "K",
    "alder": "84",
    "kommune": "3905",
    "bydel": "",
    "behandlende_hf": "Vestfold",
    "omsorgsniva": "dogn",
    "innleggelsesmate": "akutt",
    "fagomrade": "somatikk",
    "hovedtilstand": "I21.9",
    "inn_tid": "2024-03-01 10:00:00",
    "ut_tid": "2024-03-05 12:00:00",
    "utskrivningsklar_tid": "2024-03-03 09:00:00",
    "utskrevet_til": "sykehjem",
    "epikrise_sendt_tid": "2024-03-06 08:00:00",
}
CONTACT = {
    "contact_id": "C1",
    "person_id": "P1",
    "kjonn": "K",
    "alder": "84",
    "kommune": "0301",
    "bydel": "030101",
    "behandlende_hf": "Lovisenberg",
    "fagomrade": "somatikk",
    "kontaktform": "video",
    "tid": "2024-04-01T09:30:00",
    "hovedtilstand": "",
}


def stays(*changes: dict) -> list[dict]:
    return [{**STAY, "stay_id": f"S{number}", **change} for number, change in enumerate(changes, start=1)]


def write_csv(folder: Path, table: str, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{table}.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return folder


def write_parquet(folder: Path, table: str, rows: list[dict]) -> Path:
    """Typed Parquet, as a register extract would be: ints, timestamps and nulls rather than text."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = contract.TABLES[table]
    types = {contract.STRING: pa.string(), contract.INT: pa.int64(), contract.TIMESTAMP: pa.timestamp("us")}
    arrays = {}
    for column in spec.columns:
        values = [row[column.name] or None for row in rows]
        if column.type == contract.INT:
            values = [int(value) if value else None for value in values]
        if column.type == contract.TIMESTAMP:
            values = [
                pa.scalar(value.replace("T", " ")).cast(pa.timestamp("us")) if value else None for value in values
            ]
        arrays[column.name] = pa.array(values, types[column.type])
    pq.write_table(pa.table(arrays), folder / f"{table}.parquet")
    return folder


def write_xlsx(folder: Path, table: str, rows: list[dict]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(rows[0]))
    for row in rows:
        # As people type into Excel: numbers as numbers, so "0301" loses its zero and is restored on reading.
        sheet.append([int(value) if value.isdigit() else (value or None) for value in row.values()])
    workbook.save(folder / f"{table}.xlsx")
    return folder


def refusal(source: Path, target: Path) -> DatasetRefused:
    with pytest.raises(DatasetRefused) as caught:
        prepare_dataset(source, target)
    return caught.value


def places(errors) -> set[tuple[str, int | None, str | None]]:
    return {(error.table, error.row, error.column) for error in errors}


def fodselsnummer(birth: str = "010190") -> str:
    """A valid fødselsnummer (mod-11 check digits) for a made-up person born on `birth` (DDMMYY)."""
    for individual in range(100, 500):
        digits = [int(ch) for ch in f"{birth}{individual}"]
        first = (11 - sum(w * d for w, d in zip((3, 7, 6, 1, 8, 9, 4, 5, 2), digits, strict=True)) % 11) % 11
        if first == 10:
            continue
        digits.append(first)
        second = (11 - sum(w * d for w, d in zip((5, 4, 3, 2, 7, 6, 5, 4, 3, 2), digits, strict=True)) % 11) % 11
        if second != 10:
            return "".join(map(str, digits)) + str(second)
    raise AssertionError("no number")


def test_it_prepares_a_good_folder_into_normalised_parquet_with_a_manifest(tmp_path):
    generate(tmp_path / "in", scale=0.0003, years=[2024], seed=5)
    manifest = prepare_dataset(tmp_path / "in", tmp_path / "out")
    assert manifest == read_manifest(tmp_path / "out")
    assert manifest["synthetic"] is True and manifest["years"] == [2024]
    assert set(manifest["tables"]) == {"opphold", "kontakter", "iplos", "befolkning"}
    assert manifest["tables"]["kontakter"] == 2400
    assert len(manifest["version"]) == 16 and manifest["source"] == str(tmp_path / "in")
    schema = pq.read_schema(tmp_path / "out" / "opphold.parquet")
    assert schema.names == list(contract.TABLES["opphold"].names)
    assert schema.field("alder").type == pa.int64() and schema.field("ut_tid").type == pa.timestamp("us")
    assert pq.read_schema(tmp_path / "out" / "iplos.parquet").field("vurdert_dato").type == pa.date32()
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == [
        "befolkning.parquet", "iplos.parquet", "kontakter.parquet", "manifest.json", "opphold.parquet"
    ]  # fmt: skip


def test_it_reads_csv_parquet_and_xlsx_to_the_same_content_and_version(tmp_path):
    rows = stays({}, {"person_id": "P2", "kommune": "0301", "bydel": "030102", "utskrivningsklar_tid": ""})
    versions = set()
    for writer in (write_csv, write_parquet, write_xlsx):
        source = writer(tmp_path / writer.__name__, "opphold", rows)
        versions.add(prepare_dataset(source, tmp_path / f"{writer.__name__}-out")["version"])
    assert len(versions) == 1
    table = pq.read_table(tmp_path / "write_xlsx-out" / "opphold.parquet").to_pylist()
    assert table[1]["kommune"] == "0301" and table[1]["bydel"] == "030102" and table[1]["alder"] == 84


def test_it_gives_the_same_version_for_the_same_input_and_another_for_other_content(tmp_path):
    source = write_csv(tmp_path / "in", "opphold", stays({}, {}))
    first = prepare_dataset(source, tmp_path / "a")["version"]
    assert prepare_dataset(source, tmp_path / "b")["version"] == first
    changed = write_csv(tmp_path / "in2", "opphold", stays({}, {"alder": "85"}))
    assert prepare_dataset(changed, tmp_path / "c")["version"] != first


def test_it_maps_2023_municipality_codes_to_2024_codes(tmp_path):
    rows = stays({"kommune": "3001"}, {"kommune": "3805"}, {"kommune": "1507", "person_id": "P-ålesund"})
    prepare_dataset(write_csv(tmp_path / "in", "opphold", rows), tmp_path / "out")
    kommuner = pq.read_table(tmp_path / "out" / "opphold.parquet")["kommune"].to_pylist()
    assert kommuner[:2] == ["3101", "3909"]  # Halden, Larvik
    assert kommuner[2] in {"1508", "1580"}  # Ålesund was divided: a stable hash of the person decides


def test_it_normalises_diagnoses_empty_districts_and_offset_free_times(tmp_path):
    rows = stays({"hovedtilstand": " i21.9 ", "bydel": ""}, {"hovedtilstand": "F321", "inn_tid": "2024-03-01T10:00"})
    prepare_dataset(write_csv(tmp_path / "in", "opphold", rows), tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / "opphold.parquet").to_pylist()
    assert [row["hovedtilstand"] for row in table] == ["I219", "F321"]
    assert table[0]["bydel"] is None and str(table[1]["inn_tid"]) == "2024-03-01 10:00:00"


def test_it_reports_each_kind_of_error_with_table_row_and_column(tmp_path):
    rows = stays(
        {},  # row 2: fine
        {"alder": "121"},  # row 3: out of range
        {"kjonn": "X"},  # row 4: not an allowed value
        {"inn_tid": "01.03.2024"},  # row 5: not a time
        {"kommune": "9999"},  # row 6: no such municipality
        {"kommune": "0301", "bydel": "460101"},  # row 7: a Bergen district in Oslo
        {"hovedtilstand": "hjerteinfarkt"},  # row 8: not ICD-10
        {"ut_tid": "2024-02-28 10:00:00"},  # row 9: discharged before admission
        {"stay_id": "S1"},  # row 10: the id of row 2 again
        {"behandlende_hf": ""},  # row 11: missing
        {"alder": "4.5"},  # row 12: not a whole number
        {"bydel": "12345"},  # row 13: not a district code
    )
    error = refusal(write_csv(tmp_path / "in", "opphold", rows), tmp_path / "out")
    assert places(error.errors) == {
        ("opphold", 3, "alder"),
        ("opphold", 4, "kjonn"),
        ("opphold", 5, "inn_tid"),
        ("opphold", 6, "kommune"),
        ("opphold", 7, "bydel"),
        ("opphold", 8, "hovedtilstand"),
        ("opphold", 9, "ut_tid"),
        ("opphold", 10, "stay_id"),
        ("opphold", 11, "behandlende_hf"),
        ("opphold", 12, "alder"),
        ("opphold", 13, "bydel"),
    }
    assert error.total_errors == 11
    messages = {(error.row, error.column): error.message for error in error.errors}
    assert "121" in messages[3, "alder"] and "0–120" in messages[3, "alder"]
    assert "row 2" in messages[10, "stay_id"] or "rad 2" in messages[10, "stay_id"]
    assert [error.row for error in error.errors] == sorted(error.row for error in error.errors)


def test_it_checks_every_table_and_reports_missing_and_unknown_columns(tmp_path):
    source = write_csv(tmp_path / "in", "opphold", [{k: v for k, v in STAY.items() if k != "alder"} | {"extra": "1"}])
    write_csv(source, "kontakter", [{**CONTACT, "kontaktform": "brev"}])
    error = refusal(source, tmp_path / "out")
    assert places(error.errors) == {("opphold", 1, "alder"), ("opphold", 1, "extra"), ("kontakter", 2, "kontaktform")}


def test_it_counts_every_error_but_lists_the_first_hundred(tmp_path):
    rows = stays(*({"kjonn": "?"} for _ in range(250)))
    error = refusal(write_csv(tmp_path / "in", "opphold", rows), tmp_path / "out")
    assert error.total_errors == 250 and len(error.errors) == 100
    assert error.errors[0].row == 2 and error.errors[-1].row == 101


def test_it_refuses_fodselsnumre_in_an_id_column_without_showing_them(tmp_path):
    number = fodselsnummer()
    rows = [{**CONTACT, "contact_id": f"C{i}", "person_id": number if i >= 3 else f"P{i}"} for i in range(6)]
    error = refusal(write_csv(tmp_path / "in", "kontakter", rows), tmp_path / "out")
    assert places(error.errors) == {("kontakter", 5, "person_id")}
    assert "3" in error.errors[0].message and number not in error.errors[0].message


def test_it_refuses_d_numbers_in_typed_parquet_too(tmp_path):
    d_number = fodselsnummer("410190")  # a D-nummer adds 40 to the day
    rows = stays({}, {"stay_id": d_number})
    error = refusal(write_parquet(tmp_path / "in", "opphold", rows), tmp_path / "out")
    assert places(error.errors) == {("opphold", 3, "stay_id")}


def test_it_accepts_eleven_digit_ids_that_are_not_national_ids(tmp_path):
    number = fodselsnummer()
    wrong_check_digit = number[:10] + str((int(number[10]) + 1) % 10)
    rows = [{**CONTACT, "contact_id": "C1", "person_id": wrong_check_digit}]
    assert prepare_dataset(write_csv(tmp_path / "in", "kontakter", rows), tmp_path / "out")["tables"] == {
        "kontakter": 1
    }


def test_it_leaves_nothing_behind_when_it_refuses(tmp_path):
    source = write_csv(tmp_path / "in", "opphold", stays({}, {"kjonn": "X"}))
    refusal(source, tmp_path / "store" / "v1")
    assert not (tmp_path / "store" / "v1").exists()
    assert list((tmp_path / "store").iterdir()) == []


def test_it_refuses_a_folder_without_data_tables_or_with_a_table_twice(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert places(refusal(empty, tmp_path / "out").errors) == {("", None, None)}
    twice = write_csv(tmp_path / "twice", "opphold", stays({}))
    write_parquet(twice, "opphold", stays({}))
    assert places(refusal(twice, tmp_path / "out").errors) == {("opphold", None, None)}


def test_it_reports_a_file_it_cannot_read(tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    (source / "iplos.parquet").write_bytes(b"not parquet")
    assert places(refusal(source, tmp_path / "out").errors) == {("iplos", None, None)}


def test_it_validates_an_optional_population_table(tmp_path):
    source = write_csv(tmp_path / "in", "opphold", stays({}))
    population = [
        {"aar": "2024", "kommune": "3905", "bydel": "", "kjonn": "K", "alder": "105", "antall": "12"},
        {"aar": "2024", "kommune": "1507", "bydel": "", "kjonn": "K", "alder": "80", "antall": "40"},
        {"aar": "2024", "kommune": "3905", "bydel": "", "kjonn": "M", "alder": "106", "antall": "-1"},
    ]
    write_csv(source, "befolkning", population)
    error = refusal(source, tmp_path / "out")
    assert places(error.errors) == {
        ("befolkning", 3, "kommune"),
        ("befolkning", 4, "alder"),
        ("befolkning", 4, "antall"),
    }


def test_it_reports_progress_and_reads_no_manifest_from_a_plain_folder(tmp_path):
    seen = []
    prepare_dataset(
        write_csv(tmp_path / "in", "opphold", stays({})), tmp_path / "out", progress=lambda f, m: seen.append(f)
    )
    assert seen[0] == 0 and seen[-1] == 1.0 and seen == sorted(seen)
    assert read_manifest(tmp_path / "in") is None
    assert json.loads((tmp_path / "out" / "manifest.json").read_text())["synthetic"] is False
