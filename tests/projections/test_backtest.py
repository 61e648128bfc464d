"""The back-test the issue asks for: project 2026 from 2024→2025 with `manage.py population_projection`, compare
with the real 2026 population by municipality, and beat plain Hamilton–Perry on all four figures."""

import pytest
from django.core.management import call_command

from samhandling.indicators.engine import areas
from samhandling.projections.engine.backtest import PLAIN_HAMILTON_PERRY, backtest
from samhandling.projections.engine.files import CSV_COLUMNS, read_csv


def _real_2026():
    population = areas.reference_population()
    whole = population.filter(population["bydel"].is_null())
    return whole.rename_columns(["aar", "kommunenummer", "bydel", "kjonn", "alder", "antall"])


def _projected(tmp_path, shrinkage: float):
    out = tmp_path / f"projection-{shrinkage}.csv"
    call_command(
        "population_projection",
        "--base",
        "2024",
        "2025",
        "--to",
        "2026",
        "--out",
        str(out),
        "--shrinkage",
        str(shrinkage),
    )
    return read_csv(out)


def test_the_command_writes_every_municipality_sex_and_age_of_the_target_year(tmp_path):
    table = _projected(tmp_path, 100)
    assert tuple(table.column_names) == CSV_COLUMNS
    assert table.num_rows == 357 * 2 * 106
    assert set(table["aar"].to_pylist()) == {2026}


def test_plain_hamilton_perry_reproduces_the_issues_figures(tmp_path):
    result = backtest(_projected(tmp_path, 0), _real_2026(), year=2026)
    assert result.municipalities == 357
    assert result.national == pytest.approx(0.26, abs=0.05)
    assert result.median == pytest.approx(0.67, abs=0.03)
    assert result.p90 == pytest.approx(2.5, abs=0.1)
    assert result.worst == pytest.approx(26, abs=1)


def test_the_default_shrinkage_beats_plain_hamilton_perry_on_every_figure(tmp_path):
    result = backtest(_projected(tmp_path, 100), _real_2026(), year=2026)
    assert result.beats(PLAIN_HAMILTON_PERRY), result
    # The measured figures (docs/decisions.md): +0.19 %, 0.50 %, 1.54 %, 21.77 %.
    measured = (result.national, result.median, result.p90, result.worst)
    assert measured == pytest.approx((0.19, 0.50, 1.54, 21.77), abs=0.01)
