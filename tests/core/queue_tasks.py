"""Tasks for the queue fault tests, importable by a worker subprocess (`tests.core.queue_tasks.record_run`).

`record_run` appends its process id to a file and then sleeps while a marker file exists, so a test can kill the
worker in the middle of it and see whether another worker runs it again.
"""

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def record_run(directory: str) -> int:
    folder = Path(directory)
    with (folder / "runs").open("a", encoding="utf-8") as handle:
        handle.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 30
    while (folder / "hold").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return os.getpid()


@task()
def tick() -> None:
    """A periodic task for the slot tests (never run by them)."""
