"""A real task worker in a subprocess, for the tests that kill one with -9 in the middle of its work (the queue, an
indicator import or run, a projection run). It runs on the test's own database with the database task backend,
beats its heart every 0.5 s and appends its output to a log file that a failed wait quotes."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.conftest import database_url_for_subprocess

ROOT = Path(__file__).resolve().parents[1]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def start_worker(log: Path, **env: str) -> subprocess.Popen:
    """A worker process (no periodic jobs, polling every 0.2 s); `env` adds settings such as a storage root."""
    environment = {
        **os.environ,
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "DATABASE_URL": database_url_for_subprocess(),
        **env,
    }
    command = [sys.executable, "manage.py", "samhandling_worker", "--no-periodic", "--heartbeat", "0.5"]
    command += ["--interval", "0.2"]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log.open("ab"), stderr=subprocess.STDOUT)


def _log_tail(log: Path) -> str:
    return log.read_text(errors="replace")[-3000:] if log.exists() else ""


def wait_for(
    condition: Callable[[], Any], what: str, log: Path, *, timeout: float, worker: subprocess.Popen | None = None
) -> Any:
    """What `condition` returns once it is true; fails with the worker's log when time runs out or `worker` stops."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        if worker is not None and worker.poll() is not None:
            raise AssertionError(f"the worker stopped:\n{_log_tail(log)}")
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}; worker log:\n{_log_tail(log)}")


def kill(worker: subprocess.Popen) -> None:
    """kill -9, as a crash or an out-of-memory killer would."""
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=5)


def stop(worker: subprocess.Popen) -> None:
    """A graceful stop (SIGTERM), and SIGKILL if the worker has not stopped within 10 s."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
