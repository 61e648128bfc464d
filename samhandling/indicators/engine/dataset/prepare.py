"""Preparing a data set: every table checked, then written as normalised Parquet with a manifest (version, row
counts, the years present and the whole years the data set covers). Stored whole or not at all: the tables are
written to a temporary folder that is renamed to the target only when every table has passed."""

# ruff: noqa: S608 — the SQL is built from the contract's own names; paths are quoted with sql_path.
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb

from .. import contract
from .checks import check_table, normalised_columns
from .errors import MAX_ERRORS, DatasetError, DatasetRefused, Step
from .files import find_tables, is_synthetic, load
from .sql import quote, short, sql_path

MANIFEST = "manifest.json"

# (fraction, message): the message is a `Step` (English text with a code and parameters for translation).
Progress = Callable[[float, str], None]


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
    files = find_tables(source)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        output = work / "dataset"
        output.mkdir()
        connection = duckdb.connect(str(work / "work.duckdb"))
        try:
            connection.execute(f"SET temp_directory = '{sql_path(work / 'spill')}'")
            connection.execute("SET preserve_insertion_order = true")
            connection.execute("SET enable_progress_bar = false")
            manifest = _prepare(connection, files, output, report)
        finally:
            connection.close()
        manifest.update(
            synthetic=is_synthetic(source),
            source=str(source),
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        )
        (output / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        os.rename(output, target)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(1.0, Step("stored"))
    return manifest


def _prepare(connection, files: dict[str, Path], output: Path, report: Progress) -> dict:
    errors: list[DatasetError] = []
    total = 0
    ready: list[str] = []
    steps = 2 * len(files) + 1
    for index, (name, path) in enumerate(files.items()):
        report(index / steps, Step("checking", {"table": path.name}))
        spec = contract.TABLES[name]
        try:
            relation, row_sql = load(connection, name, path)
            table_errors, table_total = check_table(connection, spec, relation, row_sql)
        except (duckdb.Error, OSError, ValueError, KeyError, StopIteration) as error:
            table_errors = [DatasetError(name, None, None, "unreadable", {"error": short(error)})]
            table_total = 1
        if not table_total:
            ready.append(name)
        errors.extend(table_errors[: MAX_ERRORS - len(errors)])
        total += table_total
    if total:
        raise DatasetRefused(errors, total)

    rows, years, first, last = {}, set(), [], []
    for index, name in enumerate(ready):
        report((len(files) + index) / steps, Step("writing", {"table": name}))
        spec = contract.TABLES[name]
        file = output / f"{name}.parquet"
        connection.execute(
            f"COPY (SELECT {normalised_columns(spec)} FROM typed_{name}) "
            f"TO '{sql_path(file)}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 500000)"
        )
        rows[name] = connection.execute(f"SELECT count(*) FROM read_parquet('{sql_path(file)}')").fetchone()[0]
        for column in spec.year_columns:
            found = connection.execute(
                f"SELECT list(DISTINCT year({column})), min({column})::DATE, max({column})::DATE "
                f"FROM read_parquet('{sql_path(file)}') WHERE {column} IS NOT NULL"
            ).fetchone()
            years.update(found[0] or [])
            if found[1] is not None:
                first.append(found[1])
                last.append(found[2])
    report((steps - 1) / steps, Step("version"))
    return {
        "version": _version(connection, output, sorted(rows)),
        "contract": contract.CONTRACT_VERSION,
        "tables": rows,
        "years": sorted(years),
        "period": covered_period(min(first) if first else None, max(last) if last else None, sorted(years)),
    }


def covered_period(first: dt.date | None, last: dt.date | None, years: list[int]) -> dict:
    """The whole years between the earliest and the latest record: a year counts when the records reach into its
    first month and its last month, so one stay discharged on 2 January does not make a year of near-zero values.
    When no year is whole (a small test delivery), every year present is taken, and `whole` says so."""
    if first is None or last is None:
        return {"first": None, "last": None, "whole": False}
    start = first.year if first <= dt.date(first.year, 1, 31) else first.year + 1
    end = last.year if last >= dt.date(last.year, 12, 1) else last.year - 1
    if start <= end:
        return {"first": start, "last": end, "whole": True}
    return {"first": min(years), "last": max(years), "whole": False}


def _version(connection, folder: Path, names: list[str]) -> str:
    """A digest of the normalised content: the same rows give the same version, whatever the delivered format.

    The Parquet bytes are not hashed because a parallel writer may lay out the same rows differently; instead each
    table contributes its columns, row count and the sum of its row hashes (one vectorised pass).
    """
    digest = hashlib.sha256()
    for name in names:
        spec = contract.TABLES[name]
        columns = ", ".join(quote(column) for column in spec.names)
        count, total = connection.execute(
            f"SELECT count(*), coalesce(sum(hash({columns})::HUGEINT), 0) "
            f"FROM read_parquet('{sql_path(folder / f'{name}.parquet')}')"
        ).fetchone()
        digest.update(f"{name}|{','.join(spec.names)}|{count}|{total}\n".encode())
    return digest.hexdigest()[:16]
