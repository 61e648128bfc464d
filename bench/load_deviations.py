#!/usr/bin/env python
"""Load benchmark for samhandlingsavvik with many cases: do the receiver's pages stay fast as the cases pile up?

For each size (default 10 000 and 200 000 cases), all on this machine:

1. a throw-away PostgreSQL database (default postgres://postgres@127.0.0.1:5432/samhandling_bench_deviations,
   created and dropped by this script) with migrate, load_reference_data, demo, and N synthetic cases from
   bench/generate_deviations.py;
2. gunicorn (sync workers, by default one per core) on 127.0.0.1, as in bench/load_pages.py, whose machinery
   this script reuses;
3. a login as the demo contact point "per" (Medisinsk klinikk, about a quarter of all cases go to him), then,
   page by page, N clients (default 20) for a warm-up and a measured duration: the trivial view, per's inbox
   (open cases, 25 a page), a case page of a case per handles, and the statistics page for the default period
   and for the whole two years of generated cases. Each page is first requested three times alone (its
   service time, "alone ms"); a slow page gets a longer warm-up and measured time, so that every client gets
   through several requests (otherwise only the first, least queued responses would fit in the window);
4. one Markdown table per size, and a comparison against the goals of the issue: p95 at the largest size at
   most 1.5 × p95 at the smallest, and at most 5 × the trivial view's p95. JSON goes to
   bench/results/deviations-<timestamp>.json.

Only 127.0.0.1 is ever contacted, every step has a time limit, and gunicorn, the temporary folder and the
database are removed at the end (also on Ctrl-C or SIGTERM), unless --keep-database keeps the last database for
EXPLAIN ANALYZE.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench import load_pages as lp  # noqa: E402

USER = "per"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/samhandling_bench_deviations"
DEFAULT_SIZES = "10000,200000"
GENERATE_TIMEOUT = 1800  # seconds for the synthetic cases
MAX_STRETCHED_WARMUP = 60.0  # seconds: the most a slow page's warm-up is stretched to
MAX_STRETCHED_DURATION = 120.0  # seconds: the most a slow page's measured time is stretched to
MAX_GROWTH = 1.5  # goal: p95 at the largest size at most this × p95 at the smallest
MAX_VS_TRIVIAL = 5.0  # goal: p95 at the largest size at most this × the trivial view's p95

# name → (what it is, path; {case}, {start} and {today} are filled in from the generator's summary).
PAGES = {
    "trivial": ("trivial Django view", "/bench/trivial/"),
    "inbox": ("per's inbox, open cases", "/avvik/innboks/"),
    "case": ("case page", "/avvik/{case}/"),
    "statistics": ("statistics, default period", "/avvik/statistikk/"),
    "statistics_2y": ("statistics, 2 years", "/avvik/statistikk/?start={start}&end={today}"),
}


def log(message: str) -> None:
    lp.log(message)


def number(value: int) -> str:
    return f"{value:,}".replace(",", " ")


def generate(env: dict[str, str], count: int, seed: int, events: str) -> dict:
    """Run bench/generate_deviations.py in the server's environment; its progress goes to our stderr."""
    command = [
        sys.executable,
        "bench/generate_deviations.py",
        "--count",
        str(count),
        "--seed",
        str(seed),
        "--events",
        events,
    ]
    try:
        result = subprocess.run(
            command,
            cwd=PROJECT_DIR,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
            timeout=GENERATE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise lp.BenchError(f"generating {count} cases took longer than {GENERATE_TIMEOUT} s") from None
    if result.returncode != 0:
        raise lp.BenchError(f"generate_deviations.py failed (exit {result.returncode})")
    return json.loads(result.stdout.strip().splitlines()[-1])


def probe(port: int, path: str, cookie: str, times: int = 3) -> tuple[int, float]:
    """A few requests one at a time before measuring: the page must answer 200 for the logged-in user.
    Returns the body size and the fastest response time in seconds (the page's service time without queueing)."""
    fastest = float("inf")
    for _ in range(times):
        connection = http.client.HTTPConnection(lp.HOST, port, timeout=lp.REQUEST_TIMEOUT)
        started = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Cookie": cookie, "Accept": "text/html", "Accept-Language": "nb"})
            response = connection.getresponse()
            body = response.read()
        finally:
            connection.close()
        fastest = min(fastest, time.perf_counter() - started)
        if response.status != 200:
            raise lp.BenchError(f"GET {path} as {USER} returned {response.status}")
    return len(body), fastest


def paced(options, service_time: float) -> tuple[float, float]:
    """Warm-up and measured seconds for one page: at least --warmup and --duration, and for a slow page long
    enough that every client gets through several requests. With N clients on W busy workers a request waits
    about N × service time / W; a window shorter than that would only count the first, least queued, requests."""
    latency = service_time * options.concurrency / options.workers
    warmup = max(options.warmup, min(MAX_STRETCHED_WARMUP, 1.5 * latency))
    duration = max(options.duration, min(MAX_STRETCHED_DURATION, 5 * latency))
    return round(warmup, 1), round(duration, 1)


def measure_size(size: int, options, tmp: Path, keep: bool) -> dict:
    """Build the database for one size, serve it, measure every page; always stop gunicorn, drop unless `keep`."""
    database = lp.create_database(tmp, options.database_url)
    server = None
    try:
        env = lp.server_environment(tmp, database.url)
        lp.manage(env, "migrate", "--no-input")
        lp.manage(env, "load_reference_data")
        lp.manage(env, "demo")
        if not (tmp / "static").exists():
            lp.manage(env, "collectstatic", "--no-input")
        started = time.monotonic()
        summary = generate(env, size, options.seed, options.events)
        log(f"{number(size)} cases generated in {time.monotonic() - started:.0f} s: {json.dumps(summary)}")
        if summary["sample_case_id"] is None:
            raise lp.BenchError("the generator found no case for per's case page")
        paths = {
            name: PAGES[name][1].format(
                case=summary["sample_case_id"], start=summary["window_start"], today=summary["today"]
            )
            for name in options.pages
        }

        per_page = (
            max(options.warmup, MAX_STRETCHED_WARMUP)
            + max(options.duration, MAX_STRETCHED_DURATION)
            + 5 * lp.REQUEST_TIMEOUT  # the probes and the last requests
        )
        lifetime = lp.STARTUP_TIMEOUT + 60 + len(paths) * per_page
        server = lp.Gunicorn(env, options.workers, tmp / f"gunicorn-{size}.log", lifetime)
        server.wait_until_ready(PAGES["trivial"][1])
        log(f"gunicorn: {options.workers} sync workers on http://{lp.HOST}:{server.port}/")
        cookie = lp.log_in(server.port, USER)
        log(f"logged in as {USER}")
        results = []
        windows = {}
        for name, path in paths.items():
            size_bytes, service_time = probe(server.port, path, cookie)
            warmup, duration = paced(options, service_time)
            windows[name] = {
                "service_time_ms": round(service_time * 1000, 1),
                "warmup_s": warmup,
                "duration_s": duration,
            }
            log(
                f"{path} ({number(size_bytes)} bytes, {service_time * 1000:.0f} ms alone): {warmup:g} s warm-up + "
                f"{duration:g} s measured"
            )
            result = lp.measure(
                server.port,
                name,
                cookie,
                options.concurrency,
                duration,
                warmup,
                server.process.pid,
                database.backend_pids,
                path=path,
            )
            results.append(result)
            log(f"  p50 {result.p50_ms} ms, p95 {result.p95_ms} ms, {result.requests_per_second} requests/s")
            if result.errors:
                log(f"  {result.errors} non-200 responses: {result.error_statuses}")
        server_log = server.log_tail() if any(r.errors for r in results) else ""
        server.stop()
        return {
            "size": size,
            "engine": database.engine,
            "generator": summary,
            "results": results,
            "windows": windows,
            "server_log": server_log,
        }
    finally:
        if server is not None:
            server.stop()
        if keep:
            log(f"keeping the database {database.url} (drop it with: DROP DATABASE ... WITH (FORCE))")
        else:
            try:
                database.drop()
            except Exception as error:
                log(f"could not drop the benchmark database: {error}")


# --- report -------------------------------------------------------------------------------------------------


def size_table(run: dict, header: str) -> str:
    g = run["generator"]
    lines = [
        f"{number(run['size'])} cases · {header}",
        "",
        f"Data: per's inbox has {number(g['per_inbox_open'])} open cases of {number(g['per_inbox_all'])}. His "
        f"statistics count {number(g['statistics_default_cases'])} cases in the default period "
        f"({g['statistics_default_period'][0]} – {g['statistics_default_period'][1]}) and "
        f"{number(g['statistics_two_year_cases'])} in two years (the whole community: "
        f"{number(g['community_default_cases'])} and {number(g['community_two_year_cases'])}). "
        f"Case page: {g['sample_case_reference']} ({g['sample_case_status']}).",
        "",
        "| page | alone ms | measured s | requests/s | p50 ms | p95 ms | p99 ms | errors "
        "| CPU ms/request (gunicorn + PostgreSQL) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in run["results"]:
        window = run["windows"][r.page]
        cpu = f"{r.server_cpu_ms_per_request:.1f} + {r.database_cpu_ms_per_request:.1f}"
        lines.append(
            f"| {PAGES[r.page][0]} `{r.path}` | {window['service_time_ms']:.0f} | {window['duration_s']:g} "
            f"| {r.requests_per_second:,.1f} | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f} | {r.errors} | {cpu} |"
        )
    return "\n".join(lines)


def comparison(runs: list[dict]) -> tuple[str, list[dict]]:
    """Smallest against largest size, with the goals of the issue."""
    small, large = runs[0], runs[-1]
    by_page = {r.page: r for r in small["results"]}
    trivial = next((r for r in large["results"] if r.page == "trivial"), None)
    s, b = number(small["size"]), number(large["size"])
    lines = [
        f"| page | p95 at {s} ms | p95 at {b} ms | ratio {b}/{s} (goal ≤ {MAX_GROWTH:g}) "
        f"| ratio to trivial at {b} (goal ≤ {MAX_VS_TRIVIAL:g}) | goal met? |",
        "|---|---:|---:|---:|---:|---|",
    ]
    rows = []
    for r in large["results"]:
        before = by_page.get(r.page)
        if before is None:
            continue
        growth = r.p95_ms / before.p95_ms if before.p95_ms else float("nan")
        vs_trivial = r.p95_ms / trivial.p95_ms if trivial and trivial.p95_ms else float("nan")
        if r.page == "trivial":
            verdict, shown_vs_trivial = "(reference)", "1.0"
        else:
            failed = []
            if not growth <= MAX_GROWTH:
                failed.append(f"grows {growth:.1f}×")
            if not vs_trivial <= MAX_VS_TRIVIAL:
                failed.append(f"{vs_trivial:.0f}× trivial")
            verdict = "yes" if not failed else "no: " + ", ".join(failed)
            shown_vs_trivial = f"{vs_trivial:.1f}"
        lines.append(
            f"| {PAGES[r.page][0]} | {before.p95_ms:.1f} | {r.p95_ms:.1f} | {growth:.2f} | {shown_vs_trivial} "
            f"| {verdict} |"
        )
        rows.append(
            {
                "page": r.page,
                "p95_small_ms": before.p95_ms,
                "p95_large_ms": r.p95_ms,
                "growth": round(growth, 3),
                "vs_trivial": round(vs_trivial, 3),
                "verdict": verdict,
            }
        )
    return "\n".join(lines), rows


# --- command line -------------------------------------------------------------------------------------------


def local_database_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise argparse.ArgumentTypeError("use a postgres://… URL (the goals are about PostgreSQL)")
    if parts.hostname not in (None, "", "127.0.0.1", "localhost", "::1"):
        raise argparse.ArgumentTypeError("the benchmark database must be on this machine (127.0.0.1)")
    if "bench" not in urllib.parse.unquote(parts.path):
        raise argparse.ArgumentTypeError("the database name must contain 'bench' (it is created and dropped)")
    return url


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark of the deviation pages with many synthetic cases (PostgreSQL, 127.0.0.1)."
    )
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help=f"comma-separated case counts (default {DEFAULT_SIZES})")
    parser.add_argument(
        "--duration", type=float, default=10.0, help="measured seconds per page (default 10; slow pages longer)"
    )
    parser.add_argument(
        "--warmup", type=float, default=3.0, help="unmeasured warm-up seconds per page (default 3; slow pages longer)"
    )
    parser.add_argument("--concurrency", type=int, default=20, help="concurrent client connections (default 20)")
    parser.add_argument(
        "--workers",
        type=int,
        default=lp.core_count(),
        help=f"gunicorn sync workers (default: cores, {lp.core_count()})",
    )
    parser.add_argument(
        "--database-url",
        type=local_database_url,
        default=os.environ.get("BENCH_DEVIATIONS_DATABASE_URL", DEFAULT_DATABASE_URL),
        help=f"PostgreSQL database to create, use and drop (default $BENCH_DEVIATIONS_DATABASE_URL, else "
        f"{DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--pages", default=",".join(PAGES), help=f"comma-separated subset of: {', '.join(PAGES)} (default: all)"
    )
    parser.add_argument(
        "--request-timeout",
        type=float,
        default=60.0,
        help="seconds a client waits for one response, queueing included (default 60)",
    )
    parser.add_argument("--seed", type=int, default=20261123, help="seed for the synthetic cases")
    parser.add_argument(
        "--events", choices=["all", "sample"], default="all", help="case history for every case (default) or one"
    )
    parser.add_argument(
        "--keep-database",
        action="store_true",
        help="keep the database of the last size afterwards (for EXPLAIN ANALYZE); drop it yourself",
    )
    options = parser.parse_args()
    try:
        options.sizes = [int(size) for size in options.sizes.split(",") if size.strip()]
    except ValueError:
        parser.error("--sizes takes numbers, e.g. 10000,200000")
    if not options.sizes or any(not 1 <= size <= 2_000_000 for size in options.sizes):
        parser.error("--sizes must be 1..2 000 000 each")
    options.sizes.sort()
    options.pages = [page.strip() for page in options.pages.split(",") if page.strip()]
    lp.check_options(parser, options, PAGES)
    if not 1 <= options.request_timeout <= 300:
        parser.error("--request-timeout must be 1..300")
    return options


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # clean up exactly as on Ctrl-C


