"""De-identified exports (CSV, Excel) and FHIR AdverseEvent output: who may download what, and that nothing but
codes, organisations and dates ever leaves.

The case: kari (home nursing, Tønsberg) reports to the hospital's medical clinic; per, its contact point, hands it
to hilde and answers it. The secretariat (sigrid) and the admin (tove) export every case of Vestfold; a leader or a
contact point only the cases they may open; the others get nothing.
"""

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from fhir.resources.adverseevent import AdverseEvent
from fhir.resources.bundle import Bundle
from fhir.resources.R4B.adverseevent import AdverseEvent as AdverseEventR4B
from fhir.resources.R4B.bundle import Bundle as BundleR4B
from openpyxl import load_workbook

from samhandling.core.models import AuditEvent, Organisation, User
from samhandling.deviations import exports, fhir, services
from samhandling.deviations.models import Deviation, DeviationSettings, Status
from tests.matrix import url_names, walk

from .conftest import PATIENT_ID

COVERED_URL_NAMES = {"export_csv", "export_xlsx", "fhir_bundle", "fhir_case"}

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "turid", "per", "hilde", "sigrid", "tove", "lars", "anders", "ola", ANON]
CASE_PEOPLE = {"kari", "ingrid", "turid", "per", "hilde"}
STATISTICS_PEOPLE = {"ingrid", "turid", "per", "hilde", "lars", "sigrid", "tove"}
PERIOD = {"start": "2020-01-01", "end": "2030-12-31"}

DESCRIPTION = "Pasienten kom hjem uten epikrise og uten oppdatert legemiddelliste."
FREE_TEXTS = [
    DESCRIPTION,
    "Ringte sengeposten.",  # immediate_action
    "Tjenesteavtale 5",  # agreement_clause
    "Beklager, rutinen er endret.",  # answer
    "Ny rutine for epikrise",  # measure
    "Sjekkliste ved utskrivning",  # addendum
]
NEVER_EXPORTED = [*FREE_TEXTS, PATIENT_ID, "Ola Testpasient", "Kari Nordmann", "Per Hansen", "Hilde Strand"]


@pytest.fixture
def case(demo, sent_case):
    """Acknowledged by per for hilde, with a measure and an addendum, and answered."""
    case = services.deviation_acknowledge(actor=demo.per, case=sent_case, handler=demo.hilde)
    services.deviation_add_measure(actor=demo.per, case=case, description="Ny rutine for epikrise")
    services.deviation_add_addendum(actor=demo.kari, case=case, text="Sjekkliste ved utskrivning")
    return services.deviation_answer(actor=demo.per, case=case, answer="Beklager, rutinen er endret.")


@pytest.fixture
def draft(demo, report_data):
    return services.deviation_save_draft(actor=demo.kari, data=report_data())


@pytest.fixture
def gp_case(demo, units, report_data):
    """Sent by lars from the GP office to the clinic: per receives it; turid and ingrid have nothing to do with it."""
    draft = services.deviation_save_draft(
        actor=demo.lars, data=report_data(reporter_unit=units["gp"], event_type="near_miss", patient_id="")
    )
    return services.deviation_send(actor=demo.lars, case=draft)


def _login(client, demo, persona: str) -> None:
    if persona != ANON:
        client.force_login(getattr(demo, persona))


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _csv(client, **params) -> list[list[str]]:
    response = client.get("/avvik/eksport/csv/", {**PERIOD, **params})
    assert response.status_code == 200
    text = _body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _xlsx(client):
    response = client.get("/avvik/eksport/xlsx/", PERIOD)
    assert response.status_code == 200
    return load_workbook(io.BytesIO(_body(response)))


def _header(msgid: str) -> str:
    with translation.override("nb"):
        return translation.gettext(msgid)


def _column(table: list[list[str]], msgid: str) -> list[str]:
    index = table[0].index(_header(msgid))
    return [row[index] for row in table[1:]]


def _expect(view: str, persona: str) -> int:
    if persona == ANON:
        return 302
    if view in ("export_csv", "export_xlsx", "fhir_bundle"):
        return 200 if persona in STATISTICS_PEOPLE else 403
    if view == "fhir_case":
        return 200 if persona in CASE_PEOPLE else 404
    return 404  # fhir_draft: a case never sent has no FHIR, not even for its reporter


