"""The state of imports and runs in the database: moving a job through its workflow (claims are conditional
UPDATEs), its heartbeat and progress, and storing what a finished job produced (a data set, a run's results).

Depends on the models only, so the worker (`jobs`), the tasks and the services can all use it without a cycle.
"""

import shutil
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from samhandling.core import audit, queue

from .engine import intervals
from .engine.catalogue import get as get_indicator
from .models import JOB_WORKFLOW, Dataset, Engine, Job, JobStatus, Result, Run

J = JobStatus
MAX_STORED_ERRORS = 100
LOAD_BATCH = 5000
TERTIALS_FILE = "tertials.parquet"  # written by engine.run beside results.parquet (period T1–T3)
# Progress is written at most this often, so a fast loop never floods the database with updates.
PROGRESS_INTERVAL_SECONDS = 0.5

audit.register_actions(
    {
        "indicators.import.started": gettext_lazy("Started an import of a data set"),
        "indicators.import.refused": gettext_lazy("A data set was refused"),
        "indicators.dataset.stored": gettext_lazy("Stored a data set"),
        "indicators.dataset.period": gettext_lazy("Changed the period a data set covers"),
        "indicators.run.started": gettext_lazy("Started an indicator run"),
        "indicators.run.stored": gettext_lazy("Stored the results of an indicator run"),
        "indicators.run.failed": gettext_lazy("An indicator run failed"),
        "indicators.run.published": gettext_lazy("Published indicator results"),
        "indicators.run.ready": gettext_lazy("Withdrew published indicator results"),
        "indicators.group.created": gettext_lazy("Made a comparison group of municipalities"),
        "indicators.group.deleted": gettext_lazy("Deleted a comparison group of municipalities"),
    }
)


def storage_root() -> Path:
    return Path(settings.INDICATOR_STORAGE_ROOT)


def data_root() -> Path:
    return Path(settings.INDICATOR_DATA_ROOT)


def heartbeat_seconds() -> float:
    """How often a working job beats (the worker's own beat by default)."""
    return float(getattr(settings, "INDICATOR_HEARTBEAT_SECONDS", queue.HEARTBEAT_SECONDS))


def stale_after() -> timedelta:
    """A running job that missed this many beats in a row belongs to a worker that died."""
    return timedelta(seconds=heartbeat_seconds() * queue.STALE_BEATS)


def is_stale(job: Job, now=None) -> bool:
    beat = job.heartbeat or job.claimed_at
    return beat is None or beat < (now or timezone.now()) - stale_after()


# --- the job's status -------------------------------------------------------------------------------------------


def job_move(job: Job, to: str, **fields) -> bool:
    """Move a job to `to` if its workflow allows it and nobody moved it first (a conditional UPDATE); True if moved.

    The same function claims a queued job, so two workers that race for it cannot both win."""
    now = timezone.now()
    if to == J.RUNNING:
        fields.setdefault("claimed_at", now)
        fields.setdefault("heartbeat", now)
    if to in (J.DONE, J.FAILED):
        fields.setdefault("finished_at", now)
    return JOB_WORKFLOW.claim(job, to, **fields)


def job_beat(job: Job) -> bool:
    """The job's heartbeat (only while running); False when the job is no longer running."""
    return bool(Job.objects.filter(pk=job.pk, status=J.RUNNING).update(heartbeat=timezone.now()))


def job_report_progress(job: Job, *, fraction: float, message: str = "") -> None:
    """Progress and heartbeat in the row (only while running: a job that was requeued or failed is left alone)."""
    fraction = max(0.0, min(1.0, float(fraction)))
    Job.objects.filter(pk=job.pk, status=J.RUNNING).update(
        progress=fraction, message=message[:500], heartbeat=timezone.now()
    )
    job.progress, job.message = fraction, message


def job_fail(job: Job, *, message: str, errors: Iterable[dict] = (), total_errors: int = 0) -> bool:
    errors = list(errors)[:MAX_STORED_ERRORS]
    return job_move(job, J.FAILED, message=message[:2000], errors=errors, total_errors=total_errors or len(errors))


class Progress:
    """The engine's progress callback: accepts (fraction) or (fraction, message) and writes to the job's row, which
    is also a heartbeat. INDICATOR_PROGRESS_DELAY (tests only) makes each report sleep, so a fault test can kill the
    worker in the middle of a job."""

    def __init__(self, job: Job, start: float = 0.0, end: float = 1.0):
        self.job, self.start, self.end = job, start, end
        self.last_write = 0.0
        self.delay = float(getattr(settings, "INDICATOR_PROGRESS_DELAY", 0) or 0)

    def __call__(self, fraction: float, message: str = "", *args, **kwargs) -> None:
        from .texts import progress_text

        if self.delay:
            time.sleep(self.delay)
        now = time.monotonic()
        if now - self.last_write < PROGRESS_INTERVAL_SECONDS and fraction < 1.0 and not self.delay:
            return
        self.last_write = now
        scaled = self.start + (self.end - self.start) * max(0.0, min(1.0, float(fraction)))
        job_report_progress(self.job, fraction=scaled, message=progress_text(message or ""))


# --- what a job produced ----------------------------------------------------------------------------------------


def _manifest_facts(manifest: dict) -> dict:
    """Version, synthetic flag and row counts from a manifest written by `engine.dataset.prepare_dataset`."""
    tables = manifest.get("tables") or {}
    counts = {}
    for table, info in tables.items():
        counts[table] = int(info.get("rows", 0)) if isinstance(info, dict) else int(info)
    return {
        "version": str(manifest.get("version") or manifest.get("dataset_version") or "")[:80],
        "synthetic": bool(manifest.get("synthetic", False)),
        "row_counts": counts,
    }


