"""Hand-computed tests of the twelve indicators on small crafted data sets (DuckDB), one behaviour per test."""

import pytest

from .test_engine_support import DataBuilder, areas_of, row, run


@pytest.fixture
def data():
    """1 000 inhabitants (women aged 50) in Tønsberg 2024, the default municipality of every record."""
    return DataBuilder().people(1000)


def test_it_counts_utskrivningsklare_patients_once_per_area_and_year(data, tmp_path):
    data.stay(person="a", klar="2024-03-04T10:00").stay(
        person="a", inn="2024-05-01T10:00", ut="2024-05-03T10:00", klar="2024-05-02T10:00"
    )
    data.stay(person="b", klar="2024-03-04T10:00").stay(person="c")  # c was never declared ready
    data.stay(person="d", omsorgsniva="dag", klar="2024-03-04T10:00")  # day treatment does not count
    result = row(run(data, tmp_path), "utskrivningsklare_pasienter", "kommune", "3905")
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 1000, 2.0)


def test_it_sums_overliggerdogn_between_calendar_dates(data, tmp_path):
    data.stay(inn="2024-03-01T10:00", klar="2024-03-04T23:00", ut="2024-03-05T01:00")  # 1 day, though 2 hours
    data.stay(inn="2024-04-01T10:00", klar="2024-04-02T08:00", ut="2024-04-05T20:00")  # 3 days
    data.stay(inn="2024-05-01T10:00", klar="2024-05-03T08:00", ut="2024-05-03T20:00")  # same day: 0
    result = row(run(data, tmp_path), "overliggerdogn", "kommune", "3905")
    assert (result["numerator"], result["value"]) == (4, 4.0)


def test_it_computes_the_share_of_ready_stays_with_overliggerdogn(data, tmp_path):
    data.stay(klar="2024-03-04T10:00", ut="2024-03-05T10:00").stay(klar="2024-03-05T09:00", ut="2024-03-05T10:00")
    data.stay(klar="2024-03-02T10:00", ut="2024-03-05T10:00").stay(klar="2024-03-05T08:00", ut="2024-03-05T23:00")
    data.stay()  # not ready: outside the denominator
    result = row(run(data, tmp_path), "andel_utskrivningsklare_med_overliggerdogn", "kommune", "3905")
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 4, 50.0)


def test_it_does_not_count_a_readmission_at_exactly_8_hours(data, tmp_path):
    data.stay(person="a", ut="2024-03-05T10:00")
    data.stay(person="a", inn="2024-03-05T18:00", ut="2024-03-07T10:00", innleggelsesmate="akutt")
    result = row(run(data, tmp_path), "reinnleggelse_30d", "kommune", "3905")
    assert (result["numerator"], result["denominator"]) == (0, 2)


def test_it_counts_a_readmission_just_after_8_hours(data, tmp_path):
    data.stay(person="a", ut="2024-03-05T10:00")
    data.stay(person="a", inn="2024-03-05T18:01", ut="2024-03-07T10:00", innleggelsesmate="akutt")
    result = row(run(data, tmp_path), "reinnleggelse_30d", "kommune", "3905")
    assert (result["numerator"], result["denominator"]) == (1, 2)


def test_it_counts_a_readmission_at_exactly_30_days_but_not_later(data, tmp_path):
    data.stay(person="a", ut="2024-03-05T10:00")
    data.stay(person="a", inn="2024-04-04T10:00", ut="2024-04-06T10:00", innleggelsesmate="akutt")  # 30 days
    data.stay(person="b", ut="2024-03-05T10:00")
    data.stay(person="b", inn="2024-04-04T10:01", ut="2024-04-06T10:00", innleggelsesmate="akutt")  # 30 d + 1 min
    result = row(run(data, tmp_path), "reinnleggelse_30d", "kommune", "3905")
    assert (result["numerator"], result["denominator"]) == (1, 4)


