"""Every write in styringsinformasjon: start an import or a run, move a job through its states, store a data set or
a run's results, publish and unpublish. One transition table per status field, each checked in one function."""

import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import pyarrow.parquet as pq
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from samhandling.core import audit
from samhandling.core.models import User
from samhandling.core.permissions import require

from .models import Dataset, Engine, Job, JobKind, JobStatus, Result, Run, RunStatus

J = JobStatus
# from-status → the statuses a job may move to. A running job whose worker died goes back to the queue.
JOB_TRANSITIONS: dict[str, frozenset[str]] = {
    J.QUEUED: frozenset({J.RUNNING, J.FAILED}),
    J.RUNNING: frozenset({J.DONE, J.FAILED, J.QUEUED}),
    J.DONE: frozenset(),
    J.FAILED: frozenset(),
}

R = RunStatus
RUN_TRANSITIONS: dict[str, frozenset[str]] = {
    R.READY: frozenset({R.PUBLISHED}),
    R.PUBLISHED: frozenset({R.READY}),
}

TABLES = ("opphold", "kontakter", "iplos", "befolkning")
UPLOAD_SUFFIXES = (".csv", ".parquet", ".xlsx")
MAX_STORED_ERRORS = 100
LOAD_BATCH = 5000

audit.register_actions(
    {
        "indicators.import.started": gettext_lazy("Started an import of a data set"),
        "indicators.import.refused": gettext_lazy("A data set was refused"),
        "indicators.dataset.stored": gettext_lazy("Stored a data set"),
        "indicators.run.started": gettext_lazy("Started an indicator run"),
        "indicators.run.stored": gettext_lazy("Stored the results of an indicator run"),
        "indicators.run.failed": gettext_lazy("An indicator run failed"),
        "indicators.run.published": gettext_lazy("Published indicator results"),
        "indicators.run.ready": gettext_lazy("Withdrew published indicator results"),
    }
)


class InvalidTransition(ValidationError):
    pass


def storage_root() -> Path:
    return Path(settings.INDICATOR_STORAGE_ROOT)


def data_root() -> Path:
    return Path(settings.INDICATOR_DATA_ROOT)


def server_folders() -> list[str]:
    """Sub-folders of INDICATOR_DATA_ROOT an analyst may import from (names only; nothing outside the root)."""
    root = data_root()
    if not root.is_dir():
        return []
    return sorted(entry.name for entry in root.iterdir() if entry.is_dir() and not entry.name.startswith("."))


def _start_in_background(job: Job) -> None:
    # Imported here: jobs imports this module for its writes.
    from . import jobs

    transaction.on_commit(lambda: jobs.start_in_background(job.pk))


# --- jobs -------------------------------------------------------------------------------------------------------


def job_move(job: Job, to: str, **fields) -> bool:
    """Move a job to `to` if the table allows it and nobody moved it first (a conditional UPDATE); True if moved.

    The same function claims a queued job, so two workers that race for it cannot both win."""
    if to not in JOB_TRANSITIONS[job.status]:
        raise InvalidTransition(f"job {job.pk}: {job.status} → {to} is not allowed")
    now = timezone.now()
    if to == J.RUNNING:
        fields.setdefault("claimed_at", now)
        fields.setdefault("heartbeat", now)
    if to in (J.DONE, J.FAILED):
        fields.setdefault("finished_at", now)
    moved = Job.objects.filter(pk=job.pk, status=job.status).update(status=to, **fields) == 1
    if moved:
        job.status = to
        for name, value in fields.items():
            setattr(job, name, value)
    return moved


def job_report_progress(job: Job, *, fraction: float, message: str = "") -> None:
    """Progress and heartbeat in the row (only while running: a job that was requeued or failed is left alone)."""
    fraction = max(0.0, min(1.0, float(fraction)))
    Job.objects.filter(pk=job.pk, status=J.RUNNING).update(
        progress=fraction, message=message[:500], heartbeat=timezone.now()
    )
    job.progress, job.message = fraction, message


def job_fail(job: Job, *, message: str, errors: Iterable[dict] = (), total_errors: int = 0) -> None:
    errors = list(errors)[:MAX_STORED_ERRORS]
    job_move(job, J.FAILED, message=message[:2000], errors=errors, total_errors=total_errors or len(errors))


# --- imports ----------------------------------------------------------------------------------------------------


def _upload_table_name(filename: str) -> str:
    path = Path(filename)
    if path.suffix.lower() not in UPLOAD_SUFFIXES or path.stem not in TABLES:
        raise ValidationError(
            {
                "files": _(
                    "“%(name)s” is not a table of the contract. Name each file after its table (opphold, kontakter, "
                    "iplos or befolkning) with .csv, .parquet or .xlsx."
                )
                % {"name": filename}
            }
        )
    return path.stem


def validate_uploads(files: list) -> None:
    """Each file is one table of the contract, and no table comes twice."""
    seen: set[str] = set()
    for upload in files:
        table = _upload_table_name(upload.name)
        if table in seen:
            raise ValidationError({"files": _("The table “%(table)s” was uploaded twice.") % {"table": table}})
        seen.add(table)