def _still_ours(locked: Job, job: Job) -> bool:
    """The job is still running in this attempt: not finished, not requeued, not taken over by another worker
    (whose claim gave it a new claimed_at)."""
    return locked.status == J.RUNNING and (job.claimed_at is None or locked.claimed_at == job.claimed_at)


@transaction.atomic
def dataset_store(*, job: Job, path: Path, manifest: dict) -> Dataset | None:
    """The prepared data set becomes a row and the job is done, pointing at it; None (nothing stored) when the job
    was taken from this worker meanwhile."""
    facts = _manifest_facts(manifest)
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if not _still_ours(locked, job):
        return None
    job = locked
    period = manifest.get("period") or {}
    dataset = Dataset.objects.create(
        name=job.params.get("name") or path.name,
        version=facts["version"] or path.name,
        manifest=manifest,
        path=str(path.relative_to(storage_root())),
        synthetic=facts["synthetic"],
        row_counts=facts["row_counts"],
        period_start=period.get("first"),
        period_end=period.get("last"),
        created_by=job.created_by,
    )
    job_move(job, J.DONE, dataset=dataset, progress=1.0, message="")
    audit.record(
        actor=job.created_by, action="indicators.dataset.stored", target=dataset, data={"version": dataset.version}
    )
    return dataset


@transaction.atomic
def dataset_refuse(*, job: Job, errors: list[dict], total_errors: int, message: str) -> None:
    if job_fail(job, message=message, errors=errors, total_errors=total_errors):
        audit.record(
            actor=job.created_by, action="indicators.import.refused", target=job, data={"errors": total_errors}
        )


def remove_staging(job: Job) -> None:
    """Uploaded files are only a way in: once the import has finished either way they are deleted."""
    if job.params.get("staged"):
        shutil.rmtree(job.params["source"], ignore_errors=True)


def _read_results(path: Path, run: Run) -> Iterable[Result]:
    """Stream results.parquet in batches (a national run has tens of thousands of rows), each row with its confidence
    limits and its marking against the country (the country's rows are read first, in one small filtered read), then
    tertials.parquet beside it (period T1–T3) in the same way, when the run wrote one."""
    yield from _read_result_file(path, run)
    tertials = path.with_name(TERTIALS_FILE)
    if tertials.exists():
        yield from _read_result_file(tertials, run)


def _read_result_file(path: Path, run: Run) -> Iterable[Result]:
    def number(value):
        # NaN from the engine means "no value": the database gets NULL, never a number.
        return None if value is None or value != value else float(value)

    def clean(row: dict) -> dict:
        return {
            **row,
            **{key: number(row.get(key)) for key in ("numerator", "denominator", "value", "value_std")},
            "value_std_variance": number(row.get("value_std_variance")),
        }

    countries = {
        (row["indicator"], int(row["year"]), row.get("period") or "1y"): clean(row)
        for row in pq.read_table(path, filters=[("level", "=", "land")]).to_pylist()
    }
    for batch in pq.ParquetFile(path).iter_batches(batch_size=LOAD_BATCH):
        for raw in batch.to_pylist():
            row = clean(raw)
            yield Result(
                run=run,
                indicator=row["indicator"],
                level=row["level"],
                area=str(row["area"]),
                year=int(row["year"]),
                period=row.get("period") or "1y",
                numerator=row["numerator"] or 0.0,
                denominator=row["denominator"] or 0.0,
                value=row["value"],
                value_std=row["value_std"],
                suppressed=bool(row["suppressed"]),
                **result_intervals(row, countries.get((row["indicator"], int(row["year"]), row.get("period") or "1y"))),
            )


def result_intervals(row: dict, country: dict | None) -> dict:
    """The stored limits and marking of one result row (engine/intervals.py), by the indicator's unit and direction."""
    try:
        indicator = get_indicator(row["indicator"])
    except KeyError:
        return {}
    return intervals.result_intervals(
        row, country, unit=indicator.unit, factor=indicator.factor, higher_is_better=indicator.higher_is_better
    )


@transaction.atomic
def run_store(*, job: Job, dataset: Dataset, summary: dict, results_path: Path) -> Run | None:
    """Create the run and load every result row in one transaction: a run is either complete or absent. None when
    the job was taken from this worker meanwhile (another worker stores its own results)."""
    started = timezone.now()
    locked = Job.objects.select_for_update().get(pk=job.pk)
    if not _still_ours(locked, job):
        return None
    run = Run.objects.create(
        dataset=dataset,
        definition_version=str(summary.get("definition_version", "")),
        dataset_version=str(summary.get("dataset_version") or dataset.version),
        engine=summary.get("engine", job.params.get("engine", Engine.DUCKDB)),
        years=list(summary.get("years") or job.params.get("years") or []),
        synthetic=bool(summary.get("synthetic", dataset.synthetic)),
        summary=summary,
        results_path=str(results_path.relative_to(storage_root()))
        if results_path.is_relative_to(storage_root())
        else "",
        created_by=job.created_by,
    )
    batch: list[Result] = []
    count = 0
    for result in _read_results(results_path, run):
        batch.append(result)
        if len(batch) >= LOAD_BATCH:
            Result.objects.bulk_create(batch)
            count += len(batch)
            batch = []
    Result.objects.bulk_create(batch)
    count += len(batch)
    run.summary = {**summary, "loaded_rows": count, "load_seconds": (timezone.now() - started).total_seconds()}
    run.save(update_fields=["summary"])
    job.status = locked.status
    job_move(job, J.DONE, run=run, progress=1.0, message="")
    audit.record(actor=job.created_by, action="indicators.run.stored", target=run, data={"rows": count})
    return run
