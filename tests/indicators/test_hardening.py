"""Hardening of styringsinformasjon (issue 15): control characters in a delivery, the ranking's direction, ids from
requests, and the period a data set covers."""

import datetime as dt
import io

import pytest

from samhandling.indicators import jobs, selectors, services
from samhandling.indicators.engine.catalogue import get
from samhandling.indicators.engine.dataset import DatasetRefused, covered_period, prepare_dataset
from samhandling.indicators.models import Dataset, JobStatus
from samhandling.indicators.selectors import Cell

from .test_jobs import HEADER
from .webfixtures import deferred, make_run

STAY = "{id},p{id},{kjonn},70,3905,,Sykehuset i Vestfold,dogn,akutt,somatikk,I50,{inn},{ut},,hjem,"


def _opphold(folder, rows):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "opphold.csv").write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return folder


def _stay(n, *, kjonn="K", inn="2025-03-01T08:00:00", ut="2025-03-10T10:00:00"):
    return STAY.format(id=n, kjonn=kjonn, inn=inn, ut=ut)


@pytest.fixture
def storage(settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    settings.INDICATOR_DATA_ROOT = tmp_path / "inbox"
    (tmp_path / "inbox").mkdir()
    return tmp_path


# --- NUL bytes ----------------------------------------------------------------------------------------------------


def test_a_nul_byte_is_refused_naming_table_row_and_column(tmp_path):
    source = _opphold(tmp_path / "in", [_stay(1), _stay(2, kjonn="K\x00")])
    with pytest.raises(DatasetRefused) as refused:
        prepare_dataset(source, tmp_path / "out")
    first = refused.value.errors[0]
    assert (first.table, first.row, first.column, first.code) == ("opphold", 3, "kjonn", "control_character")
    assert not any("\x00" in str(error.params) for error in refused.value.errors)


def test_a_nul_byte_in_an_import_is_a_validation_error_not_a_database_error(demo, storage):
    _opphold(storage / "inbox" / "nul", [_stay(1), _stay(2, kjonn="K\x00")])
    job = services.dataset_import_start(actor=demo.anders, name="Nul", folder="nul")
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.dataset is None
    error = job.errors[0]
    assert (error["table"], error["row"], error["column"], error["code"]) == (
        "opphold",
        3,
        "kjonn",
        "control_character",
    )
    assert "\x00" not in str(job.errors)


# --- ranking direction --------------------------------------------------------------------------------------------


def _cells(values):
    return {code: Cell(value, None, 10, 100, False, False, "", "percent") for code, value in values.items()}


def test_rank_one_is_the_lowest_value_where_lower_is_better():
    order = selectors.ranking(_cells({"a": 30.0, "b": 10.0, "c": 20.0}), higher_is_better=False)
    assert order == [("b", 1), ("c", 2), ("a", 3)]


def test_areas_are_not_ranked_where_neither_direction_is_better():
    order = selectors.ranking(_cells({"a": 30.0, "b": 10.0}), higher_is_better=None)
    assert order == [("a", None), ("b", None)]


def test_high_is_bad_for_patients_waiting_and_emergency_admissions():
    for indicator in ("utskrivningsklare_pasienter", "akutte_innleggelser_0_79", "akutte_innleggelser_80_pluss"):
        assert get(indicator).higher_is_better is False


def test_the_ranking_says_which_direction_is_better(client, demo):
    make_run()
    client.force_login(demo.sigrid)
    response = client.get("/styringsinformasjon/?indikator=reinnleggelse_30d")
    assert deferred(response.context["detail"])["direction"] == selectors.direction_text(get("reinnleggelse_30d"))
    assert deferred(response.context["detail"])["direction"] in response.content.decode()


# --- ids and bad paths --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/styringsinformasjon/offentlig/kommuner/%00/",
        "/styringsinformasjon/offentlig/bydeler/a%00b/",
        "/styringsinformasjon/kommuner/%00/",
        "/styringsinformasjon/offentlig/helsefellesskap/ves%00/",
    ],
)
def test_a_nul_in_an_area_path_answers_400(client, demo, path):
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("value", ["abc", "1e3", "-1", "99999999999999999999999", "%00"])
def test_a_bad_run_id_in_the_query_is_a_404_not_a_500(client, demo, value):
    make_run()
    client.force_login(demo.anders)
    assert client.get("/styringsinformasjon/", {"kjoring": value}).status_code == 404
    assert client.get("/styringsinformasjon/kjoringer/ny/", {"datasett": value}).status_code == 200


# --- the period a data set covers ---------------------------------------------------------------------------------


def test_the_period_is_the_whole_years_covered():
    assert covered_period(dt.date(2024, 1, 1), dt.date(2026, 1, 2), [2024, 2025, 2026]) == {
        "first": 2024,
        "last": 2025,
        "whole": True,
    }
    assert covered_period(dt.date(2024, 2, 15), dt.date(2025, 12, 31), [2024, 2025])["first"] == 2025


