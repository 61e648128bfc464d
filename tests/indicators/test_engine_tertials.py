"""Tertial values (T1 January–April, T2 May–August, T3 September–December), hand-computed on tiny data sets: the
same definitions as the yearly values, one more key, written to tertials.parquet (results.parquet keeps the
contract's periods 1y and 3y), and only for tertials the records wholly cover."""

from datetime import date

import pyarrow.parquet as pq
import pytest

from samhandling.indicators.engine.catalogue import CATALOGUE
from samhandling.indicators.engine.run import run_indicators, tertial_dates

from .test_engine_support import DataBuilder, row


def framed(data: DataBuilder, *, first: str = "2024-01-02", last: str = "2024-12-30") -> DataBuilder:
    """Stays on the first and the last day that no indicator counts (somatic day treatment), so the stays' record
    dates cover the year and every tertial is whole."""
    data.stay(person="frame", omsorgsniva="dag", inn=f"{first}T08:00", ut=f"{first}T09:00")
    data.stay(person="frame", omsorgsniva="dag", inn=f"{last}T08:00", ut=f"{last}T09:00")
    return data


def run_both(data: DataBuilder, tmp_path, **options) -> tuple[list[dict], list[dict]]:
    summary = run_indicators(data.write(tmp_path / "data"), tmp_path / "out", **options)
    return pq.read_table(summary.results_path).to_pylist(), pq.read_table(summary.tertials_path).to_pylist()


@pytest.fixture
def data():
    """1 000 inhabitants (women aged 50) in Tønsberg 2024, with records from 2 January to 30 December."""
    return framed(DataBuilder().people(1000))


def test_the_tertials_are_the_calendar_thirds():
    assert [tertial_dates(2024, t) for t in (1, 2, 3)] == [
        (date(2024, 1, 1), date(2024, 4, 30)),
        (date(2024, 5, 1), date(2024, 8, 31)),
        (date(2024, 9, 1), date(2024, 12, 31)),
    ]


def test_overliggerdogn_fall_in_the_tertial_of_discharge_and_are_not_annualised(data, tmp_path):
    data.stay(inn="2024-04-20T10:00", klar="2024-04-27T10:00", ut="2024-04-30T22:00")  # T1: 3 days
    data.stay(inn="2024-04-25T10:00", klar="2024-04-29T10:00", ut="2024-05-01T08:00")  # T2 (discharge): 2 days
    data.stay(inn="2024-10-01T10:00", klar="2024-10-02T10:00", ut="2024-10-08T10:00")  # T3: 6 days
    results, tertials = run_both(data, tmp_path)
    yearly = row(results, "overliggerdogn", "kommune", "3905")
    assert (yearly["numerator"], yearly["value"]) == (11, 11.0)
    found = {p: row(tertials, "overliggerdogn", "kommune", "3905", period=p) for p in ("T1", "T2", "T3")}
    # Per 1 000 inhabitants on 1 January, the four months' days only: 3 + 2 + 6 = the year's 11.
    assert {p: (r["numerator"], r["denominator"], r["value"]) for p, r in found.items()} == {
        "T1": (3, 1000, 3.0),
        "T2": (2, 1000, 2.0),
        "T3": (6, 1000, 6.0),
    }
    # One stratum, whose population is also the standard: the standardised value is the crude one.
    assert found["T3"]["value_std"] == pytest.approx(6.0)
    # The contract's suppression, per tertial: 2 and 3 days are small numbers, 6 is not.
    assert [found[p]["suppressed"] for p in ("T1", "T2", "T3")] == [True, True, False]
    assert {r["period"] for r in results} == {"1y"}


def test_a_readmission_in_the_next_tertial_belongs_to_the_index_stays_tertial(data, tmp_path):
    data.stay(person="a", inn="2024-04-20T10:00", ut="2024-04-25T10:00")  # index, T1
    data.stay(person="a", inn="2024-05-10T10:00", ut="2024-05-12T10:00", innleggelsesmate="akutt")  # T2 index too
    data.stay(person="b", inn="2024-08-20T10:00", ut="2024-08-28T10:00")  # index, T2
    data.stay(person="b", inn="2024-09-05T10:00", ut="2024-09-07T10:00", innleggelsesmate="akutt")  # T3 index too
    data.stay(person="c", inn="2024-06-01T10:00", ut="2024-06-03T10:00")  # index, T2, not readmitted
    results, tertials = run_both(data, tmp_path, indicators=["reinnleggelse_30d"])
    yearly = row(results, "reinnleggelse_30d", "kommune", "3905")
    assert (yearly["numerator"], yearly["denominator"]) == (2, 5)
    found = {p: row(tertials, "reinnleggelse_30d", "kommune", "3905", period=p) for p in ("T1", "T2", "T3")}
    assert {p: (r["numerator"], r["denominator"]) for p, r in found.items()} == {
        "T1": (1, 1),
        "T2": (1, 3),
        "T3": (0, 1),
    }
    assert found["T2"]["value"] == pytest.approx(100 / 3)


def test_acute_admissions_fall_in_the_tertial_of_admission(data, tmp_path):
    data.stay(inn="2024-04-29T10:00", ut="2024-05-02T10:00", innleggelsesmate="akutt")  # admitted in T1
    data.stay(inn="2024-08-31T23:00", ut="2024-09-02T10:00", innleggelsesmate="akutt", alder=85)  # T2, 80+
    _results, tertials = run_both(data, tmp_path, indicators=["akutte_innleggelser_0_79", "overliggerdogn"])
    young = {r["period"]: r["numerator"] for r in tertials if r["indicator"] == "akutte_innleggelser_0_79"}
    assert {p: young[p] for p in ("T1", "T2", "T3")} == {"T1": 1, "T2": 0, "T3": 0}


