"""Give the demo installation published indicator results: a small synthetic data set (fixed seed), prepared,
run on DuckDB, loaded and published through the same services and worker the web pages use. Idempotent."""

import shutil
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from samhandling.core.models import User
from samhandling.indicators import jobs, services
from samhandling.indicators.engine.synthetic import generate
from samhandling.indicators.models import Dataset, JobStatus, Run, RunStatus

DEMO_NAME = "Syntetisk demodatasett"
SCALE, YEARS, SEED = 0.01, [2024, 2025], 20260101


class Command(BaseCommand):
    help = "Generate, import, run and publish a small synthetic indicator data set for the demo (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=SCALE)
        parser.add_argument("--years", type=int, nargs="+", default=YEARS)
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--analyst", default="anders", help="Username of the analyst who does it (demo: anders).")

    def handle(self, *args, scale: float, years: list[int], seed: int, analyst: str, **options):
        started = time.monotonic()
        actor = User.objects.filter(username=analyst, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {analyst!r}: run `manage.py demo` first.")
        name = f"{DEMO_NAME} (skala {scale}, frø {seed})"
        dataset = Dataset.objects.filter(name=name).first()
        if dataset is None:
            dataset = self._import(actor, name, scale=scale, years=years, seed=seed)
        run = Run.objects.filter(dataset=dataset).order_by("-created_at").first()
        if run is None:
            job = services.indicator_run_start(actor=actor, dataset=dataset, years=years, engine="duckdb")
            self._work(job)
            run = job.run
        if run.status != RunStatus.PUBLISHED:
            services.run_publish(actor=actor, run=run)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo indicators: data set {dataset.version}, run {run.pk} published "
                f"({time.monotonic() - started:.1f} s)."
            )
        )

    def _import(self, actor, name: str, *, scale: float, years: list[int], seed: int) -> Dataset:
        services.data_root().mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="demo-", dir=services.data_root()))
        try:
            generate(folder, scale=scale, years=years, seed=seed)
            # The folder is offered like any server folder, then removed: the prepared copy lives in the storage.
            job = services.dataset_import_start(actor=actor, name=name, folder=folder.name)
            self._work(job)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return job.dataset

    def _work(self, job) -> None:
        # A worker may have claimed the job's task first; then wait for it to finish.
        jobs.run_job(job.pk)
        job.refresh_from_db()
        while not job.is_finished:
            time.sleep(0.2)
            job.refresh_from_db()
        if job.status != JobStatus.DONE:
            details = "; ".join(f"{e['table']} row {e['row']} {e['column']}: {e['message']}" for e in job.errors[:5])
            raise CommandError(f"{job}: {job.message} {details}")
