"""The half-year report to SSU and the annual report for the quality committee, built from the de-identified
deviation statistics and delivered as PDF (WeasyPrint) or DOCX (python-docx).

`build_report()` turns `selectors.statistics()` into tables, and charts drawn from the very same cells. The
published version runs every count through `suppress()` and every share or median through `rate_cell()`, so no
count from 1 to 4, and no figure computed from fewer than 5 cases, leaves the platform. Reports hold counts only:
never a free text, a person's name or a patient, so they carry no exemption marking.

The meeting module (not written yet) attaches a report to an agenda item by calling `generate_report()`, which
returns (filename, bytes, content type) and stores nothing. A person's download goes through
`deviation_report_generate()`, which checks permission and writes the audit event.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from samhandling.core import audit
from samhandling.core.charts import document_bar_chart
from samhandling.core.documents import (
    docx_page_counter,
    docx_repeat_header,
    local_only_fetcher,
    page_counter,
)
from samhandling.core.models import Helsefellesskap, OrganisationType
from samhandling.core.permissions import require, rule

from . import selectors
from .access import access_for
from .models import EXCLUDED_FROM_STATISTICS, EventType, PhysicalHarm, PsychologicalHarm, Status

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

# --- the small-number rule ----------------------------------------------------------------------------------------

SMALL_NUMBER_LIMIT = 5
SMALL = "small"  # a count from 1 to 4: shown as "<5"
DERIVED = "derived"  # a count that could be worked out from a total and the numbers shown beside it
FEW_CASES = "few_cases"  # a share or median computed from fewer than 5 cases

COUNT, PERCENT, DAYS, CHANGE = "count", "percent", "days", "change"


def is_small(count: int) -> bool:
    return 0 < count < SMALL_NUMBER_LIMIT


def suppress(
    values: Mapping[Hashable, int],
    lines: Iterable[tuple[Sequence[Hashable], Hashable]] = (),
    *,
    hidden: Mapping[Hashable, str] | None = None,
) -> dict[Hashable, str]:
    """Why each count is hidden ("" when it is shown).

    Every count from 1 to 4 is hidden (SMALL); 0 and 5 or more are shown. `lines` are the sums a reader can check:
    (parts, total) with the parts adding up to the total. A line with exactly one hidden number would give it away,
    so the smallest shown part (a non-zero one first) is hidden as well (DERIVED), until no line has exactly one.
    `hidden` gives numbers already hidden elsewhere (the period totals), so every table hides them alike.
    """
    reasons = {key: SMALL if is_small(value) else "" for key, value in values.items()}
    for key, reason in (hidden or {}).items():
        if reason and key in reasons and not reasons[key]:
            reasons[key] = reason
    lines = [(list(parts), total) for parts, total in lines]
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            if sum(1 for key in (*parts, total) if reasons[key]) != 1:
                continue
            shown = [key for key in parts if not reasons[key]]
            if shown:
                candidates = [key for key in shown if values[key]] or shown
                pick = min(candidates, key=lambda key: values[key])
            else:
                pick = total
            reasons[pick] = DERIVED
            changed = True
    return reasons


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


# --- building the report ------------------------------------------------------------------------------------------

TOTAL = "total"
CURRENT_COLOURS = ["#0062ba", "#6b6f76"]  # this period, the previous one (grey reads as "before")
HALVES_COLOURS = ["#0062ba", "#b35f00"]


@dataclass
class _Period:
    header: str
    start: date
    end: date
    stats: selectors.Statistics
    extra: dict


class _Builder:
    """Builds the tables of one report. The columns are the periods: this and the previous half-year, or the two
    halves and the whole year.

    Every count of every table goes into one `suppress()` call, with every sum a reader can check (a table's
    column adds up to the period's total, the halves to the year, the months to their half, the pairs of
    organisations to their direction), so a number hidden in one table cannot be worked out from another.
    """

    def __init__(self, community: Helsefellesskap, kind: str, year: int, half: int | None, version: str):
        self.community, self.kind, self.year, self.half = community, kind, year, half
        self.published = version == PUBLISHED
        self.language = translation.get_language() or settings.LANGUAGE_CODE
        if kind == HALF_YEAR:
            previous = previous_half(year, half)
            spans = [
                (half_label(year, half), *half_year_period(year, half)),
                (half_label(*previous), *half_year_period(*previous)),
            ]
        else:
            spans = [
                (half_label(year, 1), *half_year_period(year, 1)),
                (half_label(year, 2), *half_year_period(year, 2)),
                (_("Whole year %(year)s") % {"year": year}, date(year, 1, 1), date(year, 12, 31)),
            ]
        self.periods = [
            _Period(
                header,
                start,
                end,
                selectors.statistics(community, start, end),
                selectors.statistics_supplement(community, start, end),
            )
            for header, start, end in spans
        ]
        self.columns = range(len(self.periods))
        self.values: dict[Hashable, int] = {(TOTAL, column): period.stats.total for column, period in self._each()}
        self.lines: list[tuple[list, Hashable]] = self._row_lines(TOTAL)
        self.reasons: dict[Hashable, str] = {}

    def _each(self):
        return zip(self.columns, self.periods, strict=True)

    def _row_lines(self, *key) -> list[tuple[list, Hashable]]:
        """In the annual report each row's halves add up to its year."""
        if self.kind != ANNUAL:
            return []
        return [([(*key, 0), (*key, 1)], (*key, 2))]

    # --- step 1: every count and every sum ---

    def add_grid(self, name: str, counts: list[dict], groups: Iterable[Hashable]) -> None:
        """A table's counts, `counts[column][group]`; each column adds up to the period's total."""
        groups = list(groups)
        for group in groups:
            for column in self.columns:
                self.values[(name, group, column)] = counts[column].get(group, 0)
            self.lines += self._row_lines(name, group)
        for column in self.columns:
            self.lines.append(([(name, group, column) for group in groups], (TOTAL, column)))

    def add_sum(self, parts: list[Hashable], total: Hashable) -> None:
        self.lines.append((parts, total))

    def suppress_all(self) -> None:
        self.reasons = suppress(self.values, self.lines) if self.published else dict.fromkeys(self.values, "")

    def cell(self, key: Hashable) -> Cell:
        return Cell(self.values[key], COUNT, self.reasons[key])

    # --- step 2: the tables ---

    @property
    def colours(self) -> list[str]:
        return CURRENT_COLOURS if self.kind == HALF_YEAR else HALVES_COLOURS

    def value_headers(self) -> list[str]:
        headers = [period.header for period in self.periods]
        if self.kind == HALF_YEAR:
            headers.append(pgettext("difference between two periods", "Change"))
        return headers

    def row_cells(self, *key) -> list[Cell]:
        cells = [self.cell((*key, column)) for column in self.columns]
        if self.kind == HALF_YEAR:
            cells.append(change_cell(cells[0], cells[1]))
        return cells

    def breakdown(
        self,
        name: str,
        title: str,
        label_headers: list[str],
        rows: list[tuple[Hashable, list[str]]],
        *,
        chart: bool = False,
        note: str = "",
    ) -> Table:
        table = Table(
            key=name,
            title=title,
            label_headers=label_headers,
            value_headers=self.value_headers(),
            rows=[Row(labels, self.row_cells(name, group)) for group, labels in rows],
            total=Row([_("Total")] + [""] * (len(label_headers) - 1), self.row_cells(TOTAL)),
            note=note,
        )
        if chart:
            # Compare this half-year with the previous one, or the two halves of the year.
            self._add_chart(table, [self.periods[0].header, self.periods[1].header], [0, 1])
        return table

    def _add_chart(self, table: Table, series: list[str], columns: list[int]) -> None:
        bars = [
            _bar(" → ".join(label for label in row.labels if label), name, row.cells[column])
            for row in table.rows
            for name, column in zip(series, columns, strict=True)
        ]
        self._attach_chart(table, bars, series, horizontal=True)

    def _attach_chart(self, table: Table, bars: list[dict], series: list[str], *, horizontal: bool) -> None:
        if not any(bar["value"] for bar in bars):
            return  # nothing to draw: every number is zero or hidden
        table.chart = document_bar_chart(
            bars,
            series=series,
            colours=self.colours[: len(series)],
            value_title=_("Number of deviations"),
            horizontal=horizontal,
        )
        table.chart_description = _("Chart: %(title)s. The same numbers are in the table below.") % {
            "title": table.title
        }

    def key_figures(self) -> Table:
        def counts(name: str) -> list[Cell]:
            return [self.cell((name, column)) for column in self.columns]

        answered = counts("answered")

        def rates(value, base, kind, numerators: list[Cell] | None = None) -> list[Cell]:
            cells = [
                rate_cell(value(period.stats), base(period), kind=kind, published=self.published)
                for period in self.periods
            ]
            # A share of a shown total would give its hidden numerator away.
            return [
                Cell(None, kind, DERIVED, base=cell.base) if numerators and numerators[index].hidden else cell
                for index, cell in enumerate(cells)
            ]

        rows = [
            Row([_("Deviations in the period")], counts(TOTAL)),
            Row([_("Answered")], answered),
            Row(
                [_("Answered within the deadline (share of those answered)")],
                rates(lambda s: s.share_answered_in_time, lambda p: p.extra["answered"], PERCENT),
            ),
            Row(
                [_("Reporters who got an answer (share of all)")],
                rates(lambda s: s.share_reporters_answered, lambda p: p.stats.total, PERCENT, answered),
            ),
            Row(
                [_("Median working days to acknowledge")],
                rates(lambda s: s.median_days_to_acknowledge, lambda p: p.extra["acknowledged"], DAYS),
            ),
            Row(
                [_("Median working days to answer")],
                rates(lambda s: s.median_days_to_answer, lambda p: p.extra["answer_days_known"], DAYS),
            ),
            Row([_("Cases with a recorded measure")], counts("with_measures")),
        ]
        return Table(
            key="key_figures",
            title=_("Key figures"),
            label_headers=[_("Key figure")],
            value_headers=[period.header for period in self.periods],
            rows=rows,
        )

    def build(self) -> tuple[Table, list[Table]]:
        stats = [period.stats for period in self.periods]
        extra = [period.extra for period in self.periods]

        # Key figures that are counts: on their own, but the halves still add up to the year.
        for name in ("answered", "with_measures"):
            for column, period in self._each():
                self.values[(name, column)] = period.extra[name]
            self.lines += self._row_lines(name)

        # Months of the report's own period; they add up to their half (and the year).
        start, end = report_period(self.kind, self.year, self.half)
        months = [date(start.year, month, 1) for month in range(start.month, end.month + 1)]
        own_column = len(self.periods) - 1 if self.kind == ANNUAL else 0
        counted = {row["month"]: row["count"] for row in self.periods[own_column].stats.by_month}
        for month in months:
            self.values[("month", month)] = counted.get(month.strftime("%Y-%m"), 0)
        month_keys = [("month", month) for month in months]
        if self.kind == ANNUAL:
            self.add_sum(month_keys[:6], (TOTAL, 0))
            self.add_sum(month_keys[6:], (TOTAL, 1))
        self.add_sum(month_keys, (TOTAL, own_column))

        # Categories: every active one (zero is worth showing), and any old one that still has cases.
        by_category = [{row["category__code"]: row["count"] for row in s.by_category} for s in stats]
        used = set().union(*by_category)
        nynorsk = self.language == "nn"
        categories = [
            (category.code, [f"{category.code} – {category.name_nn if nynorsk else category.name_nb}"])
            for category in selectors.report_categories(self.community)
            if category.is_active or category.code in used
        ]
        self.add_grid("category", by_category, [code for code, _labels in categories])

        # Directions (type → type) and the pairs of organisations inside each direction.
        type_label = dict(OrganisationType.choices)
        by_pair = [e["by_pair_with_types"] for e in extra]
        by_direction: list[dict] = []
        for column_pairs in by_pair:
            counts: dict = {}
            for (_from, _to, from_type, to_type), count in column_pairs.items():
                counts[(from_type, to_type)] = counts.get((from_type, to_type), 0) + count
            by_direction.append(counts)
        directions = sorted(
            (
                (direction, [str(type_label.get(direction[0], direction[0])), str(type_label.get(direction[1], ""))])
                for direction in set().union(*by_direction)
            ),
            key=lambda item: item[1],
        )
        pairs = sorted(((pair, [pair[0], pair[1]]) for pair in set().union(*by_pair)), key=lambda item: item[1])
        self.add_grid("direction", by_direction, [direction for direction, _labels in directions])
        self.add_grid("pair", by_pair, [pair for pair, _labels in pairs])
        for direction, _labels in directions:
            inside = [pair for pair, _labels in pairs if pair[2:] == direction]
            for column in self.columns:
                self.add_sum([("pair", pair, column) for pair in inside], ("direction", direction, column))

        def choices(enum) -> list[tuple[str, list[str]]]:
            return [(value, [str(label)]) for value, label in enum.choices]

        event_types = choices(EventType)
        physical, psychological = choices(PhysicalHarm), choices(PsychologicalHarm)
        statuses = [(value, [str(label)]) for value, label in Status.choices if value not in EXCLUDED_FROM_STATISTICS]
        self.add_grid("event_type", [e["by_event_type"] for e in extra], [value for value, _l in event_types])
        self.add_grid(
            "harm_physical",
            [{row["harm_physical"]: row["count"] for row in s.by_harm} for s in stats],
            [value for value, _l in physical],
        )
        self.add_grid("harm_psychological", [e["by_harm_psychological"] for e in extra], [v for v, _l in psychological])
        self.add_grid(
            "status", [{row["status"]: row["count"] for row in s.by_status} for s in stats], [v for v, _l in statuses]
        )

        self.suppress_all()

        month_table = Table(
            key="month",
            title=_("Deviations per month"),
            label_headers=[_("Month")],
            value_headers=[_("Deviations")],
            rows=[Row([formats.date_format(month, "F Y")], [self.cell(("month", month))]) for month in months],
            total=Row([_("Total")], [self.cell((TOTAL, own_column))]),
        )
        self._month_chart(month_table, months)
        tables = [
            month_table,
            self.breakdown("category", _("Deviations by category"), [_("Category")], categories, chart=True),
            self.breakdown(
                "direction",
                _("Deviations by direction (type of organisation)"),
                [_("From"), _("To")],
                directions,
                chart=True,
                note=_("From the reporter's organisation to the organisation the deviation concerns."),
            ),
            self.breakdown("pair", _("Deviations between organisations"), [_("From"), _("To")], pairs),
            self.breakdown("event_type", _("Type of event"), [_("Type of event")], event_types),
            self.breakdown("harm_physical", _("Physical harm"), [_("Physical harm")], physical, chart=True),
            self.breakdown("harm_psychological", _("Psychological harm"), [_("Psychological harm")], psychological),
            self.breakdown("status", _("Status when the report was made"), [_("Status")], statuses),
        ]
        return self.key_figures(), tables

    def _month_chart(self, table: Table, months: list[date]) -> None:
        header = self.periods[-1 if self.kind == ANNUAL else 0].header
        bars = [
            _bar(formats.date_format(month, "M"), header, row.cells[0])
            for month, row in zip(months, table.rows, strict=True)
        ]
        self._attach_chart(table, bars, [header], horizontal=False)


