"""The half-year report to SSU and the annual report: who may make which version, the small-number rule, and that
the PDF and the DOCX hold the numbers and nothing else (no patient, no name, no free text).

The data: in the first half of 2025 Tønsberg's home nursing sent 16 deviations to the hospital's medical clinic,
7 about admission (INN), 6 about medication lists (LM) and 3 about discharge letters (EPI); in the second half of
2024 it sent 5 about admission. Every case carries kari's patient and description, which must never show.
"""

import io
import re
import shutil
import subprocess
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone, translation
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from samhandling.core.documents import local_only_fetcher
from samhandling.core.models import AuditEvent
from samhandling.deviations import reports, services
from samhandling.deviations.models import Category, Deviation, Status
from samhandling.deviations.reports import (
    DERIVED,
    FEW_CASES,
    SMALL,
    Cell,
    change_cell,
    rate_cell,
    suppress,
)
from tests.matrix import url_names, walk

from .conftest import PATIENT_ID

COVERED_URL_NAMES = {"reports", "report_download"}

ANON = "anonymous"
PERSONAS = ["kari", "ingrid", "turid", "per", "hilde", "sigrid", "tove", "lars", "anders", "ola", ANON]
STATISTICS_PEOPLE = {"ingrid", "turid", "per", "hilde", "lars", "sigrid", "tove"}
SECRETARIAT = {"sigrid", "tove"}

DESCRIPTION = "Pasienten kom hjem uten epikrise og uten oppdatert legemiddelliste."
NEVER_IN_A_REPORT = [
    PATIENT_ID,
    "Ola Testpasient",
    "Kari Nordmann",
    "Per Hansen",
    DESCRIPTION,
    "Ringte sengeposten.",  # immediate action
    "Tjenesteavtale 5",  # agreement clause (free text)
    "Beklager, rutinen er endret.",  # answer
    "Ny rutine for epikrise",  # measure
]
DOWNLOAD = "/avvik/rapporter/last-ned/"


# --- data ---------------------------------------------------------------------------------------------------------


def _sent_on(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))


@pytest.fixture
def report_cases(demo, vestfold, report_data):
    """16 cases in the first half of 2025 (INN 7, LM 6, EPI 3; five INN answered in time) and 5 INN in the second
    half of 2024. One goes through the services (patient, measure, answer); the others are copies of it."""
    case = services.deviation_save_draft(actor=demo.kari, data=report_data())
    case = services.deviation_send(actor=demo.kari, case=case)
    case = services.deviation_acknowledge(actor=demo.per, case=case)
    services.deviation_add_measure(actor=demo.per, case=case, description="Ny rutine for epikrise")
    case = services.deviation_answer(actor=demo.per, case=case, answer="Beklager, rutinen er endret.")
    code = {c.code: c for c in Category.objects.filter(helsefellesskap=vestfold)}
    plan = (
        [("INN", date(2025, 3, 10), True)] * 5
        + [("INN", date(2025, 3, 10), False)] * 2
        + [("LM", date(2025, 4, 10), False)] * 6
        + [("EPI", date(2025, 5, 12), False)] * 3
        + [("INN", date(2024, 9, 10), False)] * 5
    )
    first, *rest = plan
    Deviation.objects.filter(pk=case.pk).update(
        category=code[first[0]], submitted_at=_sent_on(first[1]), days_to_answer=3, answered_in_time=True
    )
    for number, (category, day, answered) in enumerate(rest, start=2):
        case.pk = None
        case.reference = f"VES-2025-{9000 + number:05d}"
        case.category = code[category]
        case.submitted_at = _sent_on(day)
        case.status = Status.ANSWERED if answered else Status.SUBMITTED
        case.answered_at = _sent_on(day) if answered else None
        case.acknowledged_at = _sent_on(day) if answered else None
        case.days_to_acknowledge = 1 if answered else None
        case.days_to_answer = 3 if answered else None
        case.answered_in_time = True if answered else None
        case.save()
    return vestfold


def _generate(community, kind="half_year", year=2025, half=1, version="published", fmt="pdf"):
    return reports.generate_report(community, kind, year, half, version, fmt, language="nb")


def _build(community, kind="half_year", year=2025, half=1, version="published"):
    with translation.override("nb"):
        return reports.build_report(community, kind, year, half, version)


def _normalised(text: str) -> str:
    return " ".join(text.split())


