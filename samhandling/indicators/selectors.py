"""Reads for the dashboards, the indicator pages and the exports: which run a viewer may see, the areas with their
names from core, and result cells with small numbers already hidden for everyone but analysts.

A hidden value is a `Cell` with `hidden=True`, no number at all and the reason; it can never be drawn or exported as
zero because the number is simply not there."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samhandling.core import disclosure
from samhandling.core.models import Helsefellesskap, Organisation, OrganisationType

from .access import sees_raw_values
from .engine.catalogue import FACTORS
from .engine.run import RESULT_COLUMNS
from .models import Dataset, Job, Level, Result, Run, RunStatus

COUNTRY = "NO"
ONE_YEAR, THREE_YEARS = "1y", "3y"
TERTIALS = ("T1", "T2", "T3")  # January–April, May–August, September–December (stored with the run)


# --- the catalogue ----------------------------------------------------------------------------------------------


def catalogue() -> list:
    from .engine.catalogue import CATALOGUE

    return list(CATALOGUE)


def indicator_or_404(indicator_id: str):
    from .engine.catalogue import get

    try:
        return get(indicator_id)
    except KeyError:
        raise Http404 from None


def unit_label(unit: str) -> str:
    return _("per 1,000 inhabitants") if unit == "per_1000" else _("per cent")


def _number(value: float) -> str:
    """One decimal, two below 1 (small rates in small areas); number_format truncates, so round first."""
    places = 2 if abs(value) < 1 else 1
    rounded = round(value, places) + 0.0  # + 0.0 turns -0.0 into 0.0
    return number_format(rounded, places, use_l10n=True, force_grouping=True)


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    text = _number(value)
    return f"{text} %" if unit == "percent" else text


def format_interval(low: float | None, high: float | None) -> str:
    """The 95 % interval as "12,3–15,6" (empty when there is none)."""
    if low is None or high is None:
        return ""
    return f"{_number(low)}–{_number(high)}"


def significance_label(significance: str) -> str:
    """The marking in words, so colour is never the only carrier of it."""
    return {
        "better": _("Better than Norway"),
        "similar": _("No clear difference from Norway"),
        "worse": _("Worse than Norway"),
    }.get(significance, "")


# --- which run ----------------------------------------------------------------------------------------------------


def published_run() -> Run | None:
    return Run.objects.select_related("dataset").filter(status=RunStatus.PUBLISHED).first()


def run_for(user, *, public: bool, run_id: str | int | None = None) -> Run | None:
    """The run a page shows: the published one, or for an analyst any run they pick (default: the newest)."""
    if public or not sees_raw_values(user):
        return published_run()
    runs = Run.objects.select_related("dataset")
    if run_id:
        try:
            return runs.get(pk=int(run_id))
        except (ValueError, Run.DoesNotExist):
            raise Http404 from None
    return published_run() or runs.first()


# --- cells --------------------------------------------------------------------------------------------------------


def suppression_reason(numerator: float | None, denominator: float | None) -> str:
    """The contract's rule, said in words: numerator 1–4 or denominator below 5 (empty when the value may show)."""
    return {
        disclosure.SMALL_DENOMINATOR: _("fewer than 5 in the population or group counted"),
        disclosure.SMALL: _("fewer than 5 cases"),
    }.get(disclosure.rate_reason(numerator, denominator), "")