def _bar(label: str, series: str, cell: Cell) -> dict:
    """One bar of a chart: drawn from the cell the table prints, so a hidden number has no bar, only its text."""
    return {"label": label, "series": series, "value": cell.value if cell.shown else None, "text": str(cell)}


def _about(kind: str, community: Helsefellesskap, end: date) -> tuple[list[str], list[tuple[str, str]]]:
    acknowledge_days, answer_days = selectors.deadlines_for(community)
    about = [
        _(
            "The report counts the samhandlingsavvik sent in the period, by the date they were sent. Drafts, "
            "withdrawn cases, duplicates, cases sent on to another organisation and cases that were not "
            "samhandlingsavvik are left out. Working days leave out weekends and public holidays."
        ),
        _(
            "The report holds counts only: no descriptions, no names and nothing about any patient. The "
            "measures themselves are followed up in each organisation."
        ),
    ]
    if kind == HALF_YEAR:
        about.append(
            _(
                "The previous half-year is counted again now, so its numbers may differ a little from the "
                "previous report (a case may since have been marked as a duplicate, for instance)."
            )
        )
    today = timezone.localdate()
    if end >= today:
        about.append(_("The period is not over yet: the numbers are as of %(date)s.") % {"date": _long_date(today)})
    facts = [
        (_("Made"), _long_date(today)),
        (
            _("Deadlines"),
            _("acknowledge within %(acknowledge)s and answer within %(answer)s working days")
            % {"acknowledge": acknowledge_days, "answer": answer_days},
        ),
    ]
    return about, facts


