"""Finding the delivered tables in a folder and making each readable by DuckDB as text columns with the row number
a spreadsheet user would see (Parquet, CSV or the first sheet of an XLSX file)."""

# ruff: noqa: S608 — paths are quoted with sql_path; no cell value is put into SQL text.
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import duckdb
import pyarrow as pa

from .. import contract
from .errors import DatasetError, DatasetRefused
from .sql import sql_path

FORMATS = ("parquet", "csv", "xlsx")
GENERATOR_FILE = "dataset.json"  # written by the synthetic-data generator next to the tables


def find_tables(source: Path) -> dict[str, Path]:
    if not source.is_dir():
        raise DatasetRefused([DatasetError("", None, None, "folder_missing")])
    files, errors = {}, []
    for name in contract.TABLES:
        found = [source / f"{name}.{extension}" for extension in FORMATS if (source / f"{name}.{extension}").is_file()]
        if len(found) > 1:
            errors.append(
                DatasetError(name, None, None, "several_files", {"files": ", ".join(path.name for path in found)})
            )
        elif found:
            files[name] = found[0]
    if not errors and not any(name in files for name in contract.DATA_TABLES):
        errors.append(DatasetError("", None, None, "no_data_tables"))
    if errors:
        raise DatasetRefused(errors)
    return files


def load(connection: duckdb.DuckDBPyConnection, name: str, path: Path) -> tuple[str, str]:
    """Make the file readable as relation `raw_<name>`; returns (relation, SQL for the spreadsheet row number)."""
    relation = f"raw_{name}"
    if path.suffix == ".parquet":
        connection.execute(
            f"CREATE VIEW {relation} AS SELECT * FROM read_parquet('{sql_path(path)}', file_row_number = true)"
        )
        return relation, "file_row_number + 2"
    if path.suffix == ".csv":
        # Every cell is read as text so that a bad value is reported at its row instead of failing the whole read;
        # the table keeps the file's order, so rowid + 2 is the spreadsheet row.
        connection.execute(
            f"CREATE TABLE {relation} AS SELECT * FROM read_csv('{sql_path(path)}', header = true, delim = ',', "
            "quote = '\"', escape = '\"', all_varchar = true, encoding = 'utf-8', null_padding = false)"
        )
        return relation, "rowid + 2"
    connection.register(f"{relation}_arrow", _read_xlsx(path))
    connection.execute(f"CREATE TABLE {relation} AS SELECT * FROM {relation}_arrow")
    connection.unregister(f"{relation}_arrow")
    return relation, '"__row"'


def _read_xlsx(path: Path) -> pa.Table:
    """The first sheet as text columns plus its sheet row numbers (spreadsheets are small: at most ~1 M rows)."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [str(value).strip() if value is not None else "" for value in next(rows, ())]
        columns: list[list[str | None]] = [[] for _ in header]
        numbers: list[int] = []
        for number, values in enumerate(rows, start=2):
            if values is None or all(value is None or str(value).strip() == "" for value in values):
                continue  # a blank line in a sheet is layout, not a record
            numbers.append(number)
            for index, column in enumerate(columns):
                value = values[index] if index < len(values) else None
                column.append(_cell_text(header[index], value))
    finally:
        workbook.close()
    arrays = {name: pa.array(column, pa.string()) for name, column in zip(header, columns, strict=True)}
    arrays["__row"] = pa.array(numbers, pa.int64())
    return pa.table(arrays)


def _cell_text(column: str, value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and column in ("kommune", "bydel"):
        # Spreadsheets turn "0301" into the number 301; the code's width is known, so the zeros can be restored.
        return str(value).zfill(4 if column == "kommune" else 6)
    return str(value)


def is_synthetic(source: Path) -> bool:
    try:
        return bool(json.loads((source / GENERATOR_FILE).read_text(encoding="utf-8")).get("synthetic", False))
    except (OSError, ValueError, AttributeError):
        return False
