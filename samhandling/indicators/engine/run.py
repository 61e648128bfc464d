"""Runs the indicator catalogue on a prepared data set with DuckDB (default) or PySpark and writes `results.parquet`
(yearly and three-year values, as INDICATORS.md says) and `tertials.parquet` (the same columns, period T1–T3).

Each indicator's numerator and denominator are computed once per municipality and city district (persons: once per
person and area), then rolled up to helsefellesskap and land by a cheap aggregation; the same Ibis expressions run on
both engines. `run.json` records the data set version, the definition version, the engine and the timings.
"""

from __future__ import annotations

import json
import resource
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from ibis.expr.types import Table

from samhandling.core.disclosure import suppressed

from . import areas, contract
from .backends import ENGINES, Backend, connect
from .catalogue import CATALOGUE, DEFINITION_VERSION, EVENTS, PERSONS, RATIO, Indicator, Sources
from .messages import Step
from .standardise import age_band, dsr

RESULT_COLUMNS = (
    "indicator",
    "level",
    "area",
    "year",
    "period",
    "numerator",
    "denominator",
    "value",
    "value_std",
    "suppressed",
)
# Written after the contract's columns: the variance of the unscaled standardised rate (Σ x·(w/n)² / (Σw)²), which
# Dobson's confidence limits need and which cannot be recovered from the totals (see intervals.py).
EXTRA_COLUMNS = ("value_std_variance",)
OUTPUT_COLUMNS = RESULT_COLUMNS + EXTRA_COLUMNS
RESULT_SCHEMA = pa.schema(
    [
        ("indicator", pa.string()),
        ("level", pa.string()),
        ("area", pa.string()),
        ("year", pa.int64()),
        ("period", pa.string()),
        ("numerator", pa.float64()),
        ("denominator", pa.float64()),
        ("value", pa.float64()),
        ("value_std", pa.float64()),
        ("suppressed", pa.bool_()),
        ("value_std_variance", pa.float64()),
    ]
)
DATA_TABLES = ("opphold", "kontakter", "iplos")
SMALL_MUNICIPALITY = 5000  # inhabitants below which a municipality also gets a three-year value
DEFAULT_MEMORY_LIMIT = "6GB"
TERTIALS = (1, 2, 3)  # T1 January–April, T2 May–August, T3 September–December
TERTIAL_PERIODS = tuple(f"T{tertial}" for tertial in TERTIALS)
# A tertial is computed only when the records reach within this many days of its first and its last day: a
# delivery's first and last days may be holidays without records (1 January, 31 December), but a tertial the data
# ends in is left out rather than shown as low (docs/decisions.md).
TERTIAL_EDGE_DAYS = 7
MANIFEST = "manifest.json"  # as dataset.MANIFEST

Progress = Callable[[float, str], None]


@dataclass
class RunSummary:
    results_path: Path
    rows: int
    years: list[int]
    engine: str
    definition_version: str
    dataset_version: str
    synthetic: bool
    seconds: float
    peak_memory_bytes: int | None
    tertials_path: Path | None = None
    tertial_rows: int = 0


def _in_tertials(table: Table, complete: list[tuple[int, int]]) -> Table:
    """The rows of `table` (with `year` and `tertial`) that lie in one of the complete tertials."""
    return table.filter((table.year * 10 + table.tertial).isin([year * 10 + tertial for year, tertial in complete]))


def tertial_dates(year: int, tertial: int) -> tuple[date, date]:
    """The first and the last day of a tertial (T1 1 January–30 April, T2 1 May–31 August, T3 1 September–31
    December)."""
    start = date(year, 4 * (tertial - 1) + 1, 1)
    end = date(year + 1, 1, 1) if tertial == 3 else date(year, 4 * tertial + 1, 1)
    return start, end - timedelta(days=1)


