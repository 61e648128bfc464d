"""Services of styringsinformasjon: who may start imports and runs, the upload rules, loading results.parquet in one
go, publishing (one public run at a time) and the audit trail."""

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from samhandling.core.models import AuditEvent
from samhandling.indicators import selectors, services
from samhandling.indicators.engine.run import RESULT_SCHEMA
from samhandling.indicators.models import Dataset, Job, JobKind, JobStatus, Result, Run, RunStatus

from .webfixtures import make_run


@pytest.fixture
def storage(settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    settings.INDICATOR_DATA_ROOT = tmp_path / "inbox"
    settings.INDICATOR_JOBS_IN_WEB = False
    (tmp_path / "inbox" / "levering-2025").mkdir(parents=True)
    return tmp_path


def _upload(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"stay_id,person_id\n", content_type="text/csv")


def test_it_lets_only_analysts_start_an_import(demo, storage):
    with pytest.raises(PermissionDenied):
        services.dataset_import_start(actor=demo.sigrid, name="x", folder="levering-2025")
    job = services.dataset_import_start(actor=demo.anders, name="Levering", folder="levering-2025")
    assert job.kind == JobKind.IMPORT and job.status == JobStatus.QUEUED
    assert job.params["source"] == str(storage / "inbox" / "levering-2025")
    assert AuditEvent.objects.filter(action="indicators.import.started", target_id=str(job.pk)).exists()


def test_it_refuses_a_folder_outside_the_import_root(demo, storage):
    with pytest.raises(ValidationError) as error:
        services.dataset_import_start(actor=demo.anders, name="x", folder="../../etc")
    assert "folder" in error.value.message_dict


def test_it_stages_uploaded_tables_under_the_storage_root(demo, storage):
    job = services.dataset_import_start(
        actor=demo.anders, name="Opplasting", files=[_upload("opphold.csv"), _upload("iplos.xlsx")]
    )
    staged = sorted(p.name for p in (storage / "store" / "uploads").iterdir() for p in p.iterdir())
    assert staged == ["iplos.xlsx", "opphold.csv"]
    assert job.params["staged"] is True


def test_it_refuses_a_file_that_is_not_a_table_of_the_contract(demo, storage):
    with pytest.raises(ValidationError) as error:
        services.dataset_import_start(actor=demo.anders, name="x", files=[_upload("pasienter.csv")])
    assert "files" in error.value.message_dict
    assert not (storage / "store" / "uploads").exists()


def test_it_refuses_the_same_table_twice(demo, storage):
    with pytest.raises(ValidationError):
        services.validate_uploads([_upload("opphold.csv"), _upload("opphold.parquet")])


def test_it_refuses_an_engine_that_is_not_installed(demo, storage, monkeypatch):
    dataset = Dataset.objects.create(name="d", version="v", path="datasets/d")
    monkeypatch.setattr(services, "available_engines", lambda: ["duckdb"])
    with pytest.raises(ValidationError):
        services.indicator_run_start(actor=demo.anders, dataset=dataset, engine="spark")
    job = services.indicator_run_start(actor=demo.anders, dataset=dataset, years=[2025, 2024])
    assert job.params == {"dataset": dataset.pk, "years": [2024, 2025], "engine": "duckdb"}


def _results_file(path, rows):
    table = pa.Table.from_pylist(rows, schema=RESULT_SCHEMA)
    pq.write_table(table, path)
    return path


def test_it_loads_every_result_row_and_keeps_missing_values_empty(demo, storage):
    (storage / "store" / "runs").mkdir(parents=True)
    dataset = Dataset.objects.create(name="d", version="v1", path="datasets/d", synthetic=True)
    job = Job.objects.create(kind=JobKind.RUN, status=JobStatus.RUNNING, params={"engine": "duckdb"})
    base = {"indicator": "reinnleggelse_30d", "level": "kommune", "period": "1y", "value_std": None}
    rows = [
        {
            **base,
            "area": "3905",
            "year": 2025,
            "numerator": 30.0,
            "denominator": 200.0,
            "value": 15.0,
            "suppressed": False,
        },
        {**base, "area": "3911", "year": 2025, "numerator": 2.0, "denominator": 50.0, "value": 4.0, "suppressed": True},
        {
            **base,
            "area": "3901",
            "year": 2025,
            "numerator": 9.0,
            "denominator": 90.0,
            "value": float("nan"),
            "suppressed": False,
        },
    ]
    path = _results_file(storage / "store" / "runs" / "results.parquet", rows)
    summary = {
        "definition_version": "1",
        "dataset_version": "v1",
        "engine": "duckdb",
        "years": [2025],
        "synthetic": True,
    }
    run = services.run_store(job=job, dataset=dataset, summary=summary, results_path=path)
    assert run.results.count() == 3 and run.synthetic and run.status == RunStatus.READY
    assert Result.objects.get(run=run, area="3901").value is None
    assert Result.objects.get(run=run, area="3911").suppressed
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.run == run
    assert run.summary["loaded_rows"] == 3 and run.results_path == "runs/results.parquet"


def test_it_publishes_one_run_at_a_time(demo):
    first, second = make_run(published=False), make_run(published=False, offset=1)
    services.run_publish(actor=demo.anders, run=first)
    services.run_publish(actor=demo.anders, run=second)
    assert list(Run.objects.filter(status=RunStatus.PUBLISHED)) == [second]
    assert selectors.published_run() == second
    assert AuditEvent.objects.filter(action="indicators.run.ready", target_id=str(first.pk)).exists()


def test_it_refuses_to_unpublish_a_run_that_is_not_published(demo):
    run = make_run(published=False)
    with pytest.raises(services.InvalidTransition):
        services.run_unpublish(actor=demo.anders, run=run)


def test_it_lets_only_analysts_publish(demo):
    run = make_run(published=False)
    for persona in (demo.sigrid, demo.tove, demo.kari):
        with pytest.raises(PermissionDenied):
            services.run_publish(actor=persona, run=run)
    assert Run.objects.get(pk=run.pk).status == RunStatus.READY


def test_it_hides_small_numbers_for_the_public_and_keeps_them_for_analysts(demo):
    run = make_run()
    row = {"numerator": 3.0, "denominator": 11.0, "value": 27.3, "value_std": None, "suppressed": True}
    public = selectors.make_cell(row, "percent", raw=False)
    analyst = selectors.make_cell(row, "percent", raw=True)
    assert public.hidden and public.value is None and public.numerator is None and public.display == ""
    assert analyst.value == 27.3 and analyst.suppressed and not analyst.hidden
    assert selectors.run_for(demo.kari, public=False, run_id=None) == run


def test_it_hides_a_small_denominator_with_its_own_reason(demo):
    cell = selectors.make_cell(
        {"numerator": 0.0, "denominator": 3.0, "value": 0.0, "value_std": None, "suppressed": True},
        "percent",
        raw=False,
    )
    assert cell.hidden and cell.value is None
    assert cell.reason == selectors.suppression_reason(0.0, 3.0) != selectors.suppression_reason(3.0, 30.0)


def test_it_suppresses_an_aggregate_of_small_areas_by_the_same_rule(demo):
    assert selectors.aggregate_cell(4.0, 100.0, "percent", raw=False).hidden
    assert selectors.aggregate_cell(5.0, 100.0, "percent", raw=False).value == 5.0
    assert selectors.aggregate_cell(0.0, 100.0, "percent", raw=False).value == 0.0  # a real zero is shown


def test_only_analysts_may_pick_an_unpublished_run(demo):
    published, draft = make_run(), make_run(published=False, offset=1)
    assert selectors.run_for(demo.kari, public=False, run_id=draft.pk) == published
    assert selectors.run_for(demo.anders, public=False, run_id=draft.pk) == draft
    assert selectors.run_for(demo.anders, public=True, run_id=draft.pk) == published


def test_it_stores_intervals_and_the_marking_with_the_results_and_none_for_hidden_rows(demo, storage):
    (storage / "store" / "runs").mkdir(parents=True)
    dataset = Dataset.objects.create(name="d", version="v1", path="datasets/d", synthetic=True)
    job = Job.objects.create(kind=JobKind.RUN, status=JobStatus.RUNNING, params={"engine": "duckdb"})
    # epikrise_innen_1_dag: a percentage where higher is better; the country is 50 %.
    base = {"indicator": "epikrise_innen_1_dag", "period": "1y", "year": 2025, "value_std": None}
    rows = [
        {**base, "level": "land", "area": "NO", "numerator": 5000.0, "denominator": 10000.0, "value": 50.0},
        {**base, "level": "kommune", "area": "3905", "numerator": 80.0, "denominator": 100.0, "value": 80.0},
        {**base, "level": "kommune", "area": "3907", "numerator": 20.0, "denominator": 100.0, "value": 20.0},
        {**base, "level": "kommune", "area": "3909", "numerator": 11.0, "denominator": 20.0, "value": 55.0},
        {**base, "level": "kommune", "area": "3911", "numerator": 3.0, "denominator": 9.0, "value": 33.3},
        # overliggerdogn: a standardised rate per 1 000, lower is better, marked on the standardised value.
        {
            "indicator": "overliggerdogn",
            "period": "1y",
            "year": 2025,
            "level": "land",
            "area": "NO",
            "numerator": 40000.0,
            "denominator": 5_000_000.0,
            "value": 8.0,
            "value_std": 8.0,
            "value_std_variance": 1e-12,
        },
        {
            "indicator": "overliggerdogn",
            "period": "1y",
            "year": 2025,
            "level": "kommune",
            "area": "3905",
            "numerator": 900.0,
            "denominator": 50_000.0,
            "value": 18.0,
            "value_std": 17.0,
            "value_std_variance": 900 * (1 / 50_000) ** 2,
        },
    ]
    for row in rows:
        row["suppressed"] = bool(1 <= row["numerator"] <= 4 or row["denominator"] < 5)
    path = _results_file(storage / "store" / "runs" / "results.parquet", rows)
    run = services.run_store(job=job, dataset=dataset, summary={"years": [2025]}, results_path=path)
    stored = {(r.indicator, r.area): r for r in run.results.all()}
    codes = ("3905", "3907", "3909", "3911")
    better, worse, similar, hidden = (stored[("epikrise_innen_1_dag", code)] for code in codes)
    assert (better.significance, worse.significance, similar.significance) == ("better", "worse", "similar")
    assert better.ci_low == pytest.approx(71.1, abs=0.1) and better.ci_high == pytest.approx(86.7, abs=0.1)
    assert hidden.suppressed and hidden.ci_low is None and hidden.ci_high is None and hidden.significance == ""
    country = stored[("epikrise_innen_1_dag", "NO")]
    assert country.significance == "" and country.ci_low < 50.0 < country.ci_high
    rate = stored[("overliggerdogn", "3905")]
    assert rate.std_ci_low < 17.0 < rate.std_ci_high and rate.ci_low < 18.0 < rate.ci_high
    assert rate.significance == "worse"