def test_it_needs_an_acute_inpatient_readmission_but_any_fagomrade(data, tmp_path):
    data.stay(person="a").stay(person="a", inn="2024-03-10T10:00", ut="2024-03-11T10:00")  # elective
    data.stay(person="b").stay(
        person="b", inn="2024-03-10T10:00", ut="2024-03-10T12:00", omsorgsniva="dag", innleggelsesmate="akutt"
    )
    data.stay(person="c").stay(
        person="c",
        inn="2024-03-10T10:00",
        ut="2024-03-11T10:00",
        fagomrade="phv_voksne",
        innleggelsesmate="akutt",
        hovedtilstand="F320",
    )
    results = run(data, tmp_path, indicators=["reinnleggelse_30d"])
    result = row(results, "reinnleggelse_30d", "kommune", "3905")
    # Index stays: a twice, b once (b's day stay is no index stay), c once (c's psychiatric stay is none).
    assert (result["numerator"], result["denominator"]) == (1, 4)


def test_it_leaves_deaths_out_of_the_readmission_index_stays(data, tmp_path):
    data.stay(person="a", til="dod").stay(person="b")
    result = row(run(data, tmp_path, indicators=["reinnleggelse_30d"]), "reinnleggelse_30d", "kommune", "3905")
    assert result["denominator"] == 1


def test_it_follows_index_stays_into_next_years_records(data, tmp_path):
    data.people(1000, year=2025)
    data.stay(person="a", inn="2024-12-20T10:00", ut="2024-12-28T10:00")
    data.stay(person="a", inn="2025-01-10T10:00", ut="2025-01-12T10:00", innleggelsesmate="akutt")
    results = run(data, tmp_path, years=[2024], indicators=["reinnleggelse_30d"])
    result = row(results, "reinnleggelse_30d", "kommune", "3905", 2024)
    assert (result["numerator"], result["denominator"]) == (1, 1)
    assert {r["year"] for r in results} == {2024}


def test_it_restricts_the_utskrivningsklare_readmission_variant_to_ready_stays(data, tmp_path):
    data.stay(person="a", klar="2024-03-04T10:00").stay(
        person="a", inn="2024-03-10T10:00", ut="2024-03-11T10:00", innleggelsesmate="akutt"
    )
    data.stay(person="b").stay(person="b", inn="2024-03-10T10:00", ut="2024-03-11T10:00", innleggelsesmate="akutt")
    results = run(data, tmp_path, indicators=["reinnleggelse_30d_utskrivningsklare"])
    result = row(results, "reinnleggelse_30d_utskrivningsklare", "kommune", "3905")
    assert (result["numerator"], result["denominator"]) == (1, 1)


def test_it_counts_missing_discharge_letters_as_late(data, tmp_path):
    data.stay(ut="2024-03-05T10:00", epikrise="2024-03-06T23:59")  # next calendar day: on time
    data.stay(ut="2024-03-05T10:00", epikrise="2024-03-05T09:00")  # before discharge: on time
    data.stay(ut="2024-03-05T23:00", epikrise="2024-03-07T00:30")  # two calendar days: late
    data.stay(ut="2024-03-05T10:00")  # never sent: late
    data.stay(ut="2024-03-05T10:00", til="dod")  # deaths are left out
    result = row(run(data, tmp_path, indicators=["epikrise_innen_1_dag"]), "epikrise_innen_1_dag", "kommune", "3905")
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 4, 50.0)


def test_it_computes_the_share_of_video_and_telephone_contacts(data, tmp_path):
    data.contact(kontaktform="video").contact(kontaktform="telefon").contact().contact().contact(tid="2023-12-31T23:59")
    results = run(data, tmp_path, years=[2024], indicators=["andel_video_telefon"])
    result = row(results, "andel_video_telefon", "kommune", "3905")
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 4, 50.0)


def test_it_counts_acute_admissions_in_the_year_of_admission(data, tmp_path):
    data.people(1000, year=2025)
    data.stay(inn="2024-12-30T10:00", ut="2025-01-03T10:00", innleggelsesmate="akutt", klar="2025-01-01T10:00")
    results = run(data, tmp_path, years=[2024, 2025], indicators=["akutte_innleggelser_0_79", "overliggerdogn"])
    assert row(results, "akutte_innleggelser_0_79", "kommune", "3905", 2024)["numerator"] == 1
    assert row(results, "akutte_innleggelser_0_79", "kommune", "3905", 2025)["numerator"] == 0
    # The same stay crosses the year end: as a stay it belongs to the year of discharge.
    assert row(results, "overliggerdogn", "kommune", "3905", 2025)["numerator"] == 2
    assert row(results, "overliggerdogn", "kommune", "3905", 2024)["numerator"] == 0


def test_it_splits_acute_admissions_at_80_with_populations_of_the_same_ages(tmp_path):
    data = DataBuilder().people(300, alder=79).people(200, alder=80).people(100, alder=105)
    data.stay(alder=79, innleggelsesmate="akutt").stay(alder=80, innleggelsesmate="akutt")
    data.stay(alder=110, innleggelsesmate="akutt").stay(alder=85)  # elective: not counted
    results = run(data, tmp_path, indicators=["akutte_innleggelser_0_79", "akutte_innleggelser_80_pluss"])
    young = row(results, "akutte_innleggelser_0_79", "kommune", "3905")
    old = row(results, "akutte_innleggelser_80_pluss", "kommune", "3905")
    assert (young["numerator"], young["denominator"]) == (1, 300)
    assert (old["numerator"], old["denominator"]) == (2, 300)


def test_it_uses_the_latest_assessment_and_the_highest_group_on_equal_dates(tmp_path):
    data = DataBuilder().people(1000, alder=80)
    data.assessment(person="a", dato="2024-02-01", gruppe=4).assessment(person="a", dato="2024-06-01", gruppe=1)
    data.assessment(person="b", dato="2024-06-01", gruppe=2).assessment(person="b", dato="2024-06-01", gruppe=3)
    data.assessment(person="c", dato="2024-06-01", gruppe=None).assessment(person="c", dato="2024-06-01", gruppe=1)
    data.assessment(person="d", dato="2024-06-01", gruppe=4, alder=74)  # too young
    results = run(data, tmp_path, indicators=["skropelige_eldre", "noe_skropelige_eldre"])
    assert row(results, "skropelige_eldre", "kommune", "3905")["numerator"] == 1  # b
    assert row(results, "noe_skropelige_eldre", "kommune", "3905")["numerator"] == 2  # a and c


def test_it_places_a_frail_person_in_the_municipality_of_the_latest_assessment(tmp_path):
    data = DataBuilder().people(1000, alder=80).people(1000, kommune="3907", alder=80)
    data.assessment(person="a", dato="2024-02-01", gruppe=3, kommune="3905")
    data.assessment(person="a", dato="2024-09-01", gruppe=3, kommune="3907")
    results = run(data, tmp_path, indicators=["skropelige_eldre"])
    assert row(results, "skropelige_eldre", "kommune", "3907")["numerator"] == 1
    assert row(results, "skropelige_eldre", "kommune", "3905")["numerator"] == 0
    assert row(results, "skropelige_eldre", "land", "NO")["numerator"] == 1


def test_it_counts_severe_mental_illness_once_per_person_over_stays_and_contacts(data, tmp_path):
    data.people(1000, alder=17)
    severe = {"fagomrade": "phv_voksne", "hovedtilstand": "F200"}
    data.stay(person="a", **severe).contact(person="a", **severe).contact(person="a", tid="2024-09-01T10:00", **severe)
    data.contact(person="b", fagomrade="phv_voksne", hovedtilstand="F611")
    data.contact(person="c", fagomrade="phv_voksne", hovedtilstand="F410")  # not on the list
    data.contact(person="d", fagomrade="phv_bu", hovedtilstand="F200")  # not adult mental health
    data.contact(person="e", alder=17, **severe)  # under 18
    result = row(
        run(data, tmp_path, indicators=["alvorlig_psykisk_lidelse"]), "alvorlig_psykisk_lidelse", "kommune", "3905"
    )
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 1000, 0.2)


def test_it_counts_a_moving_person_in_each_municipality_but_once_in_the_community(data, tmp_path):
    data.people(1000, kommune="3907")
    data.stay(person="a", kommune="3905", klar="2024-03-04T10:00")
    data.stay(person="a", kommune="3907", inn="2024-10-01T10:00", ut="2024-10-05T10:00", klar="2024-10-04T10:00")
    results = run(data, tmp_path, indicators=["utskrivningsklare_pasienter", "overliggerdogn"])
    assert row(results, "utskrivningsklare_pasienter", "kommune", "3905")["numerator"] == 1
    assert row(results, "utskrivningsklare_pasienter", "kommune", "3907")["numerator"] == 1
    assert row(results, "utskrivningsklare_pasienter", "helsefellesskap", "Vestfold")["numerator"] == 1
    assert row(results, "utskrivningsklare_pasienter", "land", "NO")["numerator"] == 1
    # Stays and days are not persons: they add up across the municipalities.
    assert row(results, "overliggerdogn", "helsefellesskap", "Vestfold")["numerator"] == 2


