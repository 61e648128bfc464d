#!/usr/bin/env python
"""Projection benchmark (issue 10): the engine's three heavy parts on DuckDB, each in a fresh subprocess, with the
wall time and the peak resident memory of that process (from `os.wait4`), printed as a Markdown table.

1. The built-in population projection for all 357 municipalities and the city districts × 106 ages × 2 sexes,
   base 2024–2026, to 2050 (goal < 10 s).
2. Service need for every area and every service to 2040 from a synthetic national data set (generated and
   prepared once, cached in var/bench/projections/), deterministic: one draw (goal < 10 s).
3. The same with 1 000 Monte Carlo draws (goal < 2 min). Peak memory goal < 4 GB for each.
Also prints the back-test of issue 10 (2024→2025 projected to 2026, against the real 2026 population).

    .venv/bin/python bench/projections.py               # data set scale 0.2 (about a fifth of a year of Norway)
    .venv/bin/python bench/projections.py --scale 1.0   # a full national year: generation takes minutes
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

CACHE = PROJECT_DIR / "var" / "bench" / "projections"
GOALS = {"population": (10.0, 4.0), "need": (10.0, 4.0), "need_mc": (120.0, 4.0)}
LABELS = {
    "population": "Built-in population, all municipalities + districts × 106 ages × 2 sexes, 2024–2026 → 2050",
    "need": "Service need, all areas × 12 services, → 2040, deterministic",
    "need_mc": "Service need, all areas × 12 services, → 2040, 1 000 Monte Carlo draws",
}

CHILD = r"""
import json, sys, time
from pathlib import Path
import pyarrow as pa, pyarrow.compute as pc, pyarrow.parquet as pq
part, cache = sys.argv[1], Path(sys.argv[2])
started = time.perf_counter()
from samhandling.indicators.engine import areas
from samhandling.indicators.engine.backends import connect
backend = connect("duckdb", memory_limit="3GB", temp_directory=cache / "tmp")
if part == "population":
    from samhandling.projections.engine.population import Settings, project_population
    population = areas.reference_population()
    result = project_population(backend, population, settings=Settings(base_years=(2024, 2025, 2026), to_year=2050))
    pq.write_table(result, cache / "population.parquet")
    rows = result.num_rows
else:
    from samhandling.projections.engine.need import NeedSettings, project_need
    from samhandling.projections.engine.scenario import Factor, Scenario, apply
    projection = pq.read_table(cache / "population.parquet")
    demand = project_need(backend, cache / "prepared", projection,
                          settings=NeedSettings(base_years=(2024, 2025), to_year=2040))
    factors = (
        Factor("liggedogn", "shift", "target", -10.0, low=-15.0, high=-5.0, target_year=2040),
        Factor("dagopphold", "shift", "target", 8.0, low=4.0, high=12.0, target_year=2040),
        Factor("poliklinikk_somatikk", "digital", "yearly", -0.5, low=-1.0, high=0.0),
        Factor("brukere_funksjonsgruppe_3", "epidemiology", "yearly", -0.5, low=-1.5, high=0.5),
    )
    draws = 1000 if part == "need_mc" else 1
    result = apply(demand, Scenario(base_year=2025, factors=factors, draws=draws, seed=2026))
    rows = result.num_rows
backend.close()
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - started}))
"""


def _measure(part: str) -> dict:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, part, str(CACHE)], cwd=PROJECT_DIR, stdout=subprocess.PIPE, text=True
    )
    _pid, status, usage = os.wait4(process.pid, 0)
    output = process.stdout.read()
    if status != 0:
        raise SystemExit(f"{part} failed")
    inner = json.loads(output.strip().splitlines()[-1])
    return {
        "rows": inner["rows"],
        "seconds": time.perf_counter() - started,
        "engine_seconds": inner["seconds"],
        "peak_gb": usage.ru_maxrss * 1024 / 2**30,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
    }


def _data(scale: float) -> None:
    prepared = CACHE / f"prepared-{scale}"
    link = CACHE / "prepared"
    if not prepared.exists():
        from samhandling.indicators.engine.dataset import prepare_dataset
        from samhandling.indicators.engine.synthetic import generate

        raw = CACHE / f"raw-{scale}"
        print(f"generating a synthetic data set at scale {scale} …", flush=True)
        generate(raw, scale=scale, years=[2024, 2025], seed=2026)
        prepare_dataset(raw, prepared)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(prepared.name)


def _backtest() -> str:
    import pyarrow as pa
    import pyarrow.compute as pc

    from samhandling.indicators.engine import areas
    from samhandling.indicators.engine.backends import connect
    from samhandling.projections.engine.backtest import PLAIN_HAMILTON_PERRY, backtest
    from samhandling.projections.engine.files import municipal_rows
    from samhandling.projections.engine.population import DEFAULT_SHRINKAGE, Settings, project_population

    population = areas.reference_population()
    base = population.filter(pc.is_in(population["aar"], pa.array([2024, 2025], pa.int64())))
    actual = population.filter(pc.is_null(population["bydel"]))
    actual = actual.rename_columns(["aar", "kommunenummer", "bydel", "kjonn", "alder", "antall"])
    lines = [
        "| method | national | median municipal |abs| | 90th percentile | worst |",
        "|---|---:|---:|---:|---:|",
        f"| plain Hamilton–Perry (issue 10) | +{PLAIN_HAMILTON_PERRY['national']:.2f} % | "
        f"{PLAIN_HAMILTON_PERRY['median']:.2f} % | {PLAIN_HAMILTON_PERRY['p90']:.2f} % | "
        f"{PLAIN_HAMILTON_PERRY['worst']:.1f} % |",
    ]
    for shrinkage in (0.0, 10.0, 30.0, DEFAULT_SHRINKAGE, 300.0, 1000.0):
        backend = connect("duckdb", memory_limit="3GB", temp_directory=CACHE / "tmp")
        try:
            result = project_population(backend, base, settings=Settings((2024, 2025), 2026, shrinkage))
        finally:
            backend.close()
        found = backtest(municipal_rows(result), actual, year=2026)
        label = "ours, K = 0 (plain)" if shrinkage == 0 else f"ours, K = {shrinkage:g}"
        if shrinkage == DEFAULT_SHRINKAGE:
            label += " (default)"
        lines.append(
            f"| {label} | {found.national:+.2f} % | {found.median:.2f} % | {found.p90:.2f} % | "
            f"{found.worst:.1f} % ({found.worst_municipality}) |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.2, help="synthetic data set scale (1.0 ≈ a year of Norway)")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    _data(args.scale)
    load = os.getloadavg()[0]
    print(
        f"\nProjection engine on DuckDB ({os.cpu_count()} cores, load average {load:.1f}), data set scale {args.scale}"
    )
    print("CPU s is the process's own user + system time: what the part costs when it has the cores to itself.\n")
    print("| part | rows | wall s | CPU s | goal s | peak GB | goal GB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for part in ("population", "need", "need_mc"):
        measured = _measure(part)
        seconds_goal, memory_goal = GOALS[part]
        ok = measured["seconds"] < seconds_goal and measured["peak_gb"] < memory_goal
        print(
            f"| {LABELS[part]} | {measured['rows']:,} | {measured['seconds']:.1f} | {measured['cpu_seconds']:.1f} | "
            f"< {seconds_goal:g} | "
            f"{measured['peak_gb']:.2f} | < {memory_goal:g} |{'' if ok else ' MISSED'}",
            flush=True,
        )
    print("\nBack-test: 2024→2025 projected to 2026, against the real 2026 population by municipality\n")
    print(_backtest())


if __name__ == "__main__":
    main()
