"""Backup → wipe → restore gives back the same rows and the same files (checksums), on SQLite and PostgreSQL; a
damaged archive or a missing --yes changes nothing."""

import hashlib
import io
import tarfile
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from samhandling.core.backup import store_checksums
from samhandling.core.models import AuditEvent, User


def table_fingerprints() -> dict[str, tuple[int, str]]:
    """Per model: the number of rows and a hash of every row's values in primary-key order."""
    prints = {}
    for model in apps.get_models():
        rows = list(model.objects.order_by("pk").values_list())
        prints[model._meta.label] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return prints


@pytest.fixture
def stores(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "indicators"
    (settings.MEDIA_ROOT / "governance" / "2026").mkdir(parents=True)
    (settings.MEDIA_ROOT / "governance" / "2026" / "saksfremlegg æøå.pdf").write_bytes(
        b"%PDF-1.7\n" + bytes(range(256))
    )
    (settings.INDICATOR_STORAGE_ROOT / "datasets" / "v1").mkdir(parents=True)
    (settings.INDICATOR_STORAGE_ROOT / "datasets" / "v1" / "data.parquet").write_bytes(b"PAR1" * 5000)
    return settings


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_backup_wipe_restore_gives_the_same_rows_and_files(transactional_db, demo, stores, tmp_path):
    AuditEvent.objects.create(action="core.user.logged_in", data={"method": "test", "tekst": "blåbær"})
    rows_before = table_fingerprints()
    files_before = {name: store_checksums(root) for name, root in
                    {"media": stores.MEDIA_ROOT, "indicators": stores.INDICATOR_STORAGE_ROOT}.items()}  # fmt: skip
    assert files_before["media"] and files_before["indicators"]

    archive = Path(run("backup", out=tmp_path / "backups").split("\t")[0])
    assert archive.name.startswith("samhandling-backup-") and archive.suffixes == [".tar", ".gz"]

    call_command("flush", interactive=False, verbosity=0)
    for root in (stores.MEDIA_ROOT, stores.INDICATOR_STORAGE_ROOT):
        for path in sorted(root.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
    (stores.MEDIA_ROOT / "written-after-the-backup.txt").write_text("not in the backup")
    assert not User.objects.exists()

    assert "restored the backup" in run("restore", str(archive), yes=True)
    assert table_fingerprints() == rows_before
    assert store_checksums(stores.MEDIA_ROOT) == files_before["media"]
    assert store_checksums(stores.INDICATOR_STORAGE_ROOT) == files_before["indicators"]
    assert User.objects.get(username="kari").check_password(demo.password)


def test_a_restore_needs_yes(db, tmp_path):
    archive = tmp_path / "x.tar.gz"
    archive.write_bytes(b"")
    with pytest.raises(CommandError, match="--yes"):
        run("restore", str(archive))


def test_a_damaged_archive_changes_nothing(transactional_db, demo, stores, tmp_path):
    archive = Path(run("backup", out=tmp_path / "backups").split("\t")[0])
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive, "r:gz") as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.endswith("data.parquet"):
                data = data[:-1] + b"X"
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    User.objects.filter(username="kari").update(first_name="Endret")
    with pytest.raises(CommandError, match="indicators do not match"):
        run("restore", str(damaged), yes=True)
    assert User.objects.get(username="kari").first_name == "Endret"
