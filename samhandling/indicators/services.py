"""Every write in styringsinformasjon that a person starts: an import or a run (queued as tasks on commit), the
period a data set covers, publishing and unpublishing. What a worker writes (job states, storing a data set or a
run's results) is in `jobstate`, re-exported here for the management commands and the tests."""

import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core import audit
from samhandling.core.models import User
from samhandling.core.permissions import require
from samhandling.core.workflow import TransitionError

from . import tasks
from .jobstate import (  # noqa: F401  (re-exported: the commands and tests use them through the services)
    MAX_STORED_ERRORS,
    data_root,
    dataset_refuse,
    dataset_store,
    job_fail,
    job_move,
    job_report_progress,
    remove_staging,
    run_store,
    storage_root,
)
from .models import RUN_WORKFLOW, ComparisonGroup, Dataset, Engine, Job, JobKind, JobStatus, Run, RunStatus

J = JobStatus
R = RunStatus

TABLES = ("opphold", "kontakter", "iplos", "befolkning")
UPLOAD_SUFFIXES = (".csv", ".parquet", ".xlsx")

InvalidTransition = TransitionError


def server_folders() -> list[str]:
    """Sub-folders of INDICATOR_DATA_ROOT an analyst may import from (names only; nothing outside the root)."""
    root = data_root()
    if not root.is_dir():
        return []
    return sorted(entry.name for entry in root.iterdir() if entry.is_dir() and not entry.name.startswith("."))


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
    tasks.enqueue_job(job)
    return job


@transaction.atomic
def dataset_set_period(*, actor: User, dataset: Dataset, first: int, last: int) -> Dataset:
    """Change the whole years a data set covers (detected at import); later runs cover only these years."""
    require(actor, "indicators.analyse")
    if first > last:
        raise ValidationError({"last": _("The last year cannot come before the first.")})
    present = [int(year) for year in dataset.manifest.get("years") or []]
    if present and (first < min(present) or last > max(present)):
        raise ValidationError(
            _("The data set holds records from %(first)s to %(last)s only.")
            % {"first": min(present), "last": max(present)}
        )
    previous = (dataset.period_start, dataset.period_end)
    dataset.period_start, dataset.period_end = first, last
    dataset.save(update_fields=["period_start", "period_end"])
    audit.record(
        actor=actor,
        action="indicators.dataset.period",
        target=dataset,
        data={"from": list(previous), "to": [first, last]},
    )
    return dataset


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
    """Queue a run of the catalogue on `dataset` for `years` (by default every whole year the data set covers)."""
    require(actor, "indicators.analyse")
    if engine not in available_engines():
        raise ValidationError({"engine": _("This engine is not available on the server.")})
    covered = dataset.period_years
    years = sorted(set(years or covered))
    outside = [year for year in years if covered and year not in covered]
    if outside:
        raise ValidationError(
            {
                "years": _(
                    "The data set covers %(first)s–%(last)s; %(years)s lie outside. Change the data set's period "
                    "if it covers more."
                )
                % {"first": covered[0], "last": covered[-1], "years": ", ".join(map(str, outside))}
            }
        )
    job = Job.objects.create(
        kind=JobKind.RUN,
        dataset=dataset,
        params={"dataset": dataset.pk, "years": years, "engine": engine},
        created_by=actor,
    )
    audit.record(actor=actor, action="indicators.run.started", target=job, data=job.params)
    tasks.enqueue_job(job)
    return job


def _run_move(run: Run, to: str, *, actor: User) -> None:
    if to == R.PUBLISHED:
        run.published_at, run.published_by = timezone.now(), actor
    RUN_WORKFLOW.move(run, to, actor=actor)


@transaction.atomic
def run_publish(*, actor: User, run: Run) -> Run:
    """Make the run the public one; the run published before it is withdrawn in the same transaction."""
    run = Run.objects.select_for_update().get(pk=run.pk)
    RUN_WORKFLOW.require(actor, run, "publish")
    for previous in Run.objects.select_for_update().filter(status=R.PUBLISHED).exclude(pk=run.pk):
        _run_move(previous, R.READY, actor=actor)
    _run_move(run, R.PUBLISHED, actor=actor)
    return run


@transaction.atomic
def run_unpublish(*, actor: User, run: Run) -> Run:
    run = Run.objects.select_for_update().get(pk=run.pk)
    RUN_WORKFLOW.require(actor, run, "unpublish")
    _run_move(run, R.READY, actor=actor)
    return run


# --- comparison groups ------------------------------------------------------------------------------------------


@transaction.atomic
def group_create(*, actor: User, name: str, municipalities: list[str]) -> ComparisonGroup:
    """A named group of municipalities for the actor's own comparisons (at least two, every one a municipality)."""
    from samhandling.core.models import Organisation, OrganisationType

    require(actor, "indicators.manage_groups")
    codes = sorted(set(municipalities))
    known = set(
        Organisation.objects.filter(type=OrganisationType.KOMMUNE, municipality_number__in=codes).values_list(
            "municipality_number", flat=True
        )
    )
    if len(codes) < 2 or known != set(codes):
        raise ValidationError({"municipalities": _("Choose at least two municipalities.")})
    name = name.strip()
    if ComparisonGroup.objects.filter(owner=actor, name=name).exists():
        raise ValidationError({"name": _("You already have a group with this name.")})
    group = ComparisonGroup.objects.create(owner=actor, name=name, municipalities=codes)
    audit.record(actor=actor, action="indicators.group.created", target=group, data={"municipalities": len(codes)})
    return group


@transaction.atomic
def group_delete(*, actor: User, group) -> None:
    require(actor, "indicators.manage_groups", group)
    audit.record(actor=actor, action="indicators.group.deleted", target=group, data={"name": group.name})
    group.delete()
