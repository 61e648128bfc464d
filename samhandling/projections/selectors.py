"""Every read the framskrivning pages share: the sources and scenarios a user may see, the areas to choose from,
and the population and scenario results shaped for charts and tables (small numbers hidden outside the analyst
role)."""

from collections import defaultdict
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
from django.http import Http404
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from samhandling.core import disclosure
from samhandling.core.permissions import can
from samhandling.indicators import selectors as indicator_selectors
from samhandling.indicators.models import Dataset, Level
from samhandling.indicators.selectors import Area

from .access import sees_raw_values
from .engine.need import BY_ID, SERVICES
from .models import CurrentCapacity, PopulationSource, Scenario, ScenarioRun, WorkStatus
from .work import read_population, read_results

AGE_GROUPS = ((0, 19), (20, 66), (67, 79), (80, None))
BAND_STARTS = tuple(range(0, 95, 5))  # 0–4 … 85–89, 90+


def sources(user):
    """Population sources: every one for analysts (with failed and queued work), finished ones for the others."""
    rows = PopulationSource.objects.select_related("created_by")
    if not can(user, "projections.analyse"):
        rows = rows.filter(status=WorkStatus.DONE)
    return rows


def ready_sources():
    return PopulationSource.objects.filter(status=WorkStatus.DONE)


def default_source() -> PopulationSource | None:
    """The newest finished built-in projection, else the newest finished source."""
    ready = ready_sources()
    return ready.filter(kind="builtin").first() or ready.first()


def source_or_default(value) -> PopulationSource | None:
    from samhandling.core.http import parse_id

    chosen = parse_id(value)
    if chosen is not None:
        source = ready_sources().filter(pk=chosen).first()
        if source is None:
            raise Http404
        return source
    return default_source()


def scenarios(user):
    return Scenario.objects.select_related("population", "dataset", "helsefellesskap")


def datasets():
    return Dataset.objects.order_by("-created_at")


def runs(user):
    return ScenarioRun.objects.select_related("scenario", "created_by")


def published_runs():
    return ScenarioRun.objects.filter(status=WorkStatus.DONE, published_at__isnull=False).select_related("scenario")


def finished_runs():
    return ScenarioRun.objects.filter(status=WorkStatus.DONE).select_related("scenario")


# --- areas ------------------------------------------------------------------------------------------------------


