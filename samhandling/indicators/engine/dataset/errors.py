"""What the engine says when a data set breaks the contract: a code with parameters, never a sentence in a language.
The English templates below are the msgids the web layer translates (`indicators.texts`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..messages import PROGRESS, Step, gettext_noop, render

MAX_ERRORS = 100
__all__ = ["MAX_ERRORS", "MESSAGES", "PROGRESS", "DatasetError", "DatasetRefused", "Step", "render"]


MESSAGES: dict[str, str] = {
    "folder_missing": gettext_noop("The data set folder does not exist."),
    "several_files": gettext_noop("The table is delivered in more than one file (%(files)s); keep only one."),
    "no_data_tables": gettext_noop(
        "No data tables were found. Deliver at least one of opphold, kontakter and iplos as .parquet, .csv or .xlsx."
    ),
    "unreadable": gettext_noop("The file could not be read: %(error)s"),
    "missing_column": gettext_noop("The column “%(column)s” is missing."),
    "unknown_column": gettext_noop("The column “%(column)s” is not part of the data contract; remove it."),
    "missing_value": gettext_noop("The value is missing; this column must be filled in."),
    "control_character": gettext_noop(
        "The value holds a control character (such as a NUL byte), which a data set may not contain."
    ),
    "not_whole_number": gettext_noop("“%(value)s” is not a whole number."),
    "not_timestamp": gettext_noop("“%(value)s” is not a valid time; write it as YYYY-MM-DD HH:MM:SS."),
    "not_date": gettext_noop("“%(value)s” is not a valid date; write it as YYYY-MM-DD."),
    "not_valid": gettext_noop("“%(value)s” is not valid."),
    "not_allowed": gettext_noop("“%(value)s” is not an allowed value; use one of: %(allowed)s."),
    "out_of_range": gettext_noop("%(value)s is outside the allowed range %(min)s–%(max)s."),
    "not_municipality": gettext_noop("“%(value)s” is not a municipality number (2024 numbers, or 2020–2023 numbers)."),
    "not_district": gettext_noop("“%(value)s” is not a city-district number (six digits, for example 030101)."),
    "district_elsewhere": gettext_noop("The city district %(value)s does not belong to municipality %(kommune)s."),
    "not_icd10": gettext_noop("“%(value)s” is not an ICD-10 code (for example I21.9 or I219)."),
    "discharge_before_admission": gettext_noop(
        "The discharge time (ut_tid) is earlier than the admission time (inn_tid)."
    ),
    "divided_municipality": gettext_noop(
        "Municipality %(value)s was divided in 2024; give the population with the 2024 numbers."
    ),
    "duplicate_id": gettext_noop("This id has already been used in row %(row)s."),
    "national_id": gettext_noop(
        "The column holds fødselsnumre or D-numre (%(count)s rows, the first in this row). "
        "Indicator data may only hold pseudonymous ids; the data set is refused."
    ),
}


@dataclass(frozen=True)
class DatasetError:
    """One breach of the contract: a code with its parameters. `row` is the data row as a spreadsheet user counts it
    (the header is row 1)."""

    table: str
    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """In English, for logs and the command line; people read `indicators.texts.dataset_error_text`."""
        return render(MESSAGES, self.code, self.params)


class DatasetRefused(Exception):
    """The data set breaks the contract; `errors` holds the first 100 breaches, `total_errors` counts them all."""

    def __init__(self, errors: list[DatasetError], total_errors: int | None = None):
        self.errors = errors[:MAX_ERRORS]
        self.total_errors = max(total_errors or 0, len(errors))
        first = errors[0].message if errors else None
        super().__init__(f"{self.total_errors} error(s) in the data set; first: {first}")
