#!/usr/bin/env python
"""Load benchmark for Samhandling's main pages: `make bench` (see docs/benchmarks.md).

What it does, all by itself and all on this machine:

1. creates a throw-away database (a fresh SQLite file in a temporary folder, or with --database-url a new
   PostgreSQL database), runs migrate, load_reference_data (the full national data) and demo, and
   collectstatic into the temporary folder;
2. starts gunicorn (sync workers) on 127.0.0.1 on a free port, with bench.bench_settings, which adds a
   trivial view at /bench/trivial/ as a floor to compare against;
3. logs in as the demo user "kari" and, page by page, lets N client threads (keep-alive http.client
   connections) request the page as fast as they can for a warm-up second and then for the measured duration;
4. prints a Markdown table (requests/s, p50/p95/p99 latency, non-200 responses) and writes it as JSON to
   bench/results/<timestamp>.json;
5. stops gunicorn and removes the temporary folder and the database.

Only 127.0.0.1 is ever contacted. Every step has a time limit, and gunicorn is stopped when this script ends
(also on Ctrl-C, and on Linux even if this script is killed).
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
RESULTS_DIR = PROJECT_DIR / "bench" / "results"
HOST = "127.0.0.1"  # the only address this script ever talks to

DEMO_USER = "kari"
DEMO_PASSWORD = "demo-samhandling-2026"  # noqa: S105 - the demo's published password

# name → (path, what it is). The order is the order of the table.
PAGES = {
    "trivial": ("/bench/trivial/", "trivial Django view"),
    "home": ("/", "front page"),
    "communities": ("/helsefellesskap/", "community list"),
    "community": ("/helsefellesskap/vestfold/", "community page (Vestfold)"),
    "municipality": ("/kommuner/0301/", "municipality page (Oslo)"),
    # Styringsinformasjon (issue 11): the public pages of the demo's published synthetic run.
    "indicator_overview": ("/styringsinformasjon/offentlig/kommuner/3905/", "indicator overview (Tønsberg)"),
    "indicator_map": (
        "/styringsinformasjon/offentlig/kart/?indikator=reinnleggelse_30d&fellesskap=Vestfold",
        "indicator map (357 municipalities)",
    ),
    "indicator_funnel": ("/styringsinformasjon/offentlig/trakt/?indikator=reinnleggelse_30d", "funnel plot (country)"),
    "indicator_api": (
        "/styringsinformasjon/api/v1/resultater.json?niva=kommune&indikator=reinnleggelse_30d",
        "open API, JSON-stat (every municipality)",
    ),
}

REQUEST_TIMEOUT = 30.0  # seconds, per request
SETUP_TIMEOUT = 900  # seconds, per management command
STARTUP_TIMEOUT = 60  # seconds for gunicorn to answer


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# --- the throw-away database --------------------------------------------------------------------------------


@dataclass
class Database:
    url: str
    engine: str  # "SQLite 3.40.1", "PostgreSQL 15.20"
    drop: Callable[[], None]
    backend_pids: Callable[[], list[int]] = list  # server processes serving the benchmark database, if any


def sqlite_database(tmp: Path, url: str | None) -> Database:
    if url is None:
        path = tmp / "bench.sqlite3"
    else:
        import dj_database_url

        path = Path(dj_database_url.parse(url)["NAME"]).resolve()
        if path.exists():
            raise BenchError(f"{path} exists; the benchmark only uses a database it creates itself.")

    def drop() -> None:
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(FileNotFoundError):
                Path(f"{path}{suffix}").unlink()

    return Database(url=f"sqlite:///{path}", engine=f"SQLite {sqlite3.sqlite_version}", drop=drop)


def postgres_database(url: str) -> Database:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    if not name:
        raise BenchError(
            "The PostgreSQL URL needs a database name, e.g. postgres://postgres@127.0.0.1/samhandling_bench"
        )
    server = {
        "host": parts.hostname or HOST,
        "port": parts.port or 5432,
        "user": urllib.parse.unquote(parts.username or "") or None,
        "password": urllib.parse.unquote(parts.password or "") or None,
        "dbname": "postgres",
        "connect_timeout": 10,
    }
    server = {key: value for key, value in server.items() if value is not None}

    def admin(statement) -> None:
        with psycopg.connect(**server, autocommit=True) as connection:
            connection.execute(statement)

    with psycopg.connect(**server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        version = connection.info.server_version  # e.g. 150020
    if exists:
        # Only a leftover of an interrupted benchmark run may be dropped; never anybody's real database.
        if "bench" not in name:
            raise BenchError(
                f"Database {name!r} exists. The benchmark creates and drops its own database; give it a "
                "new name (names containing 'bench' are treated as leftovers and replaced)."
            )
        log(f"dropping leftover database {name!r}")
        admin(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
    admin(sql.SQL("CREATE DATABASE {} ENCODING 'UTF8' TEMPLATE template0").format(sql.Identifier(name)))

    def drop() -> None:
        admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def backend_pids() -> list[int]:
        with contextlib.suppress(psycopg.Error), psycopg.connect(**server, autocommit=True) as connection:
            rows = connection.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]).fetchall()
            return [row[0] for row in rows]
        return []

    major, minor = divmod(version, 10000)
    return Database(url=url, engine=f"PostgreSQL {major}.{minor}", drop=drop, backend_pids=backend_pids)


def create_database(tmp: Path, url: str | None) -> Database:
    scheme = urllib.parse.urlsplit(url).scheme if url else "sqlite"
    if scheme.startswith("postgres") or scheme == "pgsql":
        return postgres_database(url)
    if scheme == "sqlite":
        return sqlite_database(tmp, url)
    raise BenchError(f"Unsupported database URL {url!r}: use sqlite:///... or postgres://...")


# --- the server ---------------------------------------------------------------------------------------------


def server_environment(tmp: Path, database_url: str) -> dict[str, str]:
    # The developer's own settings must not leak in (a real SECRET_KEY, finders, proxies, lock-out tuning ...).
    scrubbed = {"SECRET_KEY", "DJANGO_SETTINGS_MODULE", "STATICFILES_STORAGE", "WHITENOISE_USE_FINDERS"}
    scrubbed_prefixes = ("DATABASE_", "SECURE_", "CSRF_", "AXES_", "EMAIL_", "SAMHANDLING_")
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in scrubbed and not name.startswith(scrubbed_prefixes)
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SETTINGS_MODULE": "bench.bench_settings",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_DIR), os.environ.get("PYTHONPATH")])),
            "DEBUG": "0",
            "SAMHANDLING_INSECURE_DEV_KEY": "1",
            "USE_TLS": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "BENCH_STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(tmp / "media"),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env: dict[str, str], *arguments: str) -> None:
    started = time.monotonic()
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", *arguments],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise BenchError(f"manage.py {' '.join(arguments)} took longer than {SETUP_TIMEOUT} s") from None
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-4000:] + result.stderr[-4000:])
        raise BenchError(f"manage.py {' '.join(arguments)} failed (exit {result.returncode})")
    log(f"manage.py {' '.join(arguments)}: {time.monotonic() - started:.1f} s")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if the benchmark dies, so gunicorn never outlives it (Linux)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class Gunicorn:
    def __init__(self, env: dict[str, str], workers: int, log_file: Path, lifetime: float):
        self.port = free_port()
        self.log_file = log_file
        command = [
            sys.executable, "-m", "gunicorn", "samhandling.wsgi:application",
            "--config", str(PROJECT_DIR / "samhandling" / "gunicorn.conf.py"),
            "--bind", f"{HOST}:{self.port}",
            "--workers", str(workers),
            "--worker-class", "sync",
            "--timeout", "30",
            "--graceful-timeout", "5",
            "--chdir", str(PROJECT_DIR),
            "--log-level", "warning",
            "--error-logfile", "-",
        ]  # fmt: skip
        self._log = open(log_file, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            command,
            cwd=PROJECT_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
        )
        # A last resort: whatever happens, gunicorn is stopped after `lifetime` seconds.
        self._watchdog = threading.Timer(lifetime, self._expire)
        self._watchdog.daemon = True
        self._watchdog.start()

    def _expire(self) -> None:
        log("time limit reached; stopping gunicorn")
        self.stop()

    def log_tail(self, characters: int = 3000) -> str:
        with contextlib.suppress(OSError):
            return self.log_file.read_text(errors="replace")[-characters:]
        return ""

    def wait_until_ready(self, path: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BenchError(f"gunicorn exited (code {self.process.returncode}):\n{self.log_tail()}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(0.2)
        raise BenchError(f"gunicorn did not answer on {HOST}:{self.port} within {STARTUP_TIMEOUT} s")

    def stop(self) -> None:
        self._watchdog.cancel()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        with contextlib.suppress(Exception):
            self._log.close()


# --- logging in ---------------------------------------------------------------------------------------------


def cookies_from(response: http.client.HTTPResponse) -> dict[str, str]:
    from http.cookies import SimpleCookie

    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}


def log_in(port: int, username: str = DEMO_USER) -> str:
    """Log in as a demo user; return the Cookie header to send with every measured request."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        connection.request("GET", "/konto/logg-inn/")
        response = connection.getresponse()
        body = response.read().decode("utf-8", "replace")
        if response.status != 200:
            raise BenchError(f"GET /konto/logg-inn/ returned {response.status}")
        cookies = cookies_from(response)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        if "csrftoken" not in cookies or token is None:
            raise BenchError("The login page gave no CSRF cookie or token.")
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1),
                "username": username,
                "password": DEMO_PASSWORD,
                "next": "",
            }
        )
        connection.close()
        connection.request(
            "POST",
            "/konto/logg-inn/",
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={cookies['csrftoken']}",
                "Origin": f"http://{HOST}:{port}",
                "Referer": f"http://{HOST}:{port}/konto/logg-inn/",
            },
        )
        response = connection.getresponse()
        response.read()
        cookies.update(cookies_from(response))
        if response.status != 302 or "sessionid" not in cookies:
            raise BenchError(f"Logging in as {username!r} failed (status {response.status}).")
    finally:
        connection.close()
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


