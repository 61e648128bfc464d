"""The worker side of framskrivning: claim a queued population or scenario run with a conditional UPDATE (or take
one over from a worker that stopped), compute it with the engine, store the result as Parquet and record the
outcome. Called by the tasks in `tasks.py`; idempotent, so a task run twice does the work once."""

import hashlib
import logging
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samhandling.core import queue
from samhandling.indicators.engine import areas
from samhandling.indicators.engine.backends import connect
from samhandling.indicators.jobstate import storage_root

from .engine import need as need_engine
from .engine import population as population_engine
from .engine import scenario as scenario_engine
from .engine.ssb import ProjectionRefused, read_projection
from .models import RUN_WORKFLOW, SOURCE_WORKFLOW, PopulationSource, ScenarioRun, SourceKind, WorkStatus
from .texts import read_error_text

log = logging.getLogger(__name__)
W = WorkStatus


def _folder(kind: str, pk: int) -> Path:
    return storage_root() / "projections" / kind / f"{kind[:-1]}-{pk}-{uuid.uuid4().hex[:8]}"


def _clear_leftovers(kind: str, pk: int) -> None:
    """What an earlier attempt at this row left (its worker died before recording the outcome): folders that no row
    points at, however far it had written them."""
    parent = storage_root() / "projections" / kind
    if parent.is_dir():
        for entry in parent.glob(f"{kind[:-1]}-{pk}-*"):
            shutil.rmtree(entry, ignore_errors=True)


@dataclass(frozen=True)
class Attempt:
    """Which worker runs the task now and which ran it before (django-tasks re-delivers a task whose worker stopped
    beating; the earlier workers are then dead). Empty outside a worker (the immediate backend)."""

    worker: str = ""
    earlier: tuple[str, ...] = ()

    @classmethod
    def of(cls, context) -> "Attempt":
        workers = list(getattr(getattr(context, "task_result", None), "worker_ids", None) or [])
        return cls(worker=workers[-1], earlier=tuple(workers[:-1])) if workers else cls()


def _claim(workflow, obj, kind: str, attempt: Attempt) -> bool:
    """Queued → running. A running row is taken over (back to the queue, what its attempt left removed, then claimed
    like any other) when the worker that claimed it ran an earlier attempt of this very task, which the queue gave
    up on because that worker stopped beating; or, when no worker is known, when the claim is older than the stale
    limit."""
    now = timezone.now()
    if obj.status == W.RUNNING:
        dead = bool(obj.claimed_by) and obj.claimed_by in attempt.earlier
        where = Q(claimed_at=obj.claimed_at) if dead else Q(claimed_at__lt=queue.stale_limit(now))
        if not workflow.claim(obj, W.QUEUED, where=where):
            return False
        log.warning("%s %s taken over from a worker that stopped", kind[:-1], obj.pk)
        _clear_leftovers(kind, obj.pk)
    if obj.status != W.QUEUED:
        return False
    return workflow.claim(obj, W.RUNNING, claimed_at=now, claimed_by=attempt.worker[:100])


def _pause() -> None:
    """Between the steps of a run: INDICATOR_PROGRESS_DELAY (tests only) lets a fault test kill the worker there."""
    delay = float(getattr(settings, "INDICATOR_PROGRESS_DELAY", 0) or 0)
    if delay:
        time.sleep(delay)


def _finish(workflow, obj, to: str, **fields) -> bool:
    """Record the outcome unless another worker took the row over meanwhile (its claim time changed)."""
    return workflow.claim(obj, to, where=Q(claimed_at=obj.claimed_at), finished_at=timezone.now(), **fields)


def _memory_limit() -> str:
    return getattr(settings, "INDICATOR_MEMORY_LIMIT", "4GB")


# --- populations ------------------------------------------------------------------------------------------------


def _version(path: Path) -> str:
    """The stored file's content hash: the same population gives the same version."""
    digest = hashlib.sha256()
    with path.open("rb") as stored:
        for block in iter(lambda: stored.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:12]


def _compute_builtin(source: PopulationSource, out: Path) -> pa.Table:
    parameters = source.parameters
    settings_ = population_engine.Settings(
        base_years=tuple(parameters["base_years"]),
        to_year=int(parameters["to_year"]),
        shrinkage=float(parameters.get("shrinkage", population_engine.DEFAULT_SHRINKAGE)),
    )
    population = areas.reference_population()
    base = population.filter(pc.is_in(population["aar"], pa.array(settings_.base_years, pa.int64())))
    backend = connect("duckdb", memory_limit=_memory_limit(), temp_directory=out / "tmp")
    try:
        return population_engine.project_population(backend, base, settings=settings_)
    finally:
        backend.close()
        shutil.rmtree(out / "tmp", ignore_errors=True)


