"""The worker side of imports and indicator runs: claim a queued job (or take over one whose worker died), do the
work with a heartbeat and progress in the row, store the outcome; and the recovery that puts stale jobs back in the
queue and removes folders no row points at. Called by the tasks in `tasks.py` and by `indicators_jobs` (cron)."""

import logging
import re
import shutil
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samhandling.core import queue

from . import jobstate
from .jobstate import Progress, is_stale, job_move, stale_after, storage_root
from .models import Dataset, Job, JobKind, JobStatus, Run
from .texts import dataset_error_text

log = logging.getLogger(__name__)

__all__ = ["STALE_AFTER", "WORKERS", "Progress", "recover", "requeue_stale", "run_job", "run_pending", "sweep_orphans"]

# With the default heartbeat; `jobstate.stale_after()` reads INDICATOR_HEARTBEAT_SECONDS.
STALE_AFTER = timedelta(seconds=queue.HEARTBEAT_SECONDS * queue.STALE_BEATS)
# Folders a job writes are named after it, so a worker taking over a job can remove what the dead one left.
JOB_FOLDER = re.compile(r"^\.?job-(\d+)-")
FOLDERS = {JobKind.IMPORT: "datasets", JobKind.RUN: "runs"}


def _job_folder(job: Job) -> Path:
    return storage_root() / FOLDERS[job.kind] / f"job-{job.pk}-{uuid.uuid4().hex[:8]}"


def _clear_leftovers(job: Job) -> None:
    """What an earlier attempt at this job left (its worker died): the target and the temporary folders."""
    parent = storage_root() / FOLDERS[job.kind]
    if not parent.is_dir():
        return
    for entry in parent.iterdir():
        match = JOB_FOLDER.match(entry.name)
        if match and int(match.group(1)) == job.pk:
            shutil.rmtree(entry, ignore_errors=True)


def _import(job: Job) -> None:
    from .engine.dataset import DatasetRefused, prepare_dataset

    target = _job_folder(job)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        manifest = prepare_dataset(job.params["source"], target, progress=Progress(job))
    except DatasetRefused as refused:
        shutil.rmtree(target, ignore_errors=True)
        errors = [
            {
                "table": e.table,
                "row": e.row,
                "column": e.column,
                "code": e.code,
                "params": e.params,
                "message": dataset_error_text(e),
            }
            for e in list(refused.errors)[: jobstate.MAX_STORED_ERRORS]
        ]
        total = getattr(refused, "total_errors", len(errors))
        jobstate.dataset_refuse(
            job=job, errors=errors, total_errors=total, message=_("The data set was refused. Nothing was stored.")
        )
        return
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    try:
        stored = jobstate.dataset_store(job=job, path=target, manifest=manifest)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    if stored is None:  # another worker took the job over: its own copy counts
        shutil.rmtree(target, ignore_errors=True)


def _run(job: Job) -> None:
    from .engine.run import run_indicators

    dataset = Dataset.objects.get(pk=job.params["dataset"])
    out = _job_folder(job)
    out.mkdir(parents=True, exist_ok=True)
    try:
        summary = run_indicators(
            storage_root() / dataset.path,
            out,
            years=job.params.get("years") or dataset.period_years or None,
            engine=job.params.get("engine", "duckdb"),
            memory_limit=getattr(settings, "INDICATOR_MEMORY_LIMIT", None),
            progress=Progress(job, 0.0, 0.9),
        )
        jobstate.job_report_progress(job, fraction=0.92, message=_("Loading the results"))
        facts = {
            name: getattr(summary, name, None)
            for name in (
                "rows",
                "years",
                "engine",
                "definition_version",
                "dataset_version",
                "synthetic",
                "seconds",
                "peak_memory_bytes",
                "tertial_rows",
            )
        }
        facts["years"] = list(facts["years"] or [])
        stored = jobstate.run_store(job=job, dataset=dataset, summary=facts, results_path=summary.results_path)
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
    if stored is None:
        shutil.rmtree(out, ignore_errors=True)


WORKERS = {JobKind.IMPORT: _import, JobKind.RUN: _run}


class _Heartbeat:
    """Beats the job's row from a thread of the worker while the work runs, so a long engine step between two
    progress reports never looks like a dead worker. Only in a worker process (`samhandling_worker`): a web process
    never starts a thread. Not inside a transaction either: no other connection could see the row (a test's
    rolled-back transaction), and a beat would only wait for the lock."""

    def __init__(self, job: Job):
        self.job, self.stop = job, threading.Event()
        self.thread = None
        if queue.in_worker() and not connection.in_atomic_block:
            self.thread = threading.Thread(target=self._beat, name=f"indicator-job-{job.pk}-beat", daemon=True)

    def __enter__(self):
        if self.thread:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread:
            self.thread.join(timeout=jobstate.heartbeat_seconds() * 2)

    def _beat(self) -> None:
        try:
            while not self.stop.wait(jobstate.heartbeat_seconds()):
                try:
                    if not jobstate.job_beat(self.job):
                        return
                except Exception:  # a locked database: try again at the next beat
                    log.warning("indicator job %s: heartbeat failed", self.job.pk, exc_info=True)
                    connection.close()
        finally:
            connection.close()


