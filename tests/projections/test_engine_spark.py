"""The population projection gives the same numbers on PySpark (local mode) as on DuckDB."""

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from samhandling.indicators.engine import areas
from tests.indicators.test_engine_spark import spark  # noqa: F401  (the session fixture)

from .support import project

MUNICIPALITIES = ["1101", "1103", "4601", "5444"]


def _rows():
    population = areas.reference_population()
    chosen = population.filter(pc.is_in(population["kommune"], pa.array(MUNICIPALITIES)))
    # Oslo's Gamle Oslo and Stavanger's districts too, so districts are compared as well.
    return [tuple(row.values()) for row in chosen.to_pylist()]


def test_it_projects_the_same_population_on_duckdb_and_pyspark(spark, tmp_path):  # noqa: F811
    rows = _rows()
    mapping = {"1101": "Stavanger", "1103": "Stavanger", "4601": "Bergen", "5444": "UNN"}
    duck = project(rows, mapping, tmp_path, base=(2024, 2025, 2026), to=2027, shrinkage=100)
    sparked = project(rows, mapping, tmp_path, base=(2024, 2025, 2026), to=2027, shrinkage=100, engine="spark")
    order = [(key, "ascending") for key in ("level", "area", "aar", "kjonn", "alder")]
    duck, sparked = duck.sort_by(order), sparked.sort_by(order)
    assert duck.num_rows == sparked.num_rows > 0
    assert {row["level"] for row in duck.to_pylist()} == {"land", "helsefellesskap", "kommune", "bydel"}
    for ours, theirs in zip(duck.to_pylist(), sparked.to_pylist(), strict=True):
        assert {k: v for k, v in theirs.items() if k != "antall"} == {k: v for k, v in ours.items() if k != "antall"}
        # Summation order may differ between the engines in the last bits, never more.
        assert theirs["antall"] == pytest.approx(ours["antall"], rel=1e-9)


def test_it_projects_the_same_service_need_on_duckdb_and_pyspark(spark, tmp_path):  # noqa: F811
    from samhandling.indicators.engine.backends import connect
    from samhandling.projections.engine.need import NeedSettings, project_need

    from .test_engine_need import _data, _projection

    folder = _data().write(tmp_path / "data")
    results = []
    for engine in ("duckdb", "spark"):
        backend = connect(engine, memory_limit="1GB", temp_directory=tmp_path / engine)
        try:
            settings = NeedSettings(base_years=(2024, 2025), to_year=2027)
            results.append(project_need(backend, folder, _projection(), settings=settings).to_pylist())
        finally:
            backend.close()
    duck, sparked = results
    assert len(duck) == len(sparked) > 0
    for ours, theirs in zip(duck, sparked, strict=True):
        assert {k: v for k, v in theirs.items() if k != "demo"} == {k: v for k, v in ours.items() if k != "demo"}
        assert theirs["demo"] == pytest.approx(ours["demo"], rel=1e-9)


def test_a_scenario_with_a_shift_gives_the_same_results_on_duckdb_and_pyspark(spark, tmp_path):  # noqa: F811
    from samhandling.indicators.engine.backends import connect
    from samhandling.projections.engine.need import NeedSettings, project_need
    from samhandling.projections.engine.scenario import Factor, Scenario, apply

    from .test_engine_need import _data, _projection

    folder = _data().write(tmp_path / "data")
    scenario = Scenario(
        base_year=2025,
        factors=(
            Factor("liggedogn", "epidemiology", "yearly", 1.0, low=0.0, high=2.0),
            Factor(
                "liggedogn",
                "shift",
                "target",
                20.0,
                low=10.0,
                high=30.0,
                target_year=2027,
                to_service="dagopphold",
                ratio=1.0,
            ),
        ),
        draws=300,
        seed=3,
    )
    results = []
    for engine in ("duckdb", "spark"):
        backend = connect(engine, memory_limit="1GB", temp_directory=tmp_path / engine)
        try:
            settings = NeedSettings(base_years=(2024, 2025), to_year=2027)
            demand = project_need(backend, folder, _projection(), settings=settings)
        finally:
            backend.close()
        order = [(key, "ascending") for key in ("level", "area", "service", "aar")]
        results.append(apply(demand, scenario).sort_by(order).to_pylist())
    duck, sparked = results
    assert len(duck) == len(sparked) > 0
    assert any(row["service"] == "dagopphold" and row["value"] > row["demo"] for row in duck)
    for ours, theirs in zip(duck, sparked, strict=True):
        for key, value in ours.items():
            if isinstance(value, float):
                assert theirs[key] == pytest.approx(value, rel=1e-9), key
            else:
                assert theirs[key] == value, key
