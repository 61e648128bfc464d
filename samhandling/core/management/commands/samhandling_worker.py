"""Run background tasks: django-tasks-db's worker, plus a heartbeat, recovery of tasks whose worker died, and the
periodic tasks. Run as many as you like (docs/operations.md); each task and each periodic slot is taken once."""

import logging
import os
import socket
import threading

from django.core.management.base import BaseCommand
from django.db import connection
from django.utils.crypto import get_random_string
from django.utils.module_loading import autodiscover_modules
from django_tasks_db.management.commands.db_worker import Worker

from samhandling.core import queue

log = logging.getLogger("samhandling.worker")


class Command(BaseCommand):
    help = "Run background tasks (imports, indicator runs, e-mail, webhooks, reminders) and periodic jobs."

    def add_arguments(self, parser):
        parser.add_argument("--queue-name", default="default", help="Queues to take, comma-separated ('*' for all).")
        parser.add_argument("--interval", type=float, default=1.0, help="Seconds between looks when idle.")
        parser.add_argument("--batch", action="store_true", help="Run what is queued, then stop.")
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--heartbeat", type=float, default=queue.HEARTBEAT_SECONDS, help="Seconds between beats.")
        parser.add_argument("--no-periodic", action="store_true", help="Do not enqueue the periodic tasks.")
        parser.add_argument("--worker-id", default="")

    def handle(self, *args, **options):
        queue.mark_worker_process()
        autodiscover_modules("tasks")  # registers every app's tasks and periodic schedules
        worker_id = options["worker_id"] or f"{socket.gethostname()[:20]}-{os.getpid()}-{get_random_string(8)}"
        heartbeat = options["heartbeat"]
        hostname, pid = socket.gethostname(), os.getpid()
        # Beat and recover once before taking anything, so a restarted worker picks up what its predecessor left.
        queue.beat(worker_id, hostname=hostname, pid=pid)
        recovered = queue.recover_stale_tasks(heartbeat=heartbeat)
        if recovered:
            self.stdout.write(f"{recovered} task(s) left by a stopped worker put back in the queue.")
        if not options["no_periodic"]:
            queue.enqueue_due_periodic()
        stop = threading.Event()
        keeper = threading.Thread(
            target=self._keep_alive,
            args=(worker_id, hostname, pid, heartbeat, not options["no_periodic"], stop),
            name="samhandling-heartbeat",
            daemon=True,
        )
        keeper.start()
        worker = Worker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name="default",
            startup_delay=False,
            max_tasks=options["max_tasks"],
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        worker.configure_signals()
        self.stdout.write(f"Worker {worker_id} started.")
        try:
            worker.run()
        finally:
            stop.set()
            keeper.join(timeout=heartbeat * 2)
            queue.worker_stopped(worker_id)

    def _keep_alive(self, worker_id, hostname, pid, heartbeat, with_periodic, stop) -> None:
        """Beat, recover stale tasks and enqueue due periodic tasks, every `heartbeat` seconds, until stopped."""
        try:
            while not stop.wait(heartbeat):
                try:
                    queue.beat(worker_id, hostname=hostname, pid=pid)
                    queue.recover_stale_tasks(heartbeat=heartbeat)
                    if with_periodic:
                        queue.enqueue_due_periodic()
                except Exception:  # a locked database or a dropped connection: try again at the next beat
                    log.exception("worker %s: heartbeat failed", worker_id)
                    connection.close()
        finally:
            connection.close()