def _take_over(job: Job) -> Job | None:
    """A running job met by its task: the task was run again because its worker stopped. Wait until the job's own
    heartbeat is stale too, then put it back in the queue for this worker; None when it finishes or keeps beating
    (someone is still doing it)."""
    deadline = time.monotonic() + 2 * stale_after().total_seconds() + jobstate.heartbeat_seconds()
    while True:
        if job.status != JobStatus.RUNNING:
            return job if job.status == JobStatus.QUEUED else None
        if is_stale(job):
            if job_move(job, JobStatus.QUEUED, progress=0.0, message=""):
                log.warning("indicator job %s taken over from a worker that stopped", job.pk)
                return job
        elif time.monotonic() > deadline:
            return None
        time.sleep(min(jobstate.heartbeat_seconds(), 1.0))
        job.refresh_from_db()


def run_job(job_id: int, *, take_over: bool = False) -> bool:
    """Claim the job and do it; False when someone else had claimed it. Never raises for a failed job.

    With `take_over` (the task) a running job whose heartbeat went stale is taken from its dead worker."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None:
        return False
    if take_over and job.status == JobStatus.RUNNING:
        job = _take_over(job)
        if job is None:
            return False
    if job.status != JobStatus.QUEUED or not job_move(job, JobStatus.RUNNING):
        return False
    _clear_leftovers(job)
    # Progress, messages and errors are stored as text: write them in the language of who started the job, whichever
    # process does it.
    language = job.created_by.language if job.created_by_id else settings.LANGUAGE_CODE
    with translation.override(language), _Heartbeat(job):
        try:
            WORKERS[job.kind](job)
        except Exception as error:  # the job records the failure; the worker goes on with the next one
            log.exception("indicator job %s failed", job.pk)
            current = Job.objects.filter(pk=job.pk).first()
            if current and current.status == JobStatus.RUNNING and current.claimed_at == job.claimed_at:
                jobstate.job_fail(job, message=_("The job failed: %(error)s") % {"error": error})
    job.refresh_from_db()
    if job.is_finished:
        jobstate.remove_staging(job)
    return True


def _requeue(now=None) -> list[int]:
    limit = (now or timezone.now()) - stale_after()
    requeued = []
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat__lt=limit):
        if job_move(job, JobStatus.QUEUED, progress=0.0, message=""):
            log.warning("indicator job %s put back in the queue (its worker stopped beating)", job.pk)
            requeued.append(job.pk)
    return requeued


def requeue_stale(now=None) -> int:
    """Jobs left running by a worker that died go back to the queue (heartbeat older than the stale limit)."""
    return len(_requeue(now))


def sweep_orphans(now=None) -> int:
    """Remove the folders under the storage root that no data set, run or live job points at (left by a worker
    that was killed); returns how many. Folders younger than the stale limit are left alone: their job may have
    been claimed a moment ago."""
    now = now or timezone.now()
    root = storage_root()
    live = list(Job.objects.filter(status__in=[JobStatus.QUEUED, JobStatus.RUNNING]))
    live_ids = {job.pk for job in live if job.status == JobStatus.QUEUED or not is_stale(job, now)}
    staging = {Path(job.params.get("source", "")).name for job in live if job.params.get("staged")}
    referenced = {Path(path).parts[-1] for path in Dataset.objects.values_list("path", flat=True) if path}
    referenced |= {Path(path).parts[-2] for path in Run.objects.values_list("results_path", flat=True) if path}
    young = now.timestamp() - stale_after().total_seconds()
    removed = 0
    for folder in ("datasets", "runs", "uploads"):
        parent = root / folder
        if not parent.is_dir():
            continue
        for entry in parent.iterdir():
            match = JOB_FOLDER.match(entry.name)
            keep = (
                entry.name in referenced
                or (match and int(match.group(1)) in live_ids)
                or (folder == "uploads" and entry.name in staging)
                or entry.stat().st_mtime > young
            )
            if not keep:
                shutil.rmtree(entry, ignore_errors=True) if entry.is_dir() else entry.unlink(missing_ok=True)
                removed += 1
    return removed


def recover(now=None) -> tuple[list[int], int]:
    """Stale jobs back to the queue and orphan folders removed: (the requeued job ids, folders removed)."""
    return _requeue(now), sweep_orphans(now)


def run_pending(limit: int | None = None) -> int:
    """Do queued jobs, oldest first; returns how many this worker did (others may take some of them)."""
    done = 0
    for job_id in Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "pk").values_list("pk", flat=True):
        if limit is not None and done >= limit:
            break
        done += run_job(job_id)
    return done
