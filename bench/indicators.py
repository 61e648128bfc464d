#!/usr/bin/env python
"""Indicator benchmark: the engine on a national-scale synthetic data set, next to hand-written SQL and pandas.

1. Generates (or reuses, cached in var/bench/indicators/) a synthetic data set of `--scale` (1.0 ≈ one year of
   Norway) for two years, and prepares it with `prepare_dataset` (also cached).
2. Runs each part in a fresh subprocess and reads its time and peak memory (the resident set of the process and its
   children, from `os.wait4`): (a) the full engine run on DuckDB, (b) the engine for reinnleggelse_30d and
   overliggerdogn only, (c) one hand-written DuckDB SQL query for those two indicators at every level, (d) a
   straightforward pandas implementation of the same two.
3. Checks that (c) and (d) give exactly the engine's numerators and denominators, prints a Markdown table with the
   goals of issue #5 (engine ≤ 1.5 × SQL, pandas ≥ 10 × engine, full-run peak < 8 GB) and writes JSON to
   bench/results/indicators-<timestamp>.json.

    .venv/bin/python bench/indicators.py               # scale 1.0: ~21 M records, several minutes
    .venv/bin/python bench/indicators.py --scale 0.05  # a quick check
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

CACHE = PROJECT_DIR / "var" / "bench" / "indicators"
RESULTS = PROJECT_DIR / "bench" / "results"
REFERENCE = PROJECT_DIR / "samhandling" / "core" / "reference_data"
TWO = ("reinnleggelse_30d", "overliggerdogn")
PARTS = {
    "engine_full": "(a) engine, full catalogue (DuckDB)",
    "engine_two": "(b) engine, reinnleggelse_30d + overliggerdogn",
    "sql": "(c) one hand-written DuckDB SQL query, same two",
    "pandas": "(d) pandas, same two",
}
GOAL_ENGINE_VS_SQL = 1.5
GOAL_PANDAS_VS_ENGINE = 10.0
GOAL_PEAK_BYTES = 8 * 1024**3
PART_TIMEOUT = 3600  # seconds


# --- the two indicators, written by hand ------------------------------------------------------------------------

SQL = """
WITH stays AS (
    SELECT stay_id, person_id, kommune, bydel, omsorgsniva, innleggelsesmate, fagomrade, utskrevet_til,
           inn_tid, ut_tid, utskrivningsklar_tid, year(ut_tid) AS year
    FROM read_parquet('{data}/opphold.parquet')
),
hf AS (SELECT kommunenummer AS kommune, helsefellesskap FROM read_csv('{ref}/helsefellesskap_kommune_2024.csv',
       all_varchar = true)),
pop_kommune AS (SELECT aar AS year, kommunenummer AS kommune, sum(antall) AS pop FROM read_csv(
       '{ref}/befolkning_kommune_kjonn_alder_2024_2026.csv', types = {{'kommunenummer': 'VARCHAR'}}) GROUP BY ALL),
pop_bydel AS (SELECT aar AS year, bydelsnummer AS bydel, sum(antall) AS pop FROM read_csv(
       '{ref}/befolkning_bydel_kjonn_alder_2024_2026.csv', types = {{'bydelsnummer': 'VARCHAR'}}) GROUP BY ALL),