def area_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Grouped choices for an area select: the country, the communities, the municipalities, the districts."""
    communities = indicator_selectors.communities()
    municipalities = indicator_selectors.area_names(Level.KOMMUNE, _municipal_codes())
    districts = indicator_selectors.area_names(Level.BYDEL, _district_codes())
    return [
        (_("Country"), [(f"{Level.LAND}:{indicator_selectors.COUNTRY}", _("Norway"))]),
        (_("Health communities"), [(area.key, area.name) for area in communities]),
        (
            _("Municipalities"),
            sorted(((f"kommune:{c}", f"{n} ({c})") for c, n in municipalities.items()), key=lambda item: item[1]),
        ),
        (
            _("City districts"),
            sorted(((f"bydel:{c}", f"{n} ({c})") for c, n in districts.items()), key=lambda item: item[1]),
        ),
    ]


def _municipal_codes() -> set[str]:
    from samhandling.indicators.engine import contract

    return set(contract.kommuner_2024())


def _district_codes() -> set[str]:
    from samhandling.indicators.engine import contract

    return set(contract.bydeler_2024())


def area_from(value: str | None) -> Area:
    """The area a query value such as "kommune:3905" names; the country when empty. Http404 for anything else."""
    if not value:
        return indicator_selectors.country()
    level, _sep, code = str(value).partition(":")
    if level == Level.LAND and code == indicator_selectors.COUNTRY:
        return indicator_selectors.country()
    if level == Level.HELSEFELLESSKAP:
        found = [area for area in indicator_selectors.communities() if area.code == code]
        if found:
            return found[0]
    if level == Level.KOMMUNE and code in _municipal_codes():
        return indicator_selectors.municipality_area(code)
    if level == Level.BYDEL and code in _district_codes():
        return indicator_selectors.district_area(code)
    raise Http404


def _number(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return number_format(round(value, digits), decimal_pos=digits, use_l10n=True, force_grouping=True)


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{_number(value, 1)} %"


# --- population -------------------------------------------------------------------------------------------------


@dataclass
class PopulationView:
    years: list[int]
    first_projected: int | None
    pyramid: list[dict]  # {"year", "band", "start", "K", "M"}
    pyramid_table: list[dict]  # the selected year's bands
    table_year: int
    groups: list[dict]  # {"label", "cells": [(year, count, change text)]}
    shown_years: list[int]
    totals: list[tuple[int, str]]


def _band_label(start: int) -> str:
    return f"{start}+" if start == BAND_STARTS[-1] else f"{start}–{start + 4}"


def _group_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}–{high}"


def shown_years(years: list[int]) -> list[int]:
    """The base year, every fifth year and the last year."""
    if not years:
        return []
    chosen = {years[0], years[-1]} | {y for y in years if y % 5 == 0}
    return sorted(chosen)


def population_view(source: PopulationSource, area: Area, year: int | None = None) -> PopulationView | None:
    table = read_population(source, level=area.level, area=area.code)
    if table.num_rows == 0:
        return None
    years = sorted(set(table["aar"].to_pylist()))
    projected = [y for y, p in zip(table["aar"].to_pylist(), table["projected"].to_pylist(), strict=True) if p]
    bands: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: {"K": 0.0, "M": 0.0})
    groups: dict[tuple[int, int], float] = defaultdict(float)
    totals: dict[int, float] = defaultdict(float)
    for aar, kjonn, alder, antall in zip(
        table["aar"].to_pylist(),
        table["kjonn"].to_pylist(),
        table["alder"].to_pylist(),
        table["antall"].to_pylist(),
        strict=True,
    ):
        start = min(alder - alder % 5, BAND_STARTS[-1])
        bands[(aar, start)][kjonn] += antall
        for index, (low, high) in enumerate(AGE_GROUPS):
            if alder >= low and (high is None or alder <= high):
                groups[(aar, index)] += antall
        totals[aar] += antall
    pyramid = [
        {"year": aar, "band": _band_label(start), "start": start, "K": round(v["K"]), "M": round(v["M"])}
        for (aar, start), v in sorted(bands.items())
    ]
    table_year = year if year in years else years[-1]
    shown = shown_years(years)
    base = years[0]
    group_rows = []
    for index, (low, high) in enumerate(AGE_GROUPS):
        cells = []
        for y in shown:
            value = groups[(y, index)]
            first = groups[(base, index)]
            change = (value / first - 1) * 100 if first else None
            cells.append((y, _number(value), "" if y == base else _percent(change)))
        group_rows.append({"label": _group_label(low, high), "cells": cells, "elderly": low >= 67})
    return PopulationView(
        years=years,
        first_projected=min(projected) if projected else None,
        pyramid=pyramid,
        pyramid_table=[row for row in pyramid if row["year"] == table_year][::-1],
        table_year=table_year,
        groups=group_rows,
        shown_years=shown,
        totals=[(y, _number(totals[y])) for y in shown],
    )


def age_group_series(source: PopulationSource, area: Area) -> list[dict]:
    """Index (first year = 100) per age group and year, for the "eldrebølgen" chart."""
    table = read_population(source, level=area.level, area=area.code)
    sums: dict[tuple[int, int], float] = defaultdict(float)
    for aar, alder, antall in zip(
        table["aar"].to_pylist(), table["alder"].to_pylist(), table["antall"].to_pylist(), strict=True
    ):
        for index, (low, high) in enumerate(AGE_GROUPS):
            if alder >= low and (high is None or alder <= high):
                sums[(aar, index)] += antall
    years = sorted({aar for aar, _index in sums})
    points = []
    for index, (low, high) in enumerate(AGE_GROUPS):
        first = sums[(years[0], index)] if years else 0
        for year in years:
            if first:
                points.append(
                    {
                        "year": year,
                        "series": _group_label(low, high),
                        "value": round(sums[(year, index)] / first * 100, 1),
                    }
                )
    return points


@dataclass
class DependencyRow:
    code: str
    name: str
    first: str
    last: str
    change: str
    sort_value: float


def dependency_ratios(source: PopulationSource, area: Area) -> tuple[int, int, list[DependencyRow]]:
    """(0–19 + 67+) per 100 aged 20–66, per municipality of the area (every municipality for the country), in the
    first and last year of the source."""
    table = read_population(source, level=Level.KOMMUNE)
    if area.level == Level.HELSEFELLESSKAP:
        members = {m.code for m in indicator_selectors.municipalities_of(area)}
    elif area.level == Level.KOMMUNE:
        members = {area.code}
    elif area.level == Level.BYDEL and area.municipality:
        members = {area.municipality.code}
    else:
        members = None
    if members is not None:
        table = table.filter(pc.is_in(table["area"], value_set=pa.array(sorted(members))))
    years = sorted(set(table["aar"].to_pylist()))
    if not years:
        return 0, 0, []
    first_year, last_year = years[0], years[-1]
    young_old: dict[tuple[str, int], float] = defaultdict(float)
    working: dict[tuple[str, int], float] = defaultdict(float)
    for code, aar, alder, antall in zip(
        table["area"].to_pylist(),
        table["aar"].to_pylist(),
        table["alder"].to_pylist(),
        table["antall"].to_pylist(),
        strict=True,
    ):
        if aar not in (first_year, last_year):
            continue
        if 20 <= alder <= 66:
            working[(code, aar)] += antall
        else:
            young_old[(code, aar)] += antall
    names = indicator_selectors.area_names(Level.KOMMUNE, {code for code, _y in working})
    rows = []
    for code in sorted(names, key=lambda c: names[c]):
        ratios = [
            young_old[(code, y)] / working[(code, y)] * 100 if working[(code, y)] else None
            for y in (first_year, last_year)
        ]
        change = ratios[1] - ratios[0] if None not in ratios else None
        rows.append(
            DependencyRow(
                code,
                names[code],
                _number(ratios[0], 1),
                _number(ratios[1], 1),
                "–" if change is None else ("+" if change > 0 else "") + _number(change, 1),
                change or 0.0,
            )
        )
    return first_year, last_year, rows


# --- scenario results -------------------------------------------------------------------------------------------


def service_name(service_id: str) -> str:
    service = BY_ID.get(service_id)
    return service.name(get_language() or "nb") if service else service_id


def service_unit(service_id: str) -> str:
    service = BY_ID.get(service_id)
    return service.unit(get_language() or "nb") if service else ""


def _or(value, default):
    return default if value is None else value


def _short_number(value: float) -> str:
    """At most two decimals, none that say nothing: 1, 0,5, 1,25."""
    value = round(value, 2)
    digits = 0 if value == round(value) else 1 if value == round(value, 1) else 2
    return _number(value, digits)


def run_factors(run: ScenarioRun) -> list[dict]:
    """The change factors a run was computed with (frozen in its inputs when it started)."""
    return list(run.inputs.get("scenario", {}).get("factors", []))


def describe_factors(factors: list[dict]) -> list[dict]:
    """A scenario's change factors for people to read (the scenario page, the comparison, the report): each factor's
    fields with the service and category names, and for a shift where the activity goes and at what ratio."""
    from .forms import CATEGORIES

    categories = dict(CATEGORIES)
    described = []
    for factor in factors:
        to_service = factor.get("to_service")
        shift = ""
        if to_service:
            shift = _("%(service)s, %(ratio)s %(to_unit)s per %(from_unit)s moved") % {
                "service": service_name(to_service),
                "ratio": _short_number(float(factor.get("ratio", 1.0))),
                "to_unit": service_unit(to_service),
                "from_unit": service_unit(factor["service"]),
            }
        timing = _("per year") if factor["kind"] == "yearly" else _("by %(year)s") % {"year": factor["target_year"]}
        described.append(
            {
                **factor,
                "service_name": service_name(factor["service"]),
                "category_name": categories.get(factor["category"], factor["category"]),
                "shift": shift,
                "timing": timing,
                "change": _percent(factor["value"]),
                "interval": (
                    f"{_percent(_or(factor.get('low'), factor['value']))} – "
                    f"{_percent(_or(factor.get('high'), factor['value']))}"
                    if factor.get("low") is not None or factor.get("high") is not None
                    else "–"
                ),
            }
        )
    return described


def capacity_label(kind: str | None) -> str:
    from .models import CapacityKind

    return str(CapacityKind(kind).label) if kind in CapacityKind.values else ""


@dataclass
class ServiceResult:
    id: str
    name: str
    unit: str
    hidden: bool
    rows: list[dict]  # {"year", "demo", "value", "p10", "p50", "p90", "capacity", …} formatted, shown years only
    first_row: dict | None
    change: str
    points: list[dict]  # chart points
    capacity_kind: str | None
    capacity_name: str
    today: float | None
    base_year: int
    target_row: dict | None


def _hidden(row: dict, raw: bool) -> bool:
    """Service need is a rate from counted events: a base count from 1 to 4 says too much about the few behind it."""
    return not raw and disclosure.is_small(row.get("base_count") or 0)


def run_results(run: ScenarioRun, area: Area, user, *, public: bool = False) -> list[ServiceResult]:
    """A run's services for an area; small numbers hidden outside the analyst role, and always on public pages."""
    raw = not public and sees_raw_values(user)
    table = read_results(run, level=area.level, area=area.code).to_pylist()
    by_service: dict[str, list[dict]] = defaultdict(list)
    for row in table:
        by_service[row["service"]].append(row)
    capacities = {c.kind: c.value for c in CurrentCapacity.objects.filter(level=area.level, area=area.code)}
    order = [s.id for s in SERVICES]
    results = []
    for service_id in sorted(by_service, key=order.index):
        rows = sorted(by_service[service_id], key=lambda r: r["aar"])
        hidden = any(_hidden(r, raw) for r in rows)
        kind = rows[0]["capacity_kind"]
        today = capacities.get(kind) if kind else None
        formatted = []
        points = []
        for r in rows:
            gap = r["capacity"] - today if (today is not None and r["capacity"] is not None) else None
            formatted.append(
                {
                    "year": r["aar"],
                    "demo": _number(r["demo"]),
                    "value": _number(r["value"]),
                    "p10": _number(r["p10"]),
                    "p50": _number(r["p50"]),
                    "p90": _number(r["p90"]),
                    "capacity": _number(r["capacity"], 1) if r["capacity"] is not None else "–",
                    "capacity_interval": (
                        f"{_number(r['capacity_p10'], 1)}–{_number(r['capacity_p90'], 1)}"
                        if r["capacity_p10"] is not None
                        else "–"
                    ),
                    "gap": "–" if gap is None else ("+" if gap > 0 else "") + _number(gap, 1),
                }
            )
            points.append(
                {
                    "year": r["aar"],
                    "value": round(r["value"], 1),
                    "demo": round(r["demo"], 1),
                    "p10": round(r["p10"], 1),
                    "p90": round(r["p90"], 1),
                }
            )
        keep = set(shown_years([r["aar"] for r in rows]))
        first_value = rows[0]["value"]
        change = (rows[-1]["value"] / first_value - 1) * 100 if first_value else None
        results.append(
            ServiceResult(
                id=service_id,
                name=service_name(service_id),
                unit=service_unit(service_id),
                hidden=hidden,
                rows=[] if hidden else [row for row in formatted if row["year"] in keep],
                first_row=None if hidden else formatted[0],
                change="" if hidden or change is None else ("+" if change > 0 else "") + _percent(change),
                points=[] if hidden else points,
                capacity_kind=kind,
                capacity_name=capacity_label(kind),
                today=today,
                base_year=rows[0]["aar"],
                target_row=None if hidden else formatted[-1],
            )
        )
    return results


