"""Service need (domain notes §6.4): base rates per area × sex × 5-year band from a prepared indicator data set,
times a projected population, as Ibis expressions that DuckDB and Spark run alike.

    rate_u,g,s = Σ_window A_u,g,s,y / Σ_window P_u,g,y        (u = municipality or district, g = sex × band)
    A_u,s,t    = Σ_g rate_u,g,s · P_u,g,t                      (the demographic projection)

The helsefellesskap and land are the sums of their municipalities. Change factors, Monte Carlo and capacity are
applied afterwards by `scenario`, since they do not depend on the area.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import ibis
import pyarrow as pa
from ibis.expr.types import Table

from samhandling.indicators.engine import areas
from samhandling.indicators.engine.backends import Backend
from samhandling.indicators.engine.catalogue import (
    Sources,
    _bed_days_after_ready,
    _days_between,
    _inpatient,
    _latest_assessment_in,
    _ready,
)
from samhandling.indicators.engine.standardise import age_band

DEFINITION_VERSION = "1"
MAX_WINDOW = 3

# What capacity a service's volume turns into (see scenario.capacity).
BEDS = "beds"
ROOMS = "rooms"
FTE = "fte"


@dataclass(frozen=True)
class Service:
    id: str
    name_nb: str
    name_nn: str
    unit_nb: str
    unit_nn: str
    source: str  # the data set table it needs
    capacity: str | None
    units: Callable[[Sources], Table]

    def name(self, language: str) -> str:
        return self.name_nn if (language or "").startswith("nn") else self.name_nb

    def unit(self, language: str) -> str:
        return self.unit_nn if (language or "").startswith("nn") else self.unit_nb


def _place(t: Table, year) -> dict:
    return {
        "year": year.cast("int64"),
        "kommune": t.kommune,
        "bydel": t.bydel,
        "kjonn": t.kjonn,
        "alder": t.alder.cast("int64"),
    }


def _stays(level: str, measure: str) -> Callable[[Sources], Table]:
    def units(s: Sources) -> Table:
        t = s.opphold
        t = _inpatient(t) if level == "dogn" else t.filter(t.omsorgsniva == "dag")
        num = ibis.literal(1, "int64") if measure == "stays" else _days_between(t.ut_tid, t.inn_tid)
        return t.select(**_place(t, t.ut_tid.year()), num=num.cast("float64"))

    return units


def _overliggerdogn(s: Sources) -> Table:
    t = _ready(s.opphold)
    return t.select(**_place(t, t.ut_tid.year()), num=_bed_days_after_ready(t).cast("float64"))


def _contacts(fagomrade: str) -> Callable[[Sources], Table]:
    def units(s: Sources) -> Table:
        t = s.kontakter.filter(s.kontakter.fagomrade == fagomrade)
        return t.select(**_place(t, t.tid.year()), num=ibis.literal(1.0, "float64"))

    return units


def _users(group: int) -> Callable[[Sources], Table]:
    latest = _latest_assessment_in((group,))

    def units(s: Sources) -> Table:
        t = latest(s)
        return t.select(*t.columns[:-1], num=t.num.cast("float64"))

    return units


SERVICES: tuple[Service, ...] = (
    Service(
        "dognopphold", "Døgnopphold", "Døgnopphald", "opphold", "opphald", "opphold", None, _stays("dogn", "stays")
    ),
    Service("liggedogn", "Liggedøgn", "Liggjedøgn", "døgn", "døgn", "opphold", BEDS, _stays("dogn", "days")),
    Service("dagopphold", "Dagopphold", "Dagopphald", "opphold", "opphald", "opphold", None, _stays("dag", "stays")),
    Service("overliggerdogn", "Overliggerdøgn", "Overliggjardøgn", "døgn", "døgn", "opphold", BEDS, _overliggerdogn),
    Service(
        "poliklinikk_somatikk",
        "Polikliniske kontakter, somatikk",
        "Polikliniske kontaktar, somatikk",
        "kontakter",
        "kontaktar",
        "kontakter",
        ROOMS,
        _contacts("somatikk"),
    ),
    Service(
        "poliklinikk_phv_voksne",
        "Polikliniske kontakter, psykisk helsevern voksne",
        "Polikliniske kontaktar, psykisk helsevern vaksne",
        "kontakter",
        "kontaktar",
        "kontakter",
        ROOMS,
        _contacts("phv_voksne"),
    ),
    Service(
        "poliklinikk_phv_bu",
        "Polikliniske kontakter, psykisk helsevern barn og unge",
        "Polikliniske kontaktar, psykisk helsevern barn og unge",
        "kontakter",
        "kontaktar",
        "kontakter",
        ROOMS,
        _contacts("phv_bu"),
    ),
    Service(
        "poliklinikk_tsb",
        "Polikliniske kontakter, TSB",
        "Polikliniske kontaktar, TSB",
        "kontakter",
        "kontaktar",
        "kontakter",
        ROOMS,
        _contacts("tsb"),
    ),
    *(
        Service(
            f"brukere_funksjonsgruppe_{group}",
            f"Kommunale brukere, funksjonsgruppe {group}",
            f"Kommunale brukarar, funksjonsgruppe {group}",
            "brukere",
            "brukarar",
            "iplos",
            FTE,
            _users(group),
        )
        for group in (1, 2, 3, 4)
    ),
)
SERVICE_IDS = tuple(service.id for service in SERVICES)
BY_ID = {service.id: service for service in SERVICES}

DEMAND_SCHEMA = pa.schema(
    [
        ("level", pa.string()),
        ("area", pa.string()),
        ("service", pa.string()),
        ("aar", pa.int64()),
        ("demo", pa.float64()),
        ("base_count", pa.float64()),  # the events (or days, users) in the base window: small ones are hidden
    ]
)
DATA_TABLES = ("opphold", "kontakter", "iplos")


@dataclass(frozen=True)
class NeedSettings:
    base_years: tuple[int, ...]
    to_year: int
    services: tuple[str, ...] = SERVICE_IDS

    def __post_init__(self) -> None:
        years = sorted(set(self.base_years))
        if not 1 <= len(years) <= MAX_WINDOW or years != list(range(years[0], years[-1] + 1)):
            raise ValueError("the base window must be 1–3 consecutive years")
        if self.to_year <= years[-1]:
            raise ValueError("the target year must come after the base window")
        unknown = set(self.services) - set(SERVICE_IDS)
        if unknown:
            raise ValueError(f"unknown service(s): {', '.join(sorted(unknown))}")

    @property
    def years(self) -> list[int]:
        """The years reported: the last base year (today's activity) to the target year."""
        return list(range(max(self.base_years), self.to_year + 1))


def _read_sources(backend: Backend, dataset: Path) -> Sources:
    return Sources(
        **{
            name: backend.read_parquet(dataset / f"{name}.parquet", f"need_{name}")
            for name in DATA_TABLES
            if (dataset / f"{name}.parquet").exists()
        }
    )


def _units_with_band(units: Table) -> Table:
    return units.mutate(band=age_band(units.alder))


def project_need(
    backend: Backend,
    dataset: Path,
    projection: pa.Table,
    *,
    settings: NeedSettings,
    base_population: pa.Table | None = None,
    communities: pa.Table | None = None,
) -> pa.Table:
    """Demographically projected activity per level × area × service × year (DEMAND_SCHEMA).

    `dataset` is a prepared data set folder; `projection` a population with level, area, aar, kjonn, alder, antall
    (population.RESULT_SCHEMA, or an imported SSB projection in the same shape) covering settings.years. The base
    rates' denominators are the data set's own population (its `befolkning`, else the embedded one) unless
    `base_population` (areas.POPULATION_SCHEMA) is given.
    """
    sources = _read_sources(backend, Path(dataset))
    communities = areas.kommune_helsefellesskap() if communities is None else communities
    hf = backend.register("need_communities", communities.select(["kommune", "helsefellesskap"]))
    base = areas.population(dataset) if base_population is None else base_population
    pop = backend.register("need_base_population", base.select(areas.POPULATION_SCHEMA.names))
    window = [int(y) for y in settings.base_years]
    pop = pop.filter(pop.aar.isin(window))
    pop = pop.mutate(band=age_band(pop.alder), level=ibis.ifelse(pop.bydel.isnull(), "kommune", "bydel"))
    pop = pop.mutate(area=ibis.coalesce(pop.bydel, pop.kommune))
    denominators = pop.group_by(["level", "area", "kjonn", "band"]).aggregate(n=pop.antall.sum().cast("float64"))

    parts = []
    for service in (BY_ID[s] for s in settings.services):
        if getattr(sources, service.source) is None:
            continue
        units = service.units(sources)
        units = _units_with_band(units.filter(units.year.isin(window)))
        municipal = units.group_by(["kommune", "kjonn", "band"]).aggregate(x=units.num.sum())
        municipal = municipal.select(
            level=ibis.literal("kommune"), area=municipal.kommune, kjonn="kjonn", band="band", x="x"
        )
        districts = units.filter(units.bydel.notnull())
        districts = districts.group_by(["bydel", "kjonn", "band"]).aggregate(x=districts.num.sum())
        districts = districts.select(
            level=ibis.literal("bydel"), area=districts.bydel, kjonn="kjonn", band="band", x="x"
        )
        counts = ibis.union(municipal, districts)
        parts.append(counts.mutate(service=ibis.literal(service.id)))
    if not parts:
        return DEMAND_SCHEMA.empty_table()
    counts = ibis.union(*parts)
    rates = counts.inner_join(denominators, ["level", "area", "kjonn", "band"])
    rates = rates.filter(rates.n > 0).select("level", "area", "kjonn", "band", "service", rate=rates.x / rates.n)
    rates = backend.materialise("need_rates", rates, keep=True)

    future = backend.register(
        "need_projection", projection.select(["level", "area", "aar", "kjonn", "alder", "antall"])
    )
    future = future.filter(future.level.isin(["kommune", "bydel"]), future.aar.isin(settings.years))
    future = future.mutate(band=age_band(future.alder))
    future = future.group_by(["level", "area", "aar", "kjonn", "band"]).aggregate(p=future.antall.sum())
    joined = rates.inner_join(future, ["level", "area", "kjonn", "band"])
    demand = joined.group_by(["level", "area", "service", "aar"]).aggregate(demo=(joined.rate * joined.p).sum())
    observed = counts.group_by(["level", "area", "service"]).aggregate(base_count=counts.x.sum())
    demand = demand.left_join(observed, ["level", "area", "service"])
    demand = demand.select("level", "area", "service", "aar", "demo", base_count=demand.base_count.fill_null(0.0))
    demand = backend.materialise("need_demand", demand, keep=True)
    municipal = demand.filter(demand.level == "kommune").inner_join(hf, demand.area == hf.kommune)

    def rolled(table: Table, level: str, area) -> Table:
        grouped = table.group_by([area.name("area"), "service", "aar"]).aggregate(
            demo=table.demo.sum(), base_count=table.base_count.sum()
        )
        return grouped.mutate(level=ibis.literal(level))

    out = ibis.union(
        rolled(municipal, "land", ibis.literal(areas.LAND)).select(*DEMAND_SCHEMA.names),
        rolled(municipal, "helsefellesskap", municipal.helsefellesskap).select(*DEMAND_SCHEMA.names),
        demand.select(*DEMAND_SCHEMA.names),
    )
    result = backend.to_arrow(out).cast(DEMAND_SCHEMA)
    order = [("level", "ascending"), ("area", "ascending"), ("service", "ascending"), ("aar", "ascending")]
    return result.sort_by(order)


def services_available(dataset: Path) -> Sequence[str]:
    """The services a prepared data set can give base rates for (those whose table it has)."""
    present = {name for name in DATA_TABLES if (Path(dataset) / f"{name}.parquet").exists()}
    return [service.id for service in SERVICES if service.source in present]
