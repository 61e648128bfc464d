"""Backups of the database and the file stores (uploaded media and the indicator store), and their restore.

A backup is one `.tar.gz`: `manifest.json` (engine, time, a SHA-256 of every file), the database (`pg_dump` custom
format for PostgreSQL, a copy made with SQLite's online backup API for SQLite) and the files under `media/` and
`indicators/`. The database is dumped first, from one snapshot; files are read after it, so a file written during the
backup is at worst an extra file nothing points at (documents are immutable versions, decision 14).

A restore checks every checksum in the archive before it touches anything, restores the database in one transaction
(`pg_restore --single-transaction`, or SQLite's backup API onto the live file) and swaps each file store in whole.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.db import connections

FORMAT = 1
CHUNK = 1024 * 1024


class BackupError(Exception):
    pass


def file_stores() -> dict[str, Path]:
    return {"media": Path(settings.MEDIA_ROOT), "indicators": Path(settings.INDICATOR_STORAGE_ROOT)}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def store_checksums(root: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under `root` (symbolic links are not followed)."""
    if not root.exists():
        return {}
    return {
        path.relative_to(root).as_posix(): sha256(path)
        for path in sorted(root.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def _database() -> dict:
    return connections["default"].settings_dict


def _engine() -> str:
    engine = _database()["ENGINE"]
    if engine.endswith("postgresql"):
        return "postgresql"
    if engine.endswith("sqlite3"):
        return "sqlite"
    raise BackupError(f"no backup for the database engine {engine}")


def _pg_env() -> dict[str, str]:
    db = _database()
    env = {**os.environ, "PGDATABASE": db["NAME"], "PGHOST": db["HOST"] or "127.0.0.1"}
    env["PGPORT"] = str(db["PORT"] or 5432)
    if db["USER"]:
        env["PGUSER"] = db["USER"]
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[-2000:]}")


def _dump_database(target: Path) -> None:
    if _engine() == "postgresql":
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"], _pg_env())
        return
    connections["default"].close()
    source = sqlite3.connect(_database()["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def _load_database(dump: Path) -> None:
    connections.close_all()
    if _engine() == "postgresql":
        _run(
            ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
             f"--dbname={_pg_env()['PGDATABASE']}", str(dump)],
            _pg_env(),
        )  # fmt: skip
        return
    source = sqlite3.connect(dump)
    live = sqlite3.connect(_database()["NAME"])
    try:
        source.backup(live)
    finally:
        live.close()
        source.close()


@dataclass
class BackupResult:
    path: Path
    files: int
    bytes: int


def backup_create(*, out_dir: Path) -> BackupResult:
    """Write one archive into `out_dir` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    engine = _engine()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = out_dir / f"samhandling-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".backup-") as work:
        dump = Path(work) / ("database.dump" if engine == "postgresql" else "database.sqlite3")
        _dump_database(dump)
        files = {name: store_checksums(root) for name, root in file_stores().items()}
        manifest = {
            "format": FORMAT,
            "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": {"engine": engine, "file": dump.name, "sha256": sha256(dump)},
            "files": files,
        }
        partial = archive.with_suffix(".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = json.dumps(manifest, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(dump, arcname=dump.name)
            for name, root in file_stores().items():
                for relative in files[name]:
                    tar.add(root / relative, arcname=f"{name}/{relative}", recursive=False)
        partial.rename(archive)  # a backup that stopped half-way never looks finished
    count = sum(len(checksums) for checksums in files.values())
    return BackupResult(path=archive, files=count, bytes=archive.stat().st_size)


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = tar.getmembers()
    for member in members:
        if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in Path(member.name).parts:
            raise BackupError(f"refusing an unsafe path in the archive: {member.name}")
    return members


def backup_restore(*, archive: Path) -> dict:
    """Restore the database and the file stores from `archive`; returns the manifest. Nothing is changed when the
    archive is damaged or made for another database engine."""
    engine = _engine()
    with tempfile.TemporaryDirectory(prefix="samhandling-restore-") as work:
        unpacked = Path(work)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(unpacked, members=_safe_members(tar), filter="data")
        manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown backup format {manifest.get('format')!r}")
        if manifest["database"]["engine"] != engine:
            raise BackupError(f"the backup is of a {manifest['database']['engine']} database, this is {engine}")
        dump = unpacked / manifest["database"]["file"]
        if sha256(dump) != manifest["database"]["sha256"]:
            raise BackupError("the database dump does not match its checksum")
        for name, checksums in manifest["files"].items():
            if store_checksums(unpacked / name) != checksums:
                raise BackupError(f"the files of {name} do not match their checksums")
        _load_database(dump)
        for name, root in file_stores().items():
            _swap_store(unpacked / name, root)
        for name, root in file_stores().items():
            if store_checksums(root) != manifest["files"].get(name, {}):
                raise BackupError(f"{name} differs from the backup after the restore")
    return manifest


def _swap_store(restored: Path, root: Path) -> None:
    """Put the restored folder where `root` is; the old contents are removed only once the new ones are in place."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = root.parent / f".{root.name}.restoring"
    shutil.rmtree(staged, ignore_errors=True)
    if restored.exists():
        shutil.copytree(restored, staged)  # a copy, so the store may live on another file system than the archive
    else:
        staged.mkdir()
    old = root.parent / f".{root.name}.before-restore"
    shutil.rmtree(old, ignore_errors=True)
    if root.exists():
        root.rename(old)
    staged.rename(root)
    shutil.rmtree(old, ignore_errors=True)
