"""The deviation statistics of all 19 communities side by side, for the national view: counts by category, direction
and physical harm, the answer rates and the time to answer, per community and for the whole country.

A fixed handful of grouped queries, whatever the number of communities or cases, and every number through
core.disclosure in one `suppress()` call, so a count hidden in one table cannot be worked out from another. Counts
only: no text, no reference, no organisation below the type, no person and no patient.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date

from django.core.cache import cache
from django.db.models import Count, Exists, Max, Min, OuterRef, Q
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samhandling.core.disclosure import DERIVED, suppress
from samhandling.core.models import Helsefellesskap, OrganisationType
from samhandling.core.selectors import population_by_community

from .models import EXCLUDED_FROM_STATISTICS, Category, Deviation, PhysicalHarm, ReferenceCounter
from .reports.structure import COUNT, DAYS, PERCENT, RATE, Cell, Row, Table, half_year_period, rate_cell
from .selectors import _median_of, sent_between
from .services.common import DEFAULT_CATEGORIES

COUNTRY = "country"  # the key of the whole country's row
TOTAL = "total"
PER_INHABITANTS = 10_000
WHOLE_YEAR = "year"
PERIODS = (WHOLE_YEAR, "1", "2")  # the whole year, the first or the second half
CACHE_SECONDS = 15 * 60


@dataclass
class CommunityRow:
    community: Helsefellesskap
    in_use: bool  # has the community ever sent a deviation in Samhandling (else its row says "no data", not 0)


@dataclass
class NationalDeviations:
    year: int
    period: str
    start: date
    end: date
    population_year: int | None
    communities: list[CommunityRow]
    key_figures: Table
    tables: list[Table] = field(default_factory=list)

    @property
    def communities_in_use(self) -> list[Helsefellesskap]:
        return [row.community for row in self.communities if row.in_use]

    def all_tables(self) -> list[Table]:
        return [self.key_figures, *self.tables]


def period_dates(year: int, period: str) -> tuple[date, date]:
    if period == WHOLE_YEAR:
        return date(year, 1, 1), date(year, 12, 31)
    return half_year_period(year, int(period))


def first_year() -> int | None:
    """The first year any community sent (or imported) a deviation: the reference counters say, one small table."""
    return ReferenceCounter.objects.aggregate(first=Min("year"))["first"]


def percentile_of(histogram: dict[int, int], share: float) -> float | None:
    """The nearest-rank percentile of values given as {value: how many}: the smallest value with at least `share` of
    all values at or below it (so the 80th percentile of 1…10 is 8)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return float(value)
    return None  # pragma: no cover - the loop always reaches the rank


def _direction_label(direction: tuple[str, str]) -> str:
    labels = dict(OrganisationType.choices)
    return f"{labels.get(direction[0], direction[0])} → {labels.get(direction[1], direction[1])}"


def _categories(used: set[str]) -> list[tuple[str, str]]:
    """(code, label) of every category in use in any community, the starting list first. Categories are matched
    across communities by their code; a community's own code is named as that community names it."""
    nynorsk = get_language() == "nn"
    names = {code: nn if nynorsk else nb for code, nb, nn in DEFAULT_CATEGORIES}
    codes = [code for code, _nb, _nn in DEFAULT_CATEGORIES]
    own = Category.objects.exclude(code__in=codes).filter(Q(is_active=True) | Q(code__in=used))
    for code, nb, nn in own.order_by("code", "helsefellesskap__name").values_list("code", "name_nb", "name_nn"):
        if code not in names:
            names[code] = nn if nynorsk else nb
            codes.append(code)
    return [(code, f"{code} – {names[code]}") for code in codes]


