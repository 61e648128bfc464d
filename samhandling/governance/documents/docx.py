"""The notice and minutes as Word documents (python-docx) with real headings and tables, same content as the PDF."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _

# The print helpers of the deviation reports (local-only URL fetcher, translated "Page x of y", Word fields) serve
# every WeasyPrint and python-docx document of the project; they are imported rather than copied.
from samhandling.core.documents import (
    docx_page_counter,
    docx_repeat_header,
)

from ..models import (
    DocumentKind,
    Meeting,
)
from .content import Block, MeetingDocument, build_minutes, build_notice

NOTICE, MINUTES = DocumentKind.NOTICE, DocumentKind.MINUTES


INK, ACCENT, MUTED, RULE_COLOUR, SHADE = "1E2B3C", "003A6E", "4B5563", "8A99AD", "E8EEF5"
WARNING = "A31A1A"


class _Word:
    """Builds the DOCX with real Word headings (Heading 1–3, so the navigation pane and screen readers work) and
    real tables (Table Grid, with the header row repeated on each page)."""

    def __init__(self, document: MeetingDocument):
        from docx import Document
        from docx.shared import Cm, Pt

        self.doc = document
        self.word = Document()
        section = self.word.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin, section.bottom_margin = Cm(2.2), Cm(2)
        self.width = Cm(21 - 4.4)
        styles = self.word.styles
        normal = styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(3)
        for name, size in (("Heading 1", 18), ("Heading 2", 13), ("Heading 3", 11)):
            style = styles[name]
            style.font.name = "Calibri"
            style.font.size = Pt(size)
            style.font.bold = True
            style.font.color.rgb = self._rgb(ACCENT)
            style.paragraph_format.space_before = Pt(12 if name != "Heading 3" else 8)
            style.paragraph_format.space_after = Pt(3)
        self._language()

    @staticmethod
    def _rgb(hex_colour: str):
        from docx.shared import RGBColor

        return RGBColor.from_string(hex_colour)

    def _language(self) -> None:
        from docx.oxml.ns import qn

        language = "nn-NO" if translation.get_language() == "nn" else "nb-NO"
        run_properties = self.word.styles["Normal"].element.get_or_add_rPr()
        lang = run_properties.find(qn("w:lang"))
        if lang is None:
            lang = run_properties.makeelement(qn("w:lang"), {})
            run_properties.append(lang)
        lang.set(qn("w:val"), language)
        properties = self.word.core_properties
        # No person in the metadata: the community is the author.
        properties.title = self.doc.full_title
        properties.subject = self.doc.body_name
        properties.author = properties.last_modified_by = self.doc.community
        properties.comments = ""
        properties.language = language

    def header_footer(self) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
        from docx.shared import Pt

        section = self.word.sections[0]
        header = section.header.paragraphs[0]
        header.paragraph_format.tab_stops.add_tab_stop(self.width, WD_TAB_ALIGNMENT.RIGHT)
        right = self.doc.full_title + (f" · {_('Draft')}" if self.doc.is_draft else "")
        run = header.add_run(f"{self.doc.community}\t{right}")
        run.font.size = Pt(8)
        run.font.color.rgb = self._rgb(MUTED)
        footer = section.footer.paragraphs[0]
        footer.paragraph_format.tab_stops.add_tab_stop(self.width, WD_TAB_ALIGNMENT.RIGHT)
        footer.alignment = WD_ALIGN_PARAGRAPH.LEFT
        docx_page_counter(footer, f"{self.doc.body_name} · {_('Document date')} {self.doc.made_on}\t")
        for run in footer.runs:
            run.font.size = Pt(8)
            run.font.color.rgb = self._rgb(MUTED)

    # small pieces

    def paragraph(self, text: str = "", *, bold=False, italic=False, colour=None, size=None, container=None):
        from docx.shared import Pt

        target = container if container is not None else self.word
        paragraph = target.add_paragraph()
        if text:
            run = paragraph.add_run(text)
            run.bold, run.italic = bold, italic
            if colour:
                run.font.color.rgb = self._rgb(colour)
            if size:
                run.font.size = Pt(size)
        return paragraph

    def blocks(self, blocks: list[Block], container=None) -> None:
        target = container if container is not None else self.word
        for block in blocks:
            if block.is_list:
                for item in block.items:
                    target.add_paragraph(item, style="List Bullet")
            else:
                paragraph = target.add_paragraph()
                for index, line in enumerate(block.text.split("\n")):
                    if index:
                        paragraph.runs[-1].add_break()  # the author's line break
                    paragraph.add_run(line)

    @staticmethod
    def shade(cell, colour: str = SHADE) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        shading = OxmlElement("w:shd")
        shading.set(qn("w:val"), "clear")
        shading.set(qn("w:color"), "auto")
        shading.set(qn("w:fill"), colour)
        cell._tc.get_or_add_tcPr().append(shading)

    def table(self, widths_cm: list[float], rows: int):
        from docx.enum.table import WD_TABLE_ALIGNMENT
        from docx.shared import Cm

        table = self.word.add_table(rows=rows, cols=len(widths_cm))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm, strict=True):
                cell.width = Cm(width)
        return table

    @staticmethod
    def cell_text(cell, text: str, *, bold=False, size=None) -> None:
        from docx.shared import Pt

        paragraph = cell.paragraphs[0] if not cell.paragraphs[0].text else cell.add_paragraph()
        run = paragraph.add_run(text)
        run.bold = bold
        if size:
            run.font.size = Pt(size)

    # the parts of the document

    def head(self) -> None:
        from docx.shared import Pt

        doc = self.doc
        body = self.paragraph(doc.body_name, bold=True, colour=ACCENT, size=11)
        body.paragraph_format.space_after = Pt(0)
        self.word.add_heading(doc.title, level=1)
        if doc.status:
            self.paragraph(doc.status, bold=True, colour=WARNING if doc.is_draft or doc.kind == NOTICE else ACCENT)
        for note in (doc.version_note, doc.public_note):
            if note:
                self.paragraph(note, italic=True, colour=MUTED)
        table = self.table([3.6, 13.0], len(doc.fields))
        for row, item in zip(table.rows, doc.fields, strict=True):
            label, value = row.cells
            self.shade(label)
            self.cell_text(label, item.label, bold=True)
            for line in item.lines:
                self.cell_text(value, line)

    def agenda(self) -> None:
        doc = self.doc
        self.word.add_heading(doc.agenda_heading, level=2)
        table = self.table([2.6, 10.2, 3.8], 1 + len(doc.entries))
        docx_repeat_header(table.rows[0])
        for cell, text in zip(table.rows[0].cells, (_("Item no."), _("Item"), _("Responsible")), strict=True):
            self.shade(cell)
            self.cell_text(cell, text, bold=True)
        for row, entry in zip(table.rows[1:], doc.entries, strict=True):
            number, item, responsible = row.cells
            self.cell_text(number, entry.number or "–", bold=True)
            for extra in (entry.kind, entry.attachments):
                if extra:
                    self.cell_text(number, extra, size=8.5)
            self.cell_text(item, entry.title, bold=True)
            if entry.marking:
                paragraph = item.add_paragraph()
                run = paragraph.add_run(entry.marking)
                run.bold = True
                run.font.color.rgb = self._rgb(WARNING)
            for link in entry.links:
                item.add_paragraph().add_run(link).italic = True
            self.blocks(entry.summary, item)
            if entry.discussion:
                self.blocks(entry.discussion, item)
            if entry.conclusion_label:
                item.add_paragraph().add_run(f"{entry.conclusion_label}:").bold = True
                self.blocks(entry.conclusion, item)
            if entry.outcome:
                item.add_paragraph().add_run(entry.outcome).bold = True
            for action in entry.actions:
                line = _("Follow-up: %(what)s – %(owner)s") % {"what": action.description, "owner": action.owner}
                if action.due:
                    line += ", " + _("due %(date)s") % {"date": action.due}
                item.add_paragraph(line, style="List Bullet")
            for person in entry.responsible:
                self.cell_text(responsible, person)

    def attachment_list(self) -> None:
        if self.doc.kind != NOTICE:
            return
        self.word.add_heading(_("Attachments"), level=2)
        if not self.doc.attachments:
            self.paragraph(_("None"))
        for listed in self.doc.attachments:
            text = _("Item %(number)s: %(title)s") % {"number": listed.item_number or "–", "title": listed.title}
            if listed.marking:
                text += f" ({listed.marking})"
            self.word.add_paragraph(text, style="List Number")

    def papers(self) -> None:
        for paper in self.doc.papers:
            kicker = self.paragraph(f"{_('Case paper')} · {_('Date')}: {paper.date}", colour=MUTED, size=9)
            kicker.paragraph_format.page_break_before = True  # each case paper on its own page
            table = self.table([3.2, 3.6, 4.2, 5.6], 2)
            headers = (_("Item no."), _("Meeting body"), _("Type of item"), _("Case officer"))
            values = (paper.number or "–", paper.body, paper.kind, paper.officer)
            docx_repeat_header(table.rows[0])
            for cell, text in zip(table.rows[0].cells, headers, strict=True):
                self.shade(cell)
                self.cell_text(cell, text, bold=True)
            for cell, text in zip(table.rows[1].cells, values, strict=True):
                self.cell_text(cell, text)
            self.word.add_heading(paper.title, level=2)
            if paper.marking:
                self.paragraph(paper.marking, bold=True, colour=WARNING)
            for link in paper.links:
                self.paragraph(link, italic=True)
            for section in paper.sections:
                self.word.add_heading(section.heading, level=3)
                self.blocks(section.blocks)
            if paper.attachments:
                self.word.add_heading(_("Attachments"), level=3)
                for title in paper.attachments:
                    self.word.add_paragraph(title, style="List Bullet")

    def render(self) -> bytes:
        self.header_footer()
        self.head()
        self.agenda()
        self.attachment_list()
        self.papers()
        buffer = io.BytesIO()
        self.word.save(buffer)
        return buffer.getvalue()


def _docx(document: MeetingDocument) -> bytes:
    return _Word(document).render()


def notice_docx(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The notice as a Word document with the same content as the PDF."""
    return _docx(build_notice(meeting, public=public, confidential=confidential, version=version, reason=reason))


def minutes_docx(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The minutes as a Word document with the same content as the PDF."""
    return _docx(build_minutes(meeting, public=public, confidential=confidential, version=version, reason=reason))
