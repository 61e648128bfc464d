"""The framskrivning pages × personas (analyst, secretariat, others, anonymous), and what each flow does: computing
and importing a population (all or nothing), building a scenario with validated factors, running it as a task,
results with small numbers hidden outside the analyst role, today's capacity, comparison and exports."""

import csv
import io
from pathlib import Path

import pytest
from django.utils import translation
from openpyxl import load_workbook

from samhandling.core.models import AuditEvent
from samhandling.projections import services
from samhandling.projections.models import PopulationSource, Scenario, ScenarioRun, WorkStatus
from tests.matrix import url_names, walk

from .webfixtures import make_dataset, make_scenario, make_source

FIXTURES = Path(__file__).parent / "fixtures"
ANON = "anonymous"
PERSONAS = ["anders", "sigrid", "kari", "per", "tove", "ola", ANON]
VIEWERS = {"anders", "sigrid"}
ANALYSTS = {"anders"}
ANALYST_VIEWS = {"sources", "source", "scenario_create", "scenario_edit"}
VIEWER_VIEWS = {"home", "scenarios", "scenario", "run", "compare", "export", "report"}
POSTS = {"scenario_run", "capacity_set", "report_to_agenda", "run_publish"}
PUBLIC_VIEWS = {"public_home", "public_run"}


@pytest.fixture
def world(demo, settings, tmp_path):
    settings.INDICATOR_STORAGE_ROOT = tmp_path
    source = make_source(tmp_path)
    dataset = make_dataset(tmp_path)
    scenario = make_scenario(source, dataset)
    return source, dataset, scenario


def _nb(text: str) -> str:
    with translation.override("nb"):
        return translation.gettext(text)


def _run(demo, scenario) -> ScenarioRun:
    """Start a run as the analyst and do its task (the test's transaction never commits, so on_commit never fires)."""
    from samhandling.projections import work

    with translation.override("nb"):
        run = services.run_start(actor=demo.anders, scenario=scenario)
        work.run_scenario(run.pk)
    run.refresh_from_db()
    assert run.status == WorkStatus.DONE, run.message
    return run


def test_every_projection_url_is_in_the_matrix():
    assert url_names("projections") == ANALYST_VIEWS | VIEWER_VIEWS | POSTS | PUBLIC_VIEWS


def _expect(view: str, persona: str) -> int:
    if view in PUBLIC_VIEWS:
        return 200
    if persona == ANON:
        return 302
    if view in ANALYST_VIEWS or view == "scenario_run":
        return 200 if persona in ANALYSTS else 403
    return 200 if persona in VIEWERS else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_projection_permission_matrix(client, demo, world, persona):
    source, _dataset, scenario = world
    run = _run(demo, scenario)
    services.run_publish(actor=demo.anders, run=run)
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    base = "/framskrivning/"
    requests = {
        "home": f"{base}?omrade=helsefellesskap:Vestfold",
        "sources": f"{base}befolkning/",
        "source": f"{base}befolkning/{source.pk}/",
        "scenarios": f"{base}scenarioer/",
        "scenario_create": f"{base}scenarioer/ny/",
        "scenario": f"{base}scenarioer/{scenario.pk}/",
        "scenario_edit": f"{base}scenarioer/{scenario.pk}/endre/",
        "run": f"{base}kjoringer/{run.pk}/?omrade=kommune:3905",
        "compare": f"{base}sammenlign/?a={run.pk}&b={run.pk}&omrade=kommune:3905",
        "export": f"{base}kjoringer/{run.pk}/eksport.csv",
        "report": f"{base}kjoringer/{run.pk}/rapport.docx?omrade=kommune:3905",
        "public_home": f"{base}offentlig/",
        "public_run": f"{base}offentlig/kjoringer/{run.pk}/?omrade=kommune:3911",
    }
    failures = walk(client, requests, lambda view: _expect(view, persona))
    if persona not in ANALYSTS:
        response = client.post(f"{base}scenarioer/{scenario.pk}/kjor/")
        expected = 302 if persona == ANON else 403
        if response.status_code != expected:
            failures.append(f"scenario_run: expected {expected}, got {response.status_code}")
        response = client.post(
            f"{base}kjoringer/{run.pk}/kapasitet/", {"omrade": "kommune:3905", "kind": "beds", "value": "10"}
        )
        expected = 302 if persona in VIEWERS or persona == ANON else 403
        if response.status_code != expected:
            failures.append(f"capacity_set: expected {expected}, got {response.status_code}")
    response = client.post(f"{base}kjoringer/{run.pk}/til-sak/", {"omrade": "kommune:3905", "meeting": "0"})
    # Only someone who runs a body with an upcoming meeting gets further; this world has no meeting planned.
    expected = 302 if persona == ANON else 403
    if response.status_code != expected:
        failures.append(f"report_to_agenda: expected {expected}, got {response.status_code}")
    if persona not in ANALYSTS:
        response = client.post(f"{base}kjoringer/{run.pk}/publiser/", {"publiser": "0"})
        if response.status_code != (302 if persona == ANON else 403):
            failures.append(f"run_publish: got {response.status_code}")
    assert not failures, "\n".join(failures)
    assert ScenarioRun.objects.count() == 1  # nobody but the analyst started a run
    run.refresh_from_db()
    assert run.published_at is not None  # nor withdrew it


