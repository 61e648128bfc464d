"""Change factors, capacity and the Monte Carlo interval, computed by hand."""

import numpy as np
import pyarrow as pa
import pytest

from samhandling.projections.engine.scenario import Capacity, Factor, Scenario, apply


def _demand(service="liggedogn", years=(2025, 2026, 2027), demo=1000.0):
    rows = [{"level": "kommune", "area": "3905", "service": service, "aar": y, "demo": demo} for y in years]
    return pa.Table.from_pylist(rows)


def _row(result, year):
    return next(r for r in result.to_pylist() if r["aar"] == year)


def test_a_yearly_change_compounds_from_the_base_year():
    scenario = Scenario(base_year=2025, factors=(Factor("liggedogn", "epidemiology", "yearly", 2.0),), draws=10)
    result = apply(_demand(), scenario)
    assert _row(result, 2025)["value"] == pytest.approx(1000)
    assert _row(result, 2027)["value"] == pytest.approx(1000 * 1.02**2)
    assert _row(result, 2027)["demo"] == 1000


def test_a_target_year_value_is_reached_linearly_and_then_held():
    factor = Factor("liggedogn", "shift", "target", -10.0, target_year=2030)
    result = apply(_demand(years=(2025, 2027, 2030, 2032)), Scenario(base_year=2025, factors=(factor,), draws=10))
    assert _row(result, 2027)["value"] == pytest.approx(1000 * (1 - 0.10 * 2 / 5))
    assert _row(result, 2030)["value"] == pytest.approx(900)
    assert _row(result, 2032)["value"] == pytest.approx(900)


def test_factors_on_the_same_service_multiply_and_other_services_are_untouched():
    factors = (
        Factor("liggedogn", "epidemiology", "yearly", 1.0),
        Factor("liggedogn", "digital", "target", -5.0, target_year=2026),
        Factor("dognopphold", "epidemiology", "yearly", 50.0),
    )
    result = apply(_demand(), Scenario(base_year=2025, factors=factors, draws=10))
    assert _row(result, 2026)["value"] == pytest.approx(1000 * 1.01 * 0.95)


def test_beds_are_bed_days_over_365_times_the_occupancy():
    result = apply(_demand(), Scenario(base_year=2025, capacity=Capacity(occupancy=0.8), draws=10))
    row = _row(result, 2026)
    assert row["capacity_kind"] == "beds"
    assert row["capacity"] == pytest.approx(1000 / (365 * 0.8))


def test_outpatient_rooms_come_from_opening_hours_and_minutes_per_contact():
    capacity = Capacity(room_days=200, room_hours=7.5, contact_minutes=30)
    result = apply(_demand("poliklinikk_somatikk", demo=9000), Scenario(base_year=2025, capacity=capacity, draws=10))
    assert _row(result, 2026)["capacity"] == pytest.approx(9000 * 30 / (60 * 7.5 * 200))  # 3 rooms


def test_municipal_staff_is_users_times_the_communitys_fte_per_user():
    capacity = Capacity(fte_per_user={"brukere_funksjonsgruppe_3": 0.4})
    demand = pa.concat_tables([_demand("brukere_funksjonsgruppe_3", demo=50.0), _demand("brukere_funksjonsgruppe_1")])
    rows = apply(demand, Scenario(base_year=2025, capacity=capacity, draws=10)).to_pylist()
    staffed = next(r for r in rows if r["service"] == "brukere_funksjonsgruppe_3")
    assert (staffed["capacity_kind"], staffed["capacity"]) == ("fte", pytest.approx(20))
    unset = next(r for r in rows if r["service"] == "brukere_funksjonsgruppe_1")
    assert (unset["capacity_kind"], unset["capacity"]) == (None, None)


def test_the_monte_carlo_interval_is_the_factors_range_carried_through():
    # Range 0–2 % a year around 1 %, read as an 80 % interval: in 2027 the multiplier's 10th, 50th and 90th
    # percentiles are 1.00², 1.01² and 1.02² (m is monotone in the value), up to the sampling error.
    factor = Factor("liggedogn", "epidemiology", "yearly", 1.0, low=0.0, high=2.0)
    result = apply(_demand(), Scenario(base_year=2025, factors=(factor,), draws=40_000, seed=7))
    row = _row(result, 2027)
    assert row["p10"] == pytest.approx(1000 * 1.00**2, abs=0.5)
    assert row["p50"] == pytest.approx(1000 * 1.01**2, abs=0.5)
    assert row["p90"] == pytest.approx(1000 * 1.02**2, abs=0.5)
    assert row["capacity_p10"] < row["capacity"] < row["capacity_p90"]


def test_an_asymmetric_range_keeps_the_value_as_the_median():
    factor = Factor("liggedogn", "shift", "target", -10.0, low=-30.0, high=-5.0, target_year=2027)
    row = _row(apply(_demand(), Scenario(base_year=2025, factors=(factor,), draws=40_000, seed=3)), 2027)
    assert (row["p10"], row["p50"], row["p90"]) == pytest.approx((700, 900, 950), abs=4)  # 3 standard errors


def test_the_same_seed_gives_the_same_draws_and_another_seed_other_draws():
    factor = Factor("liggedogn", "epidemiology", "yearly", 1.0, low=-1.0, high=3.0)
    first = apply(_demand(), Scenario(base_year=2025, factors=(factor,), draws=200, seed=11))
    again = apply(_demand(), Scenario(base_year=2025, factors=(factor,), draws=200, seed=11))
    other = apply(_demand(), Scenario(base_year=2025, factors=(factor,), draws=200, seed=12))
    assert first.equals(again)
    assert not np.allclose(first["p90"].to_numpy(), other["p90"].to_numpy())


def test_without_a_range_the_interval_collapses_to_the_value():
    factor = Factor("liggedogn", "epidemiology", "yearly", 3.0)
    row = _row(apply(_demand(), Scenario(base_year=2025, factors=(factor,), draws=50)), 2027)
    assert row["p10"] == pytest.approx(row["value"]) and row["p90"] == pytest.approx(row["value"])


@pytest.mark.parametrize(
    "arguments",
    [
        {"service": "nope", "category": "x", "kind": "yearly", "value": 1.0},
        {"service": "liggedogn", "category": "x", "kind": "monthly", "value": 1.0},
        {"service": "liggedogn", "category": "x", "kind": "target", "value": 1.0},
        {"service": "liggedogn", "category": "x", "kind": "yearly", "value": 1.0, "low": 2.0, "high": 3.0},
        {"service": "liggedogn", "category": "x", "kind": "yearly", "value": -100.0},
    ],
)
def test_it_refuses_a_factor_that_makes_no_sense(arguments):
    with pytest.raises(ValueError):
        Factor(**arguments)


@pytest.mark.parametrize(
    "arguments", [{"occupancy": 0}, {"occupancy": 1.2}, {"room_hours": 0}, {"fte_per_user": {"x": -1}}]
)
def test_it_refuses_capacity_settings_that_make_no_sense(arguments):
    with pytest.raises(ValueError):
        Capacity(**arguments)
