"""Execution backends for the indicator engine: the few things the runner needs beyond Ibis itself (loading Arrow
tables, materialising intermediate results, fetching Arrow), one module per engine. `connect()` picks one."""

from __future__ import annotations

from pathlib import Path

from .base import ENGINES, Backend


def connect(engine: str, *, memory_limit: str, temp_directory: Path) -> Backend:
    if engine == "duckdb":
        from .duckdb import DuckDBBackend

        return DuckDBBackend(memory_limit=memory_limit, temp_directory=temp_directory)
    if engine == "spark":
        from .spark import SparkBackend

        return SparkBackend(memory_limit=memory_limit, temp_directory=temp_directory)
    raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")


__all__ = ["ENGINES", "Backend", "connect"]
