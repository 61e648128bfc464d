"""`manage.py indicators_run`: compute the indicator catalogue on a data set folder from the command line (operators,
the bench, cron), with the same engine the web UI uses."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samhandling.indicators.engine.catalogue import CATALOGUE
from samhandling.indicators.engine.run import ENGINES, run_indicators


class Command(BaseCommand):
    help = (
        "Compute every indicator for every level on a data set folder and write results.parquet, tertials.parquet "
        "and run.json."
    )

    def add_arguments(self, parser):
        parser.add_argument("--data", required=True, type=Path, help="a prepared (or raw) data set folder")
        parser.add_argument("--out", required=True, type=Path, help="the folder to write the results to")
        parser.add_argument("--years", nargs="+", type=int, help="the years to compute (default: all present)")
        parser.add_argument("--engine", choices=ENGINES, default="duckdb")
        parser.add_argument(
            "--indicators", nargs="+", choices=[indicator.id for indicator in CATALOGUE], help="a subset to run"
        )
        parser.add_argument("--csv", action="store_true", help="also write results.csv and tertials.csv")
        parser.add_argument("--memory-limit", help="DuckDB memory limit, e.g. 6GB (default: INDICATOR_MEMORY_LIMIT)")

    def handle(self, *args, **options):
        if not options["data"].is_dir():
            raise CommandError(f"no data set folder at {options['data']}")
        summary = run_indicators(
            options["data"],
            options["out"],
            years=options["years"],
            engine=options["engine"],
            indicators=options["indicators"],
            csv=options["csv"],
            memory_limit=options["memory_limit"],
            progress=lambda fraction, message: self.stderr.write(f"{fraction:6.1%} {message}")
            if options["verbosity"] > 1
            else None,
        )
        peak = f"{summary.peak_memory_bytes / 2**20:.0f} MiB" if summary.peak_memory_bytes else "n/a"
        self.stdout.write(
            f"{summary.rows} rows for {', '.join(map(str, summary.years)) or 'no years'} in {summary.seconds:.1f} s "
            f"on {summary.engine} (peak memory {peak}); data set {summary.dataset_version}"
            f"{' (synthetic)' if summary.synthetic else ''}, definitions v{summary.definition_version}"
        )
        self.stdout.write(f"results: {summary.results_path}")
        self.stdout.write(f"tertials: {summary.tertials_path} ({summary.tertial_rows} rows)")
