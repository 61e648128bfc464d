"""Do queued imports and indicator runs without a task worker, for installations that prefer cron (each job is
claimed with a conditional UPDATE, so this command, a second copy of it and `samhandling_worker` never do one job
twice). First puts back the jobs of a worker that died and removes folders no row points at. `--wait` keeps polling."""

import time

from django.core.management.base import BaseCommand

from samhandling.indicators import jobs


class Command(BaseCommand):
    help = "Run queued indicator jobs (imports and runs); safe to start from cron and to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--wait", action="store_true", help="Keep running and poll for new jobs.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between polls with --wait.")
        parser.add_argument("--limit", type=int, default=None, help="Do at most this many jobs per poll.")

    def handle(self, *args, wait: bool, interval: float, limit: int | None, **options):
        while True:
            requeued, removed = jobs.recover()
            if requeued:
                self.stdout.write(f"Requeued {len(requeued)} job(s) whose worker had stopped.")
            if removed:
                self.stdout.write(f"Removed {removed} folder(s) that no data set or run pointed at.")
            done = jobs.run_pending(limit=limit)
            self.stdout.write(f"Did {done} job(s).")
            if not wait:
                return
            time.sleep(interval)
