"""Confidence intervals: every DSR value and limit of the published PHE test workbook (tests/indicators/data/dsr_phe,
see SOURCE.md) to 6 decimals, hand-computed Wilson and Byar limits, and the significance marking with direction."""

import csv
import math
from collections import defaultdict
from pathlib import Path

import pytest

from samhandling.indicators.engine import intervals

DATA = Path(__file__).parent / "data" / "dsr_phe"
PLACES = 6


def _read(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _number(text: str) -> float:
    return float(text) if text.strip() else 0.0


def _expected() -> list[dict]:
    rows = _read("testresults_DSR.csv")
    for number, row in enumerate(rows):
        row["multiplier"] = 10_000 if number < 4 else 100_000
    return rows


ESP2013 = [_number(row["esp2013"]) for row in _read("esp2013.csv")]


def _areas(name: str) -> dict[str, list[dict]]:
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in _read(name):
        grouped[row["area"]].append(row)
    return grouped


def _compute(area: str, multiplier: float, confidence: float):
    """DSR by Dobson for one area of the fixture; the standard is matched by row order, as the workbook does."""
    if area == "testdata_1976":
        rows = _read("testdata_1976.csv")
        weights = [_number(r["esp1976"]) for r in rows]
        return intervals.dsr(
            [_number(r["count"]) for r in rows],
            [_number(r["pop"]) for r in rows],
            weights,
            multiplier=multiplier,
            confidence=confidence,
        )
    if area.startswith("testdata_nonind"):
        rows = _areas("testdata_nonindepe.csv")[area]
        frequencies = {f: [_number(r[f"f{f}"]) for r in rows] for f in (1, 2, 3, 4)}
        return intervals.dsr_non_independent(
            [_number(r["count"]) for r in rows],
            [_number(r["pop"]) for r in rows],
            ESP2013,
            frequencies,
            multiplier=multiplier,
            confidence=confidence,
        )
    rows = _areas("testdata_multiarea.csv")[area]
    return intervals.dsr(
        [_number(r["count"]) for r in rows],
        [_number(r["pop"]) for r in rows],
        ESP2013,
        multiplier=multiplier,
        confidence=confidence,
    )


# The workbook's 99.8 % limits of testdata_1976 are ten times too large (SOURCE.md), which gives per 10 000 these.
CORRECTED_1976 = (765.928211, 959.921180)


@pytest.mark.parametrize("row", _expected(), ids=lambda row: f"{row['area']}-{row['multiplier']}")
def test_every_dsr_value_and_limit_of_the_workbook(row):
    at95 = _compute(row["area"], row["multiplier"], 0.95)
    at998 = _compute(row["area"], row["multiplier"], 0.998)
    if not row["value"]:
        # "dsr NA for total count < 10": no value and no limits, not a zero.
        assert "count < 10" in row["statistic"]
        assert at95 is None and at998 is None
        return
    assert at95 is not None and at998 is not None
    value, lower95, upper95 = at95
    _value, lower998, upper998 = at998
    assert round(value, PLACES) == round(float(row["value"]), PLACES)
    assert round(lower95, PLACES) == round(float(row["lower95_0cl"]), PLACES)
    assert round(upper95, PLACES) == round(float(row["upper95_0cl"]), PLACES)
    if row["area"] == "testdata_1976":
        # The sheet's cells are the right limits times ten.
        expected_lower, expected_upper = float(row["lower99_8cl"]) / 10, float(row["upper99_8cl"]) / 10
        scale = row["multiplier"] / 10_000
        assert (round(expected_lower / scale, 6), round(expected_upper / scale, 6)) == CORRECTED_1976
    else:
        expected_lower, expected_upper = float(row["lower99_8cl"]), float(row["upper99_8cl"])
    assert round(lower998, PLACES) == round(expected_lower, PLACES)
    assert round(upper998, PLACES) == round(expected_upper, PLACES)


def test_the_fixture_counts_match_the_expected_totals():
    for area, rows in {**_areas("testdata_multiarea.csv"), **_areas("testdata_nonindepe.csv")}.items():
        expected = next(row for row in _expected() if row["area"] == area)
        assert sum(_number(r["count"]) for r in rows) == float(expected["total_count"])


def test_non_independent_events_widen_the_interval():
    independent = _compute("testdata_big", 100_000, 0.95)
    dependent = _compute("testdata_nonind_big", 100_000, 0.95)
    assert independent[0] == pytest.approx(dependent[0])
    assert dependent[1] < independent[1] and dependent[2] > independent[2]


def test_wilson_by_hand():
    # 10 of 50, 95 %: z = 1.959964; (2·10 + z² ∓ z·√(z² + 4·10·(1 − 10/50))) / (2·(50 + z²))
    z = 1.959963984540054
    lower = (20 + z * z - z * math.sqrt(z * z + 32)) / (2 * (50 + z * z))
    upper = (20 + z * z + z * math.sqrt(z * z + 32)) / (2 * (50 + z * z))
    assert intervals.wilson(10, 50) == pytest.approx((lower, upper), abs=1e-12)
    assert intervals.wilson(10, 50) == pytest.approx((0.112438, 0.330371), abs=1e-6)  # the textbook 11.2 %–33.0 %
    assert intervals.percentage(10, 50) == pytest.approx((11.2438, 33.0371), abs=1e-4)
    # 0 of 20: the lower limit is 0 and the upper still positive; 20 of 20: the upper limit is 1.
    low, high = intervals.wilson(0, 20)
    assert low == 0 and high == pytest.approx(0.161125, abs=1e-6)
    assert intervals.wilson(20, 20)[1] == pytest.approx(1.0)
    assert intervals.wilson(1, 0) is None


def test_byar_by_hand():
    # O = 20: 20·(1 − 1/180 − z/(3√20))³ and 21·(1 − 1/189 + z/(3√21))³
    z = 1.959963984540054
    lower = 20 * (1 - 1 / 180 - z / (3 * math.sqrt(20))) ** 3
    upper = 21 * (1 - 1 / 189 + z / (3 * math.sqrt(21))) ** 3
    assert intervals.byar(20) == pytest.approx((lower, upper), abs=1e-12)
    # Byar's limits lie within 0.1 % of the exact Poisson limits (12.2165, 30.8884), and within 1 % at zero (3.6889).
    assert intervals.byar(20) == pytest.approx((12.2165, 30.8884), rel=1e-3)
    assert intervals.byar(0)[0] == 0
    assert intervals.byar(0)[1] == pytest.approx(3.6889, rel=1e-2)
    # A rate per 1 000: 20 events in 4 000 people is 5.0 [3.05, 7.72].
    assert intervals.rate(20, 4000, 1000) == pytest.approx((lower / 4, upper / 4), abs=1e-12)
    assert intervals.rate(20, 0, 1000) is None


def test_z_values():
    assert intervals.z_value(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert intervals.z_value(0.998) == pytest.approx(3.090232, abs=1e-6)


@pytest.mark.parametrize(
    ("limits", "country", "higher_is_better", "expected"),
    [
        ((10.0, 12.0), 9.0, True, intervals.BETTER),
        ((10.0, 12.0), 9.0, False, intervals.WORSE),
        ((10.0, 12.0), 13.0, True, intervals.WORSE),
        ((10.0, 12.0), 13.0, False, intervals.BETTER),
        ((10.0, 12.0), 11.0, True, intervals.SIMILAR),
        ((10.0, 12.0), 12.0, False, intervals.SIMILAR),  # on the limit is no clear difference
        ((10.0, 12.0), 9.0, None, ""),  # no direction: no marking, however far apart
        (None, 9.0, True, ""),  # no interval (hidden, or too few): no marking
        ((10.0, 12.0), None, True, ""),
    ],
)
def test_significance_uses_the_direction(limits, country, higher_is_better, expected):
    assert intervals.significance(limits, country, higher_is_better) == expected


def test_funnel_limits_narrow_with_size_and_hold_the_centre():
    rows = intervals.funnel_limits("percent", 20.0, 100.0, [50, 500, 5000])
    widths = [row["high_99_8"] - row["low_99_8"] for row in rows]
    assert widths == sorted(widths, reverse=True)
    for row in rows:
        assert row["low_99_8"] < row["low_95"] < 20.0 < row["high_95"] < row["high_99_8"]
    rates = intervals.funnel_limits("per_1000", 5.0, 1000.0, [1000, 100_000])
    assert rates[1]["low_95"] < 5.0 < rates[1]["high_95"]
    assert rates[0]["high_95"] - rates[0]["low_95"] > rates[1]["high_95"] - rates[1]["low_95"]


def test_the_engine_gives_the_variance_dobson_needs():
    """The engine's DSR expression (DuckDB) gives the value and the variance from which the workbook's limits follow."""
    import ibis
    import pyarrow as pa

    from samhandling.indicators.engine.standardise import dsr

    areas = _areas("testdata_multiarea.csv")
    cells = {"area": [], "band": [], "x": [], "n": []}
    for area in ("testdata_big", "testdata_small"):
        for band, row in enumerate(areas[area]):
            cells["area"].append(area)
            cells["band"].append(band)
            cells["x"].append(_number(row["count"]))
            cells["n"].append(_number(row["pop"]))
    standard = {"band": list(range(len(ESP2013))), "w": ESP2013}
    expression = dsr(
        ibis.memtable(pa.table(cells)), ibis.memtable(pa.table(standard)), by=["area"], strata=["band"], multiplier=1e5
    )
    rows = ibis.duckdb.connect().to_pyarrow(expression).to_pylist()
    expected = {row["area"]: row for row in _expected() if row["multiplier"] == 100_000}
    for row in rows:
        total = float(expected[row["area"]]["total_count"])
        lower, upper = intervals.dobson(row["dsr"], row["dsr_var"], total, 100_000)
        assert round(row["dsr"], PLACES) == round(float(expected[row["area"]]["value"]), PLACES)
        assert round(lower, PLACES) == round(float(expected[row["area"]]["lower95_0cl"]), PLACES)
        assert round(upper, PLACES) == round(float(expected[row["area"]]["upper95_0cl"]), PLACES)