# --- CPU accounting (Linux /proc; silently absent elsewhere) ------------------------------------------------


def _ticks_of(pid: int) -> int:
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    return 0


def _worker_pids(master: int) -> list[int]:
    with contextlib.suppress(OSError, ValueError):
        return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    return []


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        total = sum(values[:8])
        return total - values[3] - values[4], total  # minus idle and iowait
    return 0, 0


class CpuMeter:
    """CPU used while one page is measured: gunicorn (master and workers), the database server's processes for
    the benchmark database (PostgreSQL on this machine), this process, and the whole machine."""

    def __init__(self, master_pid: int | None, database_pids: Callable[[], list[int]]):
        self.master = master_pid
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.workers = _worker_pids(master_pid) if master_pid else []
        self.database_pids = database_pids

    def _database_ticks(self) -> dict[int, int]:
        return {pid: _ticks_of(pid) for pid in self.database_pids()}

    def _server_ticks(self) -> int:
        return sum(_ticks_of(pid) for pid in [self.master, *self.workers] if pid)

    def __enter__(self):
        self.wall = time.perf_counter()
        self.client = time.process_time()
        self.server = self._server_ticks()
        self.database = self._database_ticks()
        self.machine = _machine_ticks()
        return self

    def __exit__(self, *exc):
        wall = time.perf_counter() - self.wall
        busy, total = _machine_ticks()
        cores = max(1, os.cpu_count() or 1)
        self.client_percent = round((time.process_time() - self.client) / wall * 100)
        self.server_percent = round((self._server_ticks() - self.server) / self.tick / wall * 100)
        database = self._database_ticks()  # a backend that ended meanwhile counts as idle; one that began, from 0
        used = sum(max(0, ticks - self.database.get(pid, 0)) for pid, ticks in database.items() if ticks)
        self.database_percent = round(used / self.tick / wall * 100)
        share = (busy - self.machine[0]) / (total - self.machine[1]) if total > self.machine[1] else 0
        self.machine_percent = round(share * cores * 100)  # in % of one core, like the other two
        return False


