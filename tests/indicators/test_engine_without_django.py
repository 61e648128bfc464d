"""The engine imports nothing from Django: every module under indicators/engine is imported in a fresh interpreter
where importing `django` fails, and a small data set is generated, prepared and run there."""

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
    import samhandling.indicators.engine as engine

    names = [info.name for info in pkgutil.walk_packages(engine.__path__, engine.__name__ + ".")]
    for name in names:
        importlib.import_module(name)

    from samhandling.indicators.engine.dataset import DatasetRefused, prepare_dataset
    from samhandling.indicators.engine.run import run_indicators
    from samhandling.indicators.engine.synthetic import generate

    work = Path(tempfile.mkdtemp())
    generate(work / "raw", scale=0.002, years=[2025], seed=7)
    manifest = prepare_dataset(work / "raw", work / "prepared")
    summary = run_indicators(work / "prepared", work / "out", indicators=["overliggerdogn"])
    assert summary.rows > 0 and summary.years == [2025], summary

    (work / "bad").mkdir()
    (work / "bad" / "iplos.csv").write_text("person_id,kjonn\\np1,X\\n", encoding="utf-8")
    try:
        prepare_dataset(work / "bad", work / "bad-out")
    except DatasetRefused as refused:
        error = refused.errors[0]
        assert error.code == "missing_column" and error.params["column"] and error.table == "iplos", error
    else:
        raise AssertionError("refused nothing")
    assert not any(name == "django" or name.startswith("django.") for name in sys.modules)
    print("ok", len(names), manifest["period"])
    """
)


def test_the_engine_runs_where_django_cannot_be_imported():
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("ok ")
    assert int(done.stdout.split()[1]) >= 10  # every module was imported, not just a few
