"""The half-year report to SSU and the annual report for the quality committee, built from the de-identified
deviation statistics and delivered as PDF (WeasyPrint) or DOCX (python-docx).

`build_report()` turns `selectors.statistics()` into tables, and charts drawn from the very same cells. The
published version runs every count through `suppress()` and every share or median through `rate_cell()`, so no
count from 1 to 4, and no figure computed from fewer than 5 cases, leaves the platform. Reports hold counts only:
never a free text, a person's name or a patient, so they carry no exemption marking.

The meeting module (not written yet) attaches a report to an agenda item by calling `reports.generate_report()`, which
returns (filename, bytes, content type) and stores nothing. A person's download goes through
`services.deviation_report_generate()`, which checks permission and writes the audit event.
"""

from samhandling.core.disclosure import DERIVED, FEW_CASES, SMALL, SMALL_NUMBER_LIMIT, is_small, suppress

from .content import build_report
from .docx import render_docx
from .files import generate_report, report_filename
from .pdf import render_document, render_html, render_pdf
from .structure import (
    ANNUAL,
    CHANGE,
    CONTENT_TYPES,
    COUNT,
    DAYS,
    DOCX,
    FORMATS,
    HALF_YEAR,
    INTERNAL,
    KINDS,
    PDF,
    PERCENT,
    PUBLISHED,
    VERSIONS,
    Cell,
    Report,
    Row,
    Table,
    change_cell,
    half_label,
    half_year_period,
    previous_half,
    rate_cell,
    report_period,
    report_title,
)

__all__ = [
    "ANNUAL",
    "CHANGE",
    "CONTENT_TYPES",
    "COUNT",
    "DAYS",
    "DERIVED",
    "DOCX",
    "FEW_CASES",
    "FORMATS",
    "HALF_YEAR",
    "INTERNAL",
    "KINDS",
    "PDF",
    "PERCENT",
    "PUBLISHED",
    "SMALL",
    "SMALL_NUMBER_LIMIT",
    "VERSIONS",
    "Cell",
    "Report",
    "Row",
    "Table",
    "build_report",
    "change_cell",
    "generate_report",
    "half_label",
    "half_year_period",
    "is_small",
    "previous_half",
    "rate_cell",
    "render_document",
    "render_docx",
    "render_html",
    "render_pdf",
    "report_filename",
    "report_period",
    "report_title",
    "suppress",
]
