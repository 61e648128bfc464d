"""Service need computed by hand: base rates per area × sex × 5-year band over a 1–3 year window, times the projected
population, rolled up to the community and the country."""

import pyarrow as pa
import pytest

from samhandling.indicators.engine.backends import connect
from samhandling.projections.engine.need import NeedSettings, project_need, services_available
from tests.indicators.test_engine_support import DataBuilder


def _data() -> DataBuilder:
    data = DataBuilder()
    for year in (2024, 2025):
        data.people(100, year=year, alder=80).people(50, year=year, kjonn="M", alder=80)
        data.people(40, year=year, kommune="0301", bydel="030101", alder=30)
        data.people(400, year=year, kommune="0301", alder=30)
    for _ in range(3):  # three stays of 4 bed-days in 2024, women aged 80–84
        data.stay(alder=82, inn="2024-03-01T10:00", ut="2024-03-05T10:00")
    data.stay(alder=81, inn="2025-02-01T10:00", ut="2025-02-03T09:00", klar="2025-02-02T12:00")  # 2 days, 1 after ready
    data.stay(alder=83, omsorgsniva="dag", inn="2025-04-01T08:00", ut="2025-04-01T15:00")
    data.stay(kommune="0301", bydel="030101", alder=31, inn="2025-05-01T10:00", ut="2025-05-02T10:00")
    data.contact(alder=80, tid="2025-06-01T10:00").contact(alder=80, tid="2025-06-02T10:00", kjonn="M")
    data.assessment(alder=84, dato="2025-01-10", gruppe=3)
    return data


def _projection() -> pa.Table:
    rows = []
    for year, women, men, oslo, district in (
        (2025, 100, 50, 400, 40),
        (2026, 150, 50, 400, 40),
        (2027, 200, 100, 800, 80),
    ):
        rows += [
            ("kommune", "3905", year, "K", 80, float(women)),
            ("kommune", "3905", year, "M", 82, float(men)),
            ("kommune", "0301", year, "K", 30, float(oslo)),
            ("bydel", "030101", year, "K", 30, float(district)),
        ]
    names = ["level", "area", "aar", "kjonn", "alder", "antall"]
    return pa.Table.from_pylist([dict(zip(names, row, strict=True)) for row in rows])


def _need(tmp_path, base=(2024, 2025), to=2027, engine="duckdb"):
    folder = _data().write(tmp_path / "data")
    backend = connect(engine, memory_limit="1GB", temp_directory=tmp_path / "tmp")
    try:
        result = project_need(backend, folder, _projection(), settings=NeedSettings(base_years=base, to_year=to))
    finally:
        backend.close()
    return {(r["level"], r["area"], r["service"], r["aar"]): r["demo"] for r in result.to_pylist()}


def test_activity_is_the_windows_rate_times_the_projected_population(tmp_path):
    need = _need(tmp_path)
    # Women 80–84 in 3905: 4 stays over 100 + 100 person-years → 0.02 per woman; 200 women in 2027.
    assert need[("kommune", "3905", "dognopphold", 2027)] == pytest.approx(0.02 * 200)
    assert need[("kommune", "3905", "dognopphold", 2026)] == pytest.approx(0.02 * 150)
    # Bed-days are calendar-date differences: 3 × 4 + 2 = 14 over 200 person-years.
    assert need[("kommune", "3905", "liggedogn", 2027)] == pytest.approx(14 / 200 * 200)
    assert need[("kommune", "3905", "overliggerdogn", 2027)] == pytest.approx(1 / 200 * 200)
    assert need[("kommune", "3905", "dagopphold", 2027)] == pytest.approx(1 / 200 * 200)


def test_rates_are_per_sex(tmp_path):
    need = _need(tmp_path)
    # One contact by a woman and one by a man aged 80: 1/200 × 200 women + 1/100 × 100 men in 2027.
    assert need[("kommune", "3905", "poliklinikk_somatikk", 2027)] == pytest.approx(1 + 1)


def test_municipal_users_come_from_the_latest_assessment_in_the_function_group(tmp_path):
    need = _need(tmp_path)
    assert need[("kommune", "3905", "brukere_funksjonsgruppe_3", 2027)] == pytest.approx(1 / 200 * 200)
    assert ("kommune", "3905", "brukere_funksjonsgruppe_4", 2027) not in need


def test_a_one_year_window_uses_that_year_alone(tmp_path):
    need = _need(tmp_path, base=(2025,))
    assert need[("kommune", "3905", "dognopphold", 2027)] == pytest.approx(1 / 100 * 200)


def test_districts_have_their_own_rates_and_communities_sum_their_municipalities(tmp_path):
    need = _need(tmp_path)
    assert need[("bydel", "030101", "dognopphold", 2027)] == pytest.approx(1 / 80 * 80)
    assert need[("kommune", "0301", "dognopphold", 2027)] == pytest.approx(1 / 800 * 800)
    assert need[("helsefellesskap", "Vestfold", "liggedogn", 2027)] == pytest.approx(14)
    assert need[("land", "NO", "dognopphold", 2027)] == pytest.approx(4 + 1)


def test_each_row_carries_the_count_its_rate_came_from(tmp_path):
    folder = _data().write(tmp_path / "data")
    backend = connect("duckdb", memory_limit="1GB", temp_directory=tmp_path / "tmp")
    try:
        settings = NeedSettings(base_years=(2024, 2025), to_year=2027)
        rows = project_need(backend, folder, _projection(), settings=settings).to_pylist()
    finally:
        backend.close()
    counts = {(r["level"], r["area"], r["service"]): r["base_count"] for r in rows if r["aar"] == 2027}
    assert counts[("kommune", "3905", "dognopphold")] == 4
    assert counts[("kommune", "3905", "liggedogn")] == 14
    assert counts[("land", "NO", "dognopphold")] == 5


def test_the_years_run_from_the_last_base_year_to_the_target(tmp_path):
    need = _need(tmp_path)
    assert {key[3] for key in need} == {2025, 2026, 2027}


def test_it_names_the_services_a_data_set_can_give(tmp_path):
    folder = _data().write(tmp_path / "data")
    (folder / "iplos.parquet").unlink()
    available = services_available(folder)
    assert "liggedogn" in available and "poliklinikk_tsb" in available
    assert not any(service.startswith("brukere_") for service in available)


@pytest.mark.parametrize(
    ("base", "to"), [((), 2030), ((2022, 2023, 2024, 2025), 2030), ((2024, 2026), 2030), ((2025,), 2025)]
)
def test_it_refuses_a_window_it_cannot_use(base, to):
    with pytest.raises(ValueError):
        NeedSettings(base_years=base, to_year=to)
