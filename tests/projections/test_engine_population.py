"""The built-in population projection, computed by hand on tiny populations: cohort-change ratios, the open age
group, age 0 from child–woman ratios, shrinkage toward the community (and a district toward its municipality)."""

import pytest

from samhandling.projections.engine.population import Settings

from .support import cell, project

# One municipality alone in its community. Women aged 15–49: 100 in 2024, 90 in 2025.
ALONE = [
    (2024, "9001", None, "K", 0, 10),
    (2024, "9001", None, "K", 1, 20),
    (2024, "9001", None, "K", 20, 100),
    (2024, "9001", None, "K", 104, 4),
    (2024, "9001", None, "K", 105, 6),
    (2024, "9001", None, "M", 0, 12),
    (2025, "9001", None, "K", 0, 11),
    (2025, "9001", None, "K", 1, 9),
    (2025, "9001", None, "K", 2, 18),
    (2025, "9001", None, "K", 21, 90),
    (2025, "9001", None, "K", 104, 5),
    (2025, "9001", None, "K", 105, 8),
    (2025, "9001", None, "M", 0, 10),
    (2025, "9001", None, "M", 1, 12),
]


@pytest.fixture
def alone(tmp_path):
    return project(ALONE, {"9001": "X"}, tmp_path)


def test_a_cohort_moves_one_age_up_times_its_change_ratio(alone):
    # CCR(K, 1) = 9 / 10 and CCR(K, 2) = 18 / 20: the 11 girls aged 0 and 9 aged 1 in 2025 become 9.9 and 8.1.
    assert cell(alone, "kommune", "9001", 2026, "K", 1) == pytest.approx(9.9)
    assert cell(alone, "kommune", "9001", 2026, "K", 2) == pytest.approx(8.1)


def test_the_open_age_group_is_fed_by_the_last_single_age_and_itself(alone):
    # CCR(105+) = 8 / (4 + 6) = 0.8, applied to the 5 aged 104 and 8 aged 105+ in 2025.
    assert cell(alone, "kommune", "9001", 2026, "K", 105) == pytest.approx((5 + 8) * 0.8)


def test_age_zero_is_the_child_woman_ratio_times_the_projected_women(alone):
    # CWR(K) = (10 + 11) / (100 + 90) and CWR(M) = (12 + 10) / 190; the 90 women aged 21 are 22 in 2026 (ratio 1:
    # nobody anywhere was 21 in 2024, so the cohort is carried forward as it is).
    assert cell(alone, "kommune", "9001", 2026, "K", 22) == pytest.approx(90)
    assert cell(alone, "kommune", "9001", 2026, "K", 0) == pytest.approx(90 * 21 / 190)
    assert cell(alone, "kommune", "9001", 2026, "M", 0) == pytest.approx(90 * 22 / 190)


def test_base_years_are_kept_as_they_are_and_marked_unprojected(alone):
    rows = [r for r in alone.to_pylist() if r["level"] == "kommune" and r["aar"] == 2025 and r["alder"] == 105]
    assert [(r["antall"], r["projected"]) for r in rows] == [(8.0, False)]
    assert {r["projected"] for r in alone.to_pylist() if r["aar"] == 2026} == {True}


def test_land_and_community_are_the_sums_of_their_municipalities(tmp_path):
    rows = [(year, code, None, "K", age, 10) for year in (2024, 2025) for code in ("9001", "9002") for age in (0, 1)]
    result = project(rows, {"9001": "X", "9002": "X"}, tmp_path)
    municipal = sum(cell(result, "kommune", code, 2026, "K", 1) for code in ("9001", "9002"))
    assert cell(result, "helsefellesskap", "X", 2026, "K", 1) == pytest.approx(municipal)
    assert cell(result, "land", "NO", 2026, "K", 1) == pytest.approx(municipal)


SHRINK = [
    (2024, "9001", None, "K", 0, 10),
    (2025, "9001", None, "K", 1, 9),
    (2025, "9001", None, "K", 0, 20),
    (2024, "9002", None, "K", 0, 90),
    (2025, "9002", None, "K", 1, 99),
    (2025, "9002", None, "K", 0, 50),
    (2024, "9002", "900201", "K", 0, 5),
    (2025, "9002", "900201", "K", 1, 6),
    (2025, "9002", "900201", "K", 0, 4),
]


def test_a_small_municipality_leans_on_its_communitys_ratio(tmp_path):
    result = project(SHRINK, {"9001": "X", "9002": "X"}, tmp_path, shrinkage=10)
    community = (9 + 99) / (10 + 90)
    small = (9 + 10 * community) / (10 + 10)  # 0.99: pulled from its own 0.9 toward 1.08
    large = (99 + 10 * community) / (90 + 10)  # 1.098: barely moved from its own 1.1
    assert cell(result, "kommune", "9001", 2026, "K", 1) == pytest.approx(20 * small)
    assert cell(result, "kommune", "9002", 2026, "K", 1) == pytest.approx(50 * large)


def test_a_district_leans_on_its_municipalitys_ratio(tmp_path):
    result = project(SHRINK, {"9001": "X", "9002": "X"}, tmp_path, shrinkage=10)
    district = (6 + 10 * (99 / 90)) / (5 + 10)
    assert cell(result, "bydel", "900201", 2026, "K", 1) == pytest.approx(4 * district)


def test_without_shrinkage_every_area_keeps_its_own_ratio(tmp_path):
    result = project(SHRINK, {"9001": "X", "9002": "X"}, tmp_path, shrinkage=0)
    assert cell(result, "kommune", "9001", 2026, "K", 1) == pytest.approx(20 * 0.9)
    assert cell(result, "bydel", "900201", 2026, "K", 1) == pytest.approx(4 * 6 / 5)


def test_it_projects_several_years_by_repeating_the_step(tmp_path):
    result = project(ALONE, {"9001": "X"}, tmp_path, to=2027)
    # 2025's 11 girls aged 0 → 9.9 aged 1 in 2026 → 9.9 × 0.9 aged 2 in 2027.
    assert cell(result, "kommune", "9001", 2027, "K", 2) == pytest.approx(11 * 0.9 * 0.9)


@pytest.mark.parametrize(
    ("base", "to", "shrinkage"),
    [((2024,), 2026, 0), ((2024, 2026), 2027, 0), ((2024, 2025), 2025, 0), ((2024, 2025), 2026, -1)],
)
def test_it_refuses_settings_it_cannot_project_with(base, to, shrinkage):
    with pytest.raises(ValueError):
        Settings(base_years=base, to_year=to, shrinkage=shrinkage)


def test_it_refuses_a_base_year_the_population_lacks(tmp_path):
    with pytest.raises(ValueError, match="2023"):
        project(ALONE, {"9001": "X"}, tmp_path, base=(2023, 2024, 2025))