def _prepared(data: Path, out: Path) -> tuple[Path, dict]:
    """The prepared folder to run on and its manifest, preparing a raw folder first (into out/dataset)."""
    # Read here rather than with dataset.read_manifest: a run on an already prepared folder need not import the
    # checks (~0.1 s per process).
    try:
        return data, json.loads((data / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    from .dataset import prepare_dataset

    target = out / "dataset"
    return target, prepare_dataset(data, target)


class _Run:
    """One run's shared pieces: the sources, the reference tables and the population at every level."""

    def __init__(self, backend: Backend, dataset: Path, years: Sequence[int] | None, manifest: dict | None = None):
        self.backend = backend
        tables = {
            name: backend.read_parquet(dataset / f"{name}.parquet", name)
            for name in DATA_TABLES
            if (dataset / f"{name}.parquet").exists()
        }
        self.sources = Sources(**tables)
        if years:
            self.years = sorted({int(year) for year in years})
        elif manifest and (manifest.get("period") or {}).get("first") is not None:
            # The whole years the data set covers: records outside them are follow-up context only.
            period = manifest["period"]
            self.years = list(range(int(period["first"]), int(period["last"]) + 1))
        elif manifest and manifest.get("years") is not None:
            # prepare_dataset records the years of ut_tid, tid and vurdert_dato: the very ones _years_present finds,
            # without another scan of every table.
            self.years = sorted({int(year) for year in manifest["years"]})
        else:
            self.years = self._years_present()
        self.helsefellesskap = backend.register("ref_helsefellesskap", areas.kommune_helsefellesskap())
        # Small lookups are filtered and shaped by the engine, not in Python: building Arrow arrays from Python
        # lists makes pyarrow import pandas (~0.4 s of every run's start).
        population = self._population_source(dataset)
        self.population = self._population_levels(population.filter(population.aar.isin(self.years)))
        self.small = self._small_municipalities()
        # Years that get a three-year value: those whose two previous years are in the run too.
        self.three_year_targets = [year for year in self.years if {year - 1, year - 2} <= set(self.years)]
        self._coverage: dict[str, tuple[date, date] | None] = {}

    def _population_source(self, dataset: Path) -> Table:
        """The data set's own `befolkning` (read by the engine itself) or else the embedded reference population."""
        own = dataset / "befolkning.parquet"
        if not own.exists():
            return self.backend.register("ref_population", areas.reference_population())
        table = self.backend.read_parquet(own, "ref_population")
        return table.select(
            **{field.name: table[field.name].cast(ibis.dtype(field.type)) for field in areas.POPULATION_SCHEMA}
        )

    def _years_present(self) -> list[int]:
        s = self.sources
        parts = []
        if s.opphold is not None:
            # Years of discharge only: a year seen only in the admission dates of long stays is a partial year.
            parts.append(s.opphold.select(year=s.opphold.ut_tid.year()))
        if s.kontakter is not None:
            parts.append(s.kontakter.select(year=s.kontakter.tid.year()))
        if s.iplos is not None:
            parts.append(s.iplos.select(year=s.iplos.vurdert_dato.year()))
        if not parts:
            return []
        union = ibis.union(*[part.mutate(year=part.year.cast("int64")) for part in parts], distinct=True)
        return sorted(int(year) for year in self.backend.to_arrow(union)["year"].to_pylist() if year is not None)

    def _population_levels(self, population: Table) -> Table:
        """Population by level × area × year × sex × single-year age, materialised once for every indicator."""
        whole = population.filter(population.bydel.isnull())
        districts = population.filter(population.bydel.notnull())
        with_hf = whole.inner_join(self.helsefellesskap, "kommune")
        keys = {"year": "aar", "kjonn": "kjonn", "alder": "alder"}

        def level(table: Table, name: str, area) -> Table:
            grouped = table.group_by(area=area, **{key: table[column] for key, column in keys.items()})
            return grouped.aggregate(antall=table.antall.sum().cast("int64")).mutate(level=ibis.literal(name))

        union = ibis.union(
            level(whole, "land", ibis.literal(areas.LAND)),
            level(with_hf, "helsefellesskap", with_hf.helsefellesskap),
            level(whole, "kommune", whole.kommune),
            level(districts, "bydel", districts.bydel),
        )
        columns = union.select("level", "area", "year", "kjonn", "alder", "antall")
        return self.backend.materialise("run_population", columns, keep=True)

    def coverage(self, name: str) -> tuple[date, date] | None:
        """The first and the last record date of a data table (by the column that decides its year), read once."""
        if name not in self._coverage:
            table = getattr(self.sources, name)
            found = None
            if table is not None:
                column = table[contract.TABLES[name].year_columns[0]].cast("date")
                row = self.backend.to_arrow(table.aggregate(first=column.min(), last=column.max())).to_pylist()[0]
                if row["first"] is not None and row["last"] is not None:
                    found = (row["first"], row["last"])
            self._coverage[name] = found
        return self._coverage[name]

    def complete_tertials(self, indicator: Indicator) -> list[tuple[int, int]]:
        """(year, tertial) of the run's years whose four months lie inside the record dates of every table the
        indicator reads (within TERTIAL_EDGE_DAYS of both ends); a partial tertial is left out."""
        spans = [self.coverage(name) for name in indicator.source.split("|") if getattr(self.sources, name) is not None]
        if not spans or any(span is None for span in spans):
            return []
        edge = timedelta(days=TERTIAL_EDGE_DAYS)
        complete = []
        for year in self.years:
            for tertial in TERTIALS:
                start, end = tertial_dates(year, tertial)
                if all(first <= start + edge and last >= end - edge for first, last in spans):
                    complete.append((year, tertial))
        return complete

    def _small_municipalities(self) -> Table:
        p = self.population
        totals = p.filter(p.level == "kommune").group_by(["area", "year"]).aggregate(total=p.antall.sum())
        return totals.filter(totals.total < SMALL_MUNICIPALITY).select("area", "year")

    # --- per indicator -------------------------------------------------------------------------------------------

    def result(self, indicator: Indicator, *, tertials: bool = True) -> tuple[pa.Table, pa.Table | None]:
        """The indicator's yearly (and three-year) rows, and with `tertials` (for an indicator that has them) its rows
        per complete tertial (None when there is none).

        One pass: the tertial is one more key beside the year, with tertial 0 standing for the whole year, so the
        roll-up to the levels, the population and the standardisation are done once for both."""
        complete = self.complete_tertials(indicator) if tertials and indicator.tertials else []
        time_keys = ["year", "tertial"] if complete else ["year"]
        units = indicator.units(self.sources)
        units = units.filter(units.year.isin(self.years))
        if indicator.kind != RATIO:
            if indicator.age_min is not None:
                units = units.filter(units.alder >= indicator.age_min)
            if indicator.age_max is not None:
                units = units.filter(units.alder <= indicator.age_max)
        strata = ["kjonn", "band"] if indicator.standardised else []
        if strata:
            units = units.mutate(band=age_band(units.alder))
        if indicator.kind == PERSONS:
            if complete:
                # A person counts once per year and once per tertial: the year's records (tertial 0) beside the
                # complete tertials' records.
                columns = units.columns
                whole = units.mutate(tertial=ibis.literal(0, "int64")).select(*columns)
                units = ibis.union(whole, _in_tertials(units, complete).select(*columns))
            cells = self._person_cells(indicator, units, strata, time_keys)
        else:
            cells = self._record_cells(indicator, units, strata, time_keys, complete)
        keys = ["level", "area", *time_keys, *strata]
        if indicator.kind in (EVENTS, PERSONS):
            population = self._population_cells(indicator, strata, complete)
            cells = ibis.union(
                cells.select(*keys, num=cells.num, den=ibis.literal(0, "int64")),
                population.select(*keys, num=ibis.literal(0, "int64"), den=population.n),
            )
            cells = cells.group_by(keys).aggregate(num=cells.num.sum().cast("int64"), den=cells.den.sum().cast("int64"))
        # Materialised: the totals and the standardisation both read it, and Spark would otherwise recompute it.
        cells = self.backend.materialise(f"all_cells_{indicator.id}", self._with_periods(cells, keys, strata))
        groups = ["level", "area", "year", "period"]
        totals = cells.group_by(groups).aggregate(
            numerator=cells.num.sum().cast("float64"), denominator=cells.den.sum().cast("float64")
        )
        totals = totals.filter(totals.denominator > 0)
        if indicator.standardised:
            rates = dsr(
                cells.rename(x="num", n="den"),
                self._standard(indicator),
                by=groups,
                multiplier=indicator.factor,
            )
            totals = totals.left_join(rates, groups).select(
                *totals.columns, value_std=rates.dsr, value_std_variance=rates.dsr_var
            )
        else:
            totals = totals.mutate(value_std=ibis.null("float64"), value_std_variance=ibis.null("float64"))
        result = totals.select(
            indicator=ibis.literal(indicator.id),
            level=totals.level,
            area=totals.area,
            year=totals.year.cast("int64"),
            period=totals.period,
            numerator=totals.numerator,
            denominator=totals.denominator,
            value=totals.numerator / totals.denominator * indicator.factor,
            value_std=totals.value_std.cast("float64"),
            suppressed=suppressed(totals.numerator, totals.denominator),
            value_std_variance=totals.value_std_variance.cast("float64"),
            _level=ibis.cases(*((totals.level == name, rank) for rank, name in enumerate(areas.LEVELS))),
        )
        try:
            table = self.backend.to_arrow(result)
        finally:
            self.backend.release()
        if not complete:
            return table, None
        in_tertial = pc.is_in(table["period"], value_set=pa.array(TERTIAL_PERIODS))
        return table.filter(pc.invert(in_tertial)), table.filter(in_tertial)

    def _record_cells(
        self,
        indicator: Indicator,
        units: Table,
        strata: list[str],
        time_keys: list[str],
        complete: list[tuple[int, int]],
    ) -> Table:
        """Numerators (and record denominators) per municipality and district once, then rolled up. With tertials
        the cells are per tertial first; the year (tertial 0) is their sum, and only complete tertials are kept."""
        den = units.den.sum().cast("int64") if indicator.kind == RATIO else ibis.literal(0, "int64")
        base = units.group_by([*time_keys, "kommune", "bydel", *strata]).aggregate(
            num=units.num.sum().cast("int64"), den=den
        )
        base = self.backend.materialise(f"cells_{indicator.id}", base)
        if complete:
            place = ["year", "kommune", "bydel", *strata]
            whole = base.group_by(place).aggregate(num=base.num.sum().cast("int64"), den=base.den.sum().cast("int64"))
            tertials = _in_tertials(base, complete)
            base = ibis.union(
                whole.select(*place, tertial=ibis.literal(0, "int64"), num=whole.num, den=whole.den),
                tertials.select(
                    *place, tertial=tertials.tertial, num=tertials.num.cast("int64"), den=tertials.den.cast("int64")
                ),
            )
        with_hf = base.inner_join(self.helsefellesskap, "kommune")
        districts = base.filter(base.bydel.notnull())

        def level(table: Table, name: str, area) -> Table:
            grouped = table.group_by(area=area, **{k: table[k] for k in time_keys}, **{s: table[s] for s in strata})
            return grouped.aggregate(num=table.num.sum().cast("int64"), den=table.den.sum().cast("int64")).mutate(
                level=ibis.literal(name)
            )

        return ibis.union(
            level(base, "land", ibis.literal(areas.LAND)),
            level(with_hf, "helsefellesskap", with_hf.helsefellesskap),
            level(base, "kommune", base.kommune),
            level(districts, "bydel", districts.bydel),
        )

    def _person_cells(self, indicator: Indicator, units: Table, strata: list[str], time_keys: list[str]) -> Table:
        """Distinct persons per area and year (or tertial), each with the age and sex of their first qualifying
        record there."""
        hf = self.helsefellesskap
        joined = units.left_join(hf, units.kommune == hf.kommune)
        units = joined.select(*units.columns, helsefellesskap=hf.helsefellesskap)
        if not strata:
            return self._distinct_persons(indicator, units, time_keys)
        order = [units.first_time.asc(), units.first_id.asc()]
        # First reduce to one row per person and municipality/district: every level below reads only these.
        per_place = ibis.row_number().over(
            group_by=[*(units[k] for k in time_keys), units.kommune, units.bydel, units.person_id], order_by=order
        )
        firsts = units.mutate(_rank=per_place).filter(ibis._["_rank"] == 0).drop("_rank")
        firsts = self.backend.materialise(f"persons_{indicator.id}", firsts)

        def level(name: str, column: str | None) -> Table:
            table = firsts if column is None else firsts.filter(firsts[column].notnull())
            group = [*(table[k] for k in time_keys), table.person_id] + ([table[column]] if column else [])
            rank = ibis.row_number().over(group_by=group, order_by=[table.first_time.asc(), table.first_id.asc()])
            table = table.mutate(_rank=rank).filter(ibis._["_rank"] == 0)
            area = ibis.literal(areas.LAND) if column is None else table[column]
            grouped = table.group_by(area=area, **{k: table[k] for k in time_keys}, **{s: table[s] for s in strata})
            counted = grouped.aggregate(num=ibis._.count().cast("int64"))
            return counted.mutate(den=ibis.literal(0, "int64"), level=ibis.literal(name))

        return ibis.union(*(level(name, column) for name, column in areas.LEVEL_COLUMNS))

    def _distinct_persons(self, indicator: Indicator, units: Table, time_keys: list[str]) -> Table:
        """Without standardisation the first record's age and sex are not needed: a distinct count per area is the
        same number as ranking the records, at a fraction of the cost on millions of contacts."""
        places = units.select(*time_keys, "kommune", "bydel", "helsefellesskap", "person_id").distinct()
        places = self.backend.materialise(f"persons_{indicator.id}", places)

        def level(name: str, column: str | None) -> Table:
            table = places if column is None else places.filter(places[column].notnull())
            area = ibis.literal(areas.LAND) if column is None else table[column]
            grouped = table.group_by(area=area, **{k: table[k] for k in time_keys})
            counted = grouped.aggregate(num=table.person_id.nunique().cast("int64"))
            return counted.mutate(den=ibis.literal(0, "int64"), level=ibis.literal(name))

        return ibis.union(*(level(name, column) for name, column in areas.LEVEL_COLUMNS))

    def _population_in_range(self, indicator: Indicator) -> Table:
        p = self.population
        if indicator.age_min is not None:
            p = p.filter(p.alder >= indicator.age_min)
        if indicator.age_max is not None:
            p = p.filter(p.alder <= indicator.age_max)
        return p

    def _population_cells(
        self, indicator: Indicator, strata: list[str], tertials: list[tuple[int, int]] | None = None
    ) -> Table:
        """The population in the indicator's age range per area and year; with `tertials`, keyed by tertial too:
        the whole year as tertial 0 and the year's population on 1 January again for each of its complete tertials
        (the denominator of a tertial, not annualised)."""
        p = self._population_in_range(indicator)
        if strata:
            p = p.mutate(band=age_band(p.alder))
        cells = p.group_by(["level", "area", "year", *strata]).aggregate(n=p.antall.sum().cast("int64"))
        if not tertials:
            return cells
        parts = [cells.mutate(tertial=ibis.literal(0, "int64"))]
        for tertial in TERTIALS:
            years = [year for year, t in tertials if t == tertial]
            if years:
                parts.append(cells.filter(cells.year.isin(years)).mutate(tertial=ibis.literal(tertial, "int64")))
        return ibis.union(*parts)

    def _standard(self, indicator: Indicator) -> Table:
        """The national population on 1 January of the run's latest year, by sex × 5-year band in the age range."""
        p = self._population_in_range(indicator)
        p = p.filter(p.level == "land", p.year == max(self.years)).mutate(band=age_band(p.alder))
        return p.group_by(["kjonn", "band"]).aggregate(w=p.antall.sum().cast("float64"))

    def _with_periods(self, cells: Table, keys: list[str], strata: list[str]) -> Table:
        """Adds `period`: every cell as 1y (or, keyed by tertial, tertial 0 as 1y and the others as T1–T3), and for
        small municipalities the sum of the year and the two before."""
        if "tertial" in keys:
            named = ibis.ifelse(
                cells.tertial == 0, ibis.literal("1y"), ibis.literal("T") + cells.tertial.cast("string")
            )
            yearly = cells.mutate(period=named).drop("tertial")
            cells = cells.filter(cells.tertial == 0).drop("tertial")
            keys = [key for key in keys if key != "tertial"]
        else:
            yearly = cells.mutate(period=ibis.literal("1y"))
        if not self.three_year_targets:
            return yearly
        municipal = cells.filter(cells.level == "kommune")
        windows = [
            municipal.filter(municipal.year.between(target - 2, target)).mutate(year=ibis.literal(target, "int64"))
            for target in self.three_year_targets
        ]
        joined = ibis.union(*windows) if len(windows) > 1 else windows[0]
        three = joined.group_by(["level", "area", "year", *strata]).aggregate(
            num=joined.num.sum().cast("int64"), den=joined.den.sum().cast("int64")
        )
        small = self.small
        three = three.semi_join(small, [three.area == small.area, three.year == small.year])
        three = three.mutate(period=ibis.literal("3y"))
        columns = [*keys, "num", "den", "period"]
        return ibis.union(yearly.select(*columns), three.select(*columns))


def run_indicators(
    data: Path,
    out: Path,
    *,
    years: Sequence[int] | None = None,
    engine: str = "duckdb",
    indicators: Sequence[str] | None = None,
    progress: Progress | None = None,
    csv: bool = False,
    memory_limit: str | None = None,
    tertials: bool = True,
) -> RunSummary:
    """Compute the catalogue (or the `indicators` asked for) on the data set in `data`; write to the folder `out`.

    `data` is a prepared data set folder (with manifest.json) or a raw one, which is prepared into out/dataset first.
    `years` defaults to the whole years the data set covers (its manifest's period), else every year present.
    Writes out/results.parquet, out/tertials.parquet (with `tertials`: the indicators that have them, per complete
    tertial of those years), out/run.json and, with `csv`, results.csv and tertials.csv.
    """
    started = time.perf_counter()
    report = progress or (lambda fraction, message: None)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    chosen = [indicator for indicator in CATALOGUE if indicators is None or indicator.id in set(indicators)]
    unknown = set(indicators or ()) - {indicator.id for indicator in CATALOGUE}
    if unknown:
        raise ValueError(f"unknown indicator(s): {', '.join(sorted(unknown))}")
    report(0.0, Step("preparing"))
    dataset, manifest = _prepared(Path(data), out)
    backend = connect(engine, memory_limit=memory_limit or DEFAULT_MEMORY_LIMIT, temp_directory=out / "tmp")
    timings: dict[str, float] = {}
    parts: list[pa.Table] = []
    tertial_parts: list[pa.Table] = []
    try:
        context = _Run(backend, dataset, years, manifest)
        runnable = [indicator for indicator in chosen if context.years and _has_source(context.sources, indicator)]
        for number, indicator in enumerate(runnable):
            report(number / max(len(runnable), 1), Step("computing", {"indicator": indicator.id}))
            begun = time.perf_counter()
            yearly, per_tertial = context.result(indicator, tertials=tertials)
            parts.append(yearly)
            if per_tertial is not None:
                tertial_parts.append(per_tertial)
            timings[indicator.id] = round(time.perf_counter() - begun, 3)
        run_years = context.years
    finally:
        backend.close()
    results = _ordered(parts)
    results_path = out / "results.parquet"
    pq.write_table(results, results_path)
    tertial_results = _ordered(tertial_parts)
    tertials_path = out / "tertials.parquet"
    pq.write_table(tertial_results, tertials_path)
    if csv:
        pacsv.write_csv(results, out / "results.csv")
        pacsv.write_csv(tertial_results, out / "tertials.csv")
    summary = RunSummary(
        results_path=results_path,
        rows=results.num_rows,
        years=run_years,
        engine=engine,
        definition_version=DEFINITION_VERSION,
        dataset_version=str(manifest.get("version", "")),
        synthetic=bool(manifest.get("synthetic", False)),
        seconds=round(time.perf_counter() - started, 3),
        peak_memory_bytes=_peak_memory(engine),
        tertials_path=tertials_path,
        tertial_rows=tertial_results.num_rows,
    )
    record = {
        **asdict(summary),
        "results_path": str(results_path),
        "tertials_path": str(tertials_path),
        "indicators": [indicator.id for indicator in chosen],
        "timings": timings,
        "dataset": str(dataset),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    (out / "run.json").write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    report(1.0, Step("computed"))
    return summary


def _has_source(sources: Sources, indicator: Indicator) -> bool:
    return any(getattr(sources, name) is not None for name in indicator.source.split("|"))


def _ordered(parts: list[pa.Table]) -> pa.Table:
    """All results in the contract's schema, in catalogue order, then level, area, year and period.

    `parts` come one per indicator in catalogue order, each with `_level`, the level's rank in areas.LEVELS.
    """
    if not parts:
        return RESULT_SCHEMA.empty_table()
    order = [("_level", "ascending"), ("area", "ascending"), ("year", "ascending"), ("period", "ascending")]
    return pa.concat_tables([part.sort_by(order).select(OUTPUT_COLUMNS).cast(RESULT_SCHEMA) for part in parts])


def _peak_memory(engine: str) -> int | None:
    """Peak resident memory of this process (DuckDB runs in it); Spark's JVM is another process, so None there."""
    if engine != "duckdb":
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
