"""Background tasks of styringsinformasjon (django-tasks): an import, an indicator run, and the periodic recovery
of jobs whose worker died. Each is idempotent: run twice, a job is still done once (claims are conditional UPDATEs),
and a task run again after its worker was killed takes its job over from the dead worker."""

from datetime import timedelta

from django_tasks import task

from samhandling.core.queue import enqueue_on_commit, periodic

from . import jobs
from .models import Job, JobKind


@task()
def import_dataset(job_id: int) -> bool:
    """Validate and store a data set (the job holds where it comes from)."""
    return jobs.run_job(job_id, take_over=True)


@task()
def run_indicators(job_id: int) -> bool:
    """Compute the indicator catalogue on a stored data set and load its results."""
    return jobs.run_job(job_id, take_over=True)


TASKS = {JobKind.IMPORT: import_dataset, JobKind.RUN: run_indicators}


def enqueue_job(job: Job) -> None:
    """The job's task, enqueued when the surrounding transaction commits."""
    enqueue_on_commit(TASKS[job.kind], job.pk)


@periodic(every=timedelta(minutes=5))
@task()
def recover_jobs() -> int:
    """Jobs left running by a worker that stopped go back to the queue with a task of their own (for jobs whose task
    is gone, say after a restore); folders no row points at are removed."""
    requeued, _removed = jobs.recover()
    for job in Job.objects.filter(pk__in=requeued):
        TASKS[job.kind].enqueue(job.pk)
    return len(requeued)