idx AS (
    SELECT * FROM stays
    WHERE omsorgsniva = 'dogn' AND fagomrade = 'somatikk' AND utskrevet_til <> 'dod' AND year IN ({years})
),
readmitted AS (
    SELECT DISTINCT i.stay_id FROM idx i JOIN stays r ON r.person_id = i.person_id
    WHERE r.omsorgsniva = 'dogn' AND r.innleggelsesmate = 'akutt'
      AND r.inn_tid > i.ut_tid + INTERVAL 8 HOUR AND r.inn_tid <= i.ut_tid + INTERVAL 30 DAY
),
readmission_cells AS (
    SELECT year, kommune, bydel, count(r.stay_id) AS num, count(*) AS den
    FROM idx LEFT JOIN readmitted r USING (stay_id) GROUP BY ALL
),
waiting_cells AS (
    SELECT year, kommune, bydel,
           sum(greatest(0, date_diff('day', CAST(utskrivningsklar_tid AS DATE), CAST(ut_tid AS DATE)))) AS num
    FROM stays WHERE omsorgsniva = 'dogn' AND utskrivningsklar_tid IS NOT NULL AND year IN ({years}) GROUP BY ALL
),
readmission AS (
    SELECT 'land' AS level, 'NO' AS area, year, sum(num) AS num, sum(den) AS den FROM readmission_cells GROUP BY ALL
    UNION ALL SELECT 'helsefellesskap', helsefellesskap, year, sum(num), sum(den)
              FROM readmission_cells JOIN hf USING (kommune) GROUP BY ALL
    UNION ALL SELECT 'kommune', kommune, year, sum(num), sum(den) FROM readmission_cells GROUP BY ALL
    UNION ALL SELECT 'bydel', bydel, year, sum(num), sum(den) FROM readmission_cells WHERE bydel IS NOT NULL
              GROUP BY ALL
),
waiting_num AS (
    SELECT 'land' AS level, 'NO' AS area, year, sum(num) AS num FROM waiting_cells GROUP BY ALL
    UNION ALL SELECT 'helsefellesskap', helsefellesskap, year, sum(num)
              FROM waiting_cells JOIN hf USING (kommune) GROUP BY ALL
    UNION ALL SELECT 'kommune', kommune, year, sum(num) FROM waiting_cells GROUP BY ALL
    UNION ALL SELECT 'bydel', bydel, year, sum(num) FROM waiting_cells WHERE bydel IS NOT NULL GROUP BY ALL
),
waiting_den AS (
    SELECT 'land' AS level, 'NO' AS area, year, sum(pop) AS den FROM pop_kommune GROUP BY ALL
    UNION ALL SELECT 'helsefellesskap', helsefellesskap, year, sum(pop) FROM pop_kommune JOIN hf USING (kommune)
              GROUP BY ALL
    UNION ALL SELECT 'kommune', kommune, year, pop FROM pop_kommune
    UNION ALL SELECT 'bydel', bydel, year, pop FROM pop_bydel
)
SELECT 'reinnleggelse_30d' AS indicator, level, area, year, num::DOUBLE AS numerator, den::DOUBLE AS denominator
FROM readmission WHERE den > 0
UNION ALL
SELECT 'overliggerdogn', level, area, year, coalesce(n.num, 0)::DOUBLE, d.den::DOUBLE
FROM waiting_den d LEFT JOIN waiting_num n USING (level, area, year) WHERE d.den > 0 AND d.year IN ({years})
"""


def run_sql(data: Path, out: Path, years: list[int]) -> None:
    import duckdb

    query = SQL.format(data=data, ref=REFERENCE, years=", ".join(map(str, years)))
    connection = duckdb.connect()
    connection.execute(f"COPY ({query}) TO '{out / 'sql.parquet'}' (FORMAT parquet)")
    connection.close()


def run_pandas(data: Path, out: Path, years: list[int]) -> None:
    import pandas as pd

    columns = [
        "stay_id", "person_id", "kommune", "bydel", "omsorgsniva", "innleggelsesmate", "fagomrade", "utskrevet_til",
        "inn_tid", "ut_tid", "utskrivningsklar_tid",
    ]  # fmt: skip
    stays = pd.read_parquet(data / "opphold.parquet", columns=columns)
    stays["year"] = stays["ut_tid"].dt.year
    hf = pd.read_csv(REFERENCE / "helsefellesskap_kommune_2024.csv", dtype=str)[["kommunenummer", "helsefellesskap"]]
    hf = hf.rename(columns={"kommunenummer": "kommune"})

    index = stays[
        (stays.omsorgsniva == "dogn")
        & (stays.fagomrade == "somatikk")
        & (stays.utskrevet_til != "dod")
        & stays.year.isin(years)
    ]
    acute = stays.loc[(stays.omsorgsniva == "dogn") & (stays.innleggelsesmate == "akutt"), ["person_id", "inn_tid"]]
    pairs = index[["stay_id", "person_id", "ut_tid"]].merge(acute, on="person_id")
    hit = (pairs.inn_tid > pairs.ut_tid + pd.Timedelta(hours=8)) & (
        pairs.inn_tid <= pairs.ut_tid + pd.Timedelta(days=30)
    )
    index = index.assign(num=index.stay_id.isin(pairs.loc[hit, "stay_id"]).astype("int64"), den=1)

    waiting = stays[(stays.omsorgsniva == "dogn") & stays.utskrivningsklar_tid.notna() & stays.year.isin(years)]
    days = (waiting.ut_tid.dt.normalize() - waiting.utskrivningsklar_tid.dt.normalize()).dt.days.clip(lower=0)
    waiting = waiting.assign(num=days)

    def levels(frame: pd.DataFrame, values: list[str]) -> pd.DataFrame:
        frame = frame.merge(hf, on="kommune", how="left")
        parts = [
            frame.groupby("year")[values].sum().reset_index().assign(level="land", area="NO"),
            frame.groupby(["helsefellesskap", "year"])[values].sum().reset_index()
            .rename(columns={"helsefellesskap": "area"}).assign(level="helsefellesskap"),
            frame.groupby(["kommune", "year"])[values].sum().reset_index()
            .rename(columns={"kommune": "area"}).assign(level="kommune"),
            frame.dropna(subset=["bydel"]).groupby(["bydel", "year"])[values].sum().reset_index()
            .rename(columns={"bydel": "area"}).assign(level="bydel"),
        ]  # fmt: skip
        return pd.concat(parts, ignore_index=True)

    readmission = levels(index[["kommune", "bydel", "year", "num", "den"]], ["num", "den"])
    readmission = readmission[readmission.den > 0].assign(indicator="reinnleggelse_30d")

    kommune_pop = pd.read_csv(REFERENCE / "befolkning_kommune_kjonn_alder_2024_2026.csv", dtype={"kommunenummer": str})
    kommune_pop = kommune_pop.groupby(["aar", "kommunenummer"])["antall"].sum().reset_index()
    kommune_pop.columns = ["year", "kommune", "den"]
    bydel_pop = pd.read_csv(REFERENCE / "befolkning_bydel_kjonn_alder_2024_2026.csv", dtype={"bydelsnummer": str})
    bydel_pop = bydel_pop.groupby(["aar", "bydelsnummer"])["antall"].sum().reset_index()
    bydel_pop.columns = ["year", "area", "den"]
    denominators = pd.concat(
        [
            levels(kommune_pop.assign(bydel=None), ["den"]).query("level != 'bydel'"),
            bydel_pop.assign(level="bydel"),
        ],
        ignore_index=True,
    )
    numerators = levels(waiting[["kommune", "bydel", "year", "num"]], ["num"])
    overlying = denominators.merge(numerators, on=["level", "area", "year"], how="left").fillna({"num": 0})
    overlying = overlying[(overlying.den > 0) & overlying.year.isin(years)].assign(indicator="overliggerdogn")

    result = pd.concat([readmission, overlying], ignore_index=True)
    result = result.rename(columns={"num": "numerator", "den": "denominator"})
    result = result[["indicator", "level", "area", "year", "numerator", "denominator"]].astype(
        {"numerator": "float64", "denominator": "float64", "year": "int64"}
    )
    result.to_parquet(out / "pandas.parquet", index=False)


def run_part(part: str, data: Path, out: Path) -> None:
    """Runs in the child process: one part, timing only the work — not the interpreter's start, and not the import of
    the libraries each part uses (duckdb, pandas, Ibis), which a long-running worker pays once."""
    manifest = json.loads((data / "manifest.json").read_text())
    period = manifest.get("period") or {}
    # The engine runs the whole years the data set covers; the reference computations must do the same.
    years = list(range(period["first"], period["last"] + 1)) if period.get("first") else manifest["years"]
    if part in ("engine_full", "engine_two"):
        import ibis.backends.duckdb  # noqa: F401

        from samhandling.indicators.engine.run import run_indicators
    elif part == "sql":
        import duckdb  # noqa: F401
    elif part == "pandas":
        import pandas  # noqa: F401
    started = time.perf_counter()
    if part in ("engine_full", "engine_two"):
        run_indicators(data, out / part, indicators=list(TWO) if part == "engine_two" else None)
    elif part == "sql":
        run_sql(data, out, years)
    elif part == "pandas":
        run_pandas(data, out, years)
    (out / f"{part}.seconds").write_text(str(time.perf_counter() - started))


# --- the harness ------------------------------------------------------------------------------------------------


def measured(command: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak resident bytes of a child process (and its children)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_DIR, env=env)
    deadline = started + PART_TIMEOUT
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            raise SystemExit(f"timed out: {' '.join(command)}")
        time.sleep(0.05)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return time.perf_counter() - started, usage.ru_maxrss * 1024


def django_env() -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "samhandling.settings",
        "DEBUG": "0",
        "SAMHANDLING_INSECURE_DEV_KEY": "1",
        "USE_TLS": "0",
    }


def ensure_data(scale: float, seed: int, years: list[int]) -> tuple[Path, dict]:
    folder = CACHE / f"scale-{scale}-seed-{seed}-years-{'-'.join(map(str, years))}"
    source, prepared = folder / "source", folder / "prepared"
    timings = {}
    description = _json(source / "dataset.json")
    from samhandling.indicators.engine.synthetic import GENERATOR_VERSION

    if description.get("generator_version") != GENERATOR_VERSION:
        shutil.rmtree(folder, ignore_errors=True)
        print(f"Generating scale {scale} for {years} into {source} …", flush=True)
        command = [sys.executable, "manage.py", "synthetic_data", "--out", str(source), "--scale", str(scale)]
        command += ["--seed", str(seed), "--years", *map(str, years)]
        timings["generate"] = measured(command, django_env())
    if not (prepared / "manifest.json").exists():
        print(f"Preparing {prepared} …", flush=True)
        code = (
            "import sys; from pathlib import Path; "  # the engine needs no Django
            "from samhandling.indicators.engine.dataset import prepare_dataset; "
            "prepare_dataset(Path(sys.argv[1]), Path(sys.argv[2]))"
        )
        timings["prepare"] = measured([sys.executable, "-c", code, str(source), str(prepared)], django_env())
    return prepared, timings


def _json(path: Path) -> dict:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def compare(out: Path, other: str) -> dict:
    """Rows of `other` whose numerator or denominator differ from the engine's (b) run, and rows missing on a side."""
    import duckdb

    engine = out / "engine_two" / "results.parquet"
    query = f"""
        WITH e AS (SELECT indicator, level, area, year, numerator, denominator FROM read_parquet('{engine}')
                   WHERE period = '1y'),
             o AS (SELECT * FROM read_parquet('{out / other}.parquet'))
        SELECT count(*) FILTER (e.area IS NULL), count(*) FILTER (o.area IS NULL),
               count(*) FILTER (e.area IS NOT NULL AND o.area IS NOT NULL
                                AND (e.numerator <> o.numerator OR e.denominator <> o.denominator)),
               count(*)
        FROM e FULL JOIN o USING (indicator, level, area, year)
    """  # noqa: S608
    only_other, only_engine, different, rows = duckdb.connect().execute(query).fetchone()
    return {"only_in_" + other: only_other, "only_in_engine": only_engine, "different": different, "rows": rows}


