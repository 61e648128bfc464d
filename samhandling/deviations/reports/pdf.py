"""The report as HTML and PDF (WeasyPrint, with local resources only)."""

from __future__ import annotations

import base64
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

from samhandling.core.documents import (
    local_only_fetcher,
    page_counter,
)

from .structure import Report

# --- PDF ----------------------------------------------------------------------------------------------------------


def render_html(report: Report) -> str:
    """The print HTML; charts are SVG drawn by vl-convert and embedded as data: URLs."""
    import vl_convert

    sections = []
    for table in report.tables:
        chart = None
        if table.chart:
            svg = vl_convert.vegalite_to_svg(table.chart)
            chart = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
        sections.append({"table": table, "chart": chart})
    logo = (Path(settings.BASE_DIR) / "static" / "img" / "favicon.svg").resolve().as_uri()
    return render_to_string(
        "deviations/reports/report.html",
        {
            "report": report,
            "sections": sections,
            "language": translation.get_language(),
            "page_counter": page_counter(),
            "logo": logo,
        },
    )


def render_document(report: Report):
    """The laid-out WeasyPrint document (pages and boxes), before it is written as PDF."""
    from weasyprint import HTML

    return HTML(string=render_html(report), base_url=str(settings.BASE_DIR), url_fetcher=local_only_fetcher()).render()


def render_pdf(report: Report) -> bytes:
    """A4 PDF, tagged (headings, tables and the charts' alternative text reach screen readers)."""
    return render_document(report).write_pdf(pdf_tags=True)