def test_one_stay_discharged_on_2_january_adds_no_year(demo, storage):
    rows = [
        _stay(n, inn=f"2025-{m:02d}-05T08:00:00", ut=f"2025-{m:02d}-10T08:00:00") for n, m in enumerate(range(1, 13))
    ]
    rows.append(_stay(99, inn="2025-12-30T08:00:00", ut="2026-01-02T08:00:00"))
    rows[0] = _stay(0, inn="2025-01-01T08:00:00", ut="2025-01-03T08:00:00")
    rows[-2] = _stay(11, inn="2025-12-01T08:00:00", ut="2025-12-05T08:00:00")
    _opphold(storage / "inbox" / "aar", rows)
    job = services.dataset_import_start(actor=demo.anders, name="Ett år", folder="aar")
    jobs.run_job(job.pk)
    job.refresh_from_db()
    dataset = job.dataset
    assert (dataset.period_start, dataset.period_end) == (2025, 2025)
    assert dataset.manifest["years"] == [2025, 2026]
    run_job = services.indicator_run_start(actor=demo.anders, dataset=dataset)
    assert run_job.params["years"] == [2025]
    jobs.run_job(run_job.pk)
    run_job.refresh_from_db()
    assert run_job.status == JobStatus.DONE, run_job.message
    assert set(run_job.run.results.values_list("year", flat=True)) == {2025}


def test_a_run_outside_the_period_is_refused_and_the_period_can_be_changed(demo):
    dataset = Dataset.objects.create(
        name="d",
        version="v",
        path="datasets/x",
        period_start=2024,
        period_end=2025,
        manifest={"years": [2023, 2024, 2025]},
    )
    with pytest.raises(services.ValidationError) as error:
        services.indicator_run_start(actor=demo.anders, dataset=dataset, years=[2023, 2024])
    assert "years" in error.value.message_dict
    services.dataset_set_period(actor=demo.anders, dataset=dataset, first=2023, last=2025)
    assert services.indicator_run_start(actor=demo.anders, dataset=dataset, years=[2023]).params["years"] == [2023]
    with pytest.raises(services.ValidationError):
        services.dataset_set_period(actor=demo.anders, dataset=dataset, first=2020, last=2025)


# --- exports for machines -----------------------------------------------------------------------------------------


def _export_queries(run):
    queries = {f"indikator={i}" for i in run.results.values_list("indicator", flat=True)}
    queries |= {f"niva={level}&omrade={area}" for level, area in run.results.values_list("level", "area").distinct()}
    return sorted(queries)


def test_every_csv_export_reads_back_as_plain_numbers_with_codes_and_labels(client, demo):
    import pandas as pd

    run = make_run()
    client.force_login(demo.anders)
    for query in _export_queries(run)[:40]:
        content = client.get(f"/styringsinformasjon/eksport.csv?{query}").content
        assert "\xa0".encode() not in content and "\u202f".encode() not in content, query
        frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", keep_default_na=False, na_values=[""])
        units = set(frame.iloc[:, 13])
        if len(units) == 1:
            assert selectors.unit_label(next(iter(units))) in frame.columns[11], frame.columns
        numbers = frame.iloc[:, [9, 10, 11]]
        assert all(str(dtype).startswith(("float", "int")) for dtype in numbers.dtypes), (query, numbers.dtypes)
        assert set(frame.iloc[:, 13]) <= {"per_1000", "percent"} and set(frame.iloc[:, 7]) <= {"1y", "3y"}
        assert {str(label) for label in frame.iloc[:, 14]} <= {selectors.unit_label(u) for u in ("per_1000", "percent")}
        assert set(frame.iloc[:, 15]) <= {True, False}


def test_a_big_numerator_in_the_csv_has_no_thousands_separator(client, demo):
    import pandas as pd

    make_run()
    content = client.get("/styringsinformasjon/offentlig/eksport.csv?niva=land&omrade=NO").content
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    assert frame.iloc[:, 9].max() >= 50_000 and frame.iloc[:, 9].dtype.kind in "if"
    assert b"50000" in content or b"50005" in content


def test_every_xlsx_export_has_numeric_cells_and_a_unit_in_the_header(client, demo):
    import pandas as pd
    from openpyxl import load_workbook

    run = make_run()
    for query in _export_queries(run)[:20]:
        response = client.get(f"/styringsinformasjon/offentlig/eksport.xlsx?{query}")
        content = b"".join(response.streaming_content)
        sheet = load_workbook(io.BytesIO(content)).active
        rows = list(sheet.iter_rows(min_row=4, values_only=True))
        for row in rows:
            assert row[15] is True or isinstance(row[9], int | float), (query, row)
            assert row[11] is None or isinstance(row[11], int | float)
        header = [cell.value for cell in sheet[3]]
        units = {row[13] for row in rows}
        if len(units) == 1:
            assert selectors.unit_label(units.pop()) in header[11]
        frame = pd.read_excel(io.BytesIO(content), header=2)
        assert len(frame) == len(rows) and frame.iloc[:, 11].dtype.kind in "f"


