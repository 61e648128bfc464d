"""The projection engine imports nothing from Django: every module under projections/engine is imported in a fresh
interpreter where importing `django` fails, and a small projection runs there."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import importlib, importlib.abc, pkgutil, sys, tempfile
    from pathlib import Path

    class NoDjango(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "django" or name.startswith("django."):
                raise ImportError(f"the engine imported {name}")
            return None

    sys.meta_path.insert(0, NoDjango())
    import samhandling.projections.engine as engine

    names = [info.name for info in pkgutil.walk_packages(engine.__path__, engine.__name__ + ".")]
    for name in names:
        importlib.import_module(name)

    import pyarrow as pa, pyarrow.compute as pc
    from samhandling.indicators.engine import areas
    from samhandling.indicators.engine.backends import connect
    from samhandling.projections.engine.population import Settings, project_population

    population = areas.reference_population()
    population = population.filter(pc.equal(population["kommune"], "3905"))
    backend = connect("duckdb", memory_limit="1GB", temp_directory=Path(tempfile.mkdtemp()))
    result = project_population(backend, population, settings=Settings(base_years=(2024, 2025, 2026), to_year=2030))
    backend.close()
    assert result.num_rows > 0
    assert not any(name == "django" or name.startswith("django.") for name in sys.modules)
    print("ok", len(names))
    """
)


def test_the_engine_runs_where_django_cannot_be_imported():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok ")
    assert int(done.stdout.split()[1]) >= 5