def test_every_export_url_is_in_the_matrix():
    assert url_names("deviations") >= COVERED_URL_NAMES


@pytest.mark.parametrize("persona", PERSONAS)
def test_export_permission_matrix(client, demo, case, draft, persona):
    _login(client, demo, persona)
    requests = {
        "export_csv": f"/avvik/eksport/csv/?start={PERIOD['start']}&end={PERIOD['end']}",
        "export_xlsx": f"/avvik/eksport/xlsx/?start={PERIOD['start']}&end={PERIOD['end']}",
        "fhir_bundle": f"/avvik/fhir/?start={PERIOD['start']}&end={PERIOD['end']}",
        "fhir_case": f"/avvik/{case.pk}/fhir/",
        "fhir_draft": f"/avvik/{draft.pk}/fhir/",
    }

    def nothing_leaked(view, response, status):
        body = _body(response).decode("utf-8", errors="replace") if status == 200 else ""
        leaked = [text for text in NEVER_EXPORTED if text in body]
        return [f"{view}: {leaked} in the download"] if leaked else []

    failures = walk(client, requests, lambda view: _expect(view, persona), nothing_leaked)
    assert not failures, "\n".join(failures)


def test_the_csv_is_what_norwegian_excel_expects(client, demo, case):
    client.force_login(demo.sigrid)
    table = _csv(client)
    assert table[0][0] == "Referanse"
    with translation.override("nb"):
        assert table[0] == exports.headers()
    assert len(table[0]) == len(exports.COLUMNS) == 24
    assert [row[0] for row in table[1:]] == [case.reference]


def test_the_csv_writes_dates_as_day_month_year(client, demo, case):
    client.force_login(demo.sigrid)
    table = _csv(client)
    assert _column(table, "Date of the event") == ["20.11.2026"]
    assert _column(table, "Date sent") == [timezone.localdate().strftime("%d.%m.%Y")]
    assert _column(table, "Answer deadline") == [case.answer_deadline.strftime("%d.%m.%Y")]


def test_the_csv_carries_labels_organisations_and_units(client, demo, case):
    client.force_login(demo.sigrid)
    header, values = _csv(client)
    row = {
        english: values[header.index(_header(english))]
        for english in [
            "Status",
            "Physical harm",
            "Category code",
            "Sending organisation",
            "Type of sending organisation",
            "Sending unit",
            "Receiving organisation",
            "Receiving unit",
            "Patient involved",
        ]
    }
    assert row == {
        "Status": "Besvart",
        "Physical harm": "Ingen skade",
        "Category code": "EPI",
        "Sending organisation": "Tønsberg",
        "Type of sending organisation": "Kommune",
        "Sending unit": "Hjemmetjenesten Tønsberg sentrum (demo)",
        "Receiving organisation": "Sykehuset i Vestfold HF",
        "Receiving unit": "Medisinsk klinikk (demo)",
        "Patient involved": "Ja",
    }


@pytest.mark.parametrize("persona", ["sigrid", "per"])
def test_no_download_carries_free_text_a_person_or_the_patient(client, demo, case, persona):
    client.force_login(getattr(demo, persona))
    downloads = {
        "csv": _body(client.get("/avvik/eksport/csv/", PERIOD)).decode("utf-8"),
        "fhir R5": _body(client.get("/avvik/fhir/", PERIOD)).decode("utf-8"),
        "fhir R4B": _body(client.get("/avvik/fhir/", {**PERIOD, "version": "R4B"})).decode("utf-8"),
        "xlsx": "\n".join(
            str(value) for sheet in _xlsx(client) for row in sheet.iter_rows(values_only=True) for value in row
        ),
    }
    if persona == "per":
        downloads["fhir case"] = client.get(f"/avvik/{case.pk}/fhir/").content.decode("utf-8")
    assert all(case.reference in text for text in downloads.values())
    leaks = {name: [t for t in NEVER_EXPORTED if t in text] for name, text in downloads.items()}
    assert leaks == {name: [] for name in downloads}


