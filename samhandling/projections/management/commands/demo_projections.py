"""Give the demo installation a built-in population projection to 2050 and one scenario for Helsefellesskap
Vestfold on the demo's synthetic data set, run, through the same services and worker code the pages use.
Idempotent: what exists is kept."""

import time

from django.core.management.base import BaseCommand, CommandError

from samhandling.core.models import Helsefellesskap, User
from samhandling.indicators.models import Dataset
from samhandling.projections import services, work
from samhandling.projections.models import PopulationSource, Scenario, SourceKind, WorkStatus

SOURCE_NAME = "Innebygd framskriving 2024–2026"
SCENARIO_NAME = "Vestfold: dagbehandling og digitale kontakter"
FACTORS = [
    {
        "service": "liggedogn",
        "category": "shift",
        "kind": "target",
        "value": -10.0,
        "low": -15.0,
        "high": -5.0,
        "target_year": 2040,
    },
    {
        "service": "dagopphold",
        "category": "shift",
        "kind": "target",
        "value": 8.0,
        "low": 4.0,
        "high": 12.0,
        "target_year": 2040,
    },
    {
        "service": "poliklinikk_somatikk",
        "category": "digital",
        "kind": "yearly",
        "value": -0.5,
        "low": -1.0,
        "high": 0.0,
        "target_year": None,
    },
    {
        "service": "brukere_funksjonsgruppe_3",
        "category": "epidemiology",
        "kind": "yearly",
        "value": -0.5,
        "low": -1.5,
        "high": 0.5,
        "target_year": None,
    },
]


class Command(BaseCommand):
    help = "A built-in population projection and one scenario run for the demo (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--analyst", default="anders", help="Username of the analyst who does it (demo: anders).")

    def handle(self, *args, analyst: str, **options):
        started = time.monotonic()
        actor = User.objects.filter(username=analyst, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {analyst!r}: run `manage.py demo` first.")
        source = PopulationSource.objects.filter(
            name=SOURCE_NAME, kind=SourceKind.BUILTIN, status=WorkStatus.DONE
        ).first()
        if source is None:
            source = services.population_compute_start(
                actor=actor, name=SOURCE_NAME, base_years=[2024, 2025, 2026], to_year=2050
            )
            self._wait(source, work.compute_source)
        dataset = Dataset.objects.filter(synthetic=True).order_by("-created_at").first()
        if dataset is None:
            raise CommandError("No synthetic data set: run `manage.py demo_indicators` first.")
        scenario = Scenario.objects.filter(name=SCENARIO_NAME).first()
        if scenario is None:
            scenario = services.scenario_create(
                actor=actor,
                name=SCENARIO_NAME,
                description="Demo: mindre liggetid, mer dagbehandling og flere digitale kontakter fram mot 2040.",
                helsefellesskap=Helsefellesskap.objects.filter(code="VES").first(),
                population=source,
                dataset=dataset,
                base_first=2024,
                base_last=2025,
                to_year=2040,
                factors=FACTORS,
                occupancy=85.0,
                room_days=230.0,
                room_hours=8.0,
                contact_minutes=45.0,
                fte_per_user=0.35,
                draws=1000,
                seed=2026,
            )
        if not scenario.runs.filter(status=WorkStatus.DONE).exists():
            run = services.run_start(actor=actor, scenario=scenario)
            self._wait(run, work.run_scenario)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo projections: source {source.pk}, scenario {scenario.pk} ({time.monotonic() - started:.1f} s)."
            )
        )

    def _wait(self, obj, do) -> None:
        do(obj.pk)  # a worker may have claimed it first; then wait for it
        obj.refresh_from_db()
        while not obj.is_finished:
            time.sleep(0.5)
            obj.refresh_from_db()
        if obj.status != WorkStatus.DONE:
            raise CommandError(f"{obj}: {obj.message}")