# --- the load generator -------------------------------------------------------------------------------------


@dataclass
class Result:
    page: str
    path: str
    requests: int
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    errors: int
    error_statuses: dict[str, int] = field(default_factory=dict)
    response_bytes: int = 0
    server_cpu_percent: int = 0  # gunicorn master + workers, % of one core
    database_cpu_percent: int = 0  # PostgreSQL backends of the benchmark database (0 for SQLite: it is in gunicorn)
    client_cpu_percent: int = 0  # this load generator, % of one core
    machine_cpu_percent: int = 0  # everything on the machine, % of one core
    server_cpu_ms_per_request: float = 0.0  # gunicorn CPU time per response; hardly affected by other load
    database_cpu_ms_per_request: float = 0.0


def percentile(ordered: list[float], p: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def client(port, path, headers, measure_from, stop_at, latencies, statuses, sizes) -> None:
    """One client: one keep-alive connection (reopened when the server closes it), requests back to back.

    Only requests that finish inside [measure_from, stop_at] are recorded; none starts after stop_at.
    """
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    clock = time.perf_counter
    try:
        while True:
            started = clock()
            if started >= stop_at:
                break
            size = 0
            try:
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                size = len(response.read())
                status = str(response.status)
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()
                time.sleep(0.01)  # do not spin if the server is gone
            finished = clock()
            if measure_from <= finished <= stop_at:
                latencies.append(finished - started)
                statuses[status] += 1
                sizes.append(size)
    finally:
        connection.close()


def measure(
    port: int,
    name: str,
    cookie: str,
    concurrency: int,
    duration: float,
    warmup: float,
    server_pid: int | None,
    database_pids: Callable[[], list[int]],
    path: str | None = None,
) -> Result:
    """Measure one page: `path`, or the path of PAGES[name] when no path is given."""
    path = path or PAGES[name][0]
    headers = {"Cookie": cookie, "Accept": "text/html", "Accept-Language": "nb"}
    start = time.perf_counter()
    measure_from = start + warmup
    stop_at = measure_from + duration
    per_client = [([], Counter(), []) for _ in range(concurrency)]
    threads = [
        threading.Thread(
            target=client,
            args=(port, path, headers, measure_from, stop_at, *per_client[i]),
            name=f"bench-client-{i}",
            daemon=True,
        )
        for i in range(concurrency)
    ]
    for thread in threads:
        thread.start()
    time.sleep(max(0.0, measure_from - time.perf_counter()))
    with CpuMeter(server_pid, database_pids) as cpu:  # over the measured seconds only
        time.sleep(max(0.0, stop_at - time.perf_counter()))
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT + 5)
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"client threads for {path} did not stop")

    latencies = sorted(value for values, _, _ in per_client for value in values)
    statuses: Counter = sum((counter for _, counter, _ in per_client), Counter())
    sizes = [size for _, _, values in per_client for size in values]
    errors = {status: count for status, count in statuses.items() if status != "200"}
    ms = 1000.0
    rate = len(latencies) / duration
    return Result(
        page=name,
        path=path,
        requests=len(latencies),
        requests_per_second=round(len(latencies) / duration, 1),
        p50_ms=round(percentile(latencies, 50) * ms, 1),
        p95_ms=round(percentile(latencies, 95) * ms, 1),
        p99_ms=round(percentile(latencies, 99) * ms, 1),
        mean_ms=round(sum(latencies) / len(latencies) * ms, 1) if latencies else math.nan,
        max_ms=round(latencies[-1] * ms, 1) if latencies else math.nan,
        errors=sum(errors.values()),
        error_statuses=errors,
        response_bytes=round(sum(sizes) / len(sizes)) if sizes else 0,
        server_cpu_percent=cpu.server_percent,
        database_cpu_percent=cpu.database_percent,
        client_cpu_percent=cpu.client_percent,
        machine_cpu_percent=cpu.machine_percent,
        server_cpu_ms_per_request=round(cpu.server_percent * 10 / rate, 1) if rate else 0,
        database_cpu_ms_per_request=round(cpu.database_percent * 10 / rate, 1) if rate else 0,
    )