def test_the_secretariat_and_the_admin_get_every_case_of_the_community(demo, vestfold, case, gp_case):
    for persona in ("sigrid", "tove"):
        rows = exports.export_rows(getattr(demo, persona), vestfold, date(2020, 1, 1), date(2030, 12, 31))
        assert {row.reference for row in rows} == {case.reference, gp_case.reference}


def test_a_contact_point_or_leader_gets_only_the_cases_they_may_open(demo, vestfold, case, gp_case):
    def references(persona):
        rows = exports.export_rows(getattr(demo, persona), vestfold, date(2020, 1, 1), date(2030, 12, 31))
        return {row.reference for row in rows}

    assert references("turid") == {case.reference}
    assert references("ingrid") == {case.reference}
    assert references("per") == {case.reference, gp_case.reference}
    assert references("lars") == {gp_case.reference}


def test_the_csv_of_a_contact_point_holds_only_their_cases(client, demo, case, gp_case):
    client.force_login(demo.turid)
    assert [row[0] for row in _csv(client)[1:]] == [case.reference]


def test_someone_without_statistics_gets_no_rows_from_the_selector(demo, vestfold, case):
    assert list(exports.export_rows(demo.kari, vestfold, date(2020, 1, 1), date(2030, 12, 31))) == []
    assert list(exports.export_rows(demo.anders, vestfold, date(2020, 1, 1), date(2030, 12, 31))) == []


def test_drafts_and_reports_awaiting_the_leader_are_left_out(demo, vestfold, case, draft, report_data):
    DeviationSettings.objects.filter(helsefellesskap=vestfold).update(leader_completion_required=True)
    waiting = services.deviation_send(
        actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
    )
    assert waiting.status == Status.AWAITING_LEADER
    cases = exports.export_cases(demo.sigrid, vestfold, date(2020, 1, 1), date(2030, 12, 31))
    assert list(cases.values_list("pk", flat=True)) == [case.pk]


def test_the_period_is_the_sent_date_in_local_time(demo, vestfold, case):
    sent = timezone.localdate(case.submitted_at)
    assert exports.export_cases(demo.sigrid, vestfold, sent, sent).count() == 1
    assert exports.export_cases(demo.sigrid, vestfold, sent + timedelta(days=1), sent + timedelta(days=9)).count() == 0
    assert exports.export_cases(demo.sigrid, vestfold, sent - timedelta(days=9), sent - timedelta(days=1)).count() == 0


def test_a_duplicate_is_exported_but_not_counted_in_statistics(client, demo, case, report_data):
    second = services.deviation_send(
        actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
    )
    services.deviation_classify(actor=demo.per, case=second, status="duplicate", reason="Samme som første")
    client.force_login(demo.sigrid)
    table = _csv(client)
    included = dict(zip(_column(table, "Reference"), _column(table, "Included in statistics"), strict=True))
    assert included == {case.reference: "Ja", second.reference: "Nei"}


def test_answered_in_time_and_overdue_are_yes_no_or_empty(client, demo, case, report_data):
    late = services.deviation_send(
        actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
    )
    Deviation.objects.filter(pk=late.pk).update(acknowledge_deadline=date(2026, 11, 1))
    client.force_login(demo.sigrid)
    table = _csv(client)
    references = _column(table, "Reference")
    in_time = dict(zip(references, _column(table, "Answered within the deadline"), strict=True))
    overdue = dict(zip(references, _column(table, "Overdue now"), strict=True))
    assert in_time == {case.reference: "Ja", late.reference: ""}
    assert overdue == {case.reference: "Nei", late.reference: "Ja"}


def test_the_xlsx_has_an_about_sheet_and_a_frozen_bold_header_with_date_cells(client, demo, vestfold, case):
    client.force_login(demo.sigrid)
    workbook = _xlsx(client)
    about, data = workbook.worksheets
    about_text = [value for row in about.iter_rows(values_only=True) for value in row if value is not None]
    with translation.override("nb"):
        assert about_text[0] == translation.gettext("De-identified extract")
    assert vestfold.name in about_text
    assert "01.01.2020–31.12.2030" in about_text
    assert data.freeze_panes == "A2"
    assert data["A1"].value == "Referanse" and data["A1"].font.bold
    assert data["A2"].value == case.reference
    assert data.column_dimensions["A"].width > 10
    occurred = data.cell(row=2, column=15)
    assert occurred.is_date and occurred.value.date() == date(2026, 11, 20)
    assert occurred.number_format == "dd.mm.yyyy"


