"""Direct standardisation, age bands and the suppression rule of the indicator engine."""

import ibis
import pyarrow as pa
import pytest

from samhandling.indicators.engine.run import suppressed
from samhandling.indicators.engine.standardise import age_band, dsr

# ESP2013, 19 bands 0–4 … 90+ (domain notes §6.1), the standard of the PHStatsMethods worked example.
ESP2013 = [
    5000,
    5500,
    5500,
    5500,
    6000,
    6000,
    6500,
    7000,
    7000,
    7000,
    7000,
    6500,
    6000,
    5500,
    5000,
    4000,
    2500,
    1500,
    1000,
]


def _dsr(cells: dict, standard: dict, multiplier: float) -> dict:
    con = ibis.duckdb.connect()
    result = dsr(
        ibis.memtable(pa.table(cells)),
        ibis.memtable(pa.table(standard)),
        by=["area"],
        strata=["band"],
        multiplier=multiplier,
    )
    return dict(
        zip(*con.execute(result.select("area", "dsr")).sort_values("area").to_dict("list").values(), strict=True)
    )


def test_it_standardises_to_the_esp2013_standard_per_100_000():
    # Two areas with the same events per band but different populations; the expected values are worked out
    # by hand from the formula Σ (x/n) · W / Σ W · M (the PHStatsMethods sheet itself is not in the repository).
    bands = list(range(0, 95, 5))
    cells = {
        "area": ["A"] * 19 + ["B"] * 19,
        "band": bands * 2,
        "x": [band // 5 + 1 for band in bands] * 2,
        "n": [1000] * 19 + [2000] * 19,
    }
    values = _dsr(cells, {"band": bands, "w": ESP2013}, 100_000)
    assert values["A"] == pytest.approx(892.5, abs=1e-6)
    assert values["B"] == pytest.approx(446.25, abs=1e-6)


def test_it_lets_strata_without_population_contribute_nothing():
    values = _dsr({"area": ["A", "A"], "band": [0, 5], "x": [2, 3], "n": [100, 0]}, {"band": [0, 5], "w": [1, 1]}, 1000)
    assert values["A"] == pytest.approx(10.0)  # (2/100 · 1 + nothing) / 2 · 1000


@pytest.mark.parametrize(("age", "band"), [(0, 0), (4, 0), (5, 5), (17, 15), (89, 85), (90, 90), (105, 90), (120, 90)])
def test_it_puts_ages_in_five_year_bands_with_90_and_over_last(age, band):
    assert ibis.duckdb.connect().execute(age_band(ibis.literal(age))) == band


@pytest.mark.parametrize(
    ("numerator", "denominator", "hidden"),
    [(0, 5, False), (1, 100, True), (4, 100, True), (5, 100, False), (0, 4, True), (10, 4.9, True), (5, 5, False)],
)
def test_it_hides_numerators_of_one_to_four_and_denominators_below_five(numerator, denominator, hidden):
    assert bool(suppressed(numerator, denominator)) is hidden