# --- report -------------------------------------------------------------------------------------------------


def markdown(results: list[Result], header: str) -> str:
    lines = [
        header,
        "",
        "| page | requests/s | p50 ms | p95 ms | p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        page = f"{PAGES[r.page][1]} `{r.path}`"
        latency = f"{r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.p99_ms:.1f}"
        lines.append(f"| {page} | {r.requests_per_second:,.1f} | {latency} | {r.errors} |")
    return "\n".join(lines)


def cpu_breakdown(results: list[Result], engine: str) -> str:
    """The CPU lines printed under the table: who used the cores while each page was measured."""
    lines = [f"CPU while measuring, in % of one core ({core_count()} cores = {core_count() * 100} %):"]
    postgres = engine.startswith("PostgreSQL")
    for r in results:
        other = r.machine_cpu_percent - r.server_cpu_percent - r.database_cpu_percent - r.client_cpu_percent
        line = f"  {r.page:<13} gunicorn {r.server_cpu_percent:>3} %, "
        if postgres:
            line += f"PostgreSQL {r.database_cpu_percent:>3} %, "
        line += f"load generator {r.client_cpu_percent:>3} %, other processes {max(0, other):>3} %"
        line += f"; CPU per request: gunicorn {r.server_cpu_ms_per_request:.1f} ms"
        if postgres:
            line += f", PostgreSQL {r.database_cpu_ms_per_request:.1f} ms"
        lines.append(line)
    return "\n".join(lines)


def code_version() -> str:
    """The commit measured, and whether the working tree differed from it (the numbers belong to the tree)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=10
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=PROJECT_DIR,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{commit} + uncommitted changes" if commit and dirty else commit or "unknown"


def core_count() -> int:
    with contextlib.suppress(AttributeError):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Load benchmark: gunicorn on 127.0.0.1, requests/s and latency percentiles per page.",
    )
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds per page (default 10)")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured warm-up seconds per page (default 1)")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent client connections (default 8)")
    parser.add_argument(
        "--workers",
        type=int,
        default=core_count(),
        help=f"gunicorn sync workers (default: cores, {core_count()})",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="database to create, use and drop: sqlite:///new-file or postgres://user@host:port/new_name "
        "(default: $BENCH_DATABASE_URL, else a SQLite file in a temporary folder). DATABASE_URL is ignored.",
    )
    parser.add_argument(
        "--pages",
        default=",".join(PAGES),
        help=f"comma-separated subset of: {', '.join(PAGES)} (default: all)",
    )
    options = parser.parse_args()
    options.pages = [page.strip() for page in options.pages.split(",") if page.strip()]
    check_options(parser, options, PAGES)
    return options


def check_options(parser: argparse.ArgumentParser, options: argparse.Namespace, pages) -> None:
    """The bounds every load script shares: known pages, and a run that stops by itself."""
    unknown = [page for page in options.pages if page not in pages]
    if unknown or not options.pages:
        parser.error(f"unknown page(s) {', '.join(unknown) or '(none given)'}; choose from {', '.join(pages)}")
    if not (0 < options.duration <= 600) or not (0 <= options.warmup <= 60):
        parser.error("--duration must be in (0, 600] and --warmup in [0, 60]")
    if not (1 <= options.concurrency <= 256) or not (1 <= options.workers <= 64):
        parser.error("--concurrency must be 1..256 and --workers 1..64")


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt  # clean up exactly as on Ctrl-C


def main() -> int:
    options = arguments()
    signal.signal(signal.SIGTERM, _terminate)
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # started in the background by a shell
        signal.signal(signal.SIGINT, signal.default_int_handler)
    version = code_version()  # before anything runs: the code that is migrated and served
    tmp = Path(tempfile.mkdtemp(prefix="samhandling-bench-"))
    database = None
    server = None
    try:
        database = create_database(tmp, options.database_url)
        log(f"database: {database.engine}; temporary folder {tmp}")
        env = server_environment(tmp, database.url)
        manage(env, "migrate", "--no-input")
        manage(env, "load_reference_data")
        manage(env, "demo")
        if any(name.startswith("indicator_") for name in options.pages):
            manage(env, "demo_indicators")  # a published synthetic run for the indicator pages
        manage(env, "collectstatic", "--no-input")

        lifetime = STARTUP_TIMEOUT + 60 + len(options.pages) * (options.warmup + options.duration + REQUEST_TIMEOUT)
        server = Gunicorn(env, options.workers, tmp / "gunicorn.log", lifetime)
        server.wait_until_ready(PAGES["trivial"][0])
        log(f"gunicorn: {options.workers} sync workers on http://{HOST}:{server.port}/")
        cookie = log_in(server.port)
        log(f"logged in as {DEMO_USER}")

        results = []
        for name in options.pages:
            log(f"{PAGES[name][0]}: {options.warmup:g} s warm-up + {options.duration:g} s measured")
            result = measure(
                server.port,
                name,
                cookie,
                options.concurrency,
                options.duration,
                options.warmup,
                server.process.pid,
                database.backend_pids,
            )
            results.append(result)
            if result.errors:
                log(f"  {result.errors} non-200 responses: {result.error_statuses}")
        server_log = server.log_tail()
        server.stop()

        import django
        import gunicorn

        now = datetime.now().astimezone()
        header = (
            f"{now:%Y-%m-%d %H:%M} · {core_count()} cores ({platform.machine()}) · {database.engine} · "
            f"gunicorn {gunicorn.__version__}, {options.workers} sync workers · "
            f"{options.concurrency} concurrent clients · {options.duration:g} s per page after "
            f"{options.warmup:g} s warm-up · "
            f"Python {platform.python_version()}, Django {django.get_version()} · code {version}"
        )
        table = markdown(results, header)
        print(table, flush=True)
        print()
        print(cpu_breakdown(results, database.engine))
        failed = [r for r in results if r.errors]
        for r in failed:
            print(f"NON-200 on {r.path}: {r.error_statuses}")
        if failed and server_log.strip():
            print("gunicorn log (end):\n" + server_log)
        sys.stdout.flush()

        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        output = RESULTS_DIR / f"{now:%Y%m%dT%H%M%S}.json"
        output.write_text(
            json.dumps(
                {
                    "date": now.isoformat(timespec="seconds"),
                    "cores": core_count(),
                    "machine": platform.machine(),
                    "database": database.engine,
                    "gunicorn": gunicorn.__version__,
                    "workers": options.workers,
                    "worker_class": "sync",
                    "concurrency": options.concurrency,
                    "duration_s": options.duration,
                    "warmup_s": options.warmup,
                    "python": platform.python_version(),
                    "django": django.get_version(),
                    "code": version,
                    "markdown": table,
                    "results": [asdict(r) for r in results],
                },
                indent=2,
            )
            + "\n"
        )
        log(f"results written to {output.relative_to(PROJECT_DIR)}")
        return 1 if failed else 0
    except BenchError as error:
        log(f"error: {error}")
        return 2
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        if server is not None:
            server.stop()
        if database is not None:
            try:
                database.drop()
            except Exception as error:
                log(f"could not drop the benchmark database: {error}")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