def test_it_reports_city_districts_and_their_municipality(tmp_path):
    data = DataBuilder().people(800, kommune="0301").people(300, kommune="0301", bydel="030101")
    data.people(500, kommune="0301", bydel="030102")
    data.stay(kommune="0301", bydel="030101", klar="2024-03-03T10:00")
    data.stay(kommune="0301", bydel="030101", klar="2024-03-03T10:00")
    data.stay(kommune="0301", klar="2024-03-03T10:00")  # an Oslo resident without a district
    results = run(data, tmp_path, indicators=["overliggerdogn"])
    district = row(results, "overliggerdogn", "bydel", "030101")
    assert (district["numerator"], district["denominator"]) == (4, 300)
    assert row(results, "overliggerdogn", "bydel", "030102")["numerator"] == 0
    assert row(results, "overliggerdogn", "kommune", "0301")["numerator"] == 6
    assert row(results, "overliggerdogn", "helsefellesskap", "Oslo")["denominator"] == 800


def test_it_standardises_directly_with_the_latest_years_national_population(tmp_path):
    # Tønsberg is young, Sandefjord old; the standard is both together: 600 aged 80, 1 400 aged 20.
    data = DataBuilder().people(100, alder=80).people(900, alder=20)
    data.people(500, kommune="3907", alder=80).people(500, kommune="3907", alder=20)
    for number in range(10):
        data.stay(person=f"o{number}", alder=80, klar="2024-03-04T10:00", ut="2024-03-05T10:00")
    for number in range(9):
        data.stay(person=f"y{number}", alder=20, klar="2024-03-04T10:00", ut="2024-03-05T10:00")
    result = row(run(data, tmp_path, indicators=["overliggerdogn"]), "overliggerdogn", "kommune", "3905")
    assert result["value"] == pytest.approx(19.0)
    # (10/100 · 600 + 9/900 · 1 400) / 2 000 · 1 000
    assert result["value_std"] == pytest.approx(37.0)


def test_it_leaves_out_areas_with_a_zero_denominator(data, tmp_path):
    data.stay(kommune="3907", klar="2024-03-04T10:00")  # Sandefjord has no population in this data set
    results = run(data, tmp_path, indicators=["overliggerdogn", "andel_utskrivningsklare_med_overliggerdogn"])
    assert areas_of(results, "overliggerdogn", "kommune") == {"3905"}
    assert areas_of(results, "andel_utskrivningsklare_med_overliggerdogn", "kommune") == {"3907"}


def test_it_adds_three_year_values_for_small_municipalities_when_all_three_years_run(tmp_path):
    data = DataBuilder()
    for year in (2024, 2025, 2026):
        data.people(1000, year=year).people(6000, kommune="3907", year=year)
        data.stay(inn=f"{year}-03-01T10:00", ut=f"{year}-03-05T10:00", klar=f"{year}-03-04T10:00")
    results = run(data, tmp_path, indicators=["overliggerdogn"])
    three = row(results, "overliggerdogn", "kommune", "3905", 2026, "3y")
    assert (three["numerator"], three["denominator"], three["value"]) == (3, 3000, 1.0)
    assert not [r for r in results if r["period"] == "3y" and (r["area"] == "3907" or r["year"] != 2026)]


def test_it_adds_no_three_year_values_when_a_year_is_missing_from_the_run(tmp_path):
    data = DataBuilder()
    for year in (2024, 2025, 2026):
        data.people(1000, year=year).stay(inn=f"{year}-03-01T10:00", ut=f"{year}-03-05T10:00")
    results = run(data, tmp_path, years=[2024, 2026], indicators=["epikrise_innen_1_dag"])
    assert {r["period"] for r in results} == {"1y"}


def test_it_flags_suppressed_values_and_keeps_the_raw_numbers(data, tmp_path):
    for _ in range(3):
        data.stay(klar="2024-03-04T10:00")
    result = row(run(data, tmp_path, indicators=["overliggerdogn"]), "overliggerdogn", "kommune", "3905")
    assert result["suppressed"] is True
    assert (result["numerator"], result["value"]) == (3, 3.0)
