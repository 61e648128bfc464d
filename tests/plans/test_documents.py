"""The status report as a reader gets it: the PDF's text extracted with pypdf and the Word file's headings and
tables read with python-docx, in the layout of the real "Status Handlingsplan" (themes numbered, per theme a table
of measures with responsible, due date, status and the result text), in bokmål and nynorsk."""

import io
from datetime import date

from django.utils import translation
from docx import Document
from pypdf import PdfReader

from samhandling.plans import documents, services
from samhandling.plans.models import MeasureStatus

TODAY = date(2026, 9, 15)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _status(pl, demo):
    services.measure_report_status(
        actor=demo.kari,
        measure=pl.vitality,
        status=MeasureStatus.IN_PROGRESS,
        text="Tiltaket startet i Larvik kommune og SiV i 2022.",
    )


def test_the_pdf_has_the_plan_the_month_the_themes_and_each_measure_with_its_status(pl, demo):
    _status(pl, demo)
    with translation.override("nb"):
        content = documents.status_report(pl.plan, "pdf", today=TODAY)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert pl.plan.title in text
    assert "Status september 2026" in text
    assert "1. Barn og unge" in text
    assert "5. Kvalitet og tjenesteutvikling" in text
    assert "Prosjekt Vitality" in text and "Pågår" in text
    assert "Tiltaket startet i Larvik kommune og SiV i 2022." in text
    assert "Ung Arena+ Vestfold" in text and "Guro Eksempel" in text and "Ikke startet" in text
    assert "Resultat og status" in text


def test_the_docx_has_headings_and_one_table_per_theme_with_measures(pl, demo):
    _status(pl, demo)
    with translation.override("nb"):
        word = Document(io.BytesIO(documents.status_report(pl.plan, "docx", today=TODAY)))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == pl.plan.title
    assert "1. Barn og unge" in headings and "3. Skrøpelige eldre og personer med flere kroniske lidelser" in headings
    tables = word.tables
    assert len(tables) == 2  # the two themes with measures; the others say "Ingen tiltak."
    header = [cell.text for cell in tables[0].rows[0].cells]
    assert header == ["Tiltak", "Mål", "Ansvarlig", "Frist", "Status", "Resultat og status"]
    rows = [[cell.text for cell in row.cells] for table in tables for row in table.rows[1:]]
    vitality = next(r for r in rows if r[0] == "Prosjekt Vitality")
    assert vitality[2] == "SSU, Kari Nordmann"
    assert vitality[4] == "Pågår" and vitality[5].startswith("Tiltaket startet")
    completed = next(r for r in rows if r[0].startswith("Pasientforløp"))
    assert completed[4] == "Fullført"


def test_the_report_speaks_nynorsk(pl):
    with translation.override("nn"):
        word = Document(io.BytesIO(documents.status_report(pl.plan, "docx", today=TODAY)))
    header = [cell.text for cell in word.tables[0].rows[0].cells]
    assert header[-1] == "Resultat og status"
    assert any(p.text == "Ingen tiltak." for p in word.paragraphs)
    assert any("Ikkje starta" in cell.text for table in word.tables for row in table.rows for cell in row.cells)