def test_the_population_page_shows_the_pyramid_growth_and_dependency_ratios(client, demo, world):
    client.force_login(demo.sigrid)
    response = client.get("/framskrivning/?omrade=helsefellesskap:Vestfold")
    html = response.content.decode()
    view = response.context["view"]
    assert view.years[0] == 2024 and view.years[-1] == 2032 and view.first_projected == 2027
    assert [row["label"] for row in view.groups] == ["0–19", "20–66", "67–79", "80+"]
    assert 'id="pyramid-spec"' in html and '"bind"' in html  # the slider that moves the pyramid through the years
    names = [row.name for row in response.context["dependency_rows"]]
    assert "Tønsberg" in names and "Bodø" not in names
    assert _nb("Dependency ratio by municipality") in html


def test_an_unknown_area_or_source_is_not_found(client, demo, world):
    client.force_login(demo.anders)
    assert client.get("/framskrivning/?omrade=kommune:0000").status_code == 404
    assert client.get("/framskrivning/?kilde=99999").status_code == 404


def test_the_analyst_computes_the_built_in_projection_as_a_task(
    client, demo, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.INDICATOR_STORAGE_ROOT = tmp_path
    client.force_login(demo.anders)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/framskrivning/befolkning/",
            {
                "beregn-name": "Innebygd 2030",
                "beregn-base_first": "2025",
                "beregn-base_last": "2026",
                "beregn-to_year": "2028",
                "beregn-shrinkage": "100",
            },
        )
    source = PopulationSource.objects.get(name="Innebygd 2030")
    assert response.status_code == 302
    assert (source.status, source.first_year, source.last_year) == (WorkStatus.DONE, 2025, 2028)
    assert len(source.version) == 12
    assert AuditEvent.objects.filter(action="projections.population.started").exists()


def test_bad_compute_input_is_shown_at_the_field_and_kept(client, demo, world):
    client.force_login(demo.anders)
    response = client.post(
        "/framskrivning/befolkning/",
        {
            "beregn-name": "Feil",
            "beregn-base_first": "2026",
            "beregn-base_last": "2025",
            "beregn-to_year": "2024",
            "beregn-shrinkage": "100",
        },
    )
    form = response.context["compute_form"]
    assert response.status_code == 200 and "base_last" in form.errors and "to_year" in form.errors
    assert 'value="Feil"' in response.content.decode()
    assert not PopulationSource.objects.filter(name="Feil").exists()


def test_an_ssb_file_is_imported_with_its_alternative(client, demo, world, django_capture_on_commit_callbacks):
    client.force_login(demo.anders)
    with (FIXTURES / "ssb_14288_sample.json").open("rb") as upload, django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/framskrivning/befolkning/", {"ssb-name": "SSB 2026", "ssb-alternative": "mmmm", "ssb-upload": upload}
        )
    source = PopulationSource.objects.get(name="SSB 2026")
    assert (source.status, source.alternative, source.first_year, source.last_year) == (
        WorkStatus.DONE,
        "MMMM",
        2027,
        2028,
    )
    assert not (Path(world[0].path).parent / source.upload_path).exists()


