"""Recovery of jobs whose worker died: the stale limit is counted in heartbeats, a working job beats while it works
(not only when it reports progress), and folders that no data set, run or live job points at are removed."""

import os
import threading
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from samhandling.core import queue
from samhandling.indicators import jobs, jobstate
from samhandling.indicators.models import Dataset, Job, JobKind, JobStatus


@pytest.fixture
def storage(settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    return tmp_path / "store"


def test_the_stale_limit_is_six_missed_heartbeats(demo, settings):
    settings.INDICATOR_HEARTBEAT_SECONDS = 2
    job = Job.objects.create(kind=JobKind.RUN, params={})
    jobstate.job_move(job, JobStatus.RUNNING)
    assert jobs.requeue_stale(now=job.heartbeat + timedelta(seconds=11)) == 0
    assert jobs.requeue_stale(now=job.heartbeat + timedelta(seconds=13)) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


@pytest.mark.django_db(transaction=True)
def test_a_job_beats_while_it_works_without_reporting_progress(demo, settings, monkeypatch):
    settings.INDICATOR_HEARTBEAT_SECONDS = 0.2
    monkeypatch.setattr(queue, "_IN_WORKER", True)  # as in samhandling_worker
    beats = []

    def long_silent_step(job):
        for _ in range(6):
            time.sleep(0.25)
            beats.append(Job.objects.get(pk=job.pk).heartbeat)
        jobstate.job_move(job, JobStatus.DONE)

    monkeypatch.setitem(jobs.WORKERS, JobKind.RUN, long_silent_step)
    job = Job.objects.create(kind=JobKind.RUN, params={})
    assert jobs.run_job(job.pk)
    assert len(set(beats)) >= 4  # the heartbeat moved on during the step
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_a_task_run_again_takes_over_a_job_whose_heartbeat_went_stale(demo, settings, monkeypatch):
    settings.INDICATOR_HEARTBEAT_SECONDS = 0.05
    done = []
    monkeypatch.setitem(jobs.WORKERS, JobKind.IMPORT, lambda job: done.append(job.pk) or jobstate.job_move(job, "done"))
    job = Job.objects.create(kind=JobKind.IMPORT, params={})
    jobstate.job_move(job, JobStatus.RUNNING, heartbeat=timezone.now() - timedelta(seconds=5))
    assert jobs.run_job(job.pk) is False  # the cron path never takes a running job
    assert jobs.run_job(job.pk, take_over=True) is True
    assert done == [job.pk] and Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_a_task_leaves_a_job_that_keeps_beating_alone(demo, settings, monkeypatch):
    settings.INDICATOR_HEARTBEAT_SECONDS = 0.05
    monkeypatch.setattr(jobstate, "is_stale", lambda job, now=None: False)
    monkeypatch.setattr(jobs, "is_stale", lambda job, now=None: False)
    job = Job.objects.create(kind=JobKind.IMPORT, params={})
    jobstate.job_move(job, JobStatus.RUNNING)
    assert jobs.run_job(job.pk, take_over=True) is False
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def _old(path, seconds=3600):
    path.mkdir(parents=True, exist_ok=True)
    stamp = time.time() - seconds
    os.utime(path, (stamp, stamp))
    return path


def test_folders_no_row_points_at_are_removed_and_the_others_kept(demo, storage):
    kept = _old(storage / "datasets" / "job-1-aaaa")
    Dataset.objects.create(name="x", version="v", path="datasets/job-1-aaaa")
    live = Job.objects.create(kind=JobKind.RUN, params={})
    jobstate.job_move(live, JobStatus.RUNNING)
    working = _old(storage / "runs" / f"job-{live.pk}-bbbb")
    dead = Job.objects.create(kind=JobKind.RUN, status=JobStatus.FAILED, params={})
    orphans = [
        _old(storage / "runs" / f"job-{dead.pk}-cccc"),
        _old(storage / "datasets" / f".job-{dead.pk}-dddd.x1y2"),
        _old(storage / "datasets" / "20250101-120000-abcdef12"),
        _old(storage / "uploads" / "0123456789abcdef"),
    ]
    young = storage / "runs" / "job-999999-eeee"
    young.mkdir(parents=True)
    requeued, removed = jobs.recover()
    assert removed == len(orphans) and requeued == []
    assert kept.exists() and working.exists() and young.exists()
    assert not any(path.exists() for path in orphans)


def test_a_worker_whose_job_was_taken_over_stores_nothing(demo, storage):
    from samhandling.indicators.models import Run

    job = Job.objects.create(kind=JobKind.RUN, params={})
    jobstate.job_move(job, JobStatus.RUNNING)
    mine = Job.objects.get(pk=job.pk)  # this worker's view of its claim
    later = timezone.now() + timedelta(seconds=1)
    Job.objects.filter(pk=job.pk).update(claimed_at=later)  # another worker took it over and claimed it again
    dataset = Dataset.objects.create(name="x", version="v", path="datasets/x")
    stored = jobstate.dataset_store(job=mine, path=storage / "datasets" / "x", manifest={"version": "v"})
    assert stored is None and Dataset.objects.count() == 1
    assert jobstate.run_store(job=mine, dataset=dataset, summary={}, results_path=storage / "r.parquet") is None
    assert not Run.objects.exists() and Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


@pytest.mark.django_db(transaction=True)
def test_a_web_process_running_a_job_at_once_starts_no_heartbeat_thread(demo, monkeypatch):
    started = []
    monkeypatch.setattr(threading.Thread, "start", lambda self: started.append(self.name))
    monkeypatch.setitem(jobs.WORKERS, JobKind.RUN, lambda job: jobstate.job_move(job, JobStatus.DONE))
    job = Job.objects.create(kind=JobKind.RUN, params={})
    assert not queue.in_worker()
    assert jobs.run_job(job.pk)
    assert started == []
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE
