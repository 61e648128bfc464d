"""Validate a delivered data set folder against the contract and store it as normalised, versioned Parquet.

Everything runs as SQL in DuckDB over the files, so a national data set of tens of millions of rows is checked
without a Python loop over rows. A data set is stored whole or not at all: it is written to a temporary folder that
is renamed to the target only when every table has passed.
"""

# ruff: noqa: S608 — the SQL is built from the contract's own names; the file's column names and paths are quoted
# (`_quote`, `_sql_path`) and texts are escaped (`_sql_text`); no cell value is ever put into SQL text.
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.identity import looks_like_national_id

from . import contract
from .contract import BYDEL, DATE, ICD10, ID, INT, KOMMUNE, STRING, TIMESTAMP, ColumnSpec, TableSpec

MAX_ERRORS = 100
ICD10_PATTERN = r"[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?"  # I21.9, I219, F32, Z38.0
FORMATS = ("parquet", "csv", "xlsx")
MANIFEST = "manifest.json"
GENERATOR_FILE = "dataset.json"  # written by the synthetic-data generator next to the tables
NATIONAL_ID_SAMPLE = 1000  # candidate values confirmed with python-stdnum after the vectorised filter
SHOWN_VALUE_LENGTH = 40

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class DatasetError:
    """One breach of the contract. `row` is the data row as a spreadsheet user counts it (the header is row 1)."""

    table: str
    row: int | None
    column: str | None
    message: str


class DatasetRefused(Exception):
    """The data set breaks the contract; `errors` holds the first 100 breaches, `total_errors` counts them all."""

    def __init__(self, errors: list[DatasetError], total_errors: int | None = None):
        self.errors = errors[:MAX_ERRORS]
        self.total_errors = max(total_errors or 0, len(errors))
        super().__init__(f"{self.total_errors} error(s) in the data set; first: {errors[0] if errors else None}")