def compute_source(source_id: int, attempt: Attempt | None = None) -> bool:
    """Compute (built-in) or read (SSB) a population source; False when someone else had it."""
    source = PopulationSource.objects.filter(pk=source_id).first()
    if source is None or not _claim(SOURCE_WORKFLOW, source, "populations", attempt or Attempt()):
        return False
    out = _folder("populations", source.pk)
    out.mkdir(parents=True, exist_ok=True)
    language = source.created_by.language if source.created_by_id else settings.LANGUAGE_CODE
    with translation.override(language):
        try:
            if source.kind == SourceKind.BUILTIN:
                table = _compute_builtin(source, out)
            else:
                table = read_projection(storage_root() / source.upload_path, alternative=source.alternative or None)
            pq.write_table(table, out / "population.parquet")
            years = table["aar"].to_pylist()
            stored = _finish(
                SOURCE_WORKFLOW,
                source,
                W.DONE,
                path=str((out / "population.parquet").relative_to(storage_root())),
                version=_version(out / "population.parquet"),
                first_year=min(years),
                last_year=max(years),
                message="",
            )
        except ProjectionRefused as refused:
            shutil.rmtree(out, ignore_errors=True)
            errors = [
                {"row": e.row, "column": e.column, "code": e.code, "params": e.params, "message": read_error_text(e)}
                for e in refused.errors
            ]
            _finish(
                SOURCE_WORKFLOW,
                source,
                W.FAILED,
                errors=errors,
                total_errors=refused.total_errors,
                message=_("The file was refused. Nothing was stored."),
            )
            return True
        except Exception as error:
            log.exception("population source %s failed", source.pk)
            shutil.rmtree(out, ignore_errors=True)
            _finish(SOURCE_WORKFLOW, source, W.FAILED, message=_("The work failed: %(error)s") % {"error": error})
            return True
    if not stored:
        shutil.rmtree(out, ignore_errors=True)
    elif source.upload_path:
        (storage_root() / source.upload_path).unlink(missing_ok=True)
    return True


def read_population(source: PopulationSource, **filters) -> pa.Table:
    """The stored population of a finished source, optionally filtered on equal columns (level, area …)."""
    expressions = [(name, "=", value) for name, value in filters.items()]
    return pq.read_table(storage_root() / source.path, filters=expressions or None)


# --- scenario runs ----------------------------------------------------------------------------------------------


def _scenario(inputs: dict) -> scenario_engine.Scenario:
    spec = inputs["scenario"]
    capacity = spec["capacity"]
    users = [s.id for s in need_engine.SERVICES if s.capacity == need_engine.FTE]
    return scenario_engine.Scenario(
        base_year=max(spec["base_years"]),
        factors=tuple(scenario_engine.Factor(**factor) for factor in spec["factors"]),
        capacity=scenario_engine.Capacity(
            occupancy=capacity["occupancy"] / 100,
            room_days=capacity["room_days"],
            room_hours=capacity["room_hours"],
            contact_minutes=capacity["contact_minutes"],
            fte_per_user=dict.fromkeys(users, capacity["fte_per_user"]),
        ),
        draws=int(inputs["draws"]),
        seed=int(inputs["seed"]),
    )


def run_scenario(run_id: int, attempt: Attempt | None = None) -> bool:
    """Compute a run and record it. Its results are written to a folder of their own and become the run's only when
    the outcome is recorded, so a worker killed anywhere in between leaves no results anyone reads; the next attempt
    removes that folder and starts again."""
    run = ScenarioRun.objects.select_related("scenario__population", "scenario__dataset").filter(pk=run_id).first()
    if run is None or not _claim(RUN_WORKFLOW, run, "runs", attempt or Attempt()):
        return False
    out = _folder("runs", run.pk)
    out.mkdir(parents=True, exist_ok=True)
    language = run.created_by.language if run.created_by_id else settings.LANGUAGE_CODE
    started = time.perf_counter()
    with translation.override(language):
        try:
            inputs = run.inputs
            source = PopulationSource.objects.get(pk=inputs["population"]["id"])
            dataset = run.scenario.dataset
            spec = inputs["scenario"]
            settings_ = need_engine.NeedSettings(base_years=tuple(spec["base_years"]), to_year=spec["to_year"])
            projection = read_population(source)
            backend = connect("duckdb", memory_limit=_memory_limit(), temp_directory=out / "tmp")
            try:
                demand = need_engine.project_need(
                    backend, storage_root() / dataset.path, projection, settings=settings_
                )
            finally:
                backend.close()
                shutil.rmtree(out / "tmp", ignore_errors=True)
            computed = time.perf_counter()
            _pause()
            result = scenario_engine.apply(demand, _scenario(inputs))
            pq.write_table(result, out / "results.parquet")
            _pause()
            summary = {
                "rows": result.num_rows,
                "seconds_demand": round(computed - started, 3),
                "seconds_scenario": round(time.perf_counter() - computed, 3),
                "services": sorted(set(result["service"].to_pylist())),
            }
            stored = _finish(
                RUN_WORKFLOW,
                run,
                W.DONE,
                results_path=str((out / "results.parquet").relative_to(storage_root())),
                summary=summary,
                message="",
            )
        except Exception as error:
            log.exception("scenario run %s failed", run.pk)
            shutil.rmtree(out, ignore_errors=True)
            _finish(RUN_WORKFLOW, run, W.FAILED, message=_("The run failed: %(error)s") % {"error": error})
            return True
    if not stored:
        shutil.rmtree(out, ignore_errors=True)
    return True


def read_results(run: ScenarioRun, **filters) -> pa.Table:
    expressions = [(name, "=", value) for name, value in filters.items()]
    return pq.read_table(storage_root() / run.results_path, filters=expressions or None)
