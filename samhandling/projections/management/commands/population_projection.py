"""`manage.py population_projection`: the built-in population projection from the command line, written as CSV
(`kommunenummer,kjonn,alder,aar,antall`, projected years only), with an optional back-test against the embedded
population of the target year."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from django.core.management.base import BaseCommand, CommandError

from samhandling.indicators.engine import areas
from samhandling.indicators.engine.backends import ENGINES, connect
from samhandling.projections.engine.backtest import PLAIN_HAMILTON_PERRY, backtest
from samhandling.projections.engine.files import municipal_rows, write_csv
from samhandling.projections.engine.population import DEFAULT_SHRINKAGE, Settings, project_population


class Command(BaseCommand):
    help = "Project the population of every municipality and city district from the embedded population."

    def add_arguments(self, parser):
        parser.add_argument("--base", nargs="+", type=int, required=True, help="consecutive base years, e.g. 2024 2025")
        parser.add_argument("--to", type=int, required=True, help="the last year to project")
        parser.add_argument("--out", type=Path, required=True, help="the CSV file to write")
        parser.add_argument(
            "--shrinkage",
            type=float,
            default=DEFAULT_SHRINKAGE,
            help=f"weight K (persons) of the community's ratios; 0 = plain Hamilton–Perry "
            f"(default {DEFAULT_SHRINKAGE:g})",
        )
        parser.add_argument("--engine", choices=ENGINES, default="duckdb")
        parser.add_argument("--backtest", action="store_true", help="compare the target year with the real population")

    def handle(self, *args, **options):
        try:
            settings = Settings(
                base_years=tuple(options["base"]), to_year=options["to"], shrinkage=options["shrinkage"]
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        population = areas.reference_population()
        base = population.filter(pc.is_in(population["aar"], pa.array(settings.base_years, pa.int64())))
        backend = connect(
            options["engine"], memory_limit="4GB", temp_directory=options["out"].parent / "tmp-projection"
        )
        try:
            result = project_population(backend, base, settings=settings)
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            backend.close()
        rows = municipal_rows(result)
        write_csv(rows, options["out"])
        self.stdout.write(
            f"{rows.num_rows} rows for {settings.base_years[-1] + 1}–{settings.to_year}: {options['out']}"
        )
        if options["backtest"]:
            whole = population.filter(pc.is_null(population["bydel"]))
            actual = whole.rename_columns(["aar", "kommunenummer", "bydel", "kjonn", "alder", "antall"])
            if settings.to_year not in set(actual["aar"].to_pylist()):
                raise CommandError(f"there is no real population for {settings.to_year} to compare with")
            result = backtest(rows, actual, year=settings.to_year)
            self.stdout.write(
                f"back-test {result.year} over {result.municipalities} municipalities: "
                f"national {result.national:+.2f} %, "
                f"median {result.median:.2f} %, 90th percentile {result.p90:.2f} %, worst {result.worst:.1f} % "
                f"({result.worst_municipality}); plain Hamilton–Perry: {PLAIN_HAMILTON_PERRY}"
            )
