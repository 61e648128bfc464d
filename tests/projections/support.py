"""Small populations and a DuckDB backend for the projection engine's tests."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from samhandling.indicators.engine.areas import POPULATION_SCHEMA
from samhandling.indicators.engine.backends import connect
from samhandling.projections.engine.population import Settings, project_population


def population(rows: list[tuple]) -> pa.Table:
    """Rows of (aar, kommune, bydel, kjonn, alder, antall)."""
    columns = list(zip(*rows, strict=True))
    return pa.Table.from_arrays(
        [pa.array(column, type=field.type) for column, field in zip(columns, POPULATION_SCHEMA, strict=True)],
        schema=POPULATION_SCHEMA,
    )


def communities(mapping: dict[str, str]) -> pa.Table:
    return pa.table({"kommune": list(mapping), "helsefellesskap": list(mapping.values())})


def project(rows, mapping, tmp_path: Path, *, base=(2024, 2025), to=2026, shrinkage=0.0, engine="duckdb"):
    backend = connect(engine, memory_limit="1GB", temp_directory=tmp_path / "tmp")
    try:
        return project_population(
            backend,
            population(rows),
            settings=Settings(base_years=base, to_year=to, shrinkage=shrinkage),
            communities=communities(mapping),
        )
    finally:
        backend.close()


def cell(result: pa.Table, level: str, area: str, year: int, kjonn: str, alder: int) -> float:
    found = [
        row["antall"]
        for row in result.to_pylist()
        if (row["level"], row["area"], row["aar"], row["kjonn"], row["alder"]) == (level, area, year, kjonn, alder)
    ]
    assert len(found) == 1, found
    return found[0]
