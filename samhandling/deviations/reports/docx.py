"""The report as a Word document (python-docx), with the same tables and charts as the PDF."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

from samhandling.core.documents import (
    docx_page_counter,
    docx_repeat_header,
)

from .structure import Report, Table

# --- DOCX ---------------------------------------------------------------------------------------------------------


def _docx_table(document, table: Table) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    headers = [*table.label_headers, *table.value_headers]
    body = [*table.rows, *([table.total] if table.total else [])]
    grid = document.add_table(rows=1 + len(body), cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.LEFT
    numeric_from = len(table.label_headers)

    def fill(cell, text: str, *, bold: bool = False, numeric: bool = False) -> None:
        paragraph = cell.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if numeric else WD_ALIGN_PARAGRAPH.LEFT
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x1E, 0x2B, 0x3C)

    docx_repeat_header(grid.rows[0])
    for index, header in enumerate(headers):
        fill(grid.rows[0].cells[index], str(header), bold=True, numeric=index >= numeric_from)
    for row_index, row in enumerate(body, start=1):
        is_total = table.total is not None and row is table.total
        values = [*row.labels, *(str(cell) for cell in row.cells)]
        for index, value in enumerate(values):
            fill(grid.rows[row_index].cells[index], str(value), bold=is_total, numeric=index >= numeric_from)


def render_docx(report: Report) -> bytes:
    import vl_convert
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2)
    section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)

    normal = document.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10)
    language = "nn-NO" if translation.get_language() == "nn" else "nb-NO"
    run_properties = normal.element.get_or_add_rPr()
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = run_properties.makeelement(qn("w:lang"), {})
        run_properties.append(lang)
    lang.set(qn("w:val"), language)

    # No person in the metadata: the community is the author.
    properties = document.core_properties
    properties.title = report.title
    properties.subject = report.period_label
    properties.author = report.community
    properties.last_modified_by = report.community
    properties.comments = ""
    properties.keywords = "samhandlingsavvik"
    properties.language = language

    header = section.header.paragraphs[0]
    header.text = f"{report.community} · {report.marking}"
    header.runs[0].font.size = Pt(8)
    header.runs[0].bold = True
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    docx_page_counter(footer, f"{report.title}   ")
    for run in footer.runs:
        run.font.size = Pt(8)

    community = document.add_paragraph(report.community)
    community.runs[0].bold = True
    document.add_heading(report.title, level=0)
    period = document.add_paragraph(report.period_label)
    period.runs[0].font.size = Pt(12)
    marking = document.add_paragraph()
    marking_run = marking.add_run(report.marking)
    marking_run.bold = True
    marking_run.font.color.rgb = RGBColor(0xA3, 0x1A, 0x1A) if not report.published else RGBColor(0x00, 0x4B, 0x8D)
    for label, value in report.facts:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}: ").bold = True
        paragraph.add_run(value)
        paragraph.paragraph_format.space_after = Pt(0)

    document.add_heading(_("About the numbers"), level=1)
    for paragraph in report.about:
        document.add_paragraph(paragraph)
    document.add_paragraph().add_run(report.rule).italic = True

    document.add_heading(report.key_figures.title, level=1)
    _docx_table(document, report.key_figures)
    for table in report.tables:
        document.add_heading(table.title, level=1)
        if table.note:
            document.add_paragraph(table.note)
        if table.chart:
            png = vl_convert.vegalite_to_png(table.chart, scale=2)
            document.add_picture(io.BytesIO(png), width=Cm(16))
            picture = document.inline_shapes[-1]
            picture._inline.docPr.set("descr", table.chart_description)
            picture._inline.docPr.set("title", table.title)
        _docx_table(document, table)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