def compare_runs(first: ScenarioRun, second: ScenarioRun, area: Area, user) -> list[dict]:
    """Per service, both runs' values in the last common year side by side."""
    a = {r.id: r for r in run_results(first, area, user)}
    b = {r.id: r for r in run_results(second, area, user)}
    rows = []
    for service_id in [s.id for s in SERVICES if s.id in a or s.id in b]:
        left, right = a.get(service_id), b.get(service_id)
        rows.append(
            {
                "name": service_name(service_id),
                "unit": service_unit(service_id),
                "left": left.target_row if left else None,
                "right": right.target_row if right else None,
                "left_hidden": bool(left and left.hidden),
                "right_hidden": bool(right and right.hidden),
            }
        )
    return rows


def export_rows(run: ScenarioRun, user) -> tuple[list[str], list[list]]:
    """Every result row of the run for export, with the small-number rule applied outside the analyst role."""
    raw = sees_raw_values(user)
    header = [
        "level",
        "area",
        "service",
        "year",
        "demographic",
        "value",
        "p10",
        "p50",
        "p90",
        "capacity_kind",
        "capacity",
        "capacity_p10",
        "capacity_p90",
    ]
    out = []
    for row in read_results(run).to_pylist():
        if _hidden(row, raw):
            continue
        out.append(
            [
                row["level"],
                row["area"],
                row["service"],
                row["aar"],
                row["demo"],
                row["value"],
                row["p10"],
                row["p50"],
                row["p90"],
                row["capacity_kind"] or "",
                row["capacity"],
                row["capacity_p10"],
                row["capacity_p90"],
            ]
        )
    return header, out