def main() -> int:
    options = arguments()
    lp.REQUEST_TIMEOUT = options.request_timeout  # read by load_pages' clients at call time
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background by a shell
        signal.signal(signal.SIGINT, signal.default_int_handler)
    version = lp.code_version()
    tmp = Path(tempfile.mkdtemp(prefix="samhandling-bench-deviations-"))
    started = datetime.now().astimezone()
    runs = []
    try:
        for index, size in enumerate(options.sizes):
            log(f"=== {number(size)} cases ===")
            keep = options.keep_database and index == len(options.sizes) - 1
            runs.append(measure_size(size, options, tmp, keep))

        import django
        import gunicorn

        engine = runs[0]["engine"]
        header = (
            f"{started:%Y-%m-%d %H:%M} · {lp.core_count()} cores ({platform.machine()}) · {engine} · "
            f"gunicorn {gunicorn.__version__}, {options.workers} sync workers · "
            f"{options.concurrency} concurrent clients, logged in as {USER} · at least {options.duration:g} s per page "
            f"after at least {options.warmup:g} s warm-up (slow pages longer) · "
            f"Python {platform.python_version()}, Django {django.get_version()} · code {version}"
        )
        tables = [size_table(run, header) for run in runs]
        for run, table in zip(runs, tables, strict=True):
            print(table)
            print()
            print(lp.cpu_breakdown(run["results"], engine))
            print()
        compared, verdicts = comparison(runs) if len(runs) > 1 else ("", [])
        if compared:
            print(compared)
        failed = [(run["size"], r) for run in runs for r in run["results"] if r.errors]
        for size, r in failed:
            print(f"NON-200 on {r.path} at {number(size)} cases: {r.error_statuses}")
        for run in runs:
            if run["server_log"].strip():
                print(f"gunicorn log at {number(run['size'])} cases (end):\n{run['server_log']}")
        sys.stdout.flush()

        lp.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        output = lp.RESULTS_DIR / f"deviations-{started:%Y%m%dT%H%M%S}.json"
        output.write_text(
            json.dumps(
                {
                    "date": started.isoformat(timespec="seconds"),
                    "cores": lp.core_count(),
                    "machine": platform.machine(),
                    "database": engine,
                    "gunicorn": gunicorn.__version__,
                    "workers": options.workers,
                    "worker_class": "sync",
                    "concurrency": options.concurrency,
                    "duration_s": options.duration,
                    "warmup_s": options.warmup,
                    "request_timeout_s": options.request_timeout,
                    "user": USER,
                    "python": platform.python_version(),
                    "django": django.get_version(),
                    "code": version,
                    "goals": {"max_growth": MAX_GROWTH, "max_vs_trivial": MAX_VS_TRIVIAL},
                    "markdown": "\n\n".join([*tables, compared]),
                    "comparison": verdicts,
                    "sizes": [
                        {
                            "size": run["size"],
                            "generator": run["generator"],
                            "windows": run["windows"],
                            "results": [asdict(r) for r in run["results"]],
                        }
                        for run in runs
                    ],
                },
                indent=2,
            )
            + "\n"
        )
        log(f"results written to {output.relative_to(PROJECT_DIR)}")
        return 1 if failed else 0
    except lp.BenchError as error:
        log(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
