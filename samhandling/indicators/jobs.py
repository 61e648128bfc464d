"""The worker for imports and indicator runs: claim a queued job, do the work with progress in the row, store the
outcome through the services. Started in a thread after the web request commits, or by `indicators_jobs` (cron)."""

import logging
import shutil
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import services
from .models import Dataset, Job, JobKind, JobStatus

log = logging.getLogger(__name__)

# A running job that has not reported for this long belongs to a worker that died; it goes back to the queue.
STALE_AFTER = timedelta(minutes=10)
# Progress is written at most this often, so a fast loop never floods the database with updates.
PROGRESS_INTERVAL_SECONDS = 0.5


class Progress:
    """The engine's progress callback: accepts (fraction) or (fraction, message) and writes to the job's row."""

    def __init__(self, job: Job, start: float = 0.0, end: float = 1.0):
        self.job, self.start, self.end = job, start, end
        self.last_write = 0.0

    def __call__(self, fraction: float, message: str = "", *args, **kwargs) -> None:
        now = time.monotonic()
        if now - self.last_write < PROGRESS_INTERVAL_SECONDS and fraction < 1.0:
            return
        self.last_write = now
        scaled = self.start + (self.end - self.start) * max(0.0, min(1.0, float(fraction)))
        services.job_report_progress(self.job, fraction=scaled, message=str(message or ""))


def _import(job: Job) -> None:
    from .engine.dataset import DatasetRefused, prepare_dataset

    target = services.storage_root() / "datasets" / f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        manifest = prepare_dataset(job.params["source"], target, progress=Progress(job))
    except DatasetRefused as refused:
        shutil.rmtree(target, ignore_errors=True)
        errors = [
            {"table": e.table, "row": e.row, "column": e.column, "message": str(e.message)}
            for e in list(refused.errors)[: services.MAX_STORED_ERRORS]
        ]
        total = getattr(refused, "total_errors", len(errors))
        services.dataset_refuse(
            job=job, errors=errors, total_errors=total, message=_("The data set was refused. Nothing was stored.")
        )
        return
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise
    try:
        services.dataset_store(job=job, path=target, manifest=manifest)
    except Exception:
        shutil.rmtree(target, ignore_errors=True)
        raise


def _run(job: Job) -> None:
    from .engine.run import run_indicators

    dataset = Dataset.objects.get(pk=job.params["dataset"])
    out = services.storage_root() / "runs" / f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}"
    out.mkdir(parents=True, exist_ok=True)
    try:
        summary = run_indicators(
            services.storage_root() / dataset.path,
            out,
            years=job.params.get("years") or None,
            engine=job.params.get("engine", "duckdb"),
            progress=Progress(job, 0.0, 0.9),
        )
        services.job_report_progress(job, fraction=0.92, message=_("Loading the results"))
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
            )
        }
        facts["years"] = list(facts["years"] or [])
        services.run_store(job=job, dataset=dataset, summary=facts, results_path=summary.results_path)
    except Exception:
        shutil.rmtree(out, ignore_errors=True)
        raise


WORKERS = {JobKind.IMPORT: _import, JobKind.RUN: _run}


def run_job(job_id: int) -> bool:
    """Claim the job and do it; False when someone else had claimed it. Never raises for a failed job."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != JobStatus.QUEUED or not services.job_move(job, JobStatus.RUNNING):
        return False
    # Progress, messages and errors are stored as text: write them in the language of who started the job, whichever
    # thread or cron process does it.
    language = job.created_by.language if job.created_by_id else settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            WORKERS[job.kind](job)
        except Exception as error:  # the job records the failure; the worker goes on with the next one
            log.exception("indicator job %s failed", job.pk)
            job.refresh_from_db()
            if job.status == JobStatus.RUNNING:
                services.job_fail(job, message=_("The job failed: %(error)s") % {"error": error})
        finally:
            services.remove_staging(job)
    return True


def requeue_stale(now=None) -> int:
    """Jobs left running by a worker that died go back to the queue (heartbeat older than STALE_AFTER)."""
    limit = (now or timezone.now()) - STALE_AFTER
    count = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat__lt=limit):
        count += services.job_move(job, JobStatus.QUEUED, progress=0.0, message="")
    return count


def run_pending(limit: int | None = None) -> int:
    """Do queued jobs, oldest first; returns how many this worker did (others may take some of them)."""
    done = 0
    for job_id in Job.objects.filter(status=JobStatus.QUEUED).order_by("created_at", "pk").values_list("pk", flat=True):
        if limit is not None and done >= limit:
            break
        done += run_job(job_id)
    return done


def _thread_main(job_id: int) -> None:
    try:
        run_job(job_id)
    finally:
        connection.close()  # the thread's own connection; the request's is untouched


def start_in_background(job_id: int) -> None:
    """Start the job in a thread of this web process (INDICATOR_JOBS_IN_WEB = False leaves it to the command)."""
    if not getattr(settings, "INDICATOR_JOBS_IN_WEB", True):
        return
    threading.Thread(target=_thread_main, args=(job_id,), name=f"indicator-job-{job_id}", daemon=True).start()
