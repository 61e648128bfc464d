"""The synthetic indicator data generator (`engine.synthetic`) and its `synthetic_data` command.

Small scales only: reproducibility for a seed, conformity with the contract (the import accepts it), plausible
rates, pseudonymous ids and the synthetic marking.
"""

import json

import duckdb
import pytest
from django.core.management import call_command

from samhandling.indicators.engine import synthetic
from samhandling.indicators.engine.dataset import prepare_dataset

SCALE = 0.002  # about 1 800 inpatient stays, 16 000 contacts and 1 400 assessments a year


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("synthetic") / "data"
    synthetic.generate(folder, scale=SCALE, years=[2024, 2025], seed=11)
    return folder


@pytest.fixture(scope="module")
def sql(generated):
    connection = duckdb.connect()
    for table in ("opphold", "kontakter", "iplos", "befolkning"):
        connection.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{generated / table}.parquet')")  # noqa: S608

    def one(query: str):
        return connection.execute(query).fetchone()

    yield one
    connection.close()


def test_it_is_byte_identical_for_the_same_seed_and_differs_for_another(tmp_path, generated):
    synthetic.generate(tmp_path / "again", scale=SCALE, years=[2024, 2025], seed=11)
    synthetic.generate(tmp_path / "other", scale=SCALE, years=[2024, 2025], seed=12)
    for table in ("opphold.parquet", "kontakter.parquet", "iplos.parquet", "dataset.json"):
        assert (tmp_path / "again" / table).read_bytes() == (generated / table).read_bytes()
    assert (tmp_path / "other" / "opphold.parquet").read_bytes() != (generated / "opphold.parquet").read_bytes()


def test_it_follows_the_contract_so_the_import_accepts_it(tmp_path, generated):
    manifest = prepare_dataset(generated, tmp_path / "prepared")
    assert manifest["synthetic"] is True and manifest["years"] == [2024, 2025]
    assert manifest["tables"]["kontakter"] == 2 * 16_000


def test_it_writes_the_volumes_of_the_scale(sql):
    inpatient, day = sql(
        "SELECT count(*) FILTER (omsorgsniva = 'dogn'), count(*) FILTER (omsorgsniva = 'dag') FROM opphold"
    )
    assert 2 * 900_000 * SCALE * 0.95 < inpatient < 2 * 900_000 * SCALE * 1.05
    assert day == 2 * 1_000_000 * SCALE
    assert 2 * 700_000 * SCALE * 0.8 < sql("SELECT count(*) FROM iplos")[0] < 2 * 700_000 * SCALE * 1.2


def test_it_carries_the_population_times_the_scale_so_rates_per_1000_are_right(sql):
    # Norway had 5 550 203 inhabitants on 1 January 2024 (the embedded SSB figures).
    whole_country = sql("SELECT sum(antall) FROM befolkning WHERE aar = 2024 AND bydel IS NULL")[0]
    assert abs(whole_country - 5_550_203 * SCALE) < 0.01 * 5_550_203 * SCALE
    inpatient_2024 = sql("SELECT count(*) FROM opphold WHERE omsorgsniva = 'dogn' AND year(ut_tid) = 2024")[0]
    assert 120 < 1000 * inpatient_2024 / whole_country < 200  # about 160 inpatient stays per 1 000 inhabitants


def test_it_admits_the_old_more_often_than_the_young(sql):
    # The 80+ are under 5 % of the residents but about a fifth of the inpatient stays.
    (old_share,) = sql("SELECT avg((alder >= 80)::INT) FROM opphold WHERE omsorgsniva = 'dogn'")
    assert old_share > 0.17


def test_it_has_plausible_discharge_readiness_readmissions_and_letters(sql):
    ready, waiting, letter_within_a_day = sql(
        "SELECT avg((utskrivningsklar_tid IS NOT NULL)::INT), "
        "avg((date_diff('day', utskrivningsklar_tid::DATE, ut_tid::DATE) >= 1)::INT) "
        "FILTER (utskrivningsklar_tid IS NOT NULL), "
        "avg((date_diff('day', ut_tid::DATE, epikrise_sendt_tid::DATE) <= 1)::INT) "
        "FROM opphold WHERE omsorgsniva = 'dogn'"
    )
    assert 0.05 < ready < 0.2 and 0.1 < waiting < 0.5 and 0.6 < letter_within_a_day < 0.85
    (readmitted,) = sql(
        "SELECT avg((EXISTS (SELECT 1 FROM opphold r WHERE r.person_id = i.person_id AND r.omsorgsniva = 'dogn' "
        "AND r.innleggelsesmate = 'akutt' AND r.inn_tid > i.ut_tid + INTERVAL 8 HOUR "
        "AND r.inn_tid <= i.ut_tid + INTERVAL 30 DAY))::INT) FROM opphold i "
        "WHERE omsorgsniva = 'dogn' AND fagomrade = 'somatikk' AND utskrevet_til <> 'dod'"
    )
    assert 0.07 < readmitted < 0.2
    assert sql("SELECT count(*) FROM opphold WHERE ut_tid < inn_tid OR utskrivningsklar_tid < inn_tid")[0] == 0