@transaction.atomic
def dataset_import_start(*, actor: User, name: str, files: list | None = None, folder: str = "") -> Job:
    """Queue the import of uploaded files (one per table) or of a folder under INDICATOR_DATA_ROOT."""
    require(actor, "indicators.analyse")
    if bool(files) == bool(folder):
        raise ValidationError(_("Upload the files or choose a folder on the server, not both."))
    if files:
        validate_uploads(files)
        staging = storage_root() / "uploads" / uuid.uuid4().hex
        staging.mkdir(parents=True)
        for upload in files:
            with (staging / Path(upload.name).name.lower()).open("wb") as handle:
                for chunk in upload.chunks():
                    handle.write(chunk)
        params = {"source": str(staging), "staged": True, "name": name}
    else:
        if folder not in server_folders():
            raise ValidationError({"folder": _("Choose one of the folders on the server.")})
        params = {"source": str(data_root() / folder), "staged": False, "name": name, "folder": folder}
    job = Job.objects.create(kind=JobKind.IMPORT, params=params, created_by=actor)
    audit.record(actor=actor, action="indicators.import.started", target=job, data={"name": name, "folder": folder})
    _start_in_background(job)
    return job


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


@transaction.atomic
def dataset_store(*, job: Job, path: Path, manifest: dict) -> Dataset:
    """The prepared data set becomes a row; the job is done and points at it."""
    facts = _manifest_facts(manifest)
    dataset = Dataset.objects.create(
        name=job.params.get("name") or path.name,
        version=facts["version"] or path.name,
        manifest=manifest,
        path=str(path.relative_to(storage_root())),
        synthetic=facts["synthetic"],
        row_counts=facts["row_counts"],
        created_by=job.created_by,
    )
    job_move(job, J.DONE, dataset=dataset, progress=1.0, message="")
    audit.record(
        actor=job.created_by, action="indicators.dataset.stored", target=dataset, data={"version": dataset.version}
    )
    return dataset


@transaction.atomic
def dataset_refuse(*, job: Job, errors: list[dict], total_errors: int, message: str) -> None:
    job_fail(job, message=message, errors=errors, total_errors=total_errors)
    audit.record(actor=job.created_by, action="indicators.import.refused", target=job, data={"errors": total_errors})


def remove_staging(job: Job) -> None:
    """Uploaded files are only a way in: once the import has finished either way they are deleted."""
    if job.params.get("staged"):
        shutil.rmtree(job.params["source"], ignore_errors=True)


# --- runs -------------------------------------------------------------------------------------------------------


def available_engines() -> list[str]:
    engines = [Engine.DUCKDB.value]
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return engines
    return [*engines, Engine.SPARK.value]


@transaction.atomic
def indicator_run_start(
    *, actor: User, dataset: Dataset, years: list[int] | None = None, engine: str = "duckdb"
) -> Job:
    require(actor, "indicators.analyse")
    if engine not in available_engines():
        raise ValidationError({"engine": _("This engine is not available on the server.")})
    job = Job.objects.create(
        kind=JobKind.RUN,
        dataset=dataset,
        params={"dataset": dataset.pk, "years": sorted(years or []), "engine": engine},
        created_by=actor,
    )
    audit.record(actor=actor, action="indicators.run.started", target=job, data=job.params)
    _start_in_background(job)
    return job


def _read_results(path: Path, run: Run) -> Iterable[Result]:
    """Stream results.parquet in batches (a national run has tens of thousands of rows)."""

    def number(value):
        # NaN from the engine means "no value": the database gets NULL, never a number.
        return None if value is None or value != value else float(value)

    for batch in pq.ParquetFile(path).iter_batches(batch_size=LOAD_BATCH):
        for row in batch.to_pylist():
            yield Result(
                run=run,
                indicator=row["indicator"],
                level=row["level"],
                area=str(row["area"]),
                year=int(row["year"]),
                period=row.get("period") or "1y",
                numerator=number(row["numerator"]) or 0.0,
                denominator=number(row["denominator"]) or 0.0,
                value=number(row["value"]),
                value_std=number(row.get("value_std")),
                suppressed=bool(row["suppressed"]),
            )


@transaction.atomic
def run_store(*, job: Job, dataset: Dataset, summary: dict, results_path: Path) -> Run:
    """Create the run and load every result row in one transaction: a run is either complete or absent."""
    started = timezone.now()
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
    job_move(job, J.DONE, run=run, progress=1.0, message="")
    audit.record(actor=job.created_by, action="indicators.run.stored", target=run, data={"rows": count})
    return run


def _run_transition(run: Run, to: str, *, actor: User) -> None:
    if to not in RUN_TRANSITIONS[run.status]:
        raise InvalidTransition(
            _("A run with status “%(status)s” cannot change to “%(target)s”.")
            % {"status": RunStatus(run.status).label, "target": RunStatus(to).label}
        )
    previous = run.status
    run.status = to
    if to == R.PUBLISHED:
        run.published_at, run.published_by = timezone.now(), actor
    run.save(update_fields=["status", "published_at", "published_by"])
    audit.record(actor=actor, action=f"indicators.run.{to}", target=run, data={"from": previous, "to": to})


@transaction.atomic
def run_publish(*, actor: User, run: Run) -> Run:
    """Make the run the public one; the run published before it is withdrawn in the same transaction."""
    require(actor, "indicators.analyse")
    run = Run.objects.select_for_update().get(pk=run.pk)
    for previous in Run.objects.select_for_update().filter(status=R.PUBLISHED).exclude(pk=run.pk):
        _run_transition(previous, R.READY, actor=actor)
    _run_transition(run, R.PUBLISHED, actor=actor)
    return run


@transaction.atomic
def run_unpublish(*, actor: User, run: Run) -> Run:
    require(actor, "indicators.analyse")
    run = Run.objects.select_for_update().get(pk=run.pk)
    _run_transition(run, R.READY, actor=actor)
    return run