def gib(value: int) -> str:
    return f"{value / 1024**3:.2f} GiB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 ≈ one year of Norway per year (default 1.0)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--years", type=int, nargs=2, default=[2024, 2025])
    parser.add_argument("--parts", default=",".join(PARTS), help=f"comma-separated subset of {', '.join(PARTS)}")
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)  # internal: run one part in this process
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.part:
        run_part(args.part, args.data, args.out)
        return
    parts = [part for part in args.parts.split(",") if part]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")

    prepared, preparation = ensure_data(args.scale, args.seed, args.years)
    manifest = _json(prepared / "manifest.json")
    out = prepared.parent / "runs"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    measurements = {}
    for part in parts:
        print(f"Running {PARTS[part]} …", flush=True)
        wall, peak = measured([sys.executable, __file__, "--part", part, "--data", str(prepared), "--out", str(out)])
        seconds = float((out / f"{part}.seconds").read_text())
        measurements[part] = {"seconds": round(seconds, 2), "wall_seconds": round(wall, 2), "peak_bytes": peak}

    checks = {other: compare(out, other) for other in ("sql", "pandas") if other in parts and "engine_two" in parts}
    print_report(args, manifest, preparation, measurements, checks)
    RESULTS.mkdir(parents=True, exist_ok=True)
    record = {
        "created": datetime.now().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "scale": args.scale,
        "seed": args.seed,
        "years": args.years,
        "tables": manifest.get("tables"),
        "preparation": {name: {"seconds": round(s, 2), "peak_bytes": p} for name, (s, p) in preparation.items()},
        "parts": measurements,
        "checks": checks,
    }
    path = RESULTS / f"indicators-{datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nJSON: {path.relative_to(PROJECT_DIR)}")


