"""Background tasks of framskrivning (django-tasks): computing or importing a population, and running a scenario.
Each is idempotent: claims are conditional UPDATEs, and a task run again after its worker died takes the work over
from that worker (the task's context says which workers ran it before)."""

from django_tasks import task

from samhandling.core.queue import enqueue_on_commit


@task(takes_context=True)
def compute_population(context, source_id: int) -> bool:
    from . import work

    return work.compute_source(source_id, work.Attempt.of(context))


@task(takes_context=True)
def run_scenario(context, run_id: int) -> bool:
    from . import work

    return work.run_scenario(run_id, work.Attempt.of(context))


def enqueue_source(source) -> None:
    enqueue_on_commit(compute_population, source.pk)


def enqueue_run(run) -> None:
    enqueue_on_commit(run_scenario, run.pk)