def test_a_bad_ssb_file_is_refused_whole_with_its_errors_listed(
    client, demo, world, tmp_path, django_capture_on_commit_callbacks
):
    lines = (FIXTURES / "ssb_14288_sample.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace('"3103 Moss"', '"9999 Nowhere"')
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    client.force_login(demo.anders)
    with bad.open("rb") as upload, django_capture_on_commit_callbacks(execute=True):
        client.post("/framskrivning/befolkning/", {"ssb-name": "Feil fil", "ssb-alternative": "", "ssb-upload": upload})
    source = PopulationSource.objects.get(name="Feil fil")
    assert source.status == WorkStatus.FAILED and not source.path
    html = client.get(f"/framskrivning/befolkning/{source.pk}/").content.decode()
    assert "9999 Nowhere" in html and _nb("The file was refused. Nothing was stored.") in html


def test_a_file_of_another_kind_is_refused_at_the_field(client, demo, world):
    client.force_login(demo.anders)
    upload = io.BytesIO(b"x")
    upload.name = "befolkning.xlsx"
    response = client.post("/framskrivning/befolkning/", {"ssb-name": "X", "ssb-upload": upload})
    assert "upload" in response.context["import_form"].errors


def _scenario_post(source, dataset, **changes):
    data = {
        "scenario-name": "Med dagskifte",
        "scenario-description": "",
        "scenario-helsefellesskap": "",
        "scenario-population": str(source.pk),
        "scenario-dataset": str(dataset.pk),
        "scenario-base_first": "2024",
        "scenario-base_last": "2025",
        "scenario-to_year": "2030",
        "scenario-occupancy": "85",
        "scenario-room_days": "230",
        "scenario-room_hours": "8",
        "scenario-contact_minutes": "45",
        "scenario-fte_per_user": "0.35",
        "scenario-draws": "100",
        "scenario-seed": "3",
        "faktor-TOTAL_FORMS": "2",
        "faktor-INITIAL_FORMS": "0",
        "faktor-MIN_NUM_FORMS": "0",
        "faktor-MAX_NUM_FORMS": "40",
        "faktor-0-service": "dognopphold",
        "faktor-0-category": "epidemiology",
        "faktor-0-kind": "yearly",
        "faktor-0-value": "1.5",
        "faktor-0-low": "0.5",
        "faktor-0-high": "2.5",
        "faktor-0-target_year": "",
        "faktor-1-service": "",
    }
    data.update(changes)
    return data


def test_the_analyst_builds_a_scenario_with_change_factors(client, demo, world):
    source, dataset, _scenario = world
    client.force_login(demo.anders)
    response = client.post("/framskrivning/scenarioer/ny/", _scenario_post(source, dataset))
    scenario = Scenario.objects.get(name="Med dagskifte")
    assert response.status_code == 302 and response["Location"] == scenario.get_absolute_url()
    assert scenario.factors == [
        {
            "service": "dognopphold",
            "category": "epidemiology",
            "kind": "yearly",
            "value": 1.5,
            "low": 0.5,
            "high": 2.5,
            "target_year": None,
        }
    ]
    assert AuditEvent.objects.filter(action="projections.scenario.created", target_id=str(scenario.pk)).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"faktor-0-low": "2.0"}, "low"),  # the range must contain the value
        ({"faktor-0-kind": "target"}, "target_year"),
        ({"faktor-0-value": ""}, "value"),
    ],
)
def test_a_bad_factor_is_shown_at_its_field_and_nothing_is_saved(client, demo, world, changes, field):
    source, dataset, _scenario = world
    client.force_login(demo.anders)
    response = client.post("/framskrivning/scenarioer/ny/", _scenario_post(source, dataset, **changes))
    assert response.status_code == 200
    assert field in response.context["factors"].forms[0].errors
    assert 'value="Med dagskifte"' in response.content.decode()
    assert not Scenario.objects.filter(name="Med dagskifte").exists()


SHIFT = {
    "faktor-1-service": "liggedogn",
    "faktor-1-category": "shift",
    "faktor-1-kind": "target",
    "faktor-1-value": "20",
    "faktor-1-low": "10",
    "faktor-1-high": "30",
    "faktor-1-target_year": "2030",
    "faktor-1-to_service": "dagopphold",
    "faktor-1-ratio": "1",
}
# The factor that SHIFT posts, as the scenario stores it.
SHIFT_FACTOR = {
    "service": "liggedogn",
    "category": "shift",
    "kind": "target",
    "value": 20.0,
    "low": 10.0,
    "high": 30.0,
    "target_year": 2030,
    "to_service": "dagopphold",
    "ratio": 1.0,
}


