"""What every engine backend offers the runner. Ibis' own `cache`/`create_table` do not work with in-memory data on
both engines, so materialising and registering Arrow tables are done per engine in SQL."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
from ibis.expr.types import Table

ENGINES = ("duckdb", "spark")


class Backend:
    engine = ""

    def __init__(self) -> None:
        self.con = None
        self._names: list[str] = []  # dropped by release(), after each indicator
        self._kept: list[str] = []  # dropped by close(), at the end of the run

    def read_parquet(self, path: Path, name: str) -> Table:
        return self.con.read_parquet(str(path), table_name=name)

    def to_arrow(self, expr: Table) -> pa.Table:
        """The result as Arrow, straight from the engine: Ibis' own to_pyarrow converts through pandas on PySpark
        and imports pandas on DuckDB (~0.4 s per process)."""
        raise NotImplementedError

    def register(self, name: str, table: pa.Table) -> Table:
        raise NotImplementedError

    def _materialise(self, name: str, sql: str) -> None:
        raise NotImplementedError

    def _drop(self, name: str) -> None:
        raise NotImplementedError

    def materialise(self, name: str, expr: Table, *, keep: bool = False) -> Table:
        self._materialise(name, self.con.compile(expr))
        (self._kept if keep else self._names).append(name)
        return self.con.table(name)

    def materialise_sql(self, name: str, sql: str, *, keep: bool = False) -> Table:
        """As `materialise`, from SQL that both engines read alike (for statements Ibis is slow to build, such as a
        union of many tables)."""
        self._materialise(name, sql)
        (self._kept if keep else self._names).append(name)
        return self.con.table(name)

    def release(self, names: list[str] | None = None) -> None:
        """Drop what `materialise` made since the last release (or the tables named)."""
        names = self._names if names is None else names
        for name in names:
            self._drop(name)
        names.clear()

    def close(self) -> None:
        self.release()
        self.release(self._kept)
