"""Small SQL helpers for the data set checks: identifiers and paths quoted, texts escaped (no cell value is ever
put into SQL text), and a short form of an engine error for the refusal."""

from __future__ import annotations

from pathlib import Path


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def sql_text(text: str) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def sql_path(path: Path) -> str:
    return str(path).replace("'", "''")


def short(error: Exception) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text[:200]