def print_report(args, manifest: dict, preparation: dict, measurements: dict, checks: dict) -> None:
    tables = manifest.get("tables", {})
    print(
        f"\nScale {args.scale}, years {args.years[0]}–{args.years[1]}, seed {args.seed}: "
        + ", ".join(f"{name} {rows:,}" for name, rows in tables.items())
        + f". Machine: {os.cpu_count()} cores."
    )
    for name, (seconds, peak) in preparation.items():
        print(f"{name}: {seconds:.1f} s, peak {gib(peak)}")
    print("\n| part | seconds | peak memory |\n|---|---:|---:|")
    for part, measure in measurements.items():
        print(f"| {PARTS[part]} | {measure['seconds']:.1f} | {gib(measure['peak_bytes'])} |")
    print()
    seconds = {part: measure["seconds"] for part, measure in measurements.items()}
    if {"engine_two", "sql"} <= set(seconds):
        ratio = seconds["engine_two"] / seconds["sql"]
        verdict = "met" if ratio <= GOAL_ENGINE_VS_SQL else "NOT met"
        print(f"- engine / SQL for the two indicators: {ratio:.2f} (goal ≤ {GOAL_ENGINE_VS_SQL}: {verdict})")
    if {"engine_two", "pandas"} <= set(seconds):
        ratio = seconds["pandas"] / seconds["engine_two"]
        verdict = "met" if ratio >= GOAL_PANDAS_VS_ENGINE else "NOT met"
        print(f"- pandas / engine for the two indicators: {ratio:.1f} (goal ≥ {GOAL_PANDAS_VS_ENGINE:g}: {verdict})")
    if "engine_full" in measurements:
        peak = measurements["engine_full"]["peak_bytes"]
        verdict = "met" if peak < GOAL_PEAK_BYTES else "NOT met"
        print(f"- full run peak memory: {gib(peak)} (goal < 8 GiB: {verdict})")
    for other, check in checks.items():
        same = not (check["different"] or check[f"only_in_{other}"] or check["only_in_engine"])
        print(f"- {other} vs engine numerators/denominators: {'identical' if same else 'DIFFERENT'} {check}")


if __name__ == "__main__":
    main()
