"""Kill -9 in the middle of a scenario run: a real worker process takes the run, is killed after it has written its
results but before it recorded them, and a second worker finishes the run. Nothing of the killed attempt is read or
left behind: the run points at the second attempt's results only, its task ran twice (once per worker) and the run
was done once. INDICATOR_PROGRESS_DELAY pauses the run between its steps so the kill lands there; heartbeats are
0.5 s, so the dead worker is noticed after 3 s."""

import subprocess
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from django.utils import translation
from django_tasks_db.models import DBTaskResult

from samhandling.core.models import AuditEvent
from samhandling.projections import services
from samhandling.projections.models import ScenarioRun, WorkStatus
from tests.workers import DATABASE_TASKS, kill, start_worker, stop, wait_for

from .webfixtures import make_dataset, make_scenario, make_source

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE_SECONDS = 60


def _worker(store: Path, log: Path) -> subprocess.Popen:
    return start_worker(
        log, INDICATOR_STORAGE_ROOT=str(store), INDICATOR_HEARTBEAT_SECONDS="0.5", INDICATOR_PROGRESS_DELAY="2"
    )


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
        written = wait_for(
            lambda: [f for f in _run_folders(store) if (f / "results.parquet").exists()],
            "results written",
            log,
            timeout=DEADLINE_SECONDS,
            worker=first,
        )
        time.sleep(0.3)
    finally:
        kill(first)
    killed = ScenarioRun.objects.get(pk=run.pk)
    assert killed.status == WorkStatus.RUNNING and not killed.results_path  # nothing of it is published
    assert killed.claimed_by  # the worker that had it
    assert len(written) == 1

    second = _worker(store, log)
    try:
        wait_for(
            lambda: ScenarioRun.objects.filter(pk=run.pk, status=WorkStatus.DONE).exists(),
            "the run done",
            log,
            timeout=DEADLINE_SECONDS,
        )
    finally:
        stop(second)

    run.refresh_from_db()
    assert run.status == WorkStatus.DONE and run.message == "" and run.claimed_by != killed.claimed_by
    task = DBTaskResult.objects.get(args_kwargs__args=[run.pk])
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2  # the second worker ran it again
    # Exactly one set of results: the second attempt's; the killed attempt's folder is gone.
    folders = _run_folders(store)
    assert folders == [store / Path(run.results_path).parent] and folders != written
    assert pq.read_table(store / run.results_path).num_rows == run.summary["rows"] > 0
    assert AuditEvent.objects.filter(action="projections.run.started", target_id=str(run.pk)).count() == 1