def _box_text(box):
    if getattr(box, "text", None):
        yield box.text
    for child in getattr(box, "children", []):
        yield from _box_text(child)


def _pdf_text(content: bytes, community, **build) -> str:
    """The PDF's text: from poppler's pdftotext where it is installed; otherwise from WeasyPrint's laid-out pages
    of the same report (the PDF is still checked to be a whole PDF file)."""
    assert content.startswith(b"%PDF-") and b"%%EOF" in content[-64:]
    if shutil.which("pdftotext"):
        result = subprocess.run(
            ["pdftotext", "-layout", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
        )
        return _normalised(result.stdout.decode("utf-8"))
    with translation.override("nb"):
        document = reports.render_document(_build(community, **build))
    return _normalised(" ".join(text for page in document.pages for text in _box_text(page._page_box)))


def _docx_xml(content: bytes) -> str:
    """Every XML part of the DOCX (body, headers, footers, properties) as one text."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return "".join(
            archive.read(name).decode("utf-8") for name in archive.namelist() if name.endswith((".xml", ".rels"))
        )


def _with_nb(function, *args):
    with translation.override("nb"):
        return function(*args)


# --- who may make which report ------------------------------------------------------------------------------------


def test_every_report_url_is_in_the_matrix():
    assert url_names("deviations") >= COVERED_URL_NAMES


def _expect(view: str, persona: str) -> int:
    if persona == ANON:
        return 302
    if view == "internal":
        return 200 if persona in SECRETARIAT else 403
    return 200 if persona in STATISTICS_PEOPLE else 403


@pytest.mark.parametrize("persona", PERSONAS)
def test_report_permission_matrix(client, demo, vestfold, persona):
    if persona != ANON:
        client.force_login(getattr(demo, persona))
    query = "kind=half_year&year=2025&half=1&fmt=docx"
    requests = {
        "reports": "/avvik/rapporter/",
        "report_download": f"{DOWNLOAD}?{query}&version=published",
        "internal": f"{DOWNLOAD}?{query}&version=internal",
    }
    assert set(requests) - {"internal"} == COVERED_URL_NAMES

    def a_download(view, response, status):
        if status == 200 and view != "reports" and "attachment" not in response.get("Content-Disposition", ""):
            return [f"{view}: not a download"]
        return []

    failures = walk(client, requests, lambda view: _expect(view, persona), a_download)
    assert not failures, "\n".join(failures)


def test_a_leader_is_offered_only_the_published_version(client, demo, vestfold):
    client.force_login(demo.ingrid)
    html = client.get("/avvik/rapporter/").content.decode()
    assert 'value="published"' in html
    assert 'value="internal"' not in html


def test_the_secretariat_is_offered_both_versions(client, demo, vestfold):
    client.force_login(demo.sigrid)
    html = client.get("/avvik/rapporter/").content.decode()
    assert 'value="published"' in html and 'value="internal"' in html


def test_the_deviation_menu_links_to_the_reports(client, demo, vestfold):
    client.force_login(demo.sigrid)
    assert 'href="/avvik/rapporter/"' in client.get("/avvik/statistikk/").content.decode()


def test_a_half_year_not_started_is_refused(client, demo, vestfold):
    client.force_login(demo.sigrid)
    year = timezone.localdate().year
    half = 2 if timezone.localdate().month <= 6 else None
    if half is None:  # in the second half of a year, next year's first half lies ahead but the year is not offered
        response = client.get(DOWNLOAD, {"kind": "half_year", "year": year + 1, "half": 1, "version": "published"})
        assert response.status_code == 400 and "year" in response.context["form"].errors
    else:
        response = client.get(
            DOWNLOAD, {"kind": "half_year", "year": year, "half": 2, "version": "published", "fmt": "pdf"}
        )
        assert response.status_code == 400 and "half" in response.context["form"].errors


def test_a_half_year_report_needs_the_half(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.get(DOWNLOAD, {"kind": "half_year", "year": 2025, "version": "published", "fmt": "pdf"})
    assert response.status_code == 400
    assert "half" in response.context["form"].errors


def test_each_download_is_an_audit_event(client, demo, vestfold):
    client.force_login(demo.sigrid)
    client.get(DOWNLOAD, {"kind": "annual", "year": 2025, "version": "internal", "fmt": "docx"})
    event = AuditEvent.objects.get(action="deviations.report.generated")
    assert event.actor == demo.sigrid and event.helsefellesskap == vestfold
    assert event.data == {"kind": "annual", "year": 2025, "half": None, "version": "internal", "format": "docx"}


def test_the_service_refuses_the_internal_version_to_a_leader(demo, vestfold):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.deviation_report_generate(
            actor=demo.ingrid, community=vestfold, kind="annual", year=2025, half=None, version="internal", fmt="docx"
        )
    assert not AuditEvent.objects.filter(action="deviations.report.generated").exists()


def test_the_download_is_named_for_the_community_period_and_version(client, demo, vestfold):
    client.force_login(demo.sigrid)
    response = client.get(
        DOWNLOAD, {"kind": "half_year", "year": 2025, "half": 2, "version": "published", "fmt": "docx"}
    )
    assert (
        response["Content-Disposition"] == 'attachment; filename="samhandlingsavvik-ves-halvar-2025-2-publisert.docx"'
    )
    assert response["Content-Type"] == reports.CONTENT_TYPES["docx"]
    assert "no-store" in response["Cache-Control"]


# --- the small-number rule ----------------------------------------------------------------------------------------


def test_counts_from_one_to_four_are_hidden():
    assert suppress({n: n for n in range(1, 5)}) == dict.fromkeys(range(1, 5), SMALL)


def test_zero_and_five_or_more_are_shown():
    assert suppress({"zero": 0, "five": 5, "many": 120}) == {"zero": "", "five": "", "many": ""}


def test_a_count_the_total_would_give_away_is_hidden_too():
    values = {"a": 3, "b": 6, "c": 7, "total": 16}
    reasons = suppress(values, [(["a", "b", "c"], "total")])
    assert reasons == {"a": SMALL, "b": DERIVED, "c": "", "total": ""}


def test_two_small_counts_in_a_sum_protect_each_other():
    values = {"a": 3, "b": 2, "c": 7, "total": 12}
    assert suppress(values, [(["a", "b", "c"], "total")]) == {"a": SMALL, "b": SMALL, "c": "", "total": ""}


def test_a_zero_is_hidden_only_when_nothing_else_can_protect():
    values = {"a": 7, "b": 0, "total": 7}
    reasons = suppress(values, [(["a", "b"], "total")], hidden={"a": DERIVED})
    assert reasons["b"] == DERIVED and reasons["total"] == ""


def test_a_total_hidden_elsewhere_counts_as_hidden():
    values = {"a": 8, "b": 6, "total": 14}
    reasons = suppress(values, [(["a", "b"], "total")], hidden={"total": DERIVED})
    assert reasons == {"a": "", "b": DERIVED, "total": DERIVED}


@given(st.lists(st.lists(st.integers(min_value=0, max_value=12), min_size=3, max_size=3), min_size=1, max_size=6))
def test_no_sum_ever_gives_a_hidden_count_away(rows):
    """Rows of two halves and their year, columns adding up to totals: whatever the counts, no published count is
    from 1 to 4, and no sum has exactly one hidden number in it."""
    values = {}
    for r, (first, second, _ignored) in enumerate(rows):
        values |= {(r, 0): first, (r, 1): second, (r, 2): first + second}
    for column in range(3):
        values[("total", column)] = sum(values[(r, column)] for r in range(len(rows)))
    lines = [([(r, 0), (r, 1)], (r, 2)) for r in [*range(len(rows)), "total"]]
    lines += [([(r, column) for r in range(len(rows))], ("total", column)) for column in range(3)]
    reasons = suppress(values, lines)
    assert all(not 0 < values[key] < 5 for key, reason in reasons.items() if not reason)
    assert all(sum(1 for key in (*parts, total) if reasons[key]) != 1 for parts, total in lines)


def test_shares_and_medians_from_fewer_than_five_cases_are_hidden():
    assert rate_cell(0.5, 4, kind="percent", published=True).hidden == FEW_CASES
    assert rate_cell(2.0, 4, kind="days", published=True).hidden == FEW_CASES
    assert rate_cell(0.5, 5, kind="percent", published=True).shown


def test_the_internal_version_shows_shares_from_few_cases():
    assert rate_cell(0.5, 2, kind="percent", published=False).shown


def test_hidden_numbers_are_printed_as_less_than_five_or_hidden():
    with translation.override("en"):
        assert str(Cell(3, hidden=SMALL)) == "<5"
        assert str(Cell(7, hidden=DERIVED)) == "hidden"
        assert str(Cell(0.4, kind="percent", hidden=FEW_CASES, base=3)) == "hidden"


def test_shown_numbers_are_printed_the_norwegian_way():
    with translation.override("nb"):
        assert str(Cell(0.5612, kind="percent")) == "56\u00a0%"
        assert str(Cell(19.5, kind="days")) == "19,5"
        assert str(Cell(-3, kind="change")) == "\u22123"
        assert str(Cell(1234)) == "1\u00a0234"


def test_the_change_is_hidden_when_either_period_is():
    assert change_cell(Cell(7), Cell(3, hidden=SMALL)).hidden
    assert change_cell(Cell(7), Cell(5)).value == 2


# --- the content ----------------------------------------------------------------------------------------------------


def _row(report, table_key: str, label_start: str):
    table = next(table for table in report.all_tables() if table.key == table_key)
    return next(row for row in table.rows if row.labels[0].startswith(label_start))


def test_every_number_in_the_published_report_follows_the_rule(report_cases):
    for kind, half in (("half_year", 1), ("annual", None)):
        report = _build(report_cases, kind=kind, half=half)
        for cell in report.cells():
            if cell.shown and cell.kind == "count":
                assert not 0 < cell.value < 5, (kind, cell)
            if cell.shown and cell.kind in ("percent", "days"):
                assert cell.base >= 5, (kind, cell)


def test_the_published_report_hides_three_and_the_six_that_would_give_it_away(report_cases):
    report = _build(report_cases)
    assert [str(cell) for cell in _row(report, "category", "EPI").cells[:2]] == ["<5", "0"]
    assert _row(report, "category", "LM").cells[0].hidden == DERIVED
    assert [cell.value for cell in _row(report, "category", "INN").cells] == [7, 5, 2]


def test_the_internal_report_shows_every_number(report_cases):
    report = _build(report_cases, version="internal")
    assert not any(cell.hidden for cell in report.cells())
    assert [cell.value for cell in _row(report, "category", "EPI").cells] == [3, 0, 3]


def test_the_half_year_report_compares_with_the_half_year_before(report_cases):
    report = _build(report_cases)
    with translation.override("nb"):
        expected = [reports.half_label(2025, 1), reports.half_label(2024, 2)]
    assert report.key_figures.value_headers == expected
    assert [cell.value for cell in report.key_figures.rows[0].cells] == [16, 5]


def test_the_annual_report_has_both_halves_and_the_year(report_cases):
    report = _build(report_cases, kind="annual", half=None)
    assert len(report.key_figures.value_headers) == 3
    assert [cell.value for cell in report.key_figures.rows[0].cells] == [16, 0, 16]
    assert len(_row(report, "month", "januar").cells) == 1
    assert len(next(t for t in report.tables if t.key == "month").rows) == 12


def test_the_share_answered_in_time_counts_only_answered_cases(report_cases):
    report = _build(report_cases, version="internal")
    share = report.key_figures.rows[2].cells[0]
    assert (share.value, share.base) == (1.0, 5)


def test_a_share_that_would_give_a_hidden_count_away_is_hidden(report_cases):
    second_half_2024 = Deviation.objects.filter(submitted_at__year=2024).order_by("pk")
    Deviation.objects.filter(pk__in=list(second_half_2024.values_list("pk", flat=True)[:2])).update(
        status=Status.ANSWERED, answered_at=_sent_on(date(2024, 9, 20))
    )
    report = _build(report_cases)
    answered, _in_time, reporters_answered = report.key_figures.rows[1:4]
    assert str(answered.cells[1]) == "<5"
    assert reporters_answered.cells[1].hidden  # 2 of the 5 would read as 40 %
    assert reporters_answered.cells[0].shown


def test_a_chart_draws_no_bar_for_a_hidden_number(report_cases):
    report = _build(report_cases)
    chart = next(table for table in report.tables if table.key == "category").chart

    def bars(node):
        if isinstance(node, dict):
            if {"label", "value", "text"} <= node.keys():
                yield node
            for value in node.values():
                yield from bars(value)
        elif isinstance(node, list):
            for value in node:
                yield from bars(value)

    drawn = list(bars(chart))
    assert any(bar["text"] == "<5" and bar["value"] is None for bar in drawn)
    assert all(bar["value"] is None or not 0 < bar["value"] < 5 for bar in drawn)


# --- the files --------------------------------------------------------------------------------------------------------


def test_the_pdf_carries_title_period_and_counts(report_cases):
    _name, content, content_type = _generate(report_cases, version="internal")
    text = _pdf_text(content, report_cases, version="internal")
    assert content_type == "application/pdf"
    assert _normalised(_with_nb(reports.report_title, "half_year", 2025, 1)) in text
    assert "1. januar 2025 – 30. juni 2025" in text
    assert "Helsefellesskap Vestfold" in text
    assert "EPI – Epikrise mangler, er forsinket eller sendt feil 3 0 +3" in text


def test_the_published_pdf_shows_a_count_of_three_as_less_than_five(report_cases):
    _name, content, _type = _generate(report_cases)
    text = _pdf_text(content, report_cases)
    assert "EPI – Epikrise mangler, er forsinket eller sendt feil <5 0" in text
    assert "INN – Innleggelse og henvisning til sykehus 7 5 +2" in text
    assert _normalised(_with_nb(translation.gettext, "Published version – small numbers are hidden")) in text


def test_the_internal_pdf_is_marked_not_for_publication(report_cases):
    _name, content, _type = _generate(report_cases, version="internal")
    marking = _with_nb(translation.gettext, "Internal working document – not for publication")
    assert _normalised(marking) in _pdf_text(content, report_cases, version="internal")


def test_the_docx_has_the_headings_and_tables_with_header_rows(report_cases):
    _name, content, content_type = _generate(report_cases, fmt="docx")
    document = Document(io.BytesIO(content))
    headings = [p.text for p in document.paragraphs if p.style.name in ("Title", "Heading 1")]
    with translation.override("nb"):
        assert headings[0] == reports.report_title("half_year", 2025, 1)
        assert translation.gettext("Deviations by category") in headings
    assert content_type == reports.CONTENT_TYPES["docx"]
    assert len(document.tables) == 10  # the key figures and nine breakdowns (agreement clause among them)
    for table in document.tables:
        assert table.rows[0]._tr.trPr.xpath("./w:tblHeader")  # the header row repeats on every page
    category = next(t for t in document.tables if t.cell(1, 0).text.startswith("INN"))
    epi = next(row for row in category.rows if row.cells[0].text.startswith("EPI"))
    assert [cell.text for cell in epi.cells[1:3]] == ["<5", "0"]


def test_the_docx_has_the_charts_as_pictures_with_a_description(report_cases):
    _name, content, _type = _generate(report_cases, fmt="docx")
    document = Document(io.BytesIO(content))
    assert len(document.inline_shapes) >= 3
    assert all(shape._inline.docPr.get("descr") for shape in document.inline_shapes)


@pytest.mark.parametrize("version", ["internal", "published"])
def test_no_patient_name_or_free_text_in_either_file(report_cases, version):
    _name, pdf, _type = _generate(report_cases, version=version)
    _name, docx, _type = _generate(report_cases, version=version, fmt="docx")
    texts = {"pdf": _pdf_text(pdf, report_cases, version=version), "docx": _docx_xml(docx)}
    for name, text in texts.items():
        leaked = [secret for secret in NEVER_IN_A_REPORT if secret in text]
        assert not leaked, f"{name}: {leaked}"
    assert not [secret for secret in NEVER_IN_A_REPORT if secret.encode() in pdf]


def test_the_files_name_no_person_as_author(report_cases, demo):
    _name, docx, _type = _generate(report_cases, fmt="docx")
    properties = Document(io.BytesIO(docx)).core_properties
    assert properties.author == properties.last_modified_by == "Helsefellesskap Vestfold"
    assert not re.search(r"python-docx", _docx_xml(docx))


def test_the_pdf_renderer_refuses_the_network_and_files_outside_the_project():
    fetcher = local_only_fetcher()
    for url in ("https://example.org/logo.png", "http://127.0.0.1/x.css", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_the_pdf_renderer_reads_data_urls_and_the_projects_own_files():
    fetcher = local_only_fetcher()
    assert fetcher.fetch("data:,ok").read() == b"ok"
    logo = (Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg").resolve().as_uri()
    assert fetcher.fetch(logo).read().startswith(b"<svg")


def test_generate_report_refuses_unknown_choices(vestfold):
    with pytest.raises(ValueError):
        reports.generate_report(vestfold, "weekly", 2025, 1, "published", "pdf")
    with pytest.raises(ValueError):
        reports.generate_report(vestfold, "half_year", 2025, 3, "published", "pdf")
