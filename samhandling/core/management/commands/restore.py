"""`manage.py restore ARCHIVE --yes`: replace the database and the file stores with a backup (see core/backup.py).

Stop the web processes and workers first: the restore replaces every table and every stored file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samhandling.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`: the database and the file stores are replaced."

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--yes", action="store_true", help="confirm that everything now stored is replaced")

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError("A restore replaces the whole database and every stored file. Add --yes to go on.")
        if not options["archive"].is_file():
            raise CommandError(f"No such backup: {options['archive']}")
        try:
            manifest = backup_restore(archive=options["archive"])
        except BackupError as error:
            raise CommandError(str(error)) from error
        files = sum(len(checksums) for checksums in manifest["files"].values())
        self.stdout.write(f"restored the backup of {manifest['created_at']}: database and {files} files")