def test_a_formula_in_an_organisation_name_is_written_as_text(client, demo, case, units):
    Organisation.objects.filter(pk=units["clinic"].pk).update(name='=HYPERLINK("http://example.com","x")')
    client.force_login(demo.sigrid)
    table = _csv(client)
    assert _column(table, "Receiving unit") == ['\'=HYPERLINK("http://example.com","x")']
    cell = _xlsx(client).worksheets[1].cell(row=2, column=14)
    assert cell.data_type == "s" and cell.value.startswith("'=")


@pytest.mark.parametrize(("version", "model"), [("R5", AdverseEvent), ("R4B", AdverseEventR4B)])
def test_the_fhir_of_one_case_validates_and_carries_the_reference(client, demo, case, version, model):
    client.force_login(demo.per)
    response = client.get(f"/avvik/{case.pk}/fhir/", {"version": version})
    assert response["Content-Type"].startswith("application/fhir+json")
    resource = model.model_validate(json.loads(response.content))
    identifiers = resource.identifier if version == "R5" else [resource.identifier]
    assert [(i.system, i.value) for i in identifiers] == [(fhir.DEVIATION_SYSTEM, case.reference)]
    assert resource.subject.reference is None and resource.subject.identifier is None
    assert resource.actuality == "actual"


@pytest.mark.parametrize(("version", "model"), [("R5", Bundle), ("R4B", BundleR4B)])
def test_the_fhir_bundle_of_a_period_validates(client, demo, case, gp_case, version, model):
    client.force_login(demo.sigrid)
    response = client.get("/avvik/fhir/", {**PERIOD, "version": version})
    bundle = model.model_validate(json.loads(_body(response)))
    assert bundle.type == "collection"
    assert sorted(entry.resource.id for entry in bundle.entry) == sorted([case.reference, gp_case.reference])
    assert len({entry.fullUrl for entry in bundle.entry}) == 2


def test_an_empty_bundle_has_no_entry_array(client, demo, vestfold):
    client.force_login(demo.lars)
    data = json.loads(_body(client.get("/avvik/fhir/", PERIOD)))
    assert "entry" not in data
    Bundle.model_validate(data)


def _row(demo, vestfold, reference: str) -> exports.ExportRow:
    rows = exports.export_rows(demo.sigrid, vestfold, date(2020, 1, 1), date(2030, 12, 31))
    return next(row for row in rows if row.reference == reference)


def test_fhir_maps_the_status_and_the_actuality(demo, vestfold, case, gp_case):
    services.deviation_classify(actor=demo.per, case=gp_case, status="duplicate", reason="Samme")
    answered = fhir.adverse_event(_row(demo, vestfold, case.reference))
    duplicate = fhir.adverse_event(_row(demo, vestfold, gp_case.reference))
    assert (answered["status"], answered["actuality"]) == ("completed", "actual")
    assert (duplicate["status"], duplicate["actuality"]) == ("entered-in-error", "potential")


def test_fhir_codes_the_harm_and_names_only_organisations(demo, vestfold, report_data):
    severe = services.deviation_send(
        actor=demo.kari,
        case=services.deviation_save_draft(actor=demo.kari, data=report_data(harm_physical="severe")),
    )
    r5 = fhir.adverse_event(_row(demo, vestfold, severe.reference))
    assert r5["seriousness"]["coding"][0]["code"] == "serious"
    harms = {o["code"]["coding"][0]["code"]: o["valueCodeableConcept"]["coding"][0] for o in r5["contained"]}
    assert harms["physical"]["system"] == fhir.HARM_SYSTEM and harms["physical"]["code"] == "severe"
    assert [p["actor"]["type"] for p in r5["participant"]] == ["Organization", "Organization"]
    r4b = fhir.adverse_event(_row(demo, vestfold, severe.reference), version="R4B")
    assert r4b["severity"]["coding"][0]["code"] == "severe"


