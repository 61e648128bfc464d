"""Shared fixtures: a small but real slice of the reference data, and the demo personas.

The personas are the demo command's invented people, so tests, the demo and the browser tests speak of the same
world: `kari` the municipal nurse, `per` the hospital contact point, `sigrid` the secretariat, `tove` the admin,
`ola` from an unrelated municipality in another community who must see nothing of Vestfold's administration.
"""

import csv
import io
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from samhandling.core.management.commands.demo import DEMO_PASSWORD
from samhandling.core.models import Helsefellesskap, User
from samhandling.core.reference import DEFAULT_DIRECTORY, load

# Vestfold's six municipalities, Bodø (Nordland, for the unrelated persona) and Oslo with its districts.
SMALL_AREAS = {"3901", "3903", "3905", "3907", "3909", "3911", "1804", "0301"}
PERSONAS = ["kari", "ingrid", "lars", "per", "hilde", "turid", "sigrid", "anders", "tove", "ola"]


def _keep(row: dict) -> bool:
    for column in ("kommunenummer", "kode_2024"):
        if column in row:
            return row[column] in SMALL_AREAS
    if "bydelsnummer" in row:
        return row["bydelsnummer"][:4] in SMALL_AREAS
    if "nivaa" in row:  # the catchment file: municipality and district codes in one column
        return row["kode"][:4] in SMALL_AREAS
    return True


def write_small_reference(target: Path) -> Path:
    """Copy the real reference files, keeping only the rows of SMALL_AREAS (and every row of the small files)."""
    target.mkdir(parents=True, exist_ok=True)
    for source in DEFAULT_DIRECTORY.glob("*.csv"):
        with source.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [row for row in reader if _keep(row)]
            fields = reader.fieldnames
        with (target / source.name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return target


# No per-example deadline: on a shared CI machine a database round trip sometimes takes longer than Hypothesis's
# 200 ms default, and a test that fails on timing says nothing about the code.
hypothesis_settings.register_profile("samhandling", deadline=None)
hypothesis_settings.load_profile("samhandling")

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def small_reference_dir(tmp_path_factory) -> Path:
    return write_small_reference(tmp_path_factory.mktemp("reference"))


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Argon2 costs ~0.2 s a hash by design; tests use a fast hasher (test_auth checks the real configuration)."""
    settings.PASSWORD_HASHERS = FAST_HASHERS


def _build_world(reference_dir: Path) -> None:
    with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
        load(reference_dir)
        call_command("demo", stdout=io.StringIO())


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, small_reference_dir):
    """Build the small world once per session; each test then runs inside a rolled-back transaction."""
    with django_db_blocker.unblock():
        _build_world(small_reference_dir)


@pytest.fixture
def reference(db, small_reference_dir):
    """The small slice of reference data (rebuilt if a transactional test has flushed the database)."""
    if not Helsefellesskap.objects.filter(code="VES").exists():
        _build_world(small_reference_dir)


@pytest.fixture
def demo(reference):
    """The demo world: Vestfold's invented units and people (and ola in Bodø)."""
    people = {user.username: user for user in User.objects.filter(username__in=PERSONAS)}
    return SimpleNamespace(password=DEMO_PASSWORD, **people)


def database_url_for_subprocess() -> str:
    """The URL of the database this test runs on (the test database, not DATABASE_URL), for a worker, gunicorn or
    a management command started as a subprocess. Only what the test has committed is visible there."""
    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
