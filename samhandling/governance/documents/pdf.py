"""The notice and minutes as tagged A4 PDF (WeasyPrint from the print template)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

# The print helpers of the deviation reports (local-only URL fetcher, translated "Page x of y", Word fields) serve
# every WeasyPrint and python-docx document of the project; they are imported rather than copied.
from samhandling.core.documents import (
    local_only_fetcher,
    page_counter,
)

from ..models import (
    Meeting,
)
from .content import MeetingDocument, build_minutes, build_notice


def render_html(document: MeetingDocument) -> str:
    return render_to_string(
        "governance/print/document.html",
        {
            "doc": document,
            "language": translation.get_language() or settings.LANGUAGE_CODE,
            "page_counter": page_counter(),
        },
    )


def _pdf(document: MeetingDocument) -> bytes:
    from weasyprint import HTML

    html = HTML(string=render_html(document), base_url=str(settings.BASE_DIR), url_fetcher=local_only_fetcher())
    # Tagged PDF: headings and tables reach screen readers.
    return html.write_pdf(pdf_tags=True)


def notice_pdf(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The notice with agenda, attachment list and case papers as an A4 PDF. `public=True` leaves out internal and
    confidential items and attachments (the public archive); `confidential=False` leaves out only the confidential
    ones (for observers, who may not read them)."""
    return _pdf(build_notice(meeting, public=public, confidential=confidential, version=version, reason=reason))


def minutes_pdf(
    meeting: Meeting,
    *,
    public: bool = False,
    confidential: bool = True,
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The minutes as an A4 PDF; "draft" until the meeting's status is minutes_approved."""
    return _pdf(build_minutes(meeting, public=public, confidential=confidential, version=version, reason=reason))


# --- DOCX -------------------------------------------------------------------------------------------------------------