def test_the_job_page_words_the_engines_errors_in_the_readers_language(client, demo, storage):
    from django.utils import translation

    _opphold(storage / "inbox" / "feil", [_stay(1, kjonn="X")])
    job = services.dataset_import_start(actor=demo.anders, name="Feil", folder="feil")
    jobs.run_job(job.pk)
    client.force_login(demo.anders)
    for language in ("nb", "nn"):  # the job was written in bokmål; a nynorsk reader gets nynorsk
        demo.anders.language = language
        demo.anders.save(update_fields=["language"])
        html = client.get(f"/styringsinformasjon/jobber/{job.pk}/").content.decode()
        with translation.override(language):
            expected = translation.gettext("“%(value)s” is not an allowed value; use one of: %(allowed)s.") % {
                "value": "X",
                "allowed": "K, M",
            }
        assert expected.replace("“", "&ldquo;") in html or expected in html, language


def test_a_stale_job_is_given_a_task_again_by_the_periodic_recovery(demo, settings, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from samhandling.core.queue import periodic_tasks
    from samhandling.indicators import jobstate, tasks
    from samhandling.indicators.models import Job, JobKind

    assert tasks.recover_jobs.module_path in periodic_tasks()
    done = []
    monkeypatch.setitem(jobs.WORKERS, JobKind.RUN, lambda job: done.append(job.pk) or jobstate.job_move(job, "done"))
    job = Job.objects.create(kind=JobKind.RUN, params={})
    jobstate.job_move(job, JobStatus.RUNNING, heartbeat=timezone.now() - timedelta(minutes=5))
    tasks.recover_jobs.call()
    assert done == [job.pk] and Job.objects.get(pk=job.pk).status == JobStatus.DONE


@pytest.mark.parametrize(
    "path",
    [
        "/styringsinformasjon/datasett/99999999999999999999/",
        "/styringsinformasjon/datasett/99999999999999999999/periode/",
        "/styringsinformasjon/jobber/99999999999999999999/",
        "/styringsinformasjon/kjoringer/99999999999999999999/",
    ],
)
def test_an_id_too_large_for_the_database_is_a_404(client, demo, path):
    client.force_login(demo.anders)
    assert client.get(path).status_code == 404


def test_a_runs_progress_names_the_indicator_in_the_readers_language(demo):
    from django.utils import translation

    from samhandling.indicators import jobstate
    from samhandling.indicators.engine.messages import Step
    from samhandling.indicators.models import Job, JobKind

    job = Job.objects.create(kind=JobKind.RUN, params={})
    jobstate.job_move(job, JobStatus.RUNNING)
    with translation.override("nn"):
        jobstate.Progress(job)(1.0, Step("computing", {"indicator": "reinnleggelse_30d"}))
        expected = translation.gettext("Computing %(indicator)s …") % {"indicator": get("reinnleggelse_30d").name("nn")}
    job.refresh_from_db()
    assert job.message == expected and "reinnleggelse_30d" not in job.message


def test_the_analyst_changes_the_period_on_its_page(client, demo):
    manifest = {"years": [2023, 2024, 2025]}
    dataset = Dataset.objects.create(
        name="d", version="v", path="datasets/x", period_start=2024, period_end=2025, manifest=manifest
    )
    client.force_login(demo.anders)
    url = f"/styringsinformasjon/datasett/{dataset.pk}/periode/"
    response = client.post(url, {"first": 2025, "last": 2023})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(url, {"first": 2023, "last": 2025})
    assert response.status_code == 302
    dataset.refresh_from_db()
    assert (dataset.period_start, dataset.period_end) == (2023, 2025)
    html = client.get(f"/styringsinformasjon/datasett/{dataset.pk}/").content.decode()
    assert "2023–2025" in html  # years, not numbers with a thousands separator


def test_an_old_community_slug_on_the_public_dashboard_answers_301_to_the_new_one(client, demo):
    from samhandling.core.models import Helsefellesskap

    from .webfixtures import make_run

    make_run()

    vestfold = Helsefellesskap.objects.get(code="VES")
    vestfold.previous_slugs = ["vstfld"]
    vestfold.save(update_fields=["previous_slugs"])
    response = client.get("/styringsinformasjon/offentlig/helsefellesskap/vstfld/")
    assert response.status_code == 301
    assert response["Location"] == f"/styringsinformasjon/offentlig/helsefellesskap/{vestfold.slug}/"
    assert client.get(response["Location"]).status_code == 200
    assert client.get("/styringsinformasjon/offentlig/helsefellesskap/ingen/").status_code == 404
