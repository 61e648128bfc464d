"""The task queue under faults: a worker killed with SIGKILL in the middle of a task leaves it RUNNING; the next
worker sees that its heartbeat stopped, puts the task back, and runs it to SUCCESSFUL. Periodic slots are taken once
however many workers ask, and a live worker's long task is never taken from it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from samhandling.core import queue
from samhandling.core.models import PeriodicSchedule, WorkerHeartbeat
from tests.core import queue_tasks
from tests.workers import DATABASE_TASKS, kill, start_worker, stop, wait_for


@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_killed_worker_is_run_again_by_the_next_worker(tmp_path, settings):
    settings.TASKS = DATABASE_TASKS
    log = tmp_path / "worker.log"
    (tmp_path / "hold").touch()
    result = queue_tasks.record_run.enqueue(str(tmp_path))
    runs = tmp_path / "runs"

    first = start_worker(log)
    second = None
    try:
        wait_for(runs.exists, "the first worker to start the task", log, timeout=15)
        assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"
        kill(first)
        assert DBTaskResult.objects.get(pk=result.id).status == "RUNNING"  # nobody finished it

        (tmp_path / "hold").unlink()
        second = start_worker(log)

        def finished() -> bool:
            return DBTaskResult.objects.get(pk=result.id).status not in {"RUNNING", "READY"}

        wait_for(finished, "the second worker to finish the task", log, timeout=20)
    finally:
        for worker in (first, second):
            if worker is not None:
                stop(worker)

    row = DBTaskResult.objects.get(pk=result.id)
    assert row.status == "SUCCESSFUL", log.read_text(errors="replace")[-3000:]
    pids = runs.read_text().split()
    assert len(pids) == 2
    assert pids[0] == str(first.pid)
    assert pids[1] == str(second.pid) == str(row.return_value)
    assert len(row.worker_ids) == 2  # two workers took it, one after the other
    assert not WorkerHeartbeat.objects.filter(pk=row.worker_ids[-1]).exists()  # the second said goodbye


@pytest.fixture
def periodic_tick():
    # Only this test's task is scheduled: the apps' own periodic tasks are not what is being tested here.
    saved = dict(queue._PERIODIC)
    queue._PERIODIC.clear()
    queue.periodic(every=timedelta(minutes=15))(queue_tasks.tick)
    yield queue_tasks.tick
    queue._PERIODIC.clear()
    queue._PERIODIC.update(saved)


def test_a_periodic_slot_is_enqueued_once_by_two_workers(db, periodic_tick, settings, monkeypatch):
    settings.TASKS = DATABASE_TASKS
    now = timezone.now()
    name = periodic_tick.module_path
    PeriodicSchedule.objects.create(pk=name, next_run_at=now - timedelta(minutes=1))
    # The second worker read the slot before the first claimed it: its conditional UPDATE must find nothing.
    stale = PeriodicSchedule.objects.get(pk=name)
    assert queue.enqueue_due_periodic(now) == [name]
    monkeypatch.setattr(PeriodicSchedule.objects, "get_or_create", lambda **kw: (stale, False))
    assert queue.enqueue_due_periodic(now) == []
    monkeypatch.undo()
    assert queue.enqueue_due_periodic(now + timedelta(minutes=1)) == []  # not due again yet
    assert DBTaskResult.objects.filter(task_path=name).count() == 1
    slot = PeriodicSchedule.objects.get(pk=name)
    assert slot.next_run_at == now + timedelta(minutes=15)
    assert queue.enqueue_due_periodic(now + timedelta(minutes=15)) == [name]
    assert DBTaskResult.objects.filter(task_path=name).count() == 2


def _running_task(worker_id: str, started) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [], "kwargs": {}},
        task_path="tests.core.queue_tasks.tick",
        backend_name="default",
        run_after=started,
        started_at=started,
        worker_ids=[worker_id],
    )


def test_recovery_leaves_the_long_task_of_a_live_worker_alone(db):
    now = timezone.now()
    long_ago = now - timedelta(hours=2)
    queue.beat("alive", hostname="h", pid=1, now=now)
    queue.beat("dead", hostname="h", pid=2, now=now - timedelta(minutes=5))
    kept = _running_task("alive", long_ago)
    lost = _running_task("dead", long_ago)
    unknown = _running_task("never-beat", long_ago)
    just_started = _running_task("new-worker", now)  # its worker may not have beaten yet

    assert queue.recover_stale_tasks(now) == 2

    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses[kept.pk] == "RUNNING"
    assert statuses[just_started.pk] == "RUNNING"
    assert statuses[lost.pk] == statuses[unknown.pk] == "READY"
    assert set(WorkerHeartbeat.objects.values_list("pk", flat=True)) == {"alive"}
    assert queue.recover_stale_tasks(now) == 0  # running it twice changes nothing
