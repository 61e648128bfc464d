"""The job worker: a queued job is done by exactly one worker, progress lands in the row, a refused import stores
nothing and shows table/row/column, and a small data set goes through import → run → results like in the web UI."""

import io

import pytest
from django.core.management import call_command
from django.utils import translation

from samhandling.indicators import jobs, services
from samhandling.indicators.models import Dataset, Job, JobKind, JobStatus, Result

HEADER = (
    "stay_id,person_id,kjonn,alder,kommune,bydel,behandlende_hf,omsorgsniva,innleggelsesmate,fagomrade,"
    "hovedtilstand,inn_tid,ut_tid,utskrivningsklar_tid,utskrevet_til,epikrise_sendt_tid"
)


def _stays(count: int, *, kjonn: str = "K") -> str:
    lines = [HEADER]
    for n in range(count):
        lines.append(
            f"s{n},p{n},{kjonn},{70 + n % 20},3905,,Sykehuset i Vestfold,dogn,akutt,somatikk,I50,"
            f"2025-03-0{1 + n % 5}T08:00:00,2025-03-1{n % 5}T10:00:00,2025-03-0{6 + n % 3}T12:00:00,hjem,"
            f"2025-03-1{n % 5}T15:00:00"
        )
    return "\n".join(lines) + "\n"


@pytest.fixture
def storage(settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path / "store"
    settings.INDICATOR_DATA_ROOT = tmp_path / "inbox"
    settings.INDICATOR_JOBS_IN_WEB = False
    (tmp_path / "inbox").mkdir()
    return tmp_path


def _folder(storage, name: str, content: str) -> str:
    (storage / "inbox" / name).mkdir()
    (storage / "inbox" / name / "opphold.csv").write_text(content, encoding="utf-8")
    return name


def test_a_job_is_claimed_by_one_worker_only(demo):
    job = Job.objects.create(kind=JobKind.IMPORT, params={})
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)
    assert services.job_move(first, JobStatus.RUNNING) is True
    assert services.job_move(second, JobStatus.RUNNING) is False
    assert Job.objects.get(pk=job.pk).claimed_at is not None


def test_running_the_worker_twice_does_the_work_once(demo, monkeypatch):
    calls = []
    monkeypatch.setitem(
        jobs.WORKERS, JobKind.IMPORT, lambda job: calls.append(job.pk) or services.job_move(job, "done")
    )
    job = Job.objects.create(kind=JobKind.IMPORT, params={})
    assert jobs.run_pending() == 1
    assert jobs.run_pending() == 0
    assert jobs.run_job(job.pk) is False
    assert calls == [job.pk]


def test_a_job_that_raises_is_failed_with_the_reason(demo, monkeypatch):
    def broken(job):
        raise RuntimeError("disk full")

    monkeypatch.setitem(jobs.WORKERS, JobKind.RUN, broken)
    job = Job.objects.create(kind=JobKind.RUN, params={})
    assert jobs.run_job(job.pk) is True
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "disk full" in job.message and job.finished_at


def test_a_stale_running_job_goes_back_to_the_queue(demo):
    job = Job.objects.create(kind=JobKind.RUN, params={})
    services.job_move(job, JobStatus.RUNNING)
    assert jobs.requeue_stale() == 0
    assert jobs.requeue_stale(now=job.heartbeat + jobs.STALE_AFTER * 2) == 1
    assert Job.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_progress_is_written_into_the_row(demo):
    job = Job.objects.create(kind=JobKind.RUN, params={})
    services.job_move(job, JobStatus.RUNNING)
    jobs.Progress(job, 0.0, 0.5)(0.5, "Checking opphold")
    job.refresh_from_db()
    assert job.progress == pytest.approx(0.25) and job.message == "Checking opphold"


def test_a_refused_import_stores_nothing_and_lists_the_errors(demo, storage):
    folder = _folder(storage, "feil", _stays(6, kjonn="X"))
    job = services.dataset_import_start(actor=demo.anders, name="Feil", folder=folder)
    jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.dataset is None
    assert not Dataset.objects.exists()
    assert job.total_errors >= 6 and job.errors[0]["table"] == "opphold" and job.errors[0]["column"] == "kjonn"
    assert job.errors[0]["row"] == 2  # the first data row, as a spreadsheet counts it
    datasets = storage / "store" / "datasets"
    assert not datasets.exists() or not any(datasets.iterdir())


def test_a_job_writes_its_messages_in_the_language_of_who_started_it(demo, storage):
    demo.anders.language = "nn"
    demo.anders.save(update_fields=["language"])
    folder = _folder(storage, "feil", _stays(6, kjonn="X"))
    job = services.dataset_import_start(actor=demo.anders, name="Feil", folder=folder)
    with translation.override("nb"):  # whatever the worker's own language is
        jobs.run_job(job.pk)
    job.refresh_from_db()
    with translation.override("nn"):
        assert job.message == translation.gettext("The data set was refused. Nothing was stored.")
    with translation.override("nb"):
        assert job.message != translation.gettext("The data set was refused. Nothing was stored.")


def test_an_uploaded_import_then_a_run_gives_results(demo, storage):
    upload = type("Upload", (), {"name": "opphold.csv", "chunks": lambda self: [_stays(12).encode()]})()
    job = services.dataset_import_start(actor=demo.anders, name="Liten levering", files=[upload])
    assert jobs.run_job(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.message, job.errors)
    assert not (storage / "store" / "uploads" / job.params["source"]).exists()  # staging removed
    dataset = job.dataset
    assert dataset.row_counts == {"opphold": 12} and len(dataset.version) == 16

    run_job = services.indicator_run_start(actor=demo.anders, dataset=dataset, years=[2025])
    assert jobs.run_job(run_job.pk)
    run_job.refresh_from_db()
    assert run_job.status == JobStatus.DONE, run_job.message
    run = run_job.run
    assert run.dataset_version == dataset.version and run.definition_version and run.engine == "duckdb"
    assert Result.objects.filter(run=run, level="kommune", area="3905", year=2025).exists()
    assert Result.objects.filter(run=run, level="land", area="NO").exists()


def test_the_command_does_queued_jobs_and_a_second_run_finds_nothing(demo, storage, monkeypatch):
    done = []
    monkeypatch.setitem(jobs.WORKERS, JobKind.IMPORT, lambda job: done.append(job.pk) or services.job_move(job, "done"))
    ids = [Job.objects.create(kind=JobKind.IMPORT, params={}).pk for _ in range(3)]
    out = io.StringIO()
    call_command("indicators_jobs", stdout=out)
    call_command("indicators_jobs", stdout=out)
    assert sorted(done) == ids
    assert out.getvalue().splitlines() == ["Did 3 job(s).", "Did 0 job(s)."]