def _check(kind: str, year: int, half: int | None, version: str, fmt: str | None = None) -> None:
    if kind not in KINDS or version not in VERSIONS or (fmt is not None and fmt not in FORMATS):
        raise ValueError("Unknown kind, version or format of report.")
    if kind == HALF_YEAR and half not in (1, 2):
        raise ValueError("A half-year report needs half 1 or 2.")
    if not 2000 <= year <= timezone.localdate().year:
        raise ValueError("The year is out of range.")


def build_report(community: Helsefellesskap, kind: str, year: int, half: int | None, version: str) -> Report:
    """The report's content in the active language; counts only, suppressed in the published version."""
    _check(kind, year, half, version)
    half = half if kind == HALF_YEAR else None
    start, end = report_period(kind, year, half)
    key_figures, tables = _Builder(community, kind, year, half, version).build()
    about, facts = _about(kind, community, end)
    if version == PUBLISHED:
        marking = _("Published version – small numbers are hidden")
        rule_text = _(
            "Rule for small numbers: a count from 1 to 4 is shown as “<5”. A count that could be worked out "
            "from a total and the numbers shown beside it is shown as “hidden”, and so is a share or a median "
            "computed from fewer than 5 cases. This protects the patients and the staff behind each deviation."
        )
    else:
        marking = _("Internal working document – not for publication")
        rule_text = _(
            "This version shows every number, small ones too. Small numbers can point to a patient or a member of "
            "staff: use the published version in documents that are made public."
        )
    return Report(
        community=community.name,
        kind=kind,
        version=version,
        year=year,
        half=half,
        start=start,
        end=end,
        title=report_title(kind, year, half),
        period_label=f"{_long_date(start)} – {_long_date(end)}",
        marking=marking,
        rule=rule_text,
        about=about,
        facts=facts,
        generated_on=timezone.localdate(),
        key_figures=key_figures,
        tables=tables,
    )


