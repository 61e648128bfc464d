"""`manage.py backup --out DIR`: one archive with the database and the file stores (see core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samhandling.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write a consistent backup of the database, uploaded media and the indicator store to one .tar.gz."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, type=Path, help="folder to write the archive into")

    def handle(self, *args, **options):
        try:
            result = backup_create(out_dir=options["out"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{result.path}\t{result.files} files\t{result.bytes} bytes")
