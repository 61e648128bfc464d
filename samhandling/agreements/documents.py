"""The joint consultation response as PDF (WeasyPrint) and DOCX (python-docx), in the shape the secretariat sends
it: the community, "Høringssvar" with the consultation's title, the consulting body and deadline, then per question a
numbered heading with the question and the joint response under it. The members' inputs are the secretariat's
working material and are not part of the response. Both formats are built from one `ResponseContent`, as the
action plan's status report (`plans/documents.py`)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samhandling.core.documents import docx_page_counter, local_only_fetcher, page_counter

from .models import Consultation

PDF, DOCX = "pdf", "docx"
FORMATS = (PDF, DOCX)
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Answer:
    number: int
    question: str
    response: str


@dataclass
class ResponseContent:
    community: str
    title: str
    facts: list[tuple[str, str]]
    answers: list[Answer]
    empty: str


def response_title(consultation: Consultation) -> str:
    return _("Consultation response: %(title)s") % {"title": consultation.title}


def response_filename(consultation: Consultation, fmt: str) -> str:
    return f"horingssvar-{slugify(consultation.title)[:60] or consultation.pk}.{fmt}"


def build(consultation: Consultation) -> ResponseContent:
    return ResponseContent(
        community=consultation.helsefellesskap.name,
        title=response_title(consultation),
        facts=[
            (_("Consulting body"), consultation.external_body),
            (_("Deadline of the consultation"), date_format(consultation.external_deadline, "SHORT_DATE_FORMAT")),
        ]
        + ([(_("Sent"), date_format(consultation.sent_at, "SHORT_DATE_FORMAT"))] if consultation.sent_at else []),
        answers=[
            Answer(number, question.text, question.response)
            for number, question in enumerate(consultation.questions.all(), start=1)
        ],
        empty=_("No response to this question."),
    )


def _pdf(content: ResponseContent) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "agreements/print/consultation_response.html",
        {
            "doc": content,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "page_counter": page_counter(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_only_fetcher()).write_pdf(pdf_tags=True)


def _docx(content: ResponseContent) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.2)
    section.top_margin = section.bottom_margin = Cm(2)
    word.styles["Normal"].font.name = "Calibri"
    word.styles["Normal"].font.size = Pt(11)
    language = translation.get_language() or settings.LANGUAGE_CODE
    word.core_properties.language = "nn-NO" if language.startswith("nn") else "nb-NO"
    word.core_properties.title = content.title
    word.add_paragraph(content.community)
    word.add_heading(content.title, level=1)
    table = word.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in content.facts:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
        for run in cells[0].paragraphs[0].runs:
            run.bold = True
    for answer in content.answers:
        word.add_heading(f"{answer.number}. {answer.question}", level=2)
        for paragraph in (answer.response or content.empty).split("\n\n"):
            word.add_paragraph(paragraph.strip())
    docx_page_counter(section.footer.paragraphs[0], f"{content.title} · ")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def consultation_response(consultation: Consultation, fmt: str) -> bytes:
    """The joint response as it stands now, in the active language."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    content = build(consultation)
    return _pdf(content) if fmt == PDF else _docx(content)