def test_a_shift_from_inpatient_to_day_care_is_one_factor(client, demo, world):
    source, dataset, _scenario = world
    client.force_login(demo.anders)
    response = client.post("/framskrivning/scenarioer/ny/", _scenario_post(source, dataset, **SHIFT))
    scenario = Scenario.objects.get(name="Med dagskifte")
    assert response.status_code == 302
    assert scenario.factors[1] == SHIFT_FACTOR
    page = client.get(scenario.get_absolute_url())
    shift = page.context["factors"][1]
    assert shift["shift"] == _nb("%(service)s, %(ratio)s %(to_unit)s per %(from_unit)s moved") % {
        "service": "Dagopphold",
        "ratio": "1",
        "to_unit": "opphold",
        "from_unit": "døgn",
    }
    assert shift["shift"] in page.content.decode()
    edit = client.get(f"/framskrivning/scenarioer/{scenario.pk}/endre/")
    assert edit.context["factors"].forms[1].initial["to_service"] == "dagopphold"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"faktor-1-to_service": "liggedogn"},
            "to_service",
            "Choose another service than the one the activity moves from.",
        ),
        (
            {"faktor-1-ratio": "0"},
            "ratio",
            "Write how many units the receiving service gets per unit moved (above 0).",
        ),
        (
            {"faktor-1-ratio": ""},
            "ratio",
            "Write how many units the receiving service gets per unit moved (above 0).",
        ),
        (
            {"faktor-1-value": "120", "faktor-1-high": "130"},
            "value",
            "A shift moves a share of the activity between 0 and 100 %.",
        ),
        ({"faktor-1-low": "-5"}, "low", "The range of a shift lies between 0 and 100 %."),
        ({"faktor-1-low": "25"}, "low", "The range must go from low to high around the change."),
    ],
)
def test_a_bad_shift_is_explained_in_norwegian_at_its_field(client, demo, world, changes, field, message):
    source, dataset, _scenario = world
    client.force_login(demo.anders)
    with translation.override("nb"):
        response = client.post("/framskrivning/scenarioer/ny/", _scenario_post(source, dataset, **{**SHIFT, **changes}))
    assert response.status_code == 200
    assert response.context["factors"].forms[1].errors[field] == [_nb(message)] != [message]
    assert not Scenario.objects.filter(name="Med dagskifte").exists()


def test_a_run_with_a_shift_moves_bed_days_to_day_stays_and_shows_it_in_the_comparison_and_the_report(
    client, demo, world
):
    from docx import Document

    source, dataset, _scenario = world
    shift = dict(SHIFT_FACTOR)
    plain = _run(demo, make_scenario(source, dataset, name="Uten endring", factors=[]))
    shifted = _run(demo, make_scenario(source, dataset, name="Med dagskifte", factors=[shift]))
    client.force_login(demo.sigrid)
    response = client.get(f"/framskrivning/sammenlign/?a={plain.pk}&b={shifted.pk}&omrade=kommune:3905")
    rows = {r["name"]: r for r in response.context["rows"]}
    assert rows["Liggedøgn"]["left"]["value"] != rows["Liggedøgn"]["right"]["value"]
    assert response.context["first_factors"] == []
    assert response.context["second_factors"][0]["shift"].startswith("Dagopphold")
    assert response.context["second_factors"][0]["shift"] in response.content.decode()
    word = client.get(f"/framskrivning/kjoringer/{shifted.pk}/rapport.docx?omrade=kommune:3905")
    cells = [
        cell.text for table in Document(io.BytesIO(word.content)).tables for row in table.rows for cell in row.cells
    ]
    assert _nb("Shift to") in cells and response.context["second_factors"][0]["shift"] in cells


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"scenario-base_first": "2020", "scenario-base_last": "2021"}, "base_first"),  # outside the data set
        ({"scenario-to_year": "2040"}, "to_year"),  # beyond the population
        ({"scenario-occupancy": "120"}, "occupancy"),
        ({"scenario-base_first": "2022", "scenario-base_last": "2025"}, "base_last"),  # four years
    ],
)
def test_a_bad_scenario_is_shown_at_its_field(client, demo, world, changes, field):
    source, dataset, _scenario = world
    client.force_login(demo.anders)
    response = client.post("/framskrivning/scenarioer/ny/", _scenario_post(source, dataset, **changes))
    assert response.status_code == 200 and field in response.context["form"].errors


