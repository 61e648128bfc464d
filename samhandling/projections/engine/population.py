"""The built-in population projection: cohort-change ratios (Hamilton–Perry) for ages 1–105+, child–woman ratios for
age 0, every ratio of a small area shrunk toward its parent's, as Ibis expressions that DuckDB and Spark run alike.

Per area u (municipality, or city district), sex s and age a ≥ 1, over the base intervals y → y+1:

    CCR_u,s,a = (Σ P_y+1(u,s,a) + K · CCR_g,s,a) / (Σ P_y(u,s,a−1) + K)

where g is the parent group (a municipality's helsefellesskap; a district's municipality) and the open age group
105+ is fed by both 104 and 105+ the year before. Age 0 is CWR_u,s × women 15–49 in the same year, with
CWR_u,s = (Σ P_y(u,s,0) + K · CWR_g,s) / (Σ W_y(u) + K) over the base years. K (persons) is the weight of the
parent's ratio: an empirical-Bayes style credibility weight n / (n + K) for the area's own ratio, so a municipality
with 40 people of an age leans on its community while Oslo keeps its own. K = 0 is plain Hamilton–Perry.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from samhandling.indicators.engine import areas
from samhandling.indicators.engine.backends import Backend

DEFINITION_VERSION = "1"
DEFAULT_SHRINKAGE = 100.0  # persons; see docs/decisions.md and the back-test in tests/projections
OPEN_AGE = areas.POPULATION_MAX_AGE  # 105 = 105 or older
FERTILE_AGES = (15, 49)
MUNICIPALITY = "kommune"
DISTRICT = "bydel"

RESULT_SCHEMA = pa.schema(
    [
        ("level", pa.string()),
        ("area", pa.string()),
        ("aar", pa.int64()),
        ("kjonn", pa.string()),
        ("alder", pa.int64()),
        ("antall", pa.float64()),
        ("projected", pa.bool_()),
    ]
)

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Settings:
    base_years: tuple[int, ...]
    to_year: int
    shrinkage: float = DEFAULT_SHRINKAGE

    def __post_init__(self) -> None:
        years = sorted(set(self.base_years))
        if len(years) < 2 or years != list(range(years[0], years[-1] + 1)):
            raise ValueError("the base years must be at least two consecutive years")
        if self.to_year <= years[-1]:
            raise ValueError("the target year must come after the last base year")
        if self.shrinkage < 0:
            raise ValueError("the shrinkage weight cannot be negative")


def _units(population: Table, communities: Table) -> Table:
    """Population rows as projection units: level, unit (the area), parent (its group), aar, kjonn, alder, antall."""
    whole = population.filter(population.bydel.isnull())
    whole = whole.inner_join(communities, "kommune")
    districts = population.filter(population.bydel.notnull())
    columns = {"aar": "aar", "kjonn": "kjonn", "alder": "alder"}
    return ibis.union(
        whole.select(
            level=ibis.literal(MUNICIPALITY),
            unit=whole.kommune,
            parent=whole.helsefellesskap,
            **{k: whole[v] for k, v in columns.items()},
            antall=whole.antall.cast("float64"),
        ),
        districts.select(
            level=ibis.literal(DISTRICT),
            unit=districts.bydel,
            parent=districts.kommune,
            **{k: districts[v] for k, v in columns.items()},
            antall=districts.antall.cast("float64"),
        ),
    )


def _group_sums(pairs: Table, value_columns: Sequence[str]) -> Table:
    """The parent groups' sums of `value_columns`: a municipality's group is its community (the sum of its
    municipalities); a district's group is its whole municipality (that municipality's own row)."""
    keys = [c for c in pairs.columns if c not in {"level", "unit", "parent", *value_columns}]
    municipal = pairs.filter(pairs.level == MUNICIPALITY)
    by_community = municipal.group_by(["parent", *keys]).aggregate(**{c: municipal[c].sum() for c in value_columns})
    by_community = by_community.mutate(level=ibis.literal(MUNICIPALITY))
    by_municipality = municipal.select("unit", *keys, *value_columns).rename(parent="unit")
    by_municipality = by_municipality.mutate(level=ibis.literal(DISTRICT))
    ordered = ["level", "parent", *keys, *value_columns]
    return ibis.union(by_community.select(*ordered), by_municipality.select(*ordered))


def _shrunk(own_num, own_den, prior, k: float):
    """(own_num + K · prior) / (own_den + K); the prior alone when the area has nothing to estimate from."""
    return ibis.ifelse(own_den + k > 0, (own_num + prior * k) / (own_den + k), prior)


def _ratio(num, den, fallback):
    return ibis.ifelse(den > 0, num / den, fallback)


class _Projection:
    def __init__(self, backend: Backend, population: Table, communities: Table, settings: Settings):
        self.backend = backend
        self.settings = settings
        base = [int(y) for y in settings.base_years]
        units = _units(population, communities)
        units = units.filter(units.aar.isin(base))
        self.units = backend.materialise("proj_units", units, keep=True)
        self.cells = (
            self.units.select("level", "unit", "parent").distinct().cross_join(self.units.select("kjonn").distinct())
        )
        self.ages = backend.register("proj_ages", pa.table({"a1": pa.array(range(OPEN_AGE + 1), pa.int64())}))

    def cohort_ratios(self) -> Table:
        """CCR per level × unit × sex × age 1–105 (105 = open), shrunk toward the parent's, with land as the parent's
        own fallback and 1.0 (the cohort carried forward) when nobody anywhere had the age."""
        u = self.units
        k = self.settings.shrinkage
        older = u.filter(u.aar < max(self.settings.base_years))
        older = older.mutate(a1=ibis.least(older.alder + 1, OPEN_AGE), aar1=older.aar + 1)
        before = older.group_by(["level", "unit", "kjonn", "a1", "aar1"]).aggregate(n0=older.antall.sum())
        after = u.select(level="level", unit="unit", kjonn="kjonn", a1="alder", aar1="aar", n1="antall")
        # Full outer: a cohort that appears from nowhere (n0 = 0) still counts toward the parent's ratio.
        joined = before.outer_join(
            after.filter(after.aar1 > min(self.settings.base_years)), ["level", "unit", "kjonn", "a1", "aar1"]
        )
        observed = joined.select(
            level=ibis.coalesce(joined.level, joined.level_right),
            unit=ibis.coalesce(joined.unit, joined.unit_right),
            kjonn=ibis.coalesce(joined.kjonn, joined.kjonn_right),
            a1=ibis.coalesce(joined.a1, joined.a1_right),
            n0=joined.n0.fill_null(0.0),
            n1=joined.n1.fill_null(0.0),
        )
        observed = observed.group_by(["level", "unit", "kjonn", "a1"]).aggregate(
            n0=observed.n0.sum(), n1=observed.n1.sum()
        )
        # Every unit × sex × age 1–105 gets a ratio, so no one alive in the last base year is lost for want of one.
        grid = self.cells.cross_join(self.ages.filter(self.ages.a1 >= 1))
        pairs = grid.left_join(observed, ["level", "unit", "kjonn", "a1"])
        pairs = pairs.select(
            "level", "unit", "parent", "kjonn", "a1", n0=pairs.n0.fill_null(0.0), n1=pairs.n1.fill_null(0.0)
        )
        pairs = self.backend.materialise("proj_pairs", pairs)
        municipal = pairs.filter(pairs.level == MUNICIPALITY)
        land = municipal.group_by(["kjonn", "a1"]).aggregate(l0=municipal.n0.sum(), l1=municipal.n1.sum())
        land = land.select("kjonn", "a1", land_r=_ratio(land.l1, land.l0, ibis.literal(1.0)))
        groups = _group_sums(pairs, ["n0", "n1"]).rename(g0="n0", g1="n1")
        groups = groups.inner_join(land, ["kjonn", "a1"])
        groups = groups.select("level", "parent", "kjonn", "a1", prior=_ratio(groups.g1, groups.g0, groups.land_r))
        joined = pairs.inner_join(groups, ["level", "parent", "kjonn", "a1"])
        ratios = joined.select("level", "unit", "kjonn", "a1", r=_shrunk(joined.n1, joined.n0, joined.prior, k))
        return self.backend.materialise("proj_ccr", ratios, keep=True)

    def child_woman_ratios(self) -> Table:
        """CWR per level × unit × sex: children aged 0 per woman aged 15–49, over the base years, shrunk alike."""
        u = self.units
        k = self.settings.shrinkage
        low, high = FERTILE_AGES
        newborn = u.filter(u.alder == 0).group_by(["level", "unit", "kjonn"]).aggregate(b=u.antall.sum())
        births = self.cells.left_join(newborn, ["level", "unit", "kjonn"])
        births = births.select("level", "unit", "parent", "kjonn", b=births.b.fill_null(0.0))
        women = u.filter(u.kjonn == "K", u.alder.between(low, high))
        women = women.group_by(["level", "unit"]).aggregate(w=women.antall.sum())
        cells = births.left_join(women, ["level", "unit"])
        cells = cells.select("level", "unit", "parent", "kjonn", b=cells.b, w=cells.w.fill_null(0.0))
        municipal = cells.filter(cells.level == MUNICIPALITY)
        land = municipal.group_by("kjonn").aggregate(lb=municipal.b.sum(), lw=municipal.w.sum())
        land = land.select("kjonn", land_r=_ratio(land.lb, land.lw, ibis.literal(0.0)))
        groups = _group_sums(cells, ["b", "w"]).inner_join(land, "kjonn")
        groups = groups.select("level", "parent", "kjonn", prior=_ratio(groups.b, groups.w, groups.land_r))
        joined = cells.inner_join(groups, ["level", "parent", "kjonn"])
        ratios = joined.select("level", "unit", "kjonn", r=_shrunk(joined.b, joined.w, joined.prior, k))
        return self.backend.materialise("proj_cwr", ratios, keep=True)

    def run(self, progress: Progress) -> list[tuple[int, str]]:
        ccr = self.cohort_ratios()
        cwr = self.child_woman_ratios()
        last = max(self.settings.base_years)
        u = self.units
        current = u.filter(u.aar == last).select("level", "unit", "kjonn", "alder", "antall")
        low, high = FERTILE_AGES
        years = range(last + 1, self.settings.to_year + 1)
        parts = []
        for number, year in enumerate(years):
            progress(number / len(years), f"projecting {year}")
            aged = current.group_by(
                ["level", "unit", "kjonn", ibis.least(current.alder + 1, OPEN_AGE).name("a1")]
            ).aggregate(n=current.antall.sum())
            aged = aged.inner_join(ccr, ["level", "unit", "kjonn", "a1"])
            aged = aged.select("level", "unit", "kjonn", alder=aged.a1, antall=aged.n * aged.r)
            women = aged.filter(aged.kjonn == "K", aged.alder.between(low, high))
            women = women.group_by(["level", "unit"]).aggregate(w=women.antall.sum())
            born = women.inner_join(cwr, ["level", "unit"])
            born = born.select("level", "unit", "kjonn", alder=ibis.literal(0, "int64"), antall=born.w * born.r)
            columns = ["level", "unit", "kjonn", "alder", "antall"]
            # One statement per year: the engine computes `aged` once for both parts (a common table expression).
            step = ibis.union(aged.select(*columns), born.select(*columns))
            current = self.backend.materialise(f"proj_year_{year}", step, keep=True)
            parts.append((year, f"proj_year_{year}"))
            # Only the year before is read by the next step; earlier years are read once more at the end.
            self.backend.release()
        return parts


def project_population(
    backend: Backend,
    population: pa.Table,
    *,
    settings: Settings,
    communities: pa.Table | None = None,
    progress: Progress | None = None,
) -> pa.Table:
    """The base years as they are and each later year to `settings.to_year` projected, for every municipality and
    city district, with the helsefellesskap and land summed from the municipalities (RESULT_SCHEMA).

    `population` has areas.POPULATION_SCHEMA (bydel null for whole municipalities); `communities` maps kommune to
    helsefellesskap (the reference file by default).
    """
    report = progress or (lambda fraction, message: None)
    communities = areas.kommune_helsefellesskap() if communities is None else communities
    missing = set(settings.base_years) - set(population["aar"].to_pylist())
    if missing:
        raise ValueError(f"the population has no rows for base year(s) {', '.join(map(str, sorted(missing)))}")
    pop = backend.register("proj_population", population.select(areas.POPULATION_SCHEMA.names))
    hf = backend.register("proj_communities", communities.select(["kommune", "helsefellesskap"]))
    projection = _Projection(backend, pop, hf, settings)
    projected = projection.run(report)
    # One plain UNION ALL over the yearly tables: Ibis takes seconds to build a union of 25 branches. Only table
    # names the engine made itself and integer years go into the SQL.
    columns = "level, unit, aar, kjonn, alder, antall"
    branches = [f"SELECT {columns}, FALSE AS projected FROM proj_units"] + [  # noqa: S608
        f"SELECT level, unit, CAST({int(year)} AS BIGINT) AS aar, kjonn, alder, antall, TRUE AS projected "  # noqa: S608
        f"FROM {name}"
        for year, name in projected
    ]
    everything = backend.materialise_sql("proj_all", " UNION ALL ".join(branches), keep=True)
    municipal = everything.filter(everything.level == MUNICIPALITY).inner_join(hf, everything.unit == hf.kommune)
    keys = ["aar", "kjonn", "alder", "projected"]

    def rolled(table: Table, level: str, area) -> Table:
        grouped = table.group_by([area.name("area"), *keys]).aggregate(antall=table.antall.sum())
        return grouped.mutate(level=ibis.literal(level))

    out = ibis.union(
        rolled(municipal, "land", ibis.literal(areas.LAND)),
        rolled(municipal, "helsefellesskap", municipal.helsefellesskap),
        everything.select(
            level="level", area="unit", aar="aar", kjonn="kjonn", alder="alder", antall="antall", projected="projected"
        ),
    )
    # In no particular order (the engines differ; sorting 2 million rows costs seconds): readers filter by area.
    out = out.select(*RESULT_SCHEMA.names)
    result = backend.to_arrow(out).cast(RESULT_SCHEMA)
    report(1.0, "projected")
    return result
