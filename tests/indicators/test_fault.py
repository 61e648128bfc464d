"""Kill -9 in the middle of long work: a real worker process takes an import (then a run), is killed while the job
shows progress, and a second worker finishes it. Exactly one data set (one run) is stored and no folder is left that
no row points at. Progress is slowed by INDICATOR_PROGRESS_DELAY so the kill lands in the middle; heartbeats are
0.5 s, so a dead worker is noticed after 3 s."""

import subprocess
from pathlib import Path

import pytest
from django_tasks_db.models import DBTaskResult

from samhandling.indicators import services
from samhandling.indicators.engine.synthetic import generate
from samhandling.indicators.models import Dataset, Job, JobStatus, Result, Run
from tests.workers import DATABASE_TASKS, kill, start_worker, stop, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

DEADLINE_SECONDS = 40


@pytest.fixture
def storage(settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    settings.INDICATOR_DATA_ROOT = tmp_path / "inbox"
    generate(tmp_path / "inbox" / "levering", scale=0.002, years=[2025], seed=11)
    return tmp_path


def _worker(storage: Path) -> subprocess.Popen:
    return start_worker(
        storage / "worker.log",
        INDICATOR_STORAGE_ROOT=str(storage / "store"),
        INDICATOR_DATA_ROOT=str(storage / "inbox"),
        INDICATOR_HEARTBEAT_SECONDS="0.5",
        INDICATOR_PROGRESS_DELAY="0.4",
    )


def _kill_in_the_middle_and_finish(job: Job, storage: Path) -> Job:
    log = storage / "worker.log"
    first = _worker(storage)
    try:
        wait_for(
            lambda: Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).exclude(message="").exists(),
            "progress",
            log,
            timeout=DEADLINE_SECONDS,
            worker=first,
        )
    finally:
        kill(first)
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING  # killed in the middle, nothing finished it
    second = _worker(storage)
    try:
        wait_for(
            lambda: Job.objects.filter(pk=job.pk, status__in=[JobStatus.DONE, JobStatus.FAILED]).exists(),
            "done",
            log,
            timeout=DEADLINE_SECONDS,
        )
    finally:
        stop(second)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    task = DBTaskResult.objects.get(args_kwargs__args=[job.pk])
    assert task.status == "SUCCESSFUL" and len(task.worker_ids) == 2  # the second worker ran it again
    return job


def _folders(storage: Path, name: str) -> list[str]:
    parent = storage / "store" / name
    return sorted(entry.name for entry in parent.iterdir()) if parent.is_dir() else []


def test_an_import_killed_in_the_middle_is_finished_by_the_next_worker_once(demo, storage, settings):
    settings.TASKS = DATABASE_TASKS
    job = services.dataset_import_start(actor=demo.anders, name="Levering", folder="levering")
    job = _kill_in_the_middle_and_finish(job, storage)
    assert Dataset.objects.count() == 1 and job.dataset is not None
    assert _folders(storage, "datasets") == [Path(job.dataset.path).name]  # nothing of the killed attempt is left
    assert (storage / "store" / job.dataset.path / "manifest.json").exists()


def test_a_run_killed_in_the_middle_is_finished_by_the_next_worker_once(demo, storage, settings):
    # The data set is imported at once in this process (the immediate backend); only the run goes to the workers.
    imported = services.dataset_import_start(actor=demo.anders, name="Levering", folder="levering")
    imported.refresh_from_db()
    assert imported.status == JobStatus.DONE, imported.message
    settings.TASKS = DATABASE_TASKS
    job = services.indicator_run_start(actor=demo.anders, dataset=imported.dataset)
    job = _kill_in_the_middle_and_finish(job, storage)
    assert Run.objects.count() == 1 and job.run is not None
    assert Result.objects.filter(run=job.run).count() == job.run.summary["loaded_rows"] > 0
    assert _folders(storage, "runs") == [Path(job.run.results_path).parent.name]
