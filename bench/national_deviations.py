#!/usr/bin/env python
"""The national deviation statistics over a large database: the time to compute them (uncached) for each year and
half-year that has cases, and the number of queries. Prints a table; never part of `make test`.

Fill a database first with bench/generate_deviations.py (200 000 cases take a few minutes), then:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/samhandling_bench DJANGO_SETTINGS_MODULE=samhandling.settings \\
        SAMHANDLING_INSECURE_DEV_KEY=1 .venv/bin/python bench/national_deviations.py
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone, translation  # noqa: E402

from samhandling.deviations import national  # noqa: E402
from samhandling.deviations.models import Deviation  # noqa: E402

RUNS = 5


def main() -> int:
    today = timezone.localdate()
    print(f"{Deviation.objects.count():,} deviations in the database ({connection.vendor})".replace(",", " "))
    print(f"{'period':<12} {'cases':>8} {'queries':>8} {'p50 ms':>8} {'max ms':>8}")
    with translation.override("nb"):
        for year in (today.year - 1, today.year):
            for period in national.PERIODS:
                times, queries, cases = [], 0, 0
                for _ in range(RUNS):
                    with CaptureQueriesContext(connection) as captured:
                        started = time.perf_counter()
                        stats = national._compute(year, period)
                        times.append((time.perf_counter() - started) * 1000)
                    queries = len(captured.captured_queries)
                    cases = stats.key_figures.total.cells[0].value
                print(
                    f"{year} {period:<7} {cases if cases is not None else 'hidden':>8} {queries:>8} "
                    f"{statistics.median(times):>8.0f} {max(times):>8.0f}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
