"""Kill -9 in the middle of a scenario run: a real worker process takes the run, is killed after it has written its
results but before it recorded them, and a second worker finishes the run. Nothing of the killed attempt is read or
left behind: the run points at the second attempt's results only, its task ran twice (once per worker) and the run
was done once. INDICATOR_PROGRESS_DELAY pauses the run between its steps so the kill lands there; heartbeats are
0.5 s, so the dead worker is noticed after 3 s."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from samhandling.core.models import AuditEvent
from samhandling.projections import services
from samhandling.projections.models import ScenarioRun, WorkStatus
from tests.conftest import database_url_for_subprocess

from .webfixtures import make_dataset, make_scenario, make_source

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
DEADLINE_SECONDS = 60


def _worker(store: Path, log: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DATABASE_URL": database_url_for_subprocess(),
        "INDICATOR_STORAGE_ROOT": str(store),
        "INDICATOR_HEARTBEAT_SECONDS": "0.5",
        "INDICATOR_PROGRESS_DELAY": "2",
    }
    command = [sys.executable, "manage.py", "samhandling_worker", "--no-periodic", "--heartbeat", "0.5"]
    return subprocess.Popen(
        [*command, "--interval", "0.2"], cwd=ROOT, env=env, stdout=log.open("ab"), stderr=subprocess.STDOUT
    )


def _wait(condition, what: str, log: Path, worker: subprocess.Popen | None = None):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"the worker stopped:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{log.read_text(errors='replace')[-3000:]}")


def _run_folders(store: Path) -> list[Path]:
    parent = store / "projections" / "runs"
    return sorted(parent.iterdir()) if parent.is_dir() else []


def test_a_run_killed_after_writing_its_results_is_finished_by_the_next_worker_exactly_once(demo, settings, tmp_path):
    store, log = tmp_path / "store", tmp_path / "worker.log"
    settings.INDICATOR_STORAGE_ROOT = store
    scenario = make_scenario(make_source(store), make_dataset(store))
    settings.TASKS = DATABASE_TASKS
    with translation.override("nb"):
        run = services.run_start(actor=demo.anders, scenario=scenario)

    first = _worker(store, log)
    try:
        # The worst moment: the results are on disk in full, the run does not point at them yet.
        written = _wait(
            lambda: [f for f in _run_folders(store) if (f / "results.parquet").exists()], "results written", log, first
        )
        time.sleep(0.3)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    killed = ScenarioRun.objects.get(pk=run.pk)
    assert killed.status == WorkStatus.RUNNING and not killed.results_path  # nothing of it is published
    assert killed.claimed_by  # the worker that had it
    assert len(written) == 1

    second = _worker(store, log)
    try:
        _wait(lambda: ScenarioRun.objects.filter(pk=run.pk, status=WorkStatus.DONE).exists(), "the run done", log)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=20)

    run.refresh_from_db()
    assert run.status == WorkStatus.DONE and run.message == "" and run.claimed_by != killed.claimed_by
    task = DBTaskResult.objects.get(args_kwargs__args=[run.pk])
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2  # the second worker ran it again
    # Exactly one set of results: the second attempt's; the killed attempt's folder is gone.
    folders = _run_folders(store)
    assert folders == [store / Path(run.results_path).parent] and folders != written
    assert pq.read_table(store / run.results_path).num_rows == run.summary["rows"] > 0
    assert AuditEvent.objects.filter(action="projections.run.started", target_id=str(run.pk)).count() == 1
