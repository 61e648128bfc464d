"""Reference lookups for the indicator engine, read straight from the CSV files in `core/reference_data/`.

No Django here: the engine must run standalone (and on Spark), so the areas and the embedded population come from
the files themselves as Arrow tables, cached per process.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

REFERENCE_DIRECTORY = Path(__file__).resolve().parents[2] / "core" / "reference_data"
LAND = "NO"
LEVELS = ("land", "helsefellesskap", "kommune", "bydel")
# Each level with the column of a record that names its area (the country has none: every record is in it).
LEVEL_COLUMNS = (("land", None), ("helsefellesskap", "helsefellesskap"), ("kommune", "kommune"), ("bydel", "bydel"))
POPULATION_MAX_AGE = 105  # the population files' last age is "105 or older"

POPULATION_SCHEMA = pa.schema(
    [
        ("aar", pa.int64()),
        ("kommune", pa.string()),
        ("bydel", pa.string()),
        ("kjonn", pa.string()),
        ("alder", pa.int64()),
        ("antall", pa.int64()),
    ]
)


def _read_csv(path: Path, columns: dict[str, pa.DataType]) -> pa.Table:
    # Codes keep their leading zeros, so every column's type is given rather than inferred.
    options = pacsv.ConvertOptions(column_types=columns, include_columns=list(columns))
    return pacsv.read_csv(path, convert_options=options)


def _table(columns: dict[str, pa.Array | pa.ChunkedArray], schema: pa.Schema | None = None) -> pa.Table:
    # Table.from_arrays, not pa.table(dict): the latter asks pyarrow's pandas shim whether the dict is a DataFrame,
    # which imports pandas (~0.4 s of every run's start).
    if schema is not None:
        return pa.Table.from_arrays(list(columns.values()), schema=schema)
    return pa.Table.from_arrays(list(columns.values()), names=list(columns))


@lru_cache(maxsize=4)
def kommune_helsefellesskap(directory: Path = REFERENCE_DIRECTORY) -> pa.Table:
    """2024 municipality code → the short name of its helsefellesskap (`kommune`, `helsefellesskap`)."""
    rows = _read_csv(
        directory / "helsefellesskap_kommune_2024.csv",
        {"kommunenummer": pa.string(), "helsefellesskap": pa.string()},
    )
    return _table({"kommune": rows["kommunenummer"], "helsefellesskap": rows["helsefellesskap"]}).combine_chunks()


@lru_cache(maxsize=4)
def bydel_kommune(directory: Path = REFERENCE_DIRECTORY) -> pa.Table:
    """City-district code → its municipality (`bydel`, `kommune`)."""
    rows = _read_csv(directory / "bydeler_2024.csv", {"bydelsnummer": pa.string(), "kommunenummer": pa.string()})
    return _table({"bydel": rows["bydelsnummer"], "kommune": rows["kommunenummer"]}).combine_chunks()


def _read_population_csv(path: Path, code_column: str) -> pa.Table:
    types = {
        "aar": pa.int64(),
        code_column: pa.string(),
        "kjonn": pa.string(),
        "alder": pa.int64(),
        "antall": pa.int64(),
    }
    return _read_csv(path, types)


@lru_cache(maxsize=4)
def reference_population(directory: Path = REFERENCE_DIRECTORY) -> pa.Table:
    """The embedded population on 1 January 2024–2026 by municipality (bydel null) and by city district.

    Cached per process; read with pyarrow's multithreaded CSV reader and mapped with Arrow compute, no Python loops.
    """
    kommuner = _read_population_csv(directory / "befolkning_kommune_kjonn_alder_2024_2026.csv", "kommunenummer")
    bydeler = _read_population_csv(directory / "befolkning_bydel_kjonn_alder_2024_2026.csv", "bydelsnummer")
    districts = bydel_kommune(directory)
    codes = bydeler["bydelsnummer"]
    # A district missing from the reference list belongs to the municipality its first four digits name.
    position = pc.index_in(codes, value_set=districts["bydel"])
    kommune = pc.coalesce(pc.take(districts["kommune"], position), pc.utf8_slice_codeunits(codes, 0, 4))
    whole = _table(
        {
            "aar": kommuner["aar"],
            "kommune": kommuner["kommunenummer"],
            "bydel": pa.nulls(len(kommuner), pa.string()),
            "kjonn": kommuner["kjonn"],
            "alder": kommuner["alder"],
            "antall": kommuner["antall"],
        },
        POPULATION_SCHEMA,
    )
    parts = _table(
        {
            "aar": bydeler["aar"],
            "kommune": kommune,
            "bydel": codes,
            "kjonn": bydeler["kjonn"],
            "alder": bydeler["alder"],
            "antall": bydeler["antall"],
        },
        POPULATION_SCHEMA,
    )
    return pa.concat_tables([whole, parts]).combine_chunks()


def population(dataset: Path | None = None) -> pa.Table:
    """The population to use for a prepared data set: its own `befolkning` table when it has one, else the embedded one.

    Rows with an empty `bydel` are whole municipalities; rows with a `bydel` are its city districts.
    """
    if dataset is not None and (Path(dataset) / "befolkning.parquet").exists():
        table = pq.read_table(Path(dataset) / "befolkning.parquet", columns=POPULATION_SCHEMA.names)
        return table.cast(POPULATION_SCHEMA)
    return reference_population()
