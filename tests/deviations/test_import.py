"""Import of earlier cases from the secretariat's spreadsheet: all or nothing, errors by row and column, never a
patient's identity, and the imported cases count in statistics and exports like any other."""

import io
from datetime import date, timedelta

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from samhandling.core import services as core_services
from samhandling.core.models import AuditEvent, OrganisationType
from samhandling.deviations import exports, selectors, services
from samhandling.deviations import imports as importer
from samhandling.deviations.access import DeviationAccess
from samhandling.deviations.models import Deviation, ImportBatch, ReferenceCounter, Status
from tests.matrix import walk

from .conftest import PATIENT_ID

COVERED_URL_NAMES = {"import", "import_template"}

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "turid", "per", "hilde", "sigrid", "tove", "lars", "anders", "ola", ANON]
MANAGERS = {"sigrid", "tove"}

HEADER = ["Dato", "Meldt dato", "Fra", "Til", "Kategori", "Status", "Besvart dato", "Beskrivelse", "Saksnummer"]


def _csv(rows: list[list[str]], *, header=HEADER, separator=";", bom=True) -> bytes:
    lines = [separator.join(header)] + [separator.join(row) for row in rows]
    return ("\ufeff" if bom else "").encode() + "\r\n".join(lines).encode("utf-8")


