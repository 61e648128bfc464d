"""The checks of one delivered table against the contract, all in SQL over DuckDB: the header, each value's type,
codes and ranges, municipality and district numbers, ICD-10 codes, unique ids and fødselsnumre in id columns; and the
typed, normalised columns the stored Parquet gets. Breaches are `DatasetError` codes with parameters."""

# ruff: noqa: S608 — the SQL is built from the contract's own names; the file's column names are quoted (`quote`)
# and texts are escaped (`sql_text`); no cell value is ever put into SQL text.
from __future__ import annotations

from dataclasses import dataclass, field

from stdnum.no import fodselsnummer

from .. import contract
from ..contract import BYDEL, DATE, ICD10, ID, INT, KOMMUNE, STRING, TIMESTAMP, ColumnSpec, TableSpec
from .errors import MAX_ERRORS, DatasetError
from .sql import quote

ICD10_PATTERN = r"[A-Z][0-9]{2}(\.?[0-9A-Z]{1,4})?"  # I21.9, I219, F32, Z38.0
NATIONAL_ID_SAMPLE = 1000  # candidate values confirmed with python-stdnum after the vectorised filter
SHOWN_VALUE_LENGTH = 40
CONTROL = r"[\x00-\x08\x0B\x0C\x0E-\x1F]"  # RE2: control characters but tab, line feed and carriage return


def check_table(connection, spec: TableSpec, relation: str, row_sql: str) -> tuple[list[DatasetError], int]:
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
        text, typed = _typed(column, quote(raw), raw_types[raw])
        parts.append(f"{text} AS {quote(column.name + '__raw')}")
        parts.append(f"{typed} AS {quote(column.name + '__typed')}")
    # typed_<table> has `_row`, each column's trimmed text (`<c>__raw`) and typed value (`<c>__typed`), and then
    # the normalised value under the column's own name. Municipality codes are mapped to 2024 codes in this second
    # step because a divided municipality needs the typed person id.
    connection.execute(f"CREATE VIEW typed0_{spec.name} AS SELECT {', '.join(parts)} FROM {relation}")
    final = ["*"]
    for column in spec.columns:
        final.append(f"{_final(spec, column)} AS {quote(column.name)}")
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
    """Every per-row check in one pass: the rows that break any check are kept with a flag and the values of its
    parameters per check."""
    checks = _row_checks(spec)
    conditions = [f"coalesce({check.condition}, false)" for check in checks]
    columns = []
    for i, (condition, check) in enumerate(zip(conditions, checks, strict=True)):
        columns.append(f"{condition} AS f{i}")
        columns += [f"CASE WHEN {condition} THEN {sql} END AS p{i}_{name}" for name, sql in check.values.items()]
    flagged = f"flagged_{spec.name}"
    connection.execute(
        f"CREATE TEMP TABLE {flagged} AS SELECT _row, {', '.join(columns)} FROM typed_{spec.name} "
        f"WHERE {' OR '.join(conditions)}"
    )
    total = connection.execute(
        f"SELECT coalesce(sum({' + '.join(f'f{i}::INTEGER' for i in range(len(checks)))}), 0) FROM {flagged}"
    ).fetchone()[0]
    errors = []
    # Every flagged row has at least one error, so the first 100 errors lie in the first 100 flagged rows.
    cursor = connection.execute(f"SELECT * FROM {flagged} ORDER BY _row LIMIT {MAX_ERRORS}")
    names = [description[0] for description in cursor.description]
    for values in cursor.fetchall():
        row = dict(zip(names, values, strict=True))
        for i, check in sorted(enumerate(checks), key=lambda item: item[1].order):
            if row[f"f{i}"]:
                params = {**check.params, **{name: row[f"p{i}_{name}"] or "" for name in check.values}}
                errors.append(DatasetError(spec.name, row["_row"], check.column, check.code, params))
    return errors, int(total)


def _duplicate_errors(connection, spec: TableSpec) -> tuple[list[DatasetError], int]:
    if not spec.unique:
        return [], 0
    column = quote(spec.unique)
    found = connection.execute(
        f"WITH d AS (SELECT {column}, min(_row) AS first_row FROM typed_{spec.name} GROUP BY {column} "
        f"HAVING count(*) > 1) SELECT t._row, d.first_row, count(*) OVER () FROM typed_{spec.name} t "
        f"JOIN d USING ({column}) WHERE t._row > d.first_row ORDER BY t._row LIMIT {MAX_ERRORS}"
    ).fetchall()
    errors = [DatasetError(spec.name, row, spec.unique, "duplicate_id", {"row": first}) for row, first, _total in found]
    return errors, found[0][2] if found else 0


def _check_header(spec: TableSpec, names: list[str]) -> list[DatasetError]:
    present = {name.strip().lower() for name in names}
    errors = [
        DatasetError(spec.name, 1, column, "missing_column", {"column": column})
        for column in spec.names
        if column not in present
    ]
    errors += [
        DatasetError(spec.name, 1, name, "unknown_column", {"column": name})
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
    typed = quote(column.name + "__typed")
    if column.kind == KOMMUNE:
        return _kommune_case(spec, typed)
    if column.kind == ICD10:
        return f"upper(replace({typed}, '.', ''))"
    return typed


@dataclass(frozen=True)
class Check:
    """One per-row check: the SQL condition for a breach, its error code, fixed parameters and the parameters whose
    values SQL gives (the offending value, the row's municipality)."""

    order: int
    column: str
    condition: str
    code: str
    params: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)


