"""Reading and checking the spreadsheet of earlier cases a secretariat kept before the platform (CSV or XLSX), and
the template to fill in. Nothing here writes: `services.deviation_import()` writes a file without errors, all of
it in one transaction. The file format is described in `imports/columns.py`."""

from .columns import (
    COLUMNS,
    EXAMPLE_CASE_NUMBER,
    EXTENSIONS,
    MAX_FILE_SIZE,
    MAX_ROWS,
    REQUIRED,
    Column,
    FileRefused,
    ImportResult,
    RowError,
)
from .reading import Directory, Table, read_table
from .template import template_workbook
from .validation import ImportRow, parse_date, validate

__all__ = [
    "COLUMNS",
    "EXAMPLE_CASE_NUMBER",
    "EXTENSIONS",
    "MAX_FILE_SIZE",
    "MAX_ROWS",
    "REQUIRED",
    "Column",
    "Directory",
    "FileRefused",
    "ImportResult",
    "ImportRow",
    "RowError",
    "Table",
    "parse_date",
    "read_table",
    "template_workbook",
    "validate",
]
