"""What a deviation report is made of: its kinds and formats, the numbers (cells) with the reason each is hidden,
rows, tables and periods. The small-number rule itself is core.disclosure's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core.disclosure import DERIVED, FEW_CASES, SMALL, SMALL_NUMBER_LIMIT

COUNT, PERCENT, DAYS, CHANGE, RATE = "count", "percent", "days", "change", "rate"
HALF_YEAR, ANNUAL = "half_year", "annual"
INTERNAL, PUBLISHED = "internal", "published"
PDF, DOCX = "pdf", "docx"
KINDS = {
    HALF_YEAR: gettext_lazy("Half-year report (to SSU)"),
    ANNUAL: gettext_lazy("Annual report (to the quality committee)"),
}
VERSIONS = {
    PUBLISHED: gettext_lazy("Published version (small numbers hidden)"),
    INTERNAL: gettext_lazy("Internal version (all numbers)"),
}
FORMATS = {PDF: "PDF", DOCX: "Word (DOCX)"}
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Cell:
    """One number in a report: its value, what kind of number it is, and why it is hidden ("" when shown).

    `base` is the number of cases a share or a median is computed from."""

    value: float | None
    kind: str = COUNT
    hidden: str = ""
    base: int | None = None

    @property
    def shown(self) -> bool:
        return not self.hidden and self.value is not None

    def __str__(self) -> str:
        if self.hidden == SMALL:
            return f"<{SMALL_NUMBER_LIMIT}"
        if self.hidden:
            return _("hidden")
        if self.value is None:
            return "–"
        if self.kind == PERCENT:
            return f"{formats.number_format(round(self.value * 100))}\u00a0%"
        if self.kind == DAYS:
            return formats.number_format(self.value, decimal_pos=0 if float(self.value).is_integer() else 1)
        if self.kind == RATE:  # per 10,000 inhabitants
            return formats.number_format(self.value, decimal_pos=1, force_grouping=True)
        if self.kind == CHANGE:
            sign = "+" if self.value > 0 else "\u2212" if self.value < 0 else ""
            return f"{sign}{formats.number_format(abs(self.value), force_grouping=True)}"
        return formats.number_format(self.value, force_grouping=True)


def rate_cell(value: float | None, base: int, *, kind: str, published: bool) -> Cell:
    """A share or a median; hidden in the published version when it is computed from fewer than 5 cases."""
    if value is None or not base:
        return Cell(None, kind, base=base)
    return Cell(value, kind, FEW_CASES if published and base < SMALL_NUMBER_LIMIT else "", base=base)


def change_cell(current: Cell, previous: Cell) -> Cell:
    """The change from the previous period; hidden when either number is, or it would give that number away."""
    if current.hidden or previous.hidden:
        return Cell(None, CHANGE, DERIVED)
    return Cell(current.value - previous.value, CHANGE)


# --- the report's structure -----------------------------------------------------------------------------------------


@dataclass
class Row:
    labels: list[str]
    cells: list[Cell]


@dataclass
class Table:
    key: str
    title: str
    label_headers: list[str]
    value_headers: list[str]
    rows: list[Row]
    total: Row | None = None
    note: str = ""
    chart: dict | None = None  # Vega-Lite spec drawn from the cells of this table
    chart_description: str = ""

    def cells(self) -> Iterator[Cell]:
        for row in [*self.rows, *([self.total] if self.total else [])]:
            yield from row.cells


@dataclass
class Report:
    community: str
    kind: str
    version: str
    year: int
    half: int | None
    start: date
    end: date
    title: str
    period_label: str
    marking: str
    rule: str
    about: list[str]
    facts: list[tuple[str, str]]
    generated_on: date
    key_figures: Table
    tables: list[Table] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.version == PUBLISHED

    def all_tables(self) -> list[Table]:
        return [self.key_figures, *self.tables]

    def cells(self) -> Iterator[Cell]:
        for table in self.all_tables():
            yield from table.cells()


# --- periods ------------------------------------------------------------------------------------------------------


def half_year_period(year: int, half: int) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


def previous_half(year: int, half: int) -> tuple[int, int]:
    return (year - 1, 2) if half == 1 else (year, 1)


def half_label(year: int, half: int) -> str:
    if half == 1:
        return _("1st half %(year)s") % {"year": year}
    return _("2nd half %(year)s") % {"year": year}


def report_title(kind: str, year: int, half: int | None) -> str:
    if kind == ANNUAL:
        return _("Samhandlingsavvik – annual report %(year)s") % {"year": year}
    if half == 1:
        return _("Samhandlingsavvik – half-year report, 1st half %(year)s") % {"year": year}
    return _("Samhandlingsavvik – half-year report, 2nd half %(year)s") % {"year": year}


def report_period(kind: str, year: int, half: int | None) -> tuple[date, date]:
    return (date(year, 1, 1), date(year, 12, 31)) if kind == ANNUAL else half_year_period(year, half)


def _long_date(day: date) -> str:
    return formats.date_format(day, "DATE_FORMAT")