def _row_checks(spec: TableSpec) -> list[Check]:
    """Every per-row check, in the order of the columns."""
    checks: list[Check] = []
    add = checks.append
    for ord_, column in enumerate(spec.columns):
        name = column.name
        raw, typed, final = quote(name + "__raw"), quote(name + "__typed"), quote(name)
        # The value shown in a message never carries control characters (PostgreSQL's JSON cannot hold a NUL).
        visible = f"regexp_replace(left({raw}, {SHOWN_VALUE_LENGTH}), '{CONTROL}', '', 'g')"
        shown = {"value": visible if column.kind != ID else "''"}
        # A NUL byte (or another control character) is refused before anything else looks at the value: PostgreSQL
        # cannot store it, and a person cannot see it.
        add(Check(ord_, name, f"regexp_matches({raw}, '{CONTROL}')", "control_character"))
        if not column.nullable:
            add(Check(ord_, name, f"{raw} IS NULL", "missing_value"))
        add(Check(ord_, name, f"{raw} IS NOT NULL AND {typed} IS NULL", _type_code(column), values=shown))
        if column.allowed:
            add(
                Check(
                    ord_,
                    name,
                    f"{typed} NOT IN ({_literal_list(column.allowed)})",
                    "not_allowed",
                    {"allowed": ", ".join(column.allowed)},
                    shown,
                )
            )
        if column.min is not None:
            add(
                Check(
                    ord_,
                    name,
                    f"{typed} NOT BETWEEN {column.min} AND {column.max}",
                    "out_of_range",
                    {"min": column.min, "max": column.max},
                    shown,
                )
            )
        if column.kind == KOMMUNE:
            condition = (
                f"{typed} IS NOT NULL AND {final} IS NULL "
                f"AND {typed} NOT IN ({_literal_list(_split_codes(spec) or [''])})"
            )
            add(Check(ord_, name, condition, "not_municipality", values=shown))
        if column.kind == BYDEL:
            districts = contract.bydeler_2024()
            belongs = " ".join(f"WHEN '{code}' THEN '{kommune}'" for code, kommune in sorted(districts.items()))
            add(
                Check(
                    ord_,
                    name,
                    f"{typed} IS NOT NULL AND {typed} NOT IN ({_literal_list(districts)})",
                    "not_district",
                    values=shown,
                )
            )
            add(
                Check(
                    ord_,
                    name,
                    f"{typed} IN ({_literal_list(districts)}) AND kommune IS NOT NULL "
                    f"AND (CASE {typed} {belongs} END) <> kommune",
                    "district_elsewhere",
                    values={**shown, "kommune": "kommune"},
                )
            )
        if column.kind == ICD10:
            add(
                Check(
                    ord_,
                    name,
                    f"{typed} IS NOT NULL AND NOT regexp_full_match(upper({typed}), '{ICD10_PATTERN}')",
                    "not_icd10",
                    values=shown,
                )
            )
    if spec.name == "opphold":
        add(Check(spec.names.index("ut_tid"), "ut_tid", "ut_tid < inn_tid", "discharge_before_admission"))
    split = _split_codes(spec)
    if split:
        add(
            Check(
                spec.names.index("kommune"),
                "kommune",
                f"kommune__typed IN ({_literal_list(split)})",
                "divided_municipality",
                values={"value": "kommune__raw"},
            )
        )
    return checks


def _split_codes(spec: TableSpec) -> list[str]:
    """Codes of divided municipalities, which only a table with person ids can map (a population cannot)."""
    if "person_id" in spec.names:
        return []
    return sorted({old for old, _new, weight in contract.kommune_changes() if weight < 1})


def _type_code(column: ColumnSpec) -> str:
    return {INT: "not_whole_number", TIMESTAMP: "not_timestamp", DATE: "not_date"}.get(column.type, "not_valid")


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
    confirmed = [row for row, value in sample if _is_national_id(value)]
    if not confirmed:
        return None
    return DatasetError(spec.name, confirmed[0], column, "national_id", {"count": count})


def _is_national_id(number: str) -> bool:
    """A fødselsnummer or D-nummer by python-stdnum (an H-number, third digit + 4, is a help number, not an id).
    The same rule as core.identity.looks_like_national_id, which imports Django and so cannot be used here."""
    return len(number) == 11 and number.isdigit() and int(number[2]) < 4 and fodselsnummer.is_valid(number)


def normalised_columns(spec: TableSpec) -> str:
    types = {STRING: "VARCHAR", INT: "BIGINT", TIMESTAMP: "TIMESTAMP", DATE: "DATE"}
    return ", ".join(
        f"CAST({quote(column.name)} AS {types[column.type]}) AS {quote(column.name)}" for column in spec.columns
    )