def test_video_share_per_tertial(tmp_path):
    data = DataBuilder().people(1000)
    for day, form in [
        ("2024-01-03", "video"),
        ("2024-02-03", "fysisk"),
        ("2024-04-29", "telefon"),
        ("2024-04-30", "fysisk"),
        ("2024-05-02", "telefon"),
        ("2024-12-28", "fysisk"),
    ]:
        data.contact(person=f"p{day}", tid=f"{day}T10:00", kontaktform=form)
    results, tertials = run_both(data, tmp_path, indicators=["andel_video_telefon"])
    assert row(results, "andel_video_telefon", "kommune", "3905")["numerator"] == 3
    found = {p: row(tertials, "andel_video_telefon", "kommune", "3905", period=p) for p in ("T1", "T2", "T3")}
    assert {p: (r["numerator"], r["denominator"], r["value"]) for p, r in found.items()} == {
        "T1": (2, 4, 50.0),
        "T2": (1, 1, 100.0),
        "T3": (0, 1, 0.0),
    }
    # A denominator below 5 is hidden, whatever the share (0 % too: a hidden cell is never shown as zero).
    assert all(r["suppressed"] for r in found.values())


def test_a_person_ready_for_discharge_is_counted_once_per_tertial(data, tmp_path):
    data.stay(person="a", klar="2024-03-04T10:00", ut="2024-03-05T10:00")
    data.stay(person="a", inn="2024-03-20T10:00", klar="2024-03-21T10:00", ut="2024-03-22T10:00")
    data.stay(person="a", inn="2024-06-01T10:00", klar="2024-06-02T10:00", ut="2024-06-03T10:00")
    data.stay(person="b", inn="2024-06-01T10:00", klar="2024-06-02T10:00", ut="2024-06-03T10:00")
    results, tertials = run_both(data, tmp_path, indicators=["utskrivningsklare_pasienter"])
    assert row(results, "utskrivningsklare_pasienter", "kommune", "3905")["numerator"] == 2
    counted = {r["period"]: r["numerator"] for r in tertials if r["level"] == "kommune"}
    assert counted == {"T1": 1, "T2": 2, "T3": 0}


def test_person_prevalences_have_no_tertials(data, tmp_path):
    data.people(100, alder=80)
    data.assessment(person="a", dato="2024-02-01", gruppe=3).assessment(person="a", dato="2024-10-01", gruppe=4)
    data.assessment(person="z", dato="2024-01-02", gruppe=None).assessment(person="z", dato="2024-12-30", gruppe=None)
    data.stay(person="f", fagomrade="phv_voksne", hovedtilstand="F200", alder=40)
    data.stay(person="r", klar="2024-03-04T10:00")  # so every ratio indicator has a denominator
    data.contact(person="f", tid="2024-01-03T10:00", fagomrade="phv_voksne", hovedtilstand="F200", alder=40)
    data.contact(person="f", tid="2024-12-29T10:00", fagomrade="phv_voksne", hovedtilstand="F200", alder=40)
    results, tertials = run_both(data, tmp_path)
    without = {i.id for i in CATALOGUE if not i.tertials}
    assert without == {"skropelige_eldre", "noe_skropelige_eldre", "alvorlig_psykisk_lidelse"}
    assert {r["indicator"] for r in results} >= without
    assert not {r["indicator"] for r in tertials} & without
    assert {r["indicator"] for r in tertials} == {i.id for i in CATALOGUE if i.tertials}


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        ("2024-06-15", {"T1"}),  # T2 has only half its months: left out, not shown as low
        ("2024-08-20", {"T1"}),  # eleven days of August missing: still partial
        ("2024-08-26", {"T1", "T2"}),  # the last week of a tertial may have no records (holidays)
        ("2024-12-27", {"T1", "T2", "T3"}),
        ("2024-12-31", {"T1", "T2", "T3"}),
    ],
)
def test_only_tertials_the_records_wholly_cover_are_produced(tmp_path, last, expected):
    data = framed(DataBuilder().people(1000), last=last)
    data.stay(inn="2024-03-01T10:00", klar="2024-03-02T10:00", ut="2024-03-09T10:00")
    _results, tertials = run_both(data, tmp_path, years=[2024], indicators=["overliggerdogn"])
    assert {r["period"] for r in tertials} == expected


def test_a_data_set_starting_after_new_year_has_no_first_tertial(tmp_path):
    data = framed(DataBuilder().people(1000), first="2024-02-01")
    data.stay(inn="2024-06-01T10:00", klar="2024-06-02T10:00", ut="2024-06-09T10:00")
    _results, tertials = run_both(data, tmp_path, years=[2024], indicators=["overliggerdogn"])
    assert {r["period"] for r in tertials} == {"T2", "T3"}


def test_tertials_are_every_level_and_can_be_switched_off(data, tmp_path):
    data.stay(kommune="3907", inn="2024-05-01T10:00", klar="2024-05-02T10:00", ut="2024-05-09T10:00")
    data.people(500, kommune="3907")
    _results, tertials = run_both(data, tmp_path, indicators=["overliggerdogn"])
    t2 = {(r["level"], r["area"]): r["numerator"] for r in tertials if r["period"] == "T2"}
    assert t2[("land", "NO")] == 7 and t2[("kommune", "3907")] == 7 and t2[("kommune", "3905")] == 0
    assert t2[("helsefellesskap", "Vestfold")] == 7
    summary = run_indicators(tmp_path / "data", tmp_path / "off", indicators=["overliggerdogn"], tertials=False)
    assert (summary.tertial_rows, pq.read_table(summary.tertials_path).num_rows) == (0, 0)