@dataclass
class Cell:
    """One value as a viewer may see it."""

    value: float | None
    value_std: float | None
    numerator: float | None
    denominator: float | None
    suppressed: bool
    hidden: bool
    reason: str
    unit: str
    # The 95 % limits and the marking against the country, stored with the result (none for a hidden cell).
    ci_low: float | None = None
    ci_high: float | None = None
    std_ci_low: float | None = None
    std_ci_high: float | None = None
    significance: str = ""

    @property
    def display(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def display_std(self) -> str:
        return format_value(self.value_std, self.unit)

    @property
    def display_interval(self) -> str:
        return format_interval(self.ci_low, self.ci_high)

    @property
    def display_std_interval(self) -> str:
        return format_interval(self.std_ci_low, self.std_ci_high)

    @property
    def significance_label(self) -> str:
        return significance_label(self.significance)


def make_cell(row: dict | Result | None, unit: str, *, raw: bool) -> Cell | None:
    if row is None:
        return None
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    numerator, denominator, flagged = get("numerator"), get("denominator"), bool(get("suppressed"))
    reason = suppression_reason(numerator, denominator) if flagged else ""
    if flagged and not raw:
        return Cell(None, None, None, None, True, True, reason or _("small numbers"), unit)
    return Cell(
        get("value"),
        get("value_std"),
        numerator,
        denominator,
        flagged,
        False,
        reason,
        unit,
        ci_low=get("ci_low"),
        ci_high=get("ci_high"),
        std_ci_low=get("std_ci_low"),
        std_ci_high=get("std_ci_high"),
        significance=get("significance") or "",
    )


def aggregate_cell(numerator: float, denominator: float, unit: str, *, raw: bool) -> Cell | None:
    """A value summed over several areas (centrality classes), suppressed by the same rule as the engine's rows."""
    if denominator <= 0:
        return None
    hidden = bool(disclosure.suppressed(numerator, denominator))
    value = numerator / denominator * FACTORS[unit]
    return make_cell(
        {
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "value_std": None,
            "suppressed": hidden,
        },
        unit,
        raw=raw,
    )


# --- areas --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    level: str
    code: str
    name: str
    slug: str = ""  # the community's slug, for links
    community: "Area | None" = None  # the community a municipality or district belongs to
    municipality: "Area | None" = None  # the municipality a district belongs to
    centrality_class: int | None = None

    @property
    def key(self) -> str:
        return f"{self.level}:{self.code}"


def country() -> Area:
    return Area(Level.LAND, COUNTRY, _("Norway"))


def _community_area(community: Helsefellesskap) -> Area:
    return Area(Level.HELSEFELLESSKAP, community.reference_key, community.name, slug=community.slug)


def communities() -> list[Area]:
    return [_community_area(c) for c in Helsefellesskap.objects.order_by("name")]


def community_area(community: Helsefellesskap) -> Area:
    return _community_area(community)


def _community_of(municipality: Organisation) -> Area | None:
    community = Helsefellesskap.objects.filter(members=municipality).order_by("name").first()
    return _community_area(community) if community else None


def _municipality_area(organisation: Organisation, community: Area | None = None) -> Area:
    return Area(
        Level.KOMMUNE,
        organisation.municipality_number,
        organisation.name,
        community=community if community is not None else _community_of(organisation),
        centrality_class=organisation.centrality_class,
    )


# An area's name and community come from the reference data, which changes once a year (load_reference_data): a
# page's area is kept for ten minutes, so a cached dashboard page asks the database for nothing but its run. A
# change to an organisation or a community in this process forgets them at once (signals.py); other processes
# see it within the ten minutes.
AREA_SECONDS = 600
_area_generation = 0


def forget_areas() -> None:
    global _area_generation
    _area_generation += 1


def area_generation() -> int:
    return _area_generation


def _kept_area(kind: str, number: str, find) -> Area:
    key = f"indicators-area:{_area_generation}:{kind}:{number}"
    area = cache.get(key)
    if area is None:
        area = find()  # Http404 for an unknown number, which is not kept
        cache.set(key, area, AREA_SECONDS)
    return area


def municipality_area(number: str) -> Area:
    def find() -> Area:
        organisation = Organisation.objects.filter(type=OrganisationType.KOMMUNE, municipality_number=number).first()
        if organisation is None:
            raise Http404
        return _municipality_area(organisation)

    return _kept_area("kommune", number, find)


def district_area(number: str) -> Area:
    def find() -> Area:
        organisation = (
            Organisation.objects.filter(type=OrganisationType.BYDEL, district_number=number)
            .select_related("parent")
            .first()
        )
        if organisation is None or organisation.parent is None:
            raise Http404
        municipality = _municipality_area(organisation.parent)
        return Area(Level.BYDEL, number, organisation.name, community=municipality.community, municipality=municipality)

    return _kept_area("bydel", number, find)


def municipalities_of(community: Area) -> list[Area]:
    members = Organisation.objects.filter(
        type=OrganisationType.KOMMUNE, helsefellesskap__reference_key=community.code
    ).order_by("name")
    return [_municipality_area(m, community) for m in members]


def districts_of(municipality: Area) -> list[Area]:
    districts = Organisation.objects.filter(
        type=OrganisationType.BYDEL,
        parent__type=OrganisationType.KOMMUNE,
        parent__municipality_number=municipality.code,
    ).order_by("district_number")
    return [
        Area(Level.BYDEL, d.district_number, d.name, community=municipality.community, municipality=municipality)
        for d in districts
    ]


def area_names(level: str, codes: set[str]) -> dict[str, str]:
    """Names for result area codes (core's names; the code itself where core has no such area)."""
    if level == Level.LAND:
        return {code: _("Norway") for code in codes}
    if level == Level.HELSEFELLESSKAP:
        pairs = Helsefellesskap.objects.filter(reference_key__in=codes).values_list("reference_key", "name")
    elif level == Level.KOMMUNE:
        pairs = Organisation.objects.filter(type=OrganisationType.KOMMUNE, municipality_number__in=codes).values_list(
            "municipality_number", "name"
        )
    else:
        pairs = Organisation.objects.filter(type=OrganisationType.BYDEL, district_number__in=codes).values_list(
            "district_number", "name"
        )
    names = dict(pairs)
    return {code: names.get(code, code) for code in codes}


# --- dashboards ---------------------------------------------------------------------------------------------------

# The Result model carries the contract's columns under the same names, and the stored limits and marking.
INTERVAL_COLUMNS = ("ci_low", "ci_high", "std_ci_low", "std_ci_high", "significance")
_COLUMNS = RESULT_COLUMNS + INTERVAL_COLUMNS


def _rows(run: Run, **filters) -> list[dict]:
    return list(Result.objects.filter(run=run, **filters).values(*_COLUMNS))


def run_years(run: Run) -> list[int]:
    years = run.years or list(Result.objects.filter(run=run).values_list("year", flat=True).distinct().order_by("year"))
    return sorted(int(year) for year in years)


@dataclass
class Comparison:
    """The area against the country (or its community): absolute and relative difference."""

    absolute: float | None
    relative: float | None
    unit: str

    @property
    def display_absolute(self) -> str:
        if self.absolute is None:
            return ""
        text = _number(self.absolute)
        sign = "+" if self.absolute > 0 and text.strip("0,.") else ""
        if self.unit == "percent":
            return _("%(value)s percentage points") % {"value": sign + text}
        return sign + text

    @property
    def display_relative(self) -> str:
        if self.relative is None:
            return ""
        sign = "+" if self.relative > 0 else ""
        return f"{sign}{number_format(round(self.relative * 100), 0, use_l10n=True)} %"


def compare(cell: Cell | None, reference: Cell | None, unit: str) -> Comparison:
    if cell is None or reference is None or cell.value is None or reference.value is None:
        return Comparison(None, None, unit)
    relative = (cell.value / reference.value - 1) if reference.value else None
    return Comparison(cell.value - reference.value, relative, unit)


@dataclass
class IndicatorRow:
    indicator: Any
    latest: Cell | None
    three_year: Cell | None
    trend: list[tuple[int, Cell | None]]
    country: Cell | None
    versus_country: Comparison
    community: Cell | None = None
    versus_community: Comparison | None = None
    rank: int | None = None
    ranked: int = 0
    spark: dict | None = None  # the tile's small trend line (charts.sparkline), set by the view


@dataclass
class Dashboard:
    run: Run
    area: Area
    raw: bool
    years: list[int]
    latest_year: int | None
    groups: list[tuple[str, list[IndicatorRow]]] = field(default_factory=list)

    @property
    def has_values(self) -> bool:
        return any(row.latest is not None for _group, rows in self.groups for row in rows)


def _index(rows: list[dict]) -> dict[tuple, dict]:
    return {(r["indicator"], r["level"], r["area"], r["year"], r["period"]): r for r in rows}


def ranking(values: dict[str, Cell | None], *, higher_is_better: bool | None) -> list[tuple[str, int | None]]:
    """Area codes ranked best first by the indicator's direction (rank 1 is the lowest value where lower is better).
    Where neither direction is better the areas are listed highest first with no rank at all: a "rank 1" would
    read as a prize. Hidden and missing values come last and unranked."""
    shown = [(code, cell.value) for code, cell in values.items() if cell is not None and cell.value is not None]
    shown.sort(key=lambda pair: pair[1], reverse=higher_is_better is not False)
    if higher_is_better is None:
        ranked = [(code, None) for code, _value in shown]
    else:
        ranked = [(code, position) for position, (code, _value) in enumerate(shown, start=1)]
    rest = sorted(code for code in values if code not in dict(shown))
    return ranked + [(code, None) for code in rest]


def direction_text(indicator) -> str:
    """Which way is better for an indicator, said for the reader of a ranking."""
    higher_is_better = getattr(indicator, "higher_is_better", None)
    if higher_is_better is True:
        return _("Higher values are better: rank 1 is the highest value.")
    if higher_is_better is False:
        return _("Lower values are better: rank 1 is the lowest value.")
    return _(
        "Neither higher nor lower values are better for this indicator, so the areas are not ranked; they are "
        "listed from the highest value."
    )


def area_dashboard(run: Run, area: Area, *, raw: bool) -> Dashboard:
    """Every indicator for one area, grouped by topic: latest value, trend, the country, the community, the rank."""
    years = run_years(run)
    latest = years[-1] if years else None
    # The overview reads the yearly and three-year values; the tertials are read by the indicator detail only.
    yearly = {"period__in": (ONE_YEAR, THREE_YEARS)}
    rows = _rows(run, level=area.level, area=area.code, **yearly)
    rows += _rows(run, level=Level.LAND, area=COUNTRY, **yearly) if area.level != Level.LAND else []
    if area.community is not None:
        rows += _rows(run, level=Level.HELSEFELLESSKAP, area=area.community.code, **yearly)
    if area.level == Level.HELSEFELLESSKAP and latest is not None:
        rows += _rows(run, level=Level.HELSEFELLESSKAP, year=latest, period=ONE_YEAR)
    index = _index(rows)
    dashboard = Dashboard(run, area, raw, years, latest)
    groups: dict[str, list[IndicatorRow]] = defaultdict(list)
    for indicator in catalogue():
        unit = indicator.unit

        def cell(level, code, year, period=ONE_YEAR, indicator=indicator, unit=unit):
            return make_cell(index.get((indicator.id, level, code, year, period)), unit, raw=raw)

        own = cell(area.level, area.code, latest)
        national = cell(Level.LAND, COUNTRY, latest)
        row = IndicatorRow(
            indicator=indicator,
            latest=own,
            three_year=cell(area.level, area.code, latest, THREE_YEARS),
            trend=[(year, cell(area.level, area.code, year)) for year in years],
            country=national,
            versus_country=compare(own, national, unit),
        )
        if area.community is not None:
            row.community = cell(Level.HELSEFELLESSKAP, area.community.code, latest)
            row.versus_community = compare(own, row.community, unit)
        if area.level == Level.HELSEFELLESSKAP:
            others = {
                key[2]: make_cell(r, unit, raw=raw)
                for key, r in index.items()
                if key[0] == indicator.id
                and key[1] == Level.HELSEFELLESSKAP
                and key[3] == latest
                and key[4] == ONE_YEAR
            }
            order = ranking(others, higher_is_better=getattr(indicator, "higher_is_better", None))
            row.rank = dict(order).get(area.code)
            row.ranked = sum(1 for _code, position in order if position is not None)
        groups[_group_of(indicator)].append(row)
    dashboard.groups = list(groups.items())
    return dashboard


def _group_of(indicator) -> str:
    group = getattr(indicator, "group", "") or ""
    return str(group_label(group))


def group_label(group: str) -> str:
    """The catalogue's topic key in the reader's language (unknown keys are shown as they are)."""
    labels = {
        "utskrivning": _("Patients ready for discharge"),
        "reinnleggelse": _("Readmissions"),
        "epikrise": _("Discharge letters"),
        "digital": _("Video and telephone consultations"),
        "akutt": _("Emergency admissions"),
        "eldre": _("Frail elderly"),
        "psykisk": _("Severe mental illness"),
    }
    return labels.get(group, group)


# --- one indicator across areas -----------------------------------------------------------------------------------


@dataclass
class RankedArea:
    area: Area
    cell: Cell | None
    rank: int | None
    versus_country: Comparison


def indicator_ranking(run: Run, indicator, areas: list[Area], year: int | None, *, raw: bool) -> list[RankedArea]:
    """The areas (all of one level) for one indicator and year, ranked; hidden values last, never as zero."""
    if year is None or not areas:
        return []
    level = areas[0].level
    # The areas and the country they are compared with, in one query.
    rows = (
        Result.objects.filter(run=run, indicator=indicator.id, year=year, period=ONE_YEAR)
        .filter(Q(level=level, area__in=[a.code for a in areas]) | Q(level=Level.LAND, area=COUNTRY))
        .values(*_COLUMNS)
    )
    by_place = {(r["level"], r["area"]): r for r in rows}
    cells = {a.code: make_cell(by_place.get((level, a.code)), indicator.unit, raw=raw) for a in areas}
    national = make_cell(by_place.get((Level.LAND, COUNTRY)), indicator.unit, raw=raw)
    by_code = {a.code: a for a in areas}
    order = ranking(
        {a.code: cells.get(a.code) for a in areas}, higher_is_better=getattr(indicator, "higher_is_better", None)
    )
    return [
        RankedArea(by_code[code], cells.get(code), position, compare(cells.get(code), national, indicator.unit))
        for code, position in order
    ]


def trend(run: Run, indicator, areas: list[Area], *, raw: bool) -> dict[str, list[tuple[int, Cell | None]]]:
    """area key → [(year, cell)] for one indicator (1-year values)."""
    years = run_years(run)
    wanted: dict[str, set[str]] = defaultdict(set)
    for area in areas:
        wanted[area.level].add(area.code)
    index = {}
    for level, codes in wanted.items():
        for r in Result.objects.filter(
            run=run, indicator=indicator.id, level=level, area__in=codes, period=ONE_YEAR
        ).values(*_COLUMNS):
            index[(r["level"], r["area"], r["year"])] = r
    return {
        area.key: [
            (year, make_cell(index.get((area.level, area.code, year)), indicator.unit, raw=raw)) for year in years
        ]
        for area in areas
    }


@dataclass
class TertialTable:
    """One indicator's tertial values for some areas, with each year's value beside its tertials.

    `columns` are (year, period) in order, period T1–T3 or ONE_YEAR for the whole year; `rows` pair each area with
    its (period, cell) in that order. Empty when the run has no tertial values for the indicator."""

    years: list[tuple[int, list[str]]]
    columns: list[tuple[int, str]]
    rows: list[tuple[Area, list[tuple[str, Cell | None]]]]


def tertials(run: Run, indicator, areas: list[Area], *, raw: bool) -> TertialTable:
    """The tertial values stored with the run (period T1–T3, computed when the run was made) of the areas, next to
    their yearly values; only the years that have at least one tertial. Hidden values stay hidden (one query)."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for area in areas:
        wanted[area.level].add(area.code)
    place = Q()
    for level, codes in wanted.items():
        place |= Q(level=level, area__in=codes)
    found = list(
        Result.objects.filter(place, run=run, indicator=indicator.id, period__in=(ONE_YEAR, *TERTIALS)).values(
            *_COLUMNS
        )
    )
    periods: dict[int, set[str]] = defaultdict(set)
    for r in found:
        if r["period"] in TERTIALS:
            periods[r["year"]].add(r["period"])
    years = [(year, sorted(periods[year])) for year in sorted(periods)]
    columns = [(year, period) for year, shown in years for period in [*shown, ONE_YEAR]]
    index = {(r["level"], r["area"], r["year"], r["period"]): r for r in found}
    rows = [
        (
            area,
            [
                (period, make_cell(index.get((area.level, area.code, year, period)), indicator.unit, raw=raw))
                for year, period in columns
            ],
        )
        for area in areas
    ]
    return TertialTable(years, columns, rows if columns else [])


@dataclass
class CentralityRow:
    centrality_class: int
    municipalities: int
    cell: Cell | None


def centrality_breakdown(
    run: Run, indicator, year: int | None, *, municipalities: list[Area] | None = None, raw: bool
) -> list[CentralityRow]:
    """Municipalities grouped by SSB's centrality class (1 most central … 6 least), numerators and denominators
    summed per class (a person is counted in one municipality per year, so the sums hold), then suppressed again."""
    if year is None:
        return []
    if municipalities is None:
        organisations = Organisation.objects.filter(type=OrganisationType.KOMMUNE, centrality_class__isnull=False)
        classes = dict(organisations.values_list("municipality_number", "centrality_class"))
    else:
        classes = {m.code: m.centrality_class for m in municipalities if m.centrality_class}
    rows = Result.objects.filter(
        run=run, indicator=indicator.id, level=Level.KOMMUNE, year=year, period=ONE_YEAR, area__in=list(classes)
    ).values_list("area", "numerator", "denominator")
    sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for code, numerator, denominator in rows:
        total = sums[classes[code]]
        total[0] += numerator
        total[1] += denominator
        total[2] += 1
    return [
        CentralityRow(cls, int(total[2]), aggregate_cell(total[0], total[1], indicator.unit, raw=raw))
        for cls, total in sorted(sums.items())
    ]


# --- exports ------------------------------------------------------------------------------------------------------


def export_rows(
    run: Run, *, raw: bool, level: str | None = None, area: str | None = None, indicator: str | None = None
):
    """Result rows of one view (an area, or an indicator across the country and the communities), suppression applied.

    Yields dicts with the contract's columns plus names; a hidden row has no numbers and `suppressed` True."""
    results = Result.objects.filter(run=run)
    if level and area:
        results = results.filter(level=level, area=area)
    if indicator:
        results = results.filter(indicator=indicator)
        if not (level and area):
            results = results.filter(level__in=[Level.LAND, Level.HELSEFELLESSKAP])
    results = results.order_by("indicator", "level", "area", "year", "period").values(*_COLUMNS)
    meta = {i.id: i for i in catalogue()}
    language = get_language()
    names: dict[str, dict[str, str]] = {}
    for row in results.iterator(chunk_size=2000):
        info = meta.get(row["indicator"])
        unit = info.unit if info else "percent"
        if row["level"] not in names:
            codes = set(results.filter(level=row["level"]).values_list("area", flat=True))
            names[row["level"]] = area_names(row["level"], codes)
        cell = make_cell(row, unit, raw=raw)
        yield {
            **row,
            "indicator_name": info.name(language) if info else row["indicator"],
            "unit": unit,
            "area_name": names[row["level"]].get(row["area"], row["area"]),
            "numerator": cell.numerator,
            "denominator": cell.denominator,
            "value": cell.value,
            "value_std": cell.value_std,
            "ci_low": cell.ci_low,
            "ci_high": cell.ci_high,
            "std_ci_low": cell.std_ci_low,
            "std_ci_high": cell.std_ci_high,
            "significance": cell.significance,
            "significance_name": cell.significance_label,
            "suppressed": cell.suppressed,
            "reason": disclosure.rate_reason(row["numerator"], row["denominator"]) if cell.suppressed else "",
            "reason_text": cell.reason,
        }


# --- analyst pages ------------------------------------------------------------------------------------------------


def datasets() -> QuerySet[Dataset]:
    return Dataset.objects.select_related("created_by")


def runs() -> QuerySet[Run]:
    return Run.objects.select_related("dataset", "created_by", "published_by")


def recent_jobs(limit: int = 20) -> QuerySet[Job]:
    return Job.objects.select_related("created_by", "dataset", "run")[:limit]


# --- maps and funnel plots ----------------------------------------------------------------------------------------


@dataclass
class MapRow:
    """One area of a map or a funnel plot: its cell as the viewer may see it (hidden: no number at all)."""

    code: str
    name: str
    cell: Cell | None


def level_cells(run: Run, indicator, level: str, year: int | None, *, raw: bool, codes=None) -> list[MapRow]:
    """Every area of one level for one indicator and year (one query), named, in name order; hidden values stay
    hidden. `codes` limits the areas (a community's municipalities)."""
    if year is None:
        return []
    results = Result.objects.filter(run=run, indicator=indicator.id, level=level, year=year, period=ONE_YEAR)
    if codes is not None:
        results = results.filter(area__in=list(codes))
    rows = {r["area"]: r for r in results.values(*_COLUMNS)}
    names = area_names(level, set(rows))
    cells = [MapRow(code, names.get(code, code), make_cell(row, indicator.unit, raw=raw)) for code, row in rows.items()]
    return sorted(cells, key=lambda row: row.name)


def country_cell(run: Run, indicator, year: int | None, *, raw: bool) -> Cell | None:
    if year is None:
        return None
    row = (
        Result.objects.filter(
            run=run, indicator=indicator.id, level=Level.LAND, area=COUNTRY, year=year, period=ONE_YEAR
        )
        .values(*_COLUMNS)
        .first()
    )
    return make_cell(row, indicator.unit, raw=raw)


@dataclass
class NationalRow:
    area: Area
    cells: list[Cell | None]


def national_matrix(run: Run, *, raw: bool) -> tuple[list, list[NationalRow], list[Cell | None], int | None]:
    """Every indicator for all 19 communities side by side (latest year, one query): the indicators, a row per
    community, the country's cells and the year."""
    years = run_years(run)
    latest = years[-1] if years else None
    indicators = catalogue()
    if latest is None:
        return indicators, [], [], None
    index = {
        (r["level"], r["area"], r["indicator"]): r
        for r in Result.objects.filter(
            run=run, year=latest, period=ONE_YEAR, level__in=[Level.LAND, Level.HELSEFELLESSKAP]
        ).values(*_COLUMNS)
    }
    rows = [
        NationalRow(area, [make_cell(index.get((area.level, area.code, i.id)), i.unit, raw=raw) for i in indicators])
        for area in communities()
    ]
    national = [make_cell(index.get((Level.LAND, COUNTRY, i.id)), i.unit, raw=raw) for i in indicators]
    return indicators, rows, national, latest


def municipality_codes(*, community: Area | None = None, centrality_class: int | None = None) -> list[str] | None:
    """The municipality numbers of a community and/or a centrality class (None: every municipality)."""
    if community is None and centrality_class is None:
        return None
    organisations = Organisation.objects.filter(type=OrganisationType.KOMMUNE)
    if community is not None:
        organisations = organisations.filter(helsefellesskap__reference_key=community.code)
    if centrality_class is not None:
        organisations = organisations.filter(centrality_class=centrality_class)
    return list(organisations.values_list("municipality_number", flat=True))


def comparison_groups(user) -> list:
    """The user's own comparison groups (nobody else's)."""
    from .models import ComparisonGroup

    if not getattr(user, "is_authenticated", False):
        return []
    return list(ComparisonGroup.objects.filter(owner=user))
