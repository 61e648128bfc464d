"""Write a synthetic indicator data set that follows the data contract (invented people, plausible rates).

Scale 1.0 is about one year of Norway per year asked for; the same seed gives byte-identical files.
"""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samhandling.indicators.engine.synthetic import generate


class Command(BaseCommand):
    help = "Write synthetic opphold, kontakter and iplos tables (clearly marked SYNTETISKE DATA) to a folder."

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="Folder to write (created if missing).")
        parser.add_argument("--scale", type=float, default=0.01, help="1.0 ≈ one year of Norway (default 0.01).")
        parser.add_argument("--years", type=int, nargs="+", default=[2024, 2025], help="Years (default 2024 2025).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--format", choices=("parquet", "csv"), default="parquet", dest="fmt")

    def handle(self, *args, out: Path, scale: float, years: list[int], seed: int, fmt: str, **options):
        if scale <= 0 or scale > 20:
            raise CommandError("--scale must be above 0 and at most 20.")
        if out.exists() and any(out.iterdir()):
            raise CommandError(f"{out} is not empty; give a new or empty folder.")
        started = time.monotonic()
        rows = generate(
            out, scale=scale, years=years, seed=seed, fmt=fmt, progress=lambda message: self.stderr.write(message)
        )
        for name, count in rows.items():
            self.stdout.write(f"{name}: {count:,} rows")
        self.stdout.write(
            self.style.SUCCESS(f"Synthetic data set written to {out} in {time.monotonic() - started:.1f} s.")
        )