def test_an_unknown_fhir_version_or_a_bad_period_is_refused(client, demo, case):
    client.force_login(demo.sigrid)
    assert client.get("/avvik/fhir/", {**PERIOD, "version": "R2"}).status_code == 400
    assert client.get("/avvik/eksport/csv/", {"start": "2026-12-01", "end": "2026-01-01"}).status_code == 400
    assert client.get("/avvik/eksport/xlsx/", {"start": "i går"}).status_code == 400


def test_every_export_is_audited_with_the_period_and_the_row_count(client, demo, vestfold, case):
    client.force_login(demo.sigrid)
    for url, params, action in [
        ("/avvik/eksport/csv/", PERIOD, "deviations.export.csv"),
        ("/avvik/eksport/xlsx/", PERIOD, "deviations.export.xlsx"),
        ("/avvik/fhir/", {**PERIOD, "version": "R4B"}, "deviations.export.fhir"),
    ]:
        _body(client.get(url, params))
        event = AuditEvent.objects.filter(action=action).latest("id")
        assert event.actor == demo.sigrid and event.helsefellesskap == vestfold
        expected = {"start": "2020-01-01", "end": "2030-12-31", "rows": 1}
        assert event.data == ({**expected, "version": "R4B"} if action.endswith("fhir") else expected)


def test_the_fhir_of_one_case_is_audited_without_its_content(client, demo, case):
    client.force_login(demo.per)
    client.get(f"/avvik/{case.pk}/fhir/")
    event = AuditEvent.objects.filter(action="deviations.export.fhir_case").latest("id")
    assert (event.actor, event.target_id, event.data) == (demo.per, str(case.pk), {"version": "R5"})


def test_a_refused_export_is_not_audited(client, demo, case):
    client.force_login(demo.kari)
    assert client.get("/avvik/eksport/csv/", PERIOD).status_code == 403
    assert not AuditEvent.objects.filter(action__startswith="deviations.export.").exists()


def test_the_export_reads_the_same_number_of_queries_for_one_case_or_many(demo, vestfold, case, report_data):
    def export() -> tuple[int, int]:
        sigrid = User.objects.get(pk=demo.sigrid.pk)  # nothing cached from the previous run
        with CaptureQueriesContext(connection) as captured:
            text = "".join(
                exports.csv_chunks(exports.export_rows(sigrid, vestfold, date(2020, 1, 1), date(2030, 12, 31)))
            )
        return len(captured), text.count("\r\n") - 1

    queries, rows = export()
    for _ in range(3):
        services.deviation_send(
            actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
        )
    assert export() == (queries, rows + 3)


def test_the_statistics_page_links_to_the_exports_for_the_chosen_period(client, demo, case):
    client.force_login(demo.sigrid)
    html = client.get("/avvik/statistikk/", {"start": "2026-01-01", "end": "2026-06-30"}).content.decode()
    for path in ("/avvik/eksport/csv/", "/avvik/eksport/xlsx/", "/avvik/fhir/"):
        assert f'href="{path}?start=2026-01-01&amp;end=2026-06-30"' in html


def test_the_case_page_links_to_fhir_once_the_case_is_sent(client, demo, case, draft):
    client.force_login(demo.kari)
    assert f"/avvik/{case.pk}/fhir/" in client.get(f"/avvik/{case.pk}/").content.decode()
    assert f"/avvik/{draft.pk}/fhir/" not in client.get(f"/avvik/{draft.pk}/").content.decode()


def test_a_bundle_validates_each_kind_of_resource_once(demo, vestfold, case, gp_case, monkeypatch):
    calls = []
    monkeypatch.setattr(fhir._MODELS[fhir.R5], "model_validate", lambda data: calls.append(data["id"]))
    rows = list(exports.export_rows(demo.sigrid, vestfold, date(2020, 1, 1), date(2030, 12, 31)))
    list(fhir.bundle_chunks([rows[0], rows[0], rows[1], rows[0]]))
    assert calls == [case.reference, gp_case.reference]
