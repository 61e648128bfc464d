"""A small projection world for the web tests: a finished built-in population for Vestfold, Bodø and Oslo (computed
by the engine on those municipalities only), a prepared synthetic data set, and a scenario on them."""

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from samhandling.indicators.engine import areas
from samhandling.indicators.engine.backends import connect
from samhandling.indicators.models import Dataset
from samhandling.projections.engine.population import Settings, project_population
from samhandling.projections.models import PopulationSource, Scenario, SourceKind, WorkStatus
from tests.indicators.test_engine_support import DataBuilder

MUNICIPALITIES = ["3901", "3903", "3905", "3907", "3909", "3911", "1804", "0301"]


def make_source(root: Path, *, to_year: int = 2032) -> PopulationSource:
    population = areas.reference_population()
    population = population.filter(pc.is_in(population["kommune"], pa.array(MUNICIPALITIES)))
    backend = connect("duckdb", memory_limit="1GB", temp_directory=root / "tmp")
    try:
        table = project_population(
            backend, population, settings=Settings(base_years=(2024, 2025, 2026), to_year=to_year)
        )
    finally:
        backend.close()
    folder = root / "projections" / "populations" / "test"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "population.parquet")
    return PopulationSource.objects.create(
        name="Innebygd",
        kind=SourceKind.BUILTIN,
        version="test01",
        parameters={"base_years": [2024, 2025, 2026], "to_year": to_year, "shrinkage": 100.0},
        first_year=2024,
        last_year=to_year,
        status=WorkStatus.DONE,
        path="projections/populations/test/population.parquet",
    )


def make_dataset(root: Path) -> Dataset:
    """Stays in Tønsberg (3905) for 2025 plenty, and 2 stays in Færder (3911): a small number."""
    data = DataBuilder()
    for year in (2024, 2025):
        data.people(2000, year=year, alder=80).people(1500, year=year, kjonn="M", alder=80)
        data.people(1000, year=year, kommune="3911", alder=80)
    for number in range(30):
        data.stay(person=f"t{number}", alder=81, inn="2025-03-01T10:00", ut="2025-03-06T10:00")
        data.contact(person=f"t{number}", alder=80, tid="2025-05-01T10:00")
    for number in range(2):
        data.stay(person=f"f{number}", kommune="3911", alder=82, inn="2025-03-01T10:00", ut="2025-03-03T10:00")
    data.write(root / "datasets" / "test")
    return Dataset.objects.create(
        name="Syntetisk", version="test0001", path="datasets/test", synthetic=True, period_start=2024, period_end=2025
    )


def make_scenario(source: PopulationSource, dataset: Dataset, **overrides) -> Scenario:
    values = {
        "name": "Hovedscenario",
        "population": source,
        "dataset": dataset,
        "base_first": 2024,
        "base_last": 2025,
        "to_year": 2030,
        "factors": [
            {
                "service": "liggedogn",
                "category": "shift",
                "kind": "target",
                "value": -10.0,
                "low": -20.0,
                "high": -5.0,
                "target_year": 2030,
            }
        ],
        "draws": 200,
        "seed": 7,
    }
    values.update(overrides)
    return Scenario.objects.create(**values)
