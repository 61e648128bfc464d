"""Reading and writing projected populations as the command-line CSV (`kommunenummer,kjonn,alder,aar,antall`)."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

CSV_COLUMNS = ("kommunenummer", "kjonn", "alder", "aar", "antall")


def municipal_rows(result: pa.Table, *, projected_only: bool = True) -> pa.Table:
    """The municipal rows of a projection result as the CSV's columns (antall rounded to 0.01 persons)."""
    rows = result.filter(pc.equal(result["level"], "kommune"))
    if projected_only:
        rows = rows.filter(rows["projected"])
    table = pa.Table.from_arrays(
        [rows["area"], rows["kjonn"], rows["alder"], rows["aar"], pc.round(rows["antall"], 2)],
        names=list(CSV_COLUMNS),
    )
    return table.sort_by([(name, "ascending") for name in ("kommunenummer", "aar", "kjonn", "alder")])


def write_csv(table: pa.Table, path: Path) -> None:
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as out:
        # pyarrow quotes the header whatever the quoting style, so the header line is written here.
        out.write((",".join(table.column_names) + "\n").encode())
        pacsv.write_csv(table, out, pacsv.WriteOptions(include_header=False, quoting_style="none"))


def read_csv(path: Path) -> pa.Table:
    types = {
        "kommunenummer": pa.string(),
        "kjonn": pa.string(),
        "alder": pa.int64(),
        "aar": pa.int64(),
        "antall": pa.float64(),
    }
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types))