def test_it_has_a_fifth_of_contacts_by_video_or_telephone(sql):
    (remote,) = sql("SELECT avg((kontaktform IN ('video', 'telefon'))::INT) FROM kontakter")
    assert 0.15 <= remote <= 0.25


def test_it_gives_f_diagnoses_in_mental_health_and_iplos_groups_to_older_users(sql):
    assert sql("SELECT count(*) FROM kontakter WHERE fagomrade = 'somatikk' AND hovedtilstand LIKE 'F%'")[0] == 0
    assert sql("SELECT count(*) FROM kontakter WHERE fagomrade = 'phv_voksne' AND hovedtilstand NOT LIKE 'F%'")[0] == 0
    assert sql("SELECT count(*) FROM kontakter WHERE fagomrade = 'phv_voksne' AND alder < 18")[0] == 0
    (median_age,) = sql("SELECT median(alder) FROM iplos")
    assert median_age >= 75
    assert sql("SELECT count(DISTINCT funksjonsgruppe) FROM iplos")[0] == 4


def test_it_uses_some_2023_codes_and_districts_and_pseudonymous_ids(sql):
    assert sql("SELECT count(*) FROM opphold WHERE kommune IN ('3001', '3002', '3805', '1804')")[0] > 0
    assert sql("SELECT count(*) FROM kontakter WHERE bydel LIKE '0301%'")[0] > 0
    assert sql("SELECT count(*) FROM kontakter WHERE bydel IS NOT NULL AND NOT starts_with(bydel, kommune)")[0] == 0
    assert sql("SELECT count(*) FROM opphold WHERE NOT regexp_full_match(person_id, 'P[0-9a-f]{10}')")[0] == 0
    (people, stays) = sql("SELECT count(DISTINCT person_id), count(*) FROM opphold")
    assert people < stays  # people come back: readmissions need the same person


def test_it_marks_the_folder_as_synthetic(generated):
    description = json.loads((generated / "dataset.json").read_text())
    assert description | {"tables": None} == {
        "synthetic": True, "seed": 11, "scale": SCALE, "years": [2024, 2025],
            "generator_version": synthetic.GENERATOR_VERSION,
        "format": "parquet", "tables": None,
    }  # fmt: skip
    assert "SYNTETISKE DATA" in (generated / "README.txt").read_text()


def test_the_command_writes_csv_and_refuses_a_folder_in_use(tmp_path):
    call_command("synthetic_data", "--out", str(tmp_path / "csv"), "--scale", "0.0002", "--years", "2025",
                 "--seed", "3", "--format", "csv")  # fmt: skip
    assert (tmp_path / "csv" / "kontakter.csv").read_text().startswith('"contact_id","person_id"')
    with pytest.raises(Exception, match="not empty"):
        call_command("synthetic_data", "--out", str(tmp_path / "csv"), "--scale", "0.0002")


def test_its_emergency_admissions_are_plausible_for_the_old_and_the_young(sql):
    # Norway: roughly 400 emergency admissions a year per 1 000 aged 80+, and 60–90 per 1 000 aged 0–79.
    def rate(condition: str) -> float:
        (stays,) = sql(
            "SELECT count(*) FROM opphold WHERE omsorgsniva = 'dogn' AND innleggelsesmate = 'akutt' "  # noqa: S608
            f"AND year(inn_tid) = 2025 AND {condition}"
        )
        (people,) = sql(f"SELECT sum(antall) FROM befolkning WHERE aar = 2025 AND bydel IS NULL AND {condition}")  # noqa: S608
        return 1000 * stays / people

    assert 330 < rate("alder >= 80") < 500
    assert 50 < rate("alder < 80") < 95