# --- PDF ----------------------------------------------------------------------------------------------------------


def render_html(report: Report) -> str:
    """The print HTML; charts are SVG drawn by vl-convert and embedded as data: URLs."""
    import vl_convert

    sections = []
    for table in report.tables:
        chart = None
        if table.chart:
            svg = vl_convert.vegalite_to_svg(table.chart)
            chart = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        sections.append({"table": table, "chart": chart})
    logo = (Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg").resolve().as_uri()
    return render_to_string(
        "deviations/reports/report.html",
        {
            "report": report,
            "sections": sections,
            "language": translation.get_language(),
            "page_counter": page_counter(),
            "logo": logo,
        },
    )


def render_document(report: Report):
    """The laid-out WeasyPrint document (pages and boxes), before it is written as PDF."""
    from weasyprint import HTML

    return HTML(string=render_html(report), base_url=str(settings.BASE_DIR), url_fetcher=local_only_fetcher()).render()


def render_pdf(report: Report) -> bytes:
    """A4 PDF, tagged (headings, tables and the charts' alternative text reach screen readers)."""
    return render_document(report).write_pdf(pdf_tags=True)


# --- DOCX ---------------------------------------------------------------------------------------------------------


def _docx_table(document, table: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    headers = [*table.label_headers, *table.value_headers]
    body = [*table.rows, *([table.total] if table.total else [])]
    grid = document.add_table(rows=1 + len(body), cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    numeric_from = len(table.label_headers)

    def fill(cell, text: str, *, bold: bool = False, numeric: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x1E, 0x2B, 0x3C)

    docx_repeat_header(grid.rows[0])
    for index, header in enumerate(headers):
        fill(grid.rows[0].cells[index], str(header), bold=True, numeric=index >= numeric_from)
    for row_index, row in enumerate(body, start=1):
        is_total = table.total is not None and row is table.total
        values = [*row.labels, *(str(cell) for cell in row.cells)]
        for index, value in enumerate(values):
            fill(grid.rows[row_index].cells[index], str(value), bold=is_total, numeric=index >= numeric_from)


def render_docx(report: Report) -> bytes:
    import vl_convert
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)

    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    language = "nn-NO" if translation.get_language() == "nn" else "nb-NO"
    run_properties = normal.element.get_or_add_rPr()
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = run_properties.makeelement(qn("w:lang"), {})
        run_properties.append(lang)
    lang.set(qn("w:val"), language)

    # No person in the metadata: the community is the author.
    properties = document.core_properties
    properties.title = report.title
    properties.subject = report.period_label
    properties.author = report.community
    properties.last_modified_by = report.community
    properties.comments = ""
    properties.keywords = "samhandlingsavvik"
    properties.language = language

    header = section.header.paragraphs[0]
    header.text = f"{report.community} · {report.marking}"
    header.runs[0].font.size = Pt(8)
    header.runs[0].bold = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    docx_page_counter(footer, f"{report.title}   ")
    for run in footer.runs:
        run.font.size = Pt(8)

    community = document.add_paragraph(report.community)
    community.runs[0].bold = True
    document.add_heading(report.title, level=0)
    period = document.add_paragraph(report.period_label)
    period.runs[0].font.size = Pt(12)
    marking = document.add_paragraph()
    marking_run = marking.add_run(report.marking)
    marking_run.bold = True
    marking_run.font.color.rgb = RGBColor(0xA3, 0x1A, 0x1A) if not report.published else RGBColor(0x00, 0x4B, 0x8D)
    for label, value in report.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
        paragraph.paragraph_format.space_after = Pt(0)

    document.add_heading(_("About the numbers"), level=1)
    for paragraph in report.about:
        document.add_paragraph(paragraph)
    document.add_paragraph().add_run(report.rule).italic = True

    document.add_heading(report.key_figures.title, level=1)
    _docx_table(document, report.key_figures)
    for table in report.tables:
        document.add_heading(table.title, level=1)
        if table.note:
            document.add_paragraph(table.note)
        if table.chart:
            png = vl_convert.vegalite_to_png(table.chart, scale=2)
            document.add_picture(io.BytesIO(png), width=Cm(16))
            picture = document.inline_shapes[-1]
            picture._inline.docPr.set("descr", table.chart_description)
            picture._inline.docPr.set("title", table.title)
        _docx_table(document, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# --- entry points -------------------------------------------------------------------------------------------------


def report_filename(community: Helsefellesskap, kind: str, year: int, half: int | None, version: str, fmt: str) -> str:
    what = f"halvar-{year}-{half}" if kind == HALF_YEAR else f"arsrapport-{year}"
    which = "publisert" if version == PUBLISHED else "intern"
    return f"samhandlingsavvik-{community.code.lower()}-{what}-{which}.{fmt}"


def generate_report(
    community: Helsefellesskap,
    kind: str,
    year: int,
    half: int | None,
    version: str,
    fmt: str,
    *,
    language: str | None = None,
) -> tuple[str, bytes, str]:
    """The report as (filename, bytes, content type), in `language` (the active one when not given).

    No permission check and no audit event: the caller does both. A person's download goes through
    `deviation_report_generate()`; the meeting module calls this to attach the published report to an SSU agenda
    item (it stores the file itself, as an attachment). Nothing is stored here.
    """
    _check(kind, year, half, version, fmt)
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        report = build_report(community, kind, year, half, version)
        content = render_pdf(report) if fmt == PDF else render_docx(report)
    half = half if kind == HALF_YEAR else None
    return report_filename(community, kind, year, half, version, fmt), content, CONTENT_TYPES[fmt]


@transaction.atomic
def deviation_report_generate(
    *,
    actor,
    community: Helsefellesskap,
    kind: str,
    year: int,
    half: int | None,
    version: str,
    fmt: str,
    language: str | None = None,
) -> tuple[str, bytes, str]:
    """Generate a report for a person: statistics access for the community, the internal version for its
    secretariat only, and an audit event for every generation."""
    require(actor, "deviations.view_statistics", community)
    if version == INTERNAL:
        require(actor, "deviations.reports_internal", community)
    result = generate_report(community, kind, year, half, version, fmt, language=language)
    audit.record(
        actor=actor,
        action="deviations.report.generated",
        helsefellesskap=community,
        data={
            "kind": kind,
            "year": year,
            "half": half if kind == HALF_YEAR else None,
            "version": version,
            "format": fmt,
        },
    )
    return result


@rule("deviations.reports_internal")
def _reports_internal(user, community) -> bool:
    """The internal version (every small number) is for the community's secretariat and administrators."""
    if community is None:
        return False
    return user.is_superuser or community.secretariat_id in access_for(user).secretariat_roots


audit.register_actions({"deviations.report.generated": gettext_lazy("Generated a deviation report")})
