"""Load (or bring up to date) the public reference data: idempotent, all-or-nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samhandling.core.reference import DEFAULT_DIRECTORY, ReferenceDataError, load


class Command(BaseCommand):
    help = "Load municipalities, districts, hospitals, the 19 helsefellesskap, catchment areas and population."

    def add_arguments(self, parser):
        parser.add_argument(
            "--directory", type=Path, default=DEFAULT_DIRECTORY, help="Folder with the reference CSV files."
        )

    def handle(self, *args, directory: Path, **options):
        try:
            summary = load(directory)
        except ReferenceDataError as error:
            raise CommandError(f"Reference data refused, nothing was loaded: {error}") from None
        if summary.changes == 0:
            self.stdout.write("Reference data is up to date; nothing changed.")
            return
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(f"Reference data loaded ({summary.changes} changes)."))
