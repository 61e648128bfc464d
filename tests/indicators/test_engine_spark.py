"""The same Ibis definitions give the same results on PySpark (local mode) as on DuckDB, for the whole catalogue."""

import logging

import pyarrow.parquet as pq
import pytest

from samhandling.indicators.engine.catalogue import CATALOGUE
from samhandling.indicators.engine.run import run_indicators

from .test_engine_support import DataBuilder

# Spark's cost on a few hundred rows is all fixed cost per query and per stage: one core, one partition, no adaptive
# re-planning, broadcast joins instead of shuffles, and no Java code generation (compiling it takes far longer than
# interpreting tiny inputs). Spark tunes itself the same way in its own test suites.
TINY_DATA_CONFIG = {
    "spark.sql.shuffle.partitions": "1",
    "spark.default.parallelism": "1",
    "spark.sql.adaptive.enabled": "false",
    "spark.sql.autoBroadcastJoinThreshold": str(100 * 1024 * 1024),
    "spark.sql.codegen.wholeStage": "false",
    "spark.sql.codegen.factoryMode": "NO_CODEGEN",
    "spark.sql.session.timeZone": "UTC",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.extraJavaOptions": "-XX:+UseSerialGC -XX:TieredStopAtLevel=1",
}


@pytest.fixture(scope="session")
def spark():
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.master("local[1]").appName("samhandling-tests")
    for key, value in TINY_DATA_CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
    logging.getLogger("py4j").setLevel(logging.WARNING)  # its goodbye would be logged to a closed stream


def _data() -> DataBuilder:
    """A little of everything every indicator reads: stays ready for discharge, readmissions (one across the year
    end), deaths, discharge letters on time and late, video and telephone contacts, assessments, districts."""
    data = DataBuilder().people(600).people(400, kjonn="M", alder=80).people(700, kommune="3907", alder=85)
    data.people(300, kommune="0301", bydel="030101", alder=30).people(300, kommune="0301", alder=30)
    data.people(600, year=2025).people(700, kommune="3907", alder=85, year=2025)
    for number in range(8):
        data.stay(
            person=f"p{number}",
            alder=50 + number * 5,
            klar="2024-03-03T10:00",
            kommune="3905",
            epikrise="2024-03-06T09:00" if number % 3 else None,
        )
        data.stay(
            person=f"p{number}",
            inn="2024-03-06T10:00",
            ut="2024-03-08T10:00",
            innleggelsesmate="akutt",
            kommune="3907" if number % 2 else "3905",
            alder=80,
            til="dod" if number == 7 else "hjem",
            epikrise="2024-03-08T12:00" if number % 2 else "2024-03-12T12:00",
        )
        data.stay(
            person=f"y{number}",
            inn="2024-12-20T10:00",
            ut="2024-12-28T10:00",
            klar="2024-12-24T08:00",
            kommune="3907",
            alder=70 + number,
            kjonn="M",
        )
        data.stay(
            person=f"y{number}",
            inn=f"2025-01-{10 + number * 2:02d}T10:00",
            ut=f"2025-01-{12 + number * 2:02d}T10:00",
            innleggelsesmate="akutt",
            kommune="3907",
            alder=71 + number,
            kjonn="M",
        )
        data.assessment(person=f"p{number}", gruppe=number % 5 or None, alder=75 + number, kommune="3907")
        data.assessment(person=f"p{number}", dato="2025-02-01", gruppe=4 - number % 4, alder=76 + number)
        data.contact(
            person=f"q{number}",
            fagomrade="phv_voksne",
            hovedtilstand="F320",
            alder=30,
            kommune="0301",
            bydel="030101" if number % 3 else None,
            kontaktform=("fysisk", "video", "telefon")[number % 3],
        )
    # Tertials: stays and contacts from the first to the last week of 2024 (whole tertials there), a readmission
    # across the T1/T2 border, and something counted in every tertial.
    for number, (inn, ut) in enumerate(
        [
            ("2024-01-02T08:00", "2024-01-05T10:00"),
            ("2024-04-26T08:00", "2024-04-29T10:00"),
            ("2024-05-10T08:00", "2024-05-12T10:00"),
            ("2024-08-30T08:00", "2024-09-02T10:00"),
            ("2024-12-27T08:00", "2024-12-30T10:00"),
        ]
    ):
        data.stay(
            person="t1" if number in (1, 2) else f"t{number}",
            inn=inn,
            ut=ut,
            klar=ut[:11] + "08:00" if number % 2 else inn[:11] + "09:00",
            innleggelsesmate="akutt" if number else "elektiv",
            kommune="3907" if number % 2 else "3905",
            alder=60 + number * 7,
            epikrise=ut if number % 2 else None,
        )
        data.contact(person=f"tc{number}", tid=inn, kontaktform=("video", "fysisk", "telefon")[number % 3])
    return data


def test_it_gives_identical_results_for_every_indicator_on_duckdb_and_pyspark(spark, tmp_path):
    folder = _data().write(tmp_path / "data")
    duck = run_indicators(folder, tmp_path / "duck")
    sparked = run_indicators(folder, tmp_path / "spark", engine="spark")
    duck_rows = pq.read_table(duck.results_path).to_pylist()
    spark_rows = pq.read_table(sparked.results_path).to_pylist()
    # Every indicator has results, with something counted, so no definition passes by being empty on both engines.
    assert {row["indicator"] for row in duck_rows if row["numerator"]} == {indicator.id for indicator in CATALOGUE}
    assert (sparked.engine, len(spark_rows)) == ("spark", len(duck_rows))
    for ours, theirs in zip(duck_rows, spark_rows, strict=True):
        assert _exact(theirs) == _exact(ours)
        # Summation order may differ between the engines in the last bit of a standardised rate, never more.
        assert (theirs["value_std"] is None) == (ours["value_std"] is None)
        if ours["value_std"] is not None:
            assert theirs["value_std"] == pytest.approx(ours["value_std"], rel=1e-12)
            assert theirs["value_std_variance"] == pytest.approx(ours["value_std_variance"], rel=1e-12)
    # The tertials too: every indicator that has them, the tertials the records cover, the same numbers.
    duck_tertials = pq.read_table(duck.tertials_path).to_pylist()
    spark_tertials = pq.read_table(sparked.tertials_path).to_pylist()
    with_tertials = {indicator.id for indicator in CATALOGUE if indicator.tertials}
    assert {row["indicator"] for row in duck_tertials if row["numerator"]} == with_tertials
    assert {(row["year"], row["period"]) for row in duck_tertials} == {(2024, "T1"), (2024, "T2"), (2024, "T3")}
    assert (sparked.tertial_rows, len(spark_tertials)) == (duck.tertial_rows, len(duck_tertials))
    for ours, theirs in zip(duck_tertials, spark_tertials, strict=True):
        assert _exact(theirs) == _exact(ours)
        assert (theirs["value_std"] is None) == (ours["value_std"] is None)
        if ours["value_std"] is not None:
            assert theirs["value_std"] == pytest.approx(ours["value_std"], rel=1e-12)


def _exact(result: dict) -> dict:
    return {key: value for key, value in result.items() if key not in ("value_std", "value_std_variance")}