def test_a_run_records_every_input_and_stays_the_same_after_the_scenario_changes(client, demo, world):
    source, dataset, scenario = world
    run = _run(demo, scenario)
    assert run.inputs["population"] == {
        "id": source.pk,
        "name": "Innebygd",
        "kind": "builtin",
        "alternative": "",
        "version": "test01",
    }
    assert run.inputs["dataset"]["version"] == "test0001" and run.inputs["seed"] == 7 and run.inputs["draws"] == 200
    assert run.inputs["engine"] == "duckdb" and set(run.inputs["definition_version"]) == {
        "need",
        "population",
        "scenario",
    }
    assert run.inputs["scenario"]["factors"][0]["value"] == -10.0
    client.force_login(demo.anders)
    client.post(f"/framskrivning/scenarioer/{scenario.pk}/endre/", _scenario_post(source, dataset))
    run.refresh_from_db()
    assert run.inputs["scenario"]["factors"][0]["value"] == -10.0
    assert run.synthetic


def test_the_analyst_sees_every_service_and_the_secretariat_has_small_ones_hidden(client, demo, world):
    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    client.force_login(demo.anders)
    analyst = client.get(f"/framskrivning/kjoringer/{run.pk}/?omrade=kommune:3911")
    assert [r.hidden for r in analyst.context["results"]] == [False] * len(analyst.context["results"])
    client.force_login(demo.sigrid)
    secretariat = client.get(f"/framskrivning/kjoringer/{run.pk}/?omrade=kommune:3911")
    hidden = {r.id: r.hidden for r in secretariat.context["results"]}
    assert hidden["dognopphold"] is True  # 2 stays in Færder in the base window
    html = secretariat.content.decode()
    assert _nb("Hidden: the base rate rests on fewer than 5 cases.") in html
    assert _nb("Synthetic data") in html


def test_results_show_the_scenario_its_interval_and_beds(client, demo, world):
    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    client.force_login(demo.anders)
    response = client.get(f"/framskrivning/kjoringer/{run.pk}/?omrade=kommune:3905")
    bed_days = next(r for r in response.context["results"] if r.id == "liggedogn")
    assert bed_days.capacity_kind == "beds" and bed_days.rows[-1]["year"] == 2030
    assert 'id="spec-liggedogn"' in response.content.decode()


def test_todays_capacity_gives_the_gap_per_year(client, demo, world):
    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    client.force_login(demo.sigrid)
    response = client.post(
        f"/framskrivning/kjoringer/{run.pk}/kapasitet/", {"omrade": "kommune:3905", "kind": "beds", "value": "0.1"}
    )
    assert response.status_code == 302
    page = client.get(f"/framskrivning/kjoringer/{run.pk}/?omrade=kommune:3905")
    bed_days = next(r for r in page.context["results"] if r.id == "liggedogn")
    assert bed_days.today == 0.1 and bed_days.rows[0]["gap"] != "–"
    assert AuditEvent.objects.filter(action="projections.capacity.set").exists()


def test_two_runs_are_compared_side_by_side(client, demo, world):
    source, dataset, scenario = world
    first = _run(demo, scenario)
    second = _run(demo, make_scenario(source, dataset, name="Uten endring", factors=[]))
    client.force_login(demo.sigrid)
    response = client.get(f"/framskrivning/sammenlign/?a={first.pk}&b={second.pk}&omrade=kommune:3905")
    row = next(r for r in response.context["rows"] if r["name"] == "Liggedøgn")
    assert row["left"]["value"] != row["right"]["value"]  # −10 % by 2030 in the first


def test_exports_leave_out_hidden_rows_outside_the_analyst_role_and_mark_synthetic_data(client, demo, world):
    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    client.force_login(demo.sigrid)
    rows = list(csv.reader(io.StringIO(client.get(f"/framskrivning/kjoringer/{run.pk}/eksport.csv").content.decode())))
    assert rows[0][:4] == ["level", "area", "service", "year"]
    assert not any(r[1] == "3911" and r[2] == "dognopphold" for r in rows[1:])
    client.force_login(demo.anders)
    analyst = list(
        csv.reader(io.StringIO(client.get(f"/framskrivning/kjoringer/{run.pk}/eksport.csv").content.decode()))
    )
    assert any(r[1] == "3911" and r[2] == "dognopphold" for r in analyst[1:])
    book = load_workbook(io.BytesIO(client.get(f"/framskrivning/kjoringer/{run.pk}/eksport.xlsx").content))
    assert book.active["A1"].value == _nb("Synthetic data")


