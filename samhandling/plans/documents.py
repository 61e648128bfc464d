"""The action plan's status report as PDF (WeasyPrint) and DOCX (python-docx), in the layout of the real
"Status Handlingsplan" the Vestfold secretariat brings to SSU: the community and plan, "Status <month year>", the
numbered themes, then per theme a table of its measures with responsible body, owner, due date, status and the
"Resultat/status" text. Both formats are built from one `ReportContent`."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.formats import date_format
from django.utils.text import slugify
from django.utils.translation import gettext as _

from samhandling.core.documents import docx_page_counter, docx_repeat_header, local_only_fetcher, page_counter

from .models import ActionPlan
from .selectors import measures_of, with_contents

PDF, DOCX = "pdf", "docx"
FORMATS = (PDF, DOCX)
CONTENT_TYPES = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Row:
    measure: str
    goal: str
    responsible: str
    due: str
    status: str
    text: str


@dataclass
class Section:
    number: int
    title: str
    rows: list[Row] = field(default_factory=list)


@dataclass
class ReportContent:
    community: str
    title: str
    status_line: str
    columns: list[str]
    sections: list[Section]
    counts: list[tuple[str, int]]


def report_title(plan: ActionPlan, today: date) -> str:
    return _("Status %(plan)s, %(date)s") % {"plan": plan.title, "date": date_format(today, "j. F Y")}


def report_filename(plan: ActionPlan, fmt: str, today: date) -> str:
    return f"status-{slugify(plan.title) or 'handlingsplan'}-{today.isoformat()}.{fmt}"


def build(plan: ActionPlan, today: date) -> ReportContent:
    plan = with_contents(ActionPlan.objects.filter(pk=plan.pk)).get()
    sections = []
    for number, theme in enumerate(plan.themes.all(), start=1):
        section = Section(number, theme.title)
        for goal in theme.goals.all():
            for measure in goal.measures.all():
                responsible = ", ".join(
                    part
                    for part in (
                        measure.responsible_body.short_name or measure.responsible_body.name
                        if measure.responsible_body
                        else "",
                        measure.owner_display,
                    )
                    if part
                )
                section.rows.append(
                    Row(
                        measure=measure.title,
                        goal=goal.title,
                        responsible=responsible,
                        due=date_format(measure.due_date, "SHORT_DATE_FORMAT") if measure.due_date else "",
                        status=measure.get_status_display(),
                        text=measure.status_text,
                    )
                )
        sections.append(section)
    counts: dict[str, int] = {}
    for measure in measures_of(plan):
        label = measure.get_status_display()
        counts[label] = counts.get(label, 0) + 1
    return ReportContent(
        community=plan.helsefellesskap.name,
        title=plan.title,
        status_line=_("Status %(month)s") % {"month": date_format(today, "F Y")},
        columns=[_("Measure"), _("Goal"), _("Responsible"), _("Due"), _("Status"), _("Result and status")],
        sections=sections,
        counts=sorted(counts.items()),
    )


def _pdf(content: ReportContent) -> bytes:
    from weasyprint import HTML

    html = render_to_string(
        "plans/print/status_report.html",
        {
            "doc": content,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "page_counter": page_counter(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_only_fetcher()).write_pdf(pdf_tags=True)


def _docx(content: ReportContent) -> bytes:
    from docx import Document
    from docx.shared import Cm, Pt

    word = Document()
    section = word.sections[0]
    section.page_width, section.page_height = Cm(29.7), Cm(21)  # landscape: six columns
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin = section.bottom_margin = Cm(1.8)
    word.styles["Normal"].font.name = "Calibri"
    word.styles["Normal"].font.size = Pt(10)
    language = translation.get_language() or settings.LANGUAGE_CODE
    word.core_properties.language = "nn-NO" if language.startswith("nn") else "nb-NO"
    word.core_properties.title = content.title
    word.add_paragraph(content.community)
    word.add_heading(content.title, level=1)
    word.add_paragraph(content.status_line)
    word.add_heading(_("Themes"), level=2)
    for part in content.sections:
        word.add_paragraph(f"{part.number}. {part.title}")
    if content.counts:
        word.add_paragraph(", ".join(f"{label}: {count}" for label, count in content.counts))
    for part in content.sections:
        word.add_heading(f"{part.number}. {part.title}", level=2)
        if not part.rows:
            word.add_paragraph(_("No measures."))
            continue
        table = word.add_table(rows=1, cols=len(content.columns))
        table.style = "Table Grid"
        for cell, heading in zip(table.rows[0].cells, content.columns, strict=True):
            cell.text = heading
            for run in cell.paragraphs[0].runs:
                run.bold = True
        docx_repeat_header(table.rows[0])
        for row in part.rows:
            cells = table.add_row().cells
            for cell, value in zip(
                cells, (row.measure, row.goal, row.responsible, row.due, row.status, row.text), strict=True
            ):
                cell.text = value
    docx_page_counter(section.footer.paragraphs[0], f"{content.title} · ")
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def status_report(plan: ActionPlan, fmt: str, *, today: date | None = None) -> bytes:
    """The status report of `plan` as it stands now, in the active language."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    content = build(plan, today or date.today())
    return _pdf(content) if fmt == PDF else _docx(content)
