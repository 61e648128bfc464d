"""Background work through Django's task API (the `django-tasks` backport with the `django-tasks-db` backend).

Services enqueue tasks with `enqueue_on_commit()`, so a rolled-back write starts nothing. `manage.py
samhandling_worker` runs them: it beats a heartbeat, puts back the tasks of a worker that stopped beating (tasks are
idempotent, so running one again is safe), and enqueues the periodic tasks registered with `@periodic`, each slot once
however many workers run. No web request starts a thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

log = logging.getLogger(__name__)

# A worker beats this often; one that missed STALE_BEATS beats in a row is taken for dead.
HEARTBEAT_SECONDS = 5.0
STALE_BEATS = 6


_IN_WORKER = False


def mark_worker_process() -> None:
    """Called by `samhandling_worker` at start: code that may start helper threads (a job's heartbeat) does so only
    in a worker process, never in a web process that runs a task at once (the tests' immediate backend)."""
    global _IN_WORKER
    _IN_WORKER = True


def in_worker() -> bool:
    return _IN_WORKER


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Enqueue `task` once the surrounding transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: task.enqueue(*args, **kwargs))


@dataclass(frozen=True)
class Periodic:
    name: str
    task: Any
    every: timedelta


_PERIODIC: dict[str, Periodic] = {}


def periodic(*, every: timedelta) -> Callable[[Any], Any]:
    """Register a task (already decorated with `@task()`) to be enqueued every `every` by the workers."""

    def register(task: Any) -> Any:
        name = task.module_path
        _PERIODIC[name] = Periodic(name=name, task=task, every=every)
        return task

    return register


def periodic_tasks() -> dict[str, Periodic]:
    return dict(_PERIODIC)


def stale_limit(now: datetime | None = None, *, heartbeat: float = HEARTBEAT_SECONDS) -> datetime:
    return (now or timezone.now()) - timedelta(seconds=heartbeat * STALE_BEATS)


def beat(worker_id: str, *, hostname: str = "", pid: int = 0, now: datetime | None = None) -> None:
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    updated = WorkerHeartbeat.objects.filter(pk=worker_id).update(beat_at=now)
    if not updated:
        WorkerHeartbeat.objects.update_or_create(
            pk=worker_id, defaults={"hostname": hostname[:200], "pid": pid, "started_at": now, "beat_at": now}
        )


def worker_stopped(worker_id: str) -> None:
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(pk=worker_id).delete()


def recover_stale_tasks(now: datetime | None = None, *, heartbeat: float = HEARTBEAT_SECONDS) -> int:
    """Tasks left running by a worker that stopped beating go back to the queue; returns how many. A task's last
    worker id is the one running it."""
    from django_tasks_db.models import DBTaskResult

    from .models import WorkerHeartbeat

    limit = stale_limit(now, heartbeat=heartbeat)
    alive = set(WorkerHeartbeat.objects.filter(beat_at__gte=limit).values_list("pk", flat=True))
    recovered = 0
    for pk, workers, started in DBTaskResult.objects.running().values_list("pk", "worker_ids", "started_at"):
        current = workers[-1] if workers else None
        if current in alive or (started is not None and started >= limit):
            continue  # its worker beats, or it started so lately that its worker may not have beaten yet
        # Conditional: a task that finished meanwhile is left alone.
        recovered += DBTaskResult.objects.filter(pk=pk, status="RUNNING", started_at=started).update(
            status="READY", started_at=None
        )
        log.warning("task %s of worker %s put back in the queue (the worker stopped)", pk, current)
    WorkerHeartbeat.objects.filter(beat_at__lt=limit).delete()
    return recovered


def enqueue_due_periodic(now: datetime | None = None) -> list[str]:
    """Enqueue every periodic task whose slot has come; each slot is claimed by one worker only."""
    from .models import PeriodicSchedule

    now = now or timezone.now()
    enqueued = []
    for name, job in _PERIODIC.items():
        slot, _created = PeriodicSchedule.objects.get_or_create(pk=name, defaults={"next_run_at": now})
        if slot.next_run_at > now:
            continue
        claimed = PeriodicSchedule.objects.filter(pk=name, next_run_at=slot.next_run_at).update(
            next_run_at=now + job.every, last_run_at=now
        )
        if claimed:
            job.task.enqueue()
            enqueued.append(name)
    return enqueued