def test_starting_a_run_enqueues_its_task_on_commit(client, demo, world, django_capture_on_commit_callbacks):
    _source, _dataset, scenario = world
    client.force_login(demo.anders)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/framskrivning/scenarioer/{scenario.pk}/kjor/")
    run = ScenarioRun.objects.get(scenario=scenario)
    assert response["Location"] == run.get_absolute_url() and run.status == WorkStatus.DONE
    assert AuditEvent.objects.filter(action="projections.run.started", target_id=str(run.pk)).exists()


def test_a_run_task_run_twice_does_the_work_once(demo, world):
    from samhandling.projections import work

    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    assert work.run_scenario(run.pk) is False
    run.refresh_from_db()
    assert run.status == WorkStatus.DONE


def test_a_run_left_running_by_a_dead_worker_is_taken_over_once_its_claim_is_stale(demo, world):
    from datetime import timedelta

    from django.utils import timezone

    from samhandling.core import queue
    from samhandling.projections import work

    _source, _dataset, scenario = world
    with translation.override("nb"):
        run = services.run_start(actor=demo.anders, scenario=scenario)
    fresh = timezone.now()
    ScenarioRun.objects.filter(pk=run.pk).update(status=WorkStatus.RUNNING, claimed_at=fresh)
    assert work.run_scenario(run.pk) is False  # its worker may still be alive: left alone
    stale = fresh - timedelta(seconds=queue.HEARTBEAT_SECONDS * queue.STALE_BEATS + 1)
    ScenarioRun.objects.filter(pk=run.pk).update(claimed_at=stale)
    assert work.run_scenario(run.pk) is True
    run.refresh_from_db()
    assert run.status == WorkStatus.DONE and run.claimed_at > stale and run.results_path