class _Builder:
    """Every count into `values`, every sum a reader can check into `lines`, one `suppress()`, then the tables."""

    def __init__(self, communities: list[CommunityRow]):
        self.communities = communities
        self.keys = [row.community.pk for row in communities]
        self.values: dict[Hashable, int] = {}
        self.lines: list[tuple[list[Hashable], Hashable]] = []
        self.reasons: dict[Hashable, str] = {}

    def add_totals(self, name: str, counts: dict[int, int]) -> None:
        """A count per community that adds up to the country's (the deviations, the answered)."""
        for key in self.keys:
            self.values[(name, key)] = counts.get(key, 0)
        self.values[(name, COUNTRY)] = sum(counts.get(key, 0) for key in self.keys)
        self.lines.append(([(name, key) for key in self.keys], (name, COUNTRY)))

    def add_grid(self, name: str, counts: dict[tuple[int, Hashable], int], columns: list[Hashable]) -> None:
        """A breakdown: each community's row adds up to its total, each column to the country's."""
        for key in [*self.keys, COUNTRY]:
            for column in columns:
                self.values[(name, column, key)] = (
                    counts.get((key, column), 0)
                    if key != COUNTRY
                    else sum(counts.get((k, column), 0) for k in self.keys)
                )
            self.lines.append(([(name, column, key) for column in columns], (TOTAL, key)))
        for column in columns:
            self.lines.append(([(name, column, key) for key in self.keys], (name, column, COUNTRY)))

    def suppress_all(self) -> None:
        self.reasons = suppress(self.values, self.lines)

    def cell(self, key: Hashable) -> Cell:
        """The count as it may be shown: a hidden one keeps only the reason, never its value."""
        reason = self.reasons[key]
        return Cell(None if reason else self.values[key], COUNT, reason)

    def rows(self, build) -> tuple[list[Row], Row]:
        """A row per community (no numbers for a community that does not use the module) and the country's row."""
        width = None
        rows = []
        for row in self.communities:
            cells = build(row.community.pk)
            width = len(cells)
            rows.append(Row([row.community.name], cells if row.in_use else [Cell(None)] * width))
        return rows, Row([_("All health communities")], build(COUNTRY))


