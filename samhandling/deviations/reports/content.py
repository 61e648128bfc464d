"""Building a report from the de-identified statistics: tables, and charts drawn from the very same cells. The
published version runs every count through `suppress()` and every share or median through `rate_cell()`.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from samhandling.core.charts import document_bar_chart
from samhandling.core.disclosure import DERIVED, suppress
from samhandling.core.models import Helsefellesskap, OrganisationType

from .. import selectors
from ..models import EXCLUDED_FROM_STATISTICS, EventType, PhysicalHarm, PsychologicalHarm, Status
from .structure import (
    ANNUAL,
    COUNT,
    DAYS,
    FORMATS,
    HALF_YEAR,
    KINDS,
    PERCENT,
    PUBLISHED,
    VERSIONS,
    Cell,
    Report,
    Row,
    Table,
    _long_date,
    change_cell,
    half_label,
    half_year_period,
    previous_half,
    rate_cell,
    report_period,
    report_title,
)

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

        # Agreement clauses: every clause named in one of the periods, grouped by agreement, then the cases with a
        # free text only and those with neither (so each column adds up to the period's total).
        by_clause = [{selectors.clause_key(row): row["count"] for row in s.by_clause} for s in stats]
        clause_rows = [
            (key, [group.agreement, label]) for group in selectors.clause_groups(by_clause) for key, label in group.rows
        ]
        self.add_grid("clause", by_clause, [key for key, _labels in clause_rows])

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
                "clause",
                _("Deviations by agreement clause"),
                [_("Agreement"), _("Clause")],
                clause_rows,
                note=_(
                    "The clause of the cooperation agreements the reporter said was breached: evidence for the next "
                    "revision of the agreements."
                ),
            ),
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