def test_the_report_comes_as_pdf_and_word_with_hidden_services_left_hidden(client, demo, world):
    from docx import Document

    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    client.force_login(demo.sigrid)
    pdf = client.get(f"/framskrivning/kjoringer/{run.pk}/rapport.pdf?omrade=kommune:3911")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    word = client.get(f"/framskrivning/kjoringer/{run.pk}/rapport.docx?omrade=kommune:3911")
    document = Document(io.BytesIO(word.content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Færder" in text and _nb("Synthetic data") in text
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert _nb("Hidden: the base rate rests on fewer than 5 cases.") in cells


def _partnership_meeting(demo, code="VES", days=30, name="Partnerskapsmøtet"):
    from datetime import time, timedelta

    from django.utils import timezone

    from samhandling.core.models import Helsefellesskap
    from samhandling.governance import services as governance
    from samhandling.governance.models import BodyKind

    body = governance.body_create(
        actor=demo.sigrid,
        community=Helsefellesskap.objects.get(code=code),
        kind=BodyKind.PARTNERSHIP_MEETING,
        name=name,
        short_name=name[:30],
        meetings_per_year=1,
    )
    meeting = governance.meeting_plan(
        actor=demo.sigrid, body=body, date=timezone.localdate() + timedelta(days=days), start_time=time(10, 0)
    )
    return body, meeting


def test_the_secretariat_puts_the_report_on_an_upcoming_meeting_as_an_item_with_the_pdf(client, demo, world):
    from samhandling.governance.models import ItemOrigin

    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    body, meeting = _partnership_meeting(demo)
    client.force_login(demo.sigrid)
    mark = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    page = client.get(f"/framskrivning/kjoringer/{run.pk}/?omrade=helsefellesskap:Vestfold")
    form = page.context["agenda_form"]
    assert body in form.fields["body"].queryset and meeting in form.fields["meeting"].queryset
    response = client.post(
        f"/framskrivning/kjoringer/{run.pk}/til-sak/",
        {"omrade": "helsefellesskap:Vestfold", "body": body.pk, "meeting": meeting.pk},
    )
    item = meeting.items.get(title__contains="Helsefellesskap Vestfold")
    assert response["Location"] == item.get_absolute_url()
    attachment = item.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.size > 1000
    # One governance event for the item and its attachment, not one per step; the run's own history has its event.
    events = AuditEvent.objects.filter(pk__gt=mark).order_by("pk").values_list("action", flat=True)
    assert list(events) == ["governance.item.added_from_document", "projections.report.to_agenda"]
    assert (item.origin, item.origin_name) == (ItemOrigin.PROJECTION, scenario.name)
    assert item.origin_url == f"/framskrivning/kjoringer/{run.pk}/?omrade=helsefellesskap%3AVestfold"
    html = client.get(item.get_absolute_url()).content.decode()
    assert f"{_nb('From projection')}: {scenario.name}" in html and 'href="/framskrivning/kjoringer/' in html


def test_without_a_meeting_the_report_waits_in_the_bodys_queue(client, demo, world):
    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    body, meeting = _partnership_meeting(demo)
    client.force_login(demo.sigrid)
    response = client.post(
        f"/framskrivning/kjoringer/{run.pk}/til-sak/", {"omrade": "kommune:3905", "body": body.pk, "meeting": ""}
    )
    item = body.items.get(title__contains="Tønsberg")
    assert item.meeting is None and response["Location"] == item.get_absolute_url()
    assert not meeting.items.filter(pk=item.pk).exists()


def test_the_report_goes_only_to_a_body_of_its_own_community_and_a_meeting_of_that_body(client, demo, world):
    from samhandling.governance.models import AgendaItem

    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    body, _meeting = _partnership_meeting(demo)
    _other_body, other_meeting = _partnership_meeting(demo, days=40, name="Partnerskapsmøtet, andre")
    client.force_login(demo.sigrid)
    before = AgendaItem.objects.count()
    # Bodø (1804) belongs to another community: Vestfold's partnership meeting is not offered for its report.
    page = client.get(f"/framskrivning/kjoringer/{run.pk}/?omrade=kommune:1804")
    assert page.context["agenda_form"] is None
    refused = client.post(f"/framskrivning/kjoringer/{run.pk}/til-sak/", {"omrade": "kommune:1804", "body": body.pk})
    assert refused.status_code == 403
    # A meeting of another body than the one chosen.
    client.post(
        f"/framskrivning/kjoringer/{run.pk}/til-sak/",
        {"omrade": "kommune:3905", "body": body.pk, "meeting": other_meeting.pk},
    )
    assert AgendaItem.objects.count() == before


def test_a_user_who_runs_no_body_cannot_put_the_report_on_an_agenda(client, demo, world):
    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    client.force_login(demo.anders)  # an analyst, not the secretariat of any body
    assert client.get(f"/framskrivning/kjoringer/{run.pk}/").context["agenda_form"] is None
    response = client.post(f"/framskrivning/kjoringer/{run.pk}/til-sak/", {"omrade": "land:NO", "meeting": "1"})
    assert response.status_code == 403


def test_a_published_run_is_public_with_small_numbers_hidden_even_for_the_analyst(client, demo, world):
    _source, _dataset, scenario = world
    run = _run(demo, scenario)
    assert client.get(f"/framskrivning/offentlig/kjoringer/{run.pk}/").status_code == 404
    client.force_login(demo.anders)
    client.post(f"/framskrivning/kjoringer/{run.pk}/publiser/", {"publiser": "1"})
    run.refresh_from_db()
    assert run.published_at is not None
    assert AuditEvent.objects.filter(action="projections.run.published", target_id=str(run.pk)).exists()
    page = client.get(f"/framskrivning/offentlig/kjoringer/{run.pk}/?omrade=kommune:3911")
    hidden = {r.id: r.hidden for r in page.context["results"]}
    assert hidden["dognopphold"] is True
    html = page.content.decode()
    assert "/eksport.csv" not in html and _nb("Synthetic data") in html
    client.logout()
    listing = client.get("/framskrivning/offentlig/").content.decode()
    assert f"/framskrivning/offentlig/kjoringer/{run.pk}/" in listing
    client.force_login(demo.anders)
    client.post(f"/framskrivning/kjoringer/{run.pk}/publiser/", {"publiser": "0"})
    client.logout()
    assert client.get(f"/framskrivning/offentlig/kjoringer/{run.pk}/").status_code == 404