def _compute(year: int, period: str) -> NationalDeviations:
    start, end = period_dates(year, period)
    communities = [
        CommunityRow(community, community.in_use)
        for community in Helsefellesskap.objects.annotate(
            # Every sent (or imported) case took a number from its community's counter: a small table to ask, where
            # asking the cases themselves would scan them all for each community that has none.
            in_use=Exists(ReferenceCounter.objects.filter(helsefellesskap=OuterRef("pk"), last_number__gt=0))
        ).order_by("name")
    ]
    cases = Deviation.objects.filter(**sent_between(start, end)).exclude(status__in=EXCLUDED_FROM_STATISTICS)
    # One scan: the working days to the answer are a grouping column too, so the medians need no second pass.
    groups = (
        cases.values(
            "helsefellesskap_id",
            "category__code",
            "harm_physical",
            "reporter_unit__root__type",
            "receiver__root__type",
            "days_to_answer",
        )
        .annotate(
            count=Count("id"), answered=Count("answered_at"), in_time=Count("id", filter=Q(answered_in_time=True))
        )
        .order_by()
    )
    histograms: dict = defaultdict(lambda: defaultdict(int))
    total: dict = defaultdict(int)
    answered: dict = defaultdict(int)
    in_time: dict = defaultdict(int)
    by: dict[str, dict] = {"category": defaultdict(int), "direction": defaultdict(int), "harm": defaultdict(int)}
    for row in groups:
        key, count = row["helsefellesskap_id"], row["count"]
        total[key] += count
        answered[key] += row["answered"]
        in_time[key] += row["in_time"]
        by["category"][(key, row["category__code"])] += count
        by["direction"][(key, (row["reporter_unit__root__type"], row["receiver__root__type"]))] += count
        by["harm"][(key, row["harm_physical"])] += count
        if row["days_to_answer"] is not None:
            histograms[key][row["days_to_answer"]] += count

    categories = _categories({code for _key, code in by["category"]})
    directions = sorted({direction for _key, direction in by["direction"]}, key=_direction_label)
    harms = list(PhysicalHarm.choices)

    builder = _Builder(communities)
    builder.add_totals(TOTAL, total)
    builder.add_totals("answered", answered)
    builder.add_grid("category", by["category"], [code for code, _label in categories])
    builder.add_grid("direction", by["direction"], directions)
    builder.add_grid("harm", by["harm"], [value for value, _label in harms])
    builder.suppress_all()

    population = population_by_community()
    years = sorted({y for by_year in population.values() for y in by_year})
    # The period's own year, or the nearest year the reference data has.
    population_year = min(years, key=lambda y: (abs(y - year), -y)) if years else None
    keys = [row.community.pk for row in communities]
    inhabitants = {key: population.get(key, {}).get(population_year, 0) for key in keys}
    # The country's rate counts the inhabitants of the communities whose deviations are here, not of all 19.
    inhabitants[COUNTRY] = sum(inhabitants[row.community.pk] for row in communities if row.in_use)
    for key in keys:
        for days, count in histograms.get(key, {}).items():
            histograms[COUNTRY][days] += count
    in_time[COUNTRY] = sum(in_time.get(key, 0) for key in keys)

    def key_cells(key) -> list[Cell]:
        cases, replies = builder.values[(TOTAL, key)], builder.values[("answered", key)]
        count, answer = builder.cell((TOTAL, key)), builder.cell(("answered", key))
        people = inhabitants[key]
        histogram = dict(histograms.get(key, {}))
        base = sum(histogram.values())
        share_answered = rate_cell(replies / cases if cases else None, cases, kind=PERCENT, published=True)
        if share_answered.value is not None and (count.hidden or answer.hidden):
            share_answered = Cell(None, PERCENT, DERIVED)  # a share of a shown number would give the hidden one away
        cells = [
            count,
            Cell(None, RATE, count.hidden)
            if count.hidden or not people
            else Cell(cases * PER_INHABITANTS / people, RATE),
            answer,
            share_answered,
            rate_cell(in_time[key] / replies if replies else None, replies, kind=PERCENT, published=True),
            rate_cell(_median_of(histogram), base, kind=DAYS, published=True),
            rate_cell(percentile_of(histogram, 0.8), base, kind=DAYS, published=True),
        ]
        # A hidden share or median keeps only its reason, and no cell carries the number of cases behind it.
        return [Cell(None if cell.hidden else cell.value, cell.kind, cell.hidden) for cell in cells]

    rows, country = builder.rows(key_cells)
    key_figures = Table(
        key="key_figures",
        title=_("Key figures"),
        label_headers=[_("Health community")],
        value_headers=[
            _("Deviations"),
            _("Per 10,000 inhabitants"),
            _("Answered"),
            _("Answered (share of all)"),
            _("Answered within the deadline (share of those answered)"),
            _("Median working days to answer"),
            _("80th percentile, working days to answer"),
        ],
        rows=rows,
        total=country,
    )

    def breakdown(name: str, title: str, columns: list[tuple[Hashable, str]], note: str = "") -> Table:
        rows, country = builder.rows(
            lambda key: [builder.cell((name, column, key)) for column, _label in columns] + [builder.cell((TOTAL, key))]
        )
        return Table(
            key=name,
            title=title,
            label_headers=[_("Health community")],
            value_headers=[label for _column, label in columns] + [_("Total")],
            rows=rows,
            total=country,
            note=note,
        )

    tables = [
        breakdown("category", _("Deviations by category"), categories),
        breakdown(
            "direction",
            _("Deviations by direction (type of organisation)"),
            [(direction, _direction_label(direction)) for direction in directions],
            note=_("From the reporter's organisation to the organisation the deviation concerns."),
        ),
        breakdown("harm", _("Physical harm"), [(value, str(label)) for value, label in harms]),
    ]
    return NationalDeviations(
        year=year,
        period=period,
        start=start,
        end=end,
        population_year=population_year,
        communities=communities,
        key_figures=key_figures,
        tables=tables,
    )


def national_deviations(year: int, period: str) -> NationalDeviations:
    """The de-identified, suppressed statistics of every community for a year or a half-year (cached, keyed by the
    newest change to any case, one index look-up, so a cached figure is never stale)."""
    if period not in PERIODS:
        raise ValueError("Unknown period.")
    newest = Deviation.objects.aggregate(newest=Max("updated_at"))["newest"]
    material = "|".join([str(year), period, get_language() or "", str(newest)])
    key = "deviations.national." + hashlib.sha256(material.encode()).hexdigest()[:32]
    found = cache.get(key)
    if found is None:
        found = _compute(year, period)
        cache.set(key, found, CACHE_SECONDS)
    return found