def read_manifest(path: Path) -> dict | None:
    """The manifest of a prepared data set folder, or None when `path` is not one."""
    try:
        return json.loads((Path(path) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def prepare_dataset(source: Path, target: Path, *, progress: Progress | None = None) -> dict:
    """Validate the tables in `source` and write them, normalised, with a manifest, to the new folder `target`.

    Raises DatasetRefused (nothing is written) when anything breaks the contract; returns the manifest.
    """
    source, target = Path(source), Path(target)
    report = progress or (lambda fraction, message: None)
    if target.exists():
        raise FileExistsError(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    files = _find_tables(source)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        output = work / "dataset"
        output.mkdir()
        connection = duckdb.connect(str(work / "work.duckdb"))
        try:
            connection.execute(f"SET temp_directory = '{_sql_path(work / 'spill')}'")
            connection.execute("SET preserve_insertion_order = true")
            connection.execute("SET enable_progress_bar = false")
            manifest = _prepare(connection, files, output, report)
        finally:
            connection.close()
        manifest.update(
            synthetic=_is_synthetic(source), source=str(source), created=timezone.now().isoformat(timespec="seconds")
        )
        (output / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.rename(output, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(1.0, _("The data set is stored."))
    return manifest


# --- finding and reading the files ------------------------------------------------------------------------------


def _find_tables(source: Path) -> dict[str, Path]:
    if not source.is_dir():
        raise DatasetRefused([DatasetError("", None, None, _("The data set folder does not exist."))])
    files, errors = {}, []
    for name in contract.TABLES:
        found = [source / f"{name}.{extension}" for extension in FORMATS if (source / f"{name}.{extension}").is_file()]
        if len(found) > 1:
            errors.append(
                DatasetError(
                    name,
                    None,
                    None,
                    _("The table is delivered in more than one file (%(files)s); keep only one.")
                    % {"files": ", ".join(path.name for path in found)},
                )
            )
        elif found:
            files[name] = found[0]
    if not errors and not any(name in files for name in contract.DATA_TABLES):
        errors.append(
            DatasetError(
                "",
                None,
                None,
                _(
                    "No data tables were found. Deliver at least one of opphold, kontakter and iplos "
                    "as .parquet, .csv or .xlsx."
                ),
            )
        )
    if errors:
        raise DatasetRefused(errors)
    return files


def _load(connection: duckdb.DuckDBPyConnection, name: str, path: Path) -> tuple[str, str]:
    """Make the file readable as relation `raw_<name>`; returns (relation, SQL for the spreadsheet row number)."""
    relation = f"raw_{name}"
    if path.suffix == ".parquet":
        connection.execute(
            f"CREATE VIEW {relation} AS SELECT * FROM read_parquet('{_sql_path(path)}', file_row_number = true)"
        )
        return relation, "file_row_number + 2"
    if path.suffix == ".csv":
        # Every cell is read as text so that a bad value is reported at its row instead of failing the whole read;
        # the table keeps the file's order, so rowid + 2 is the spreadsheet row.
        connection.execute(
            f"CREATE TABLE {relation} AS SELECT * FROM read_csv('{_sql_path(path)}', header = true, delim = ',', "
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


def _is_synthetic(source: Path) -> bool:
    try:
        return bool(json.loads((source / GENERATOR_FILE).read_text(encoding="utf-8")).get("synthetic", False))
    except (OSError, ValueError, AttributeError):
        return False


# --- checking and normalising -----------------------------------------------------------------------------------


def _prepare(connection, files: dict[str, Path], output: Path, report: Progress) -> dict:
    errors: list[DatasetError] = []
    total = 0
    ready: list[str] = []
    steps = 2 * len(files) + 1
    for index, (name, path) in enumerate(files.items()):
        report(index / steps, _("Checking %(table)s …") % {"table": path.name})
        spec = contract.TABLES[name]
        try:
            relation, row_sql = _load(connection, name, path)
            table_errors, table_total = _check_table(connection, spec, relation, row_sql)
        except (duckdb.Error, OSError, ValueError, KeyError, StopIteration) as error:
            table_errors = [
                DatasetError(name, None, None, _("The file could not be read: %(error)s") % {"error": _short(error)})
            ]
            table_total = 1
        if not table_total:
            ready.append(name)
        errors.extend(table_errors[: MAX_ERRORS - len(errors)])
        total += table_total
    if total:
        raise DatasetRefused(errors, total)

    rows, years = {}, set()
    for index, name in enumerate(ready):
        report((len(files) + index) / steps, _("Writing %(table)s …") % {"table": name})
        spec = contract.TABLES[name]
        file = output / f"{name}.parquet"
        connection.execute(
            f"COPY (SELECT {_normalised_columns(spec)} FROM typed_{name}) "
            f"TO '{_sql_path(file)}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 500000)"
        )
        rows[name] = connection.execute(f"SELECT count(*) FROM read_parquet('{_sql_path(file)}')").fetchone()[0]
        for column in spec.year_columns:
            years.update(
                year
                for (year,) in connection.execute(
                    f"SELECT DISTINCT year({column}) FROM read_parquet('{_sql_path(file)}') WHERE {column} IS NOT NULL"
                ).fetchall()
            )
    report((steps - 1) / steps, _("Computing the version …"))
    return {
        "version": _version(connection, output, sorted(rows)),
        "contract": contract.CONTRACT_VERSION,
        "tables": rows,
        "years": sorted(years),
    }


def _version(connection, folder: Path, names: list[str]) -> str:
    """A digest of the normalised content: the same rows give the same version, whatever the delivered format.

    The Parquet bytes are not hashed because a parallel writer may lay out the same rows differently; instead each
    table contributes its columns, row count and the sum of its row hashes (one vectorised pass).
    """
    digest = hashlib.sha256()
    for name in names:
        spec = contract.TABLES[name]
        columns = ", ".join(_quote(column) for column in spec.names)
        count, total = connection.execute(
            f"SELECT count(*), coalesce(sum(hash({columns})::HUGEINT), 0) "
            f"FROM read_parquet('{_sql_path(folder / f'{name}.parquet')}')"
        ).fetchone()
        digest.update(f"{name}|{','.join(spec.names)}|{count}|{total}\n".encode())
    return digest.hexdigest()[:16]


def _check_table(connection, spec: TableSpec, relation: str, row_sql: str) -> tuple[list[DatasetError], int]:
    raw_types = {
        name: type_name
        for name, type_name, *_rest in connection.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall()
        if name not in ("file_row_number", "__row")
    }
    header_errors = _check_header(spec, list(raw_types))
    if header_errors:
        return header_errors, len(header_errors)
    by_name = {name.strip().lower(): name for name in raw_types}
    parts = [f"{row_sql} AS _row"]
    for column in spec.columns:
        raw = by_name[column.name]
        text, typed = _typed(column, _quote(raw), raw_types[raw])
        parts.append(f"{text} AS {_quote(column.name + '__raw')}")
        parts.append(f"{typed} AS {_quote(column.name + '__typed')}")
    # typed_<table> has `_row`, each column's trimmed text (`<c>__raw`) and typed value (`<c>__typed`), and then
    # the normalised value under the column's own name. Municipality codes are mapped to 2024 codes in this second
    # step because a divided municipality needs the typed person id.
    connection.execute(f"CREATE VIEW typed0_{spec.name} AS SELECT {', '.join(parts)} FROM {relation}")
    final = ["*"]
    for column in spec.columns:
        final.append(f"{_final(spec, column)} AS {_quote(column.name)}")
    connection.execute(f"CREATE VIEW typed_{spec.name} AS SELECT {', '.join(final)} FROM typed0_{spec.name}")

    errors, total = _row_errors(connection, spec)
    duplicates, duplicate_total = _duplicate_errors(connection, spec)
    errors += duplicates
    total += duplicate_total
    for column in spec.id_columns:
        refusal = _national_id_refusal(connection, spec, column)
        if refusal:
            errors.append(refusal)
            total += 1
    errors.sort(key=lambda error: (error.row or 0, spec.names.index(error.column) if error.column else 0))
    return errors[:MAX_ERRORS], total


def _row_errors(connection, spec: TableSpec) -> tuple[list[DatasetError], int]:
    """Every per-row check in one pass: the rows that break any check are kept with a flag and message per check."""
    checks = _row_checks(spec)
    conditions = [f"coalesce({condition}, false)" for _ord, _column, condition, _message in checks]
    columns = ", ".join(
        f"{condition} AS f{i}, CASE WHEN {condition} THEN {message} END AS m{i}"
        for i, (condition, (_ord, _column, _condition, message)) in enumerate(zip(conditions, checks, strict=True))
    )
    flagged = f"flagged_{spec.name}"
    connection.execute(
        f"CREATE TEMP TABLE {flagged} AS SELECT _row, {columns} FROM typed_{spec.name} WHERE {' OR '.join(conditions)}"
    )
    total = connection.execute(
        f"SELECT coalesce(sum({' + '.join(f'f{i}::INTEGER' for i in range(len(checks)))}), 0) FROM {flagged}"
    ).fetchone()[0]
    errors = []
    # Every flagged row has at least one error, so the first 100 errors lie in the first 100 flagged rows.
    for row, *values in connection.execute(f"SELECT * FROM {flagged} ORDER BY _row LIMIT {MAX_ERRORS}").fetchall():
        for i, (_ord, column, _condition, _message) in sorted(enumerate(checks), key=lambda item: item[1][0]):
            if values[2 * i]:
                errors.append(DatasetError(spec.name, row, column, values[2 * i + 1]))
    return errors, int(total)


def _duplicate_errors(connection, spec: TableSpec) -> tuple[list[DatasetError], int]:
    if not spec.unique:
        return [], 0
    column = _quote(spec.unique)
    found = connection.execute(
        f"WITH d AS (SELECT {column}, min(_row) AS first_row FROM typed_{spec.name} GROUP BY {column} "
        f"HAVING count(*) > 1) SELECT t._row, d.first_row, count(*) OVER () FROM typed_{spec.name} t "
        f"JOIN d USING ({column}) WHERE t._row > d.first_row ORDER BY t._row LIMIT {MAX_ERRORS}"
    ).fetchall()
    message = _("This id has already been used in row %(row)s.")
    errors = [DatasetError(spec.name, row, spec.unique, message % {"row": first}) for row, first, _total in found]
    return errors, found[0][2] if found else 0


def _check_header(spec: TableSpec, names: list[str]) -> list[DatasetError]:
    present = {name.strip().lower() for name in names}
    errors = [
        DatasetError(spec.name, 1, column, _("The column “%(column)s” is missing.") % {"column": column})
        for column in spec.names
        if column not in present
    ]
    errors += [
        DatasetError(
            spec.name,
            1,
            name,
            _("The column “%(column)s” is not part of the data contract; remove it.") % {"column": name},
        )
        for name in names
        if name.strip().lower() not in spec.names
    ]
    return errors


INTEGER_TYPES = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT")


def _typed(column: ColumnSpec, raw: str, raw_type: str) -> tuple[str, str]:
    """SQL for (the raw value as trimmed text or NULL when empty, the value in the contract's type or NULL)."""
    text = f"NULLIF(trim(CAST({raw} AS VARCHAR)), '')"
    if column.type == STRING:
        if raw_type in INTEGER_TYPES and column.kind in (KOMMUNE, BYDEL):
            width = 4 if column.kind == KOMMUNE else 6
            return text, f"lpad(CAST({raw} AS VARCHAR), {width}, '0')"
        return text, text
    if column.type == INT:
        if raw_type in INTEGER_TYPES:
            return text, f"CAST({raw} AS BIGINT)"
        if raw_type in ("FLOAT", "DOUBLE") or raw_type.startswith("DECIMAL"):
            return text, f"CASE WHEN {raw} = round({raw}) THEN TRY_CAST({raw} AS BIGINT) END"
        # Whole numbers only: a CAST would round "1.5" to 2.
        return text, (
            f"CASE WHEN regexp_full_match({text}, '[+-]?[0-9]+(\\.0*)?') "
            f"THEN TRY_CAST(regexp_extract({text}, '^[+-]?[0-9]+') AS BIGINT) END"
        )
    if column.type == TIMESTAMP:
        if raw_type == "TIMESTAMP WITH TIME ZONE":
            return text, f"timezone('Europe/Oslo', {raw})"
        if raw_type.startswith("TIMESTAMP") or raw_type == "DATE":
            return text, f"CAST({raw} AS TIMESTAMP)"
        return text, f"TRY_CAST({text} AS TIMESTAMP)"
    if column.type == DATE:
        if raw_type.startswith("TIMESTAMP") or raw_type == "DATE":
            return text, f"CAST({raw} AS DATE)"
        return text, f"TRY_CAST({text} AS DATE)"
    raise ValueError(column.type)


def _literal_list(values) -> str:
    return ", ".join(f"'{value}'" for value in sorted(values))


def _kommune_case(spec: TableSpec, value: str) -> str:
    """SQL mapping a valid 2020–2024 code to its 2024 code (NULL for anything else)."""
    whens, splits = [], {}
    for old, new, weight in contract.kommune_changes():
        splits.setdefault(old, []).append((new, weight))
    for old, targets in sorted(splits.items()):
        if len(targets) == 1:
            whens.append(f"WHEN '{old}' THEN '{targets[0][0]}'")
        elif "person_id" in spec.names:
            # A stable hash of the person id spreads the residents over the new municipalities by the weights.
            share = "(('0x' || substr(md5(person_id__typed), 1, 8))::UBIGINT / 4294967296.0)"
            branches, low = [], 0.0
            for new, weight in targets[:-1]:
                low += weight
                branches.append(f"WHEN {share} < {low} THEN '{new}'")
            whens.append(f"WHEN '{old}' THEN CASE {' '.join(branches)} ELSE '{targets[-1][0]}' END")
    valid = _literal_list(contract.kommuner_2024())
    return f"CASE WHEN {value} IN ({valid}) THEN {value} ELSE CASE {value} {' '.join(whens)} END END"


def _final(spec: TableSpec, column: ColumnSpec) -> str:
    typed = _quote(column.name + "__typed")
    if column.kind == KOMMUNE:
        return _kommune_case(spec, typed)
    if column.kind == ICD10:
        return f"upper(replace({typed}, '.', ''))"
    return typed


def _row_checks(spec: TableSpec) -> list[tuple[int, str, str, str]]:
    """Every per-row check as (column order, column, SQL condition for a breach, SQL for its message)."""
    checks: list[tuple[int, str, str, str]] = []

    def add(ord_: int, column: str, condition: str, message_sql: str) -> None:
        checks.append((ord_, column, condition, message_sql))

    for ord_, column in enumerate(spec.columns):
        name = column.name
        raw, typed, final = _quote(name + "__raw"), _quote(name + "__typed"), _quote(name)
        shown = f"left({raw}, {SHOWN_VALUE_LENGTH})" if column.kind != ID else "''"
        if not column.nullable:
            add(ord_, name, f"{raw} IS NULL", _sql_text(_("The value is missing; this column must be filled in.")))
        add(ord_, name, f"{raw} IS NOT NULL AND {typed} IS NULL", _message_with_value(_type_message(column), shown))
        if column.allowed:
            add(
                ord_,
                name,
                f"{typed} NOT IN ({_literal_list(column.allowed)})",
                _message_with_value(
                    _("“%(value)s” is not an allowed value; use one of: %(allowed)s.")
                    % {"value": "{value}", "allowed": ", ".join(column.allowed)},
                    shown,
                ),
            )
        if column.min is not None:
            add(
                ord_,
                name,
                f"{typed} NOT BETWEEN {column.min} AND {column.max}",
                _message_with_value(
                    _("%(value)s is outside the allowed range %(min)s–%(max)s.")
                    % {"value": "{value}", "min": column.min, "max": column.max},
                    shown,
                ),
            )
        if column.kind == KOMMUNE:
            add(
                ord_,
                name,
                f"{typed} IS NOT NULL AND {final} IS NULL "
                f"AND {typed} NOT IN ({_literal_list(_split_codes(spec) or [''])})",
                _message_with_value(
                    _("“%(value)s” is not a municipality number (2024 numbers, or 2020–2023 numbers).")
                    % {"value": "{value}"},
                    shown,
                ),
            )
        if column.kind == BYDEL:
            districts = contract.bydeler_2024()
            belongs = " ".join(f"WHEN '{code}' THEN '{kommune}'" for code, kommune in sorted(districts.items()))
            add(
                ord_,
                name,
                f"{typed} IS NOT NULL AND {typed} NOT IN ({_literal_list(districts)})",
                _message_with_value(
                    _("“%(value)s” is not a city-district number (six digits, for example 030101).")
                    % {"value": "{value}"},
                    shown,
                ),
            )
            add(
                ord_,
                name,
                f"{typed} IN ({_literal_list(districts)}) AND kommune IS NOT NULL "
                f"AND (CASE {typed} {belongs} END) <> kommune",
                "replace("
                + _message_with_value(
                    _("The city district %(value)s does not belong to municipality %(kommune)s.")
                    % {"value": "{value}", "kommune": "{kommune}"},
                    shown,
                )
                + ", '{kommune}', kommune)",
            )
        if column.kind == ICD10:
            add(
                ord_,
                name,
                f"{typed} IS NOT NULL AND NOT regexp_full_match(upper({typed}), '{ICD10_PATTERN}')",
                _message_with_value(
                    _("“%(value)s” is not an ICD-10 code (for example I21.9 or I219).") % {"value": "{value}"},
                    shown,
                ),
            )
    if spec.name == "opphold":
        add(
            spec.names.index("ut_tid"),
            "ut_tid",
            "ut_tid < inn_tid",
            _sql_text(_("The discharge time (ut_tid) is earlier than the admission time (inn_tid).")),
        )
    split = _split_codes(spec)
    if split:
        add(
            spec.names.index("kommune"),
            "kommune",
            f"kommune__typed IN ({_literal_list(split)})",
            _message_with_value(
                _("Municipality %(value)s was divided in 2024; give the population with the 2024 numbers.")
                % {"value": "{value}"},
                "kommune__raw",
            ),
        )
    return checks


def _split_codes(spec: TableSpec) -> list[str]:
    """Codes of divided municipalities, which only a table with person ids can map (a population cannot)."""
    if "person_id" in spec.names:
        return []
    return sorted({old for old, _new, weight in contract.kommune_changes() if weight < 1})


def _type_message(column: ColumnSpec) -> str:
    if column.type == INT:
        return _("“%(value)s” is not a whole number.") % {"value": "{value}"}
    if column.type == TIMESTAMP:
        return _("“%(value)s” is not a valid time; write it as YYYY-MM-DD HH:MM:SS.") % {"value": "{value}"}
    if column.type == DATE:
        return _("“%(value)s” is not a valid date; write it as YYYY-MM-DD.") % {"value": "{value}"}
    return _("“%(value)s” is not valid.") % {"value": "{value}"}


def _national_id_refusal(connection, spec: TableSpec, column: str) -> DatasetError | None:
    """Refuse an id column holding fødselsnumre or D-numre: a vectorised filter, then python-stdnum on a sample.

    The filter keeps 11-digit values whose two mod-11 check digits and day/month are right; the values never leave
    this function and are never shown.
    """
    digit = [f"CAST(substr(v, {i}, 1) AS INTEGER)" for i in range(1, 12)]

    def check(weights: tuple[int, ...]) -> str:
        total = " + ".join(f"{weight} * {digit[i]}" for i, weight in enumerate(weights))
        return f"(11 - ({total}) % 11) % 11"

    first, second = check((3, 7, 6, 1, 8, 9, 4, 5, 2)), check((5, 4, 3, 2, 7, 6, 5, 4, 3, 2))
    day = f"({digit[0]} * 10 + {digit[1]}) % 40"  # a D-nummer adds 40 to the day
    month = f"({digit[2]} * 10 + {digit[3]})"
    candidates = (
        f"WITH c AS (SELECT _row, {column} AS v FROM typed_{spec.name} "
        f"WHERE length({column}) = 11 AND regexp_full_match({column}, '[0-9]{{11}}')) "
        f"SELECT _row, v FROM c WHERE {first} = {digit[9]} AND {second} = {digit[10]} "
        f"AND {day} BETWEEN 1 AND 31 AND {month} BETWEEN 1 AND 12"
    )
    count = connection.execute(f"SELECT count(*) FROM ({candidates})").fetchone()[0]
    if not count:
        return None
    sample = connection.execute(f"{candidates} ORDER BY _row LIMIT {NATIONAL_ID_SAMPLE}").fetchall()
    confirmed = [row for row, value in sample if looks_like_national_id(value)]
    if not confirmed:
        return None
    return DatasetError(
        spec.name,
        confirmed[0],
        column,
        _(
            "The column holds fødselsnumre or D-numre (%(count)s rows, the first in this row). "
            "Indicator data may only hold pseudonymous ids; the data set is refused."
        )
        % {"count": count},
    )


def _normalised_columns(spec: TableSpec) -> str:
    types = {STRING: "VARCHAR", INT: "BIGINT", TIMESTAMP: "TIMESTAMP", DATE: "DATE"}
    return ", ".join(
        f"CAST({_quote(column.name)} AS {types[column.type]}) AS {_quote(column.name)}" for column in spec.columns
    )


# --- small SQL helpers ------------------------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _sql_text(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def _message_with_value(message: str, value_sql: str) -> str:
    """A translated sentence with the offending value filled in by SQL (the sentence has a {value} slot)."""
    return f"replace({_sql_text(message)}, '{{value}}', coalesce({value_sql}, ''))"


def _short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