def _upload(content: bytes, name: str = "avvik.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _good_row(**overrides) -> list[str]:
    values = {
        "Dato": "14.03.2024",
        "Meldt dato": "15.03.2024",
        "Fra": "Tønsberg",
        "Til": "Sykehuset i Vestfold",
        "Kategori": "EPI",
        "Status": "",
        "Besvart dato": "",
        "Beskrivelse": "Epikrisen kom for sent.",
        "Saksnummer": "",
    }
    values.update(overrides)
    return [values[name] for name in HEADER]


def _import(actor, community, content: bytes, name: str = "avvik.csv"):
    return services.deviation_import(actor=actor, community=community, uploaded_file=_upload(content, name))


def _counters(community) -> dict:
    return dict(ReferenceCounter.objects.filter(helsefellesskap=community).values_list("year", "last_number"))


# --- who may ----------------------------------------------------------------------------------------------------


def _expect(persona: str) -> int:
    if persona == ANON:
        return 302
    return 200 if persona in MANAGERS else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_permission_matrix(client, demo, vestfold, persona):
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    requests = {"import": "/avvik/import/", "import_template": "/avvik/import/mal.xlsx"}
    assert set(requests) == COVERED_URL_NAMES
    failures = walk(client, requests, lambda view: _expect(persona))
    response = client.post("/avvik/import/", {"file": _upload(_csv([_good_row()]))})
    expected_post = {200: 302, 403: 403, 302: 302}[_expect(persona)]
    if response.status_code != expected_post:
        failures.append(f"import POST: expected {expected_post}, got {response.status_code}")
    assert not failures, "\n".join(failures)
    assert ImportBatch.objects.count() == (1 if persona in MANAGERS else 0)


def test_the_service_refuses_someone_who_does_not_manage_the_community(demo, vestfold):
    with pytest.raises(PermissionDenied):
        _import(demo.per, vestfold, _csv([_good_row()]))


# --- good files -------------------------------------------------------------------------------------------------


def test_a_good_csv_is_imported_with_its_statuses(demo, vestfold):
    rows = [
        _good_row(Status="besvart", **{"Besvart dato": "02.04.2024", "Saksnummer": "2024-1"}),
        _good_row(**{"Saksnummer": "2024-2"}),
        _good_row(Status="Duplikat", Fra="Larvik", **{"Saksnummer": "2024-3"}),
    ]
    result = _import(demo.sigrid, vestfold, _csv(rows))
    assert result.ok, result.errors
    cases = Deviation.objects.filter(import_batch=result.batch).order_by("external_case_id")
    assert result.batch.row_count == 3 and cases.count() == 3
    assert [case.status for case in cases] == [Status.ANSWERED, Status.CLOSED, Status.DUPLICATE]
    assert all(case.source == "import" and case.reporter is None for case in cases)
    assert cases[0].answered_at.date() == date(2024, 4, 2) and cases[0].days_to_answer == 9  # Easter in between


def test_a_comma_separated_csv_without_bom_is_read(demo, vestfold):
    row = _good_row(Beskrivelse='"Kom hjem, men uten epikrise"')
    result = _import(demo.sigrid, vestfold, _csv([row], separator=",", bom=False))
    assert result.ok, result.errors
    assert Deviation.objects.get(import_batch=result.batch).description == "Kom hjem, men uten epikrise"


def test_a_windows_1252_csv_with_excels_separator_hint_is_read(demo, vestfold):
    content = ("sep=,\r\n" + ",".join(HEADER) + "\r\n" + ",".join(_good_row(Beskrivelse="Pårørende ringte"))).encode(
        "cp1252"
    )
    result = _import(demo.sigrid, vestfold, content)
    assert result.ok, result.errors
    case = Deviation.objects.get(import_batch=result.batch)
    assert (case.reporter_unit.name, case.description) == ("Tønsberg", "Pårørende ringte")


def test_reference_numbers_continue_the_sequence_of_submitted_cases(demo, vestfold, sent_case, report_data):
    today = timezone.localdate()
    first_of_year = today.replace(month=1, day=1).strftime("%d.%m.%Y")
    rows = [_good_row(Dato=first_of_year, **{"Meldt dato": first_of_year}) for _ in range(2)]
    result = _import(demo.sigrid, vestfold, _csv(rows))
    later = services.deviation_send(
        actor=demo.kari, case=services.deviation_save_draft(actor=demo.kari, data=report_data())
    )
    imported = sorted(Deviation.objects.filter(import_batch=result.batch).values_list("reference", flat=True))
    number = int(sent_case.reference.rsplit("-", 1)[1])
    assert imported == [f"VES-{today.year}-{number + 1:05d}", f"VES-{today.year}-{number + 2:05d}"]
    assert later.reference == f"VES-{today.year}-{number + 3:05d}"


def test_earlier_years_get_numbers_in_their_own_year_in_date_order(demo, vestfold):
    rows = [
        _good_row(Dato="10.05.2023", **{"Meldt dato": "11.05.2023", "Saksnummer": "b"}),
        _good_row(Dato="02.01.2023", **{"Meldt dato": "03.01.2023", "Saksnummer": "a"}),
    ]
    result = _import(demo.sigrid, vestfold, _csv(rows))
    references = dict(Deviation.objects.filter(import_batch=result.batch).values_list("external_case_id", "reference"))
    assert references == {"a": "VES-2023-00001", "b": "VES-2023-00002"}


def _workbook(rows: list[list]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_a_good_xlsx_with_excel_dates_and_header_variants_is_imported(demo, vestfold, units):
    content = _workbook(
        [
            ["dato for hendelse", "MOTTAKER", "Avsender", "kategori", "Fysisk skade", "Status", "Besvart dato"],
            [
                date(2024, 2, 1),
                "SiV › Medisinsk klinikk (demo)",
                3905,
                "EPI – Epikrise mangler",
                "lav",
                "lukket",
                "2024-02-20",
            ],
            [date(2024, 2, 5), "Tønsberg kommune", "Sykehuset i Vestfold HF", "lm", None, "besvart", None],
        ]
    )
    result = _import(demo.sigrid, vestfold, content, "avvik.xlsx")
    assert result.ok, result.errors
    first, second = Deviation.objects.filter(import_batch=result.batch).order_by("occurred_on")
    assert (first.reporter_unit.name, first.receiver) == ("Tønsberg", units["clinic"])
    assert (first.category.code, first.harm_physical, first.status) == ("EPI", "low", Status.CLOSED)
    assert first.closed_at.date() == date(2024, 2, 20)
    assert (second.receiver.name, second.category.code, second.harm_physical) == ("Tønsberg", "LM", "unknown")


def test_imported_cases_count_in_the_statistics(demo, vestfold):
    rows = [
        _good_row(Status="besvart", **{"Besvart dato": "18.03.2024"}),
        _good_row(Status="ikke samhandlingsavvik"),
    ]
    _import(demo.sigrid, vestfold, _csv(rows))
    stats = selectors.statistics(vestfold, date(2024, 1, 1), date(2024, 6, 30))
    assert stats.total == 1  # the one that was not a samhandlingsavvik is left out, as on the platform
    assert stats.by_month == [{"month": "2024-03", "count": 1}]
    assert stats.share_answered_in_time == 1 and stats.median_days_to_answer == 1


def test_imported_cases_are_in_the_export(demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([_good_row()]))
    exported = [
        row.reference for row in exports.export_rows(demo.sigrid, vestfold, date(2024, 1, 1), date(2024, 12, 31))
    ]
    assert exported == [Deviation.objects.get(import_batch=result.batch).reference]


@pytest.mark.parametrize("persona", ["kari", "ingrid", "turid", "per", "hilde", "sigrid"])
def test_an_imported_case_is_nobodys_own_report(client, demo, vestfold, persona):
    result = _import(demo.sigrid, vestfold, _csv([_good_row()]))
    reference = Deviation.objects.get(import_batch=result.batch).reference
    user = getattr(demo, persona)
    assert not selectors.my_reports(user).exists()
    client.force_login(user)
    assert reference not in client.get("/avvik/").content.decode()


def test_an_imported_case_without_a_reporter_is_nobodys_even_without_a_user(demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([_good_row()]))
    case = Deviation.objects.get(import_batch=result.batch)
    assert not DeviationAccess(user_id=None).is_reporter(case)


def test_the_case_page_of_an_imported_case_says_imported_instead_of_a_reporter(client, demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([_good_row(Til="Sykehuset i Vestfold › Medisinsk klinikk (demo)")]))
    case = Deviation.objects.get(import_batch=result.batch)
    client.force_login(demo.per)
    response = client.get(f"/avvik/{case.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Importert" in html or "Imported" in html
    assert "None" not in html
    assert "avvik.csv" in html  # the history notes where it came from


def test_the_import_writes_one_audit_event_with_counts_only(demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([_good_row(), _good_row(Status="besvart")]))
    event = AuditEvent.objects.get(action="deviations.import.completed")
    assert event.target_id == str(result.batch.pk)
    assert event.data == {"rows": 2, "statuses": {"closed": 1, "answered": 1}, "years": {"2024": 2}}


# --- refused files ----------------------------------------------------------------------------------------------


def test_a_file_with_errors_in_rows_3_and_7_is_refused_and_nothing_is_written(demo, vestfold, sent_case):
    rows = [_good_row() for _ in range(7)]  # file rows 2–8
    rows[1] = _good_row(Dato="31.02.2024")  # row 3
    rows[5] = _good_row(Kategori="XYZ")  # row 7
    counters, audit_events, cases = _counters(vestfold), AuditEvent.objects.count(), Deviation.objects.count()
    result = _import(demo.sigrid, vestfold, _csv(rows))
    assert not result.ok
    assert [(error.row, error.column, error.code) for error in result.errors] == [
        (3, "Dato", "date"),
        (7, "Kategori", "unknown_category"),
    ]
    assert not ImportBatch.objects.exists()
    assert Deviation.objects.count() == cases
    assert _counters(vestfold) == counters
    assert AuditEvent.objects.count() == audit_events


def test_a_fodselsnummer_in_the_description_refuses_the_file(demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([_good_row(Beskrivelse=f"Gjelder pasient {PATIENT_ID}.")]))
    assert [(error.row, error.column, error.code) for error in result.errors] == [(2, "Beskrivelse", "national_id")]
    assert PATIENT_ID not in result.errors[0].message
    assert not Deviation.objects.filter(source="import").exists()


def test_a_fodselsnummer_in_a_date_cell_is_reported_once_and_never_repeated(demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([_good_row(Dato=PATIENT_ID)]))
    assert [(error.row, error.column, error.code) for error in result.errors] == [(2, "Dato", "national_id")]
    assert not any(PATIENT_ID in error.message for error in result.errors)


def test_errors_are_listed_in_the_order_of_the_rows(demo, vestfold):
    rows = [_good_row(), _good_row(Kategori="XYZ"), _good_row(Beskrivelse=PATIENT_ID)]
    result = _import(demo.sigrid, vestfold, _csv(rows))
    assert [error.row for error in result.errors] == [3, 4]


def test_the_service_refuses_a_file_over_the_size_limit(demo, vestfold, monkeypatch):
    monkeypatch.setattr(importer, "MAX_FILE_SIZE", 100)
    result = _import(demo.sigrid, vestfold, _csv([_good_row()] * 5))
    assert [(error.row, error.code) for error in result.errors] == [(None, "size")]


def test_a_fodselsnummer_in_an_unknown_column_or_a_number_cell_refuses_the_file(demo, vestfold):
    content = _workbook([[*HEADER, "Merknad"], [*_good_row(), int(PATIENT_ID)]])
    result = _import(demo.sigrid, vestfold, content, "avvik.xlsx")
    assert [(error.row, error.column, error.code) for error in result.errors] == [(2, "Merknad", "national_id")]


def test_a_column_for_the_patients_name_is_refused(demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([[*_good_row(), "Ola"]], header=[*HEADER, "Pasientnavn"]))
    assert [(error.row, error.column, error.code) for error in result.errors] == [(1, "Pasientnavn", "person_column")]


def test_unknown_and_ambiguous_organisations_are_named(demo, vestfold):
    for municipality in ("Larvik", "Horten"):
        parent = vestfold.members.get(name=municipality, type=OrganisationType.KOMMUNE)
        core_services.organisation_create(
            actor=demo.sigrid,
            helsefellesskap=vestfold,
            parent=parent,
            name="Hjemmetjenesten (demo)",
            type=OrganisationType.MUNICIPAL_SERVICE,
        )
    rows = [
        _good_row(Fra="Hjemmetjenesten (demo)"),
        _good_row(Fra="Bodø"),
        _good_row(Fra="Larvik › Hjemmetjenesten (demo)"),
    ]
    result = _import(demo.sigrid, vestfold, _csv(rows))
    assert [(error.row, error.column, error.code) for error in result.errors] == [
        (2, "Fra", "ambiguous_organisation"),
        (3, "Fra", "unknown_organisation"),
    ]
    assert "Larvik › Hjemmetjenesten (demo)" in result.errors[0].message
    assert "Horten › Hjemmetjenesten (demo)" in result.errors[0].message
    assert "Bodø" in result.errors[1].message


def test_a_case_between_units_of_the_same_organisation_is_refused(demo, vestfold):
    row = _good_row(Fra="Tønsberg › Hjemmetjenesten Tønsberg sentrum (demo)", Til="Tønsberg")
    result = _import(demo.sigrid, vestfold, _csv([row]))
    assert [(error.row, error.column, error.code) for error in result.errors] == [(2, "Til", "same_organisation")]


def test_future_dates_and_an_answer_before_the_sending_are_refused(demo, vestfold):
    tomorrow = (timezone.localdate() + timedelta(days=1)).strftime("%d.%m.%Y")
    rows = [_good_row(Dato=tomorrow, **{"Meldt dato": ""}), _good_row(**{"Besvart dato": "01.03.2024"})]
    result = _import(demo.sigrid, vestfold, _csv(rows))
    assert [(error.row, error.column, error.code) for error in result.errors] == [
        (2, "Dato", "future"),
        (3, "Besvart dato", "order"),
    ]


def test_a_missing_required_column_is_reported_on_the_header_row(demo, vestfold):
    header = [name for name in HEADER if name != "Kategori"]
    result = _import(
        demo.sigrid, vestfold, _csv([["14.03.2024", "", "Tønsberg", "SiV", "", "", "", ""]], header=header)
    )
    assert [(error.row, error.column, error.code) for error in result.errors] == [(1, "Kategori", "missing_column")]


def test_the_same_file_cannot_be_imported_twice(demo, vestfold):
    content = _csv([_good_row(Saksnummer="2024-17")])
    assert _import(demo.sigrid, vestfold, content).ok
    again = _import(demo.sigrid, vestfold, content)
    assert [(error.row, error.code) for error in again.errors] == [(2, "already_imported")]
    assert ImportBatch.objects.count() == 1


def test_only_the_first_hundred_errors_are_listed_but_all_are_counted(demo, vestfold):
    result = _import(demo.sigrid, vestfold, _csv([_good_row(Kategori="XYZ") for _ in range(130)]))
    assert len(result.errors) == 100 and result.error_count == 130 and result.errors_not_shown == 30


def test_a_large_import_uses_a_bounded_number_of_queries(demo, vestfold, django_assert_max_num_queries):
    rows = [_good_row(Saksnummer=str(number)) for number in range(1000)]
    with django_assert_max_num_queries(150):
        result = _import(demo.sigrid, vestfold, _csv(rows))
    assert result.batch.row_count == 1000


# --- the page and the template ----------------------------------------------------------------------------------


def test_the_page_lists_the_row_errors_and_keeps_nothing(client, demo, vestfold):
    client.force_login(demo.sigrid)
    content = _csv([_good_row(), _good_row(Kategori="XYZ")])
    response = client.post("/avvik/import/", {"file": _upload(content)})
    assert response.status_code == 400
    assert [(error.row, error.column) for error in response.context["result"].errors] == [(3, "Kategori")]
    html = response.content.decode()
    assert "<td>Kategori</td>" in html and "XYZ" in html
    assert not Deviation.objects.filter(source="import").exists()


def test_the_page_reports_how_many_were_imported(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.post("/avvik/import/", {"file": _upload(_csv([_good_row(), _good_row()]))}, follow=True)
    assert response.redirect_chain == [("/avvik/import/", 302)]
    assert "2" in str(next(iter(response.context["messages"])))
    assert Deviation.objects.filter(source="import").count() == 2


def test_a_file_of_another_type_is_refused_at_the_field(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.post("/avvik/import/", {"file": _upload(b"%PDF-1.4", "avvik.pdf")})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["file"]


def test_a_file_over_the_size_limit_is_refused_at_the_field(client, demo, vestfold, monkeypatch):
    monkeypatch.setattr(importer, "MAX_FILE_SIZE", 100)
    client.force_login(demo.sigrid)
    response = client.post("/avvik/import/", {"file": _upload(_csv([_good_row()] * 5))})
    assert response.status_code == 400
    assert [error.code for error in response.context["form"].errors.as_data()["file"]] == ["size"]


def test_the_template_opens_with_openpyxl_and_has_the_columns(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.get("/avvik/import/mal.xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [cell.value for cell in sheet[1]] == [column.header for column in importer.COLUMNS]
    assert sheet.max_row == 2


def test_the_templates_example_row_is_refused_if_left_in(client, demo, vestfold):
    client.force_login(demo.sigrid)
    content = client.get("/avvik/import/mal.xlsx").content
    result = _import(demo.sigrid, vestfold, content, "mal.xlsx")
    assert [(error.row, error.column, error.code) for error in result.errors] == [(2, "Saksnummer", "example")]


def test_the_settings_page_links_to_the_import(client, demo, vestfold):
    client.force_login(demo.sigrid)
    assert 'href="/avvik/import/"' in client.get("/avvik/innstillinger/").content.decode()
