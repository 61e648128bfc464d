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


# --- shift factors ----------------------------------------------------------------------------------------------


def _two_services(giver=1000.0, taker=200.0, years=(2025, 2027, 2030), area="3905"):
    rows = []
    for year in years:
        rows.append({"level": "kommune", "area": area, "service": "liggedogn", "aar": year, "demo": giver})
        rows.append({"level": "kommune", "area": area, "service": "dagopphold", "aar": year, "demo": taker})
    return pa.Table.from_pylist(rows)


def _cell(result, service, year, area="3905"):
    return next(r for r in result.to_pylist() if (r["service"], r["aar"], r["area"]) == (service, year, area))


def _shift(value, kind="target", **more):
    defaults = {"target_year": 2030 if kind == "target" else None, "to_service": "dagopphold", "ratio": 1.0}
    return Factor("liggedogn", "shift", kind, value, **{**defaults, **more})


def test_a_shift_by_a_target_year_moves_a_growing_share_converted_by_the_ratio():
    # 20 % of bed-days by 2030, one bed-day → half a day stay. 2027: 2/5 of the way, so 8 % moved.
    scenario = Scenario(base_year=2025, factors=(_shift(20.0, ratio=0.5),), draws=10)
    result = apply(_two_services(), scenario)
    assert _cell(result, "liggedogn", 2025)["value"] == pytest.approx(1000)
    assert _cell(result, "dagopphold", 2025)["value"] == pytest.approx(200)
    assert _cell(result, "liggedogn", 2027)["value"] == pytest.approx(920)
    assert _cell(result, "dagopphold", 2027)["value"] == pytest.approx(200 + 0.5 * 80)
    assert _cell(result, "liggedogn", 2030)["value"] == pytest.approx(800)
    assert _cell(result, "dagopphold", 2030)["value"] == pytest.approx(300)
    # The population-change-only column stays each service's own.
    assert _cell(result, "dagopphold", 2030)["demo"] == 200
    # Fewer bed-days, fewer beds.
    assert _cell(result, "liggedogn", 2030)["capacity"] == pytest.approx(800 / (365 * 0.85))


def test_a_yearly_shift_moves_that_share_of_what_remains_each_year():
    scenario = Scenario(base_year=2025, factors=(_shift(10.0, kind="yearly"),), draws=10)
    result = apply(_two_services(), scenario)
    assert _cell(result, "liggedogn", 2027)["value"] == pytest.approx(1000 * 0.9**2)  # 810
    assert _cell(result, "dagopphold", 2027)["value"] == pytest.approx(200 + 1000 * (1 - 0.9**2))  # 390


def test_a_shift_moves_the_activity_after_the_givers_own_factors_and_the_takers_factors_leave_it_alone():
    factors = (
        Factor("liggedogn", "epidemiology", "yearly", 10.0),
        _shift(50.0, target_year=2027),
        Factor("dagopphold", "digital", "target", -50.0, target_year=2027),
    )
    result = apply(_two_services(years=(2025, 2027)), Scenario(base_year=2025, factors=factors, draws=10))
    assert _cell(result, "liggedogn", 2027)["value"] == pytest.approx(1000 * 1.1**2 * 0.5)  # 605
    assert _cell(result, "dagopphold", 2027)["value"] == pytest.approx(200 * 0.5 + 605)  # 705


def test_a_shifts_range_is_carried_through_the_monte_carlo_into_both_services():
    # 10–30 % around 20 %, all of it by 2027: the share's 10th/50th/90th percentiles are 10, 20 and 30 %.
    factor = _shift(20.0, low=10.0, high=30.0, target_year=2027)
    result = apply(_two_services(years=(2025, 2027)), Scenario(base_year=2025, factors=(factor,), draws=40_000, seed=5))
    giver, taker = _cell(result, "liggedogn", 2027), _cell(result, "dagopphold", 2027)
    assert (giver["p10"], giver["p50"], giver["p90"]) == pytest.approx((700, 800, 900), abs=3)
    assert (taker["p10"], taker["p50"], taker["p90"]) == pytest.approx((300, 400, 500), abs=3)
    assert taker["value"] == pytest.approx(400)


def test_each_area_gets_its_own_interval_when_a_service_receives_a_shift():
    # Area B has no day stays of its own: all its day stays come from the shift, so its interval is relatively
    # wider than area A's, which a shared multiplier could not give.
    demand = pa.concat_tables(
        [_two_services(years=(2025, 2027)), _two_services(giver=1000.0, taker=0.0, years=(2025, 2027), area="3907")]
    )
    factor = _shift(20.0, low=10.0, high=30.0, target_year=2027)
    result = apply(demand, Scenario(base_year=2025, factors=(factor,), draws=40_000, seed=5))
    mixed, pure = _cell(result, "dagopphold", 2027), _cell(result, "dagopphold", 2027, area="3907")
    assert (pure["p10"], pure["p50"], pure["p90"]) == pytest.approx((100, 200, 300), abs=3)
    assert (mixed["p10"], mixed["p90"]) == pytest.approx((300, 500), abs=3)


def test_a_service_the_data_lacks_gets_rows_from_the_shift_alone():
    demand = _demand(years=(2025, 2030))  # bed-days only
    result = apply(demand, Scenario(base_year=2025, factors=(_shift(20.0, ratio=2.0),), draws=10))
    taker = _cell(result, "dagopphold", 2030)
    assert (taker["demo"], taker["value"], taker["base_count"]) == (0, pytest.approx(2 * 200), None)
    assert _cell(result, "dagopphold", 2025)["value"] == pytest.approx(0)


def test_a_scenario_without_shifts_gives_the_same_numbers_as_before():
    # The draws of the multiplicative factors are taken in the scenario's order as before shifts existed.
    factor = Factor("liggedogn", "epidemiology", "yearly", 1.0, low=-1.0, high=3.0)
    row = _row(apply(_demand(), Scenario(base_year=2025, factors=(factor,), draws=1000, seed=11)), 2027)
    rng = np.random.default_rng(11)
    drawn = factor.draw(rng, 1000)
    expected = np.quantile(1000 * (1 + drawn / 100) ** 2, (0.1, 0.9))
    assert (row["p10"], row["p90"]) == pytest.approx(tuple(expected))


@pytest.mark.parametrize(
    "arguments",
    [
        {"to_service": "liggedogn"},  # to itself
        {"to_service": "nope"},
        {"ratio": 0.0},
        {"ratio": -1.0},
        {"value": 120.0},
        {"value": 10.0, "low": -5.0},
        {"value": 10.0, "low": 5.0, "high": 101.0},
    ],
)
def test_it_refuses_a_shift_that_makes_no_sense(arguments):
    values = {"value": 20.0, **arguments}
    with pytest.raises(ValueError):
        _shift(values.pop("value"), **values)
