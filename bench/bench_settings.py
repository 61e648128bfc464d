"""Settings for the load benchmark: the application's settings plus a URL configuration with a trivial view.

Used only by bench/load_pages.py (DJANGO_SETTINGS_MODULE=bench.bench_settings); the application never uses it.
"""

import os
from pathlib import Path

from samhandling.settings import *  # noqa: F403

ROOT_URLCONF = "bench.bench_urls"

# collectstatic writes into the benchmark's temporary folder instead of the project's var/static.
if os.environ.get("BENCH_STATIC_ROOT"):
    STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
