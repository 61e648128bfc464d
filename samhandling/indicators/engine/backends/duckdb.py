"""The DuckDB backend: embedded, every core, spilling to the run's temporary folder past the memory limit."""

from __future__ import annotations

import os
from pathlib import Path

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from .base import Backend


class DuckDBBackend(Backend):
    engine = "duckdb"

    def __init__(self, *, memory_limit: str, temp_directory: Path):
        super().__init__()
        temp_directory.mkdir(parents=True, exist_ok=True)
        # Every core (DuckDB's default, stated so a changed default cannot slow runs down) and no ordering
        # guarantees: nothing here depends on row order, and keeping it costs time and memory on large scans.
        self.con = ibis.duckdb.connect(
            memory_limit=memory_limit,
            temp_directory=str(temp_directory),
            threads=os.cpu_count() or 1,
            preserve_insertion_order=False,
        )

    def to_arrow(self, expr: Table) -> pa.Table:
        return self.con.con.sql(self.con.compile(expr)).to_arrow_table()

    def register(self, name: str, table: pa.Table) -> Table:
        self.con.con.register(name, table)
        return self.con.table(name)

    def _materialise(self, name: str, sql: str) -> None:
        self.con.raw_sql(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')

    def _drop(self, name: str) -> None:
        self.con.raw_sql(f'DROP TABLE IF EXISTS "{name}"')

    def close(self) -> None:
        super().close()
        self.con.disconnect()
