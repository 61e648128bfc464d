"""The documents of a meeting behind one entry point, `render(kind, fmt, audience, ...)`: the notice and the minutes
as PDF or DOCX for members, observers or the public, the invitation and the body's meeting plan as iCalendar.

Everything is written in the active language. Nothing here checks permissions, stores anything or writes the audit
log: the services call `render()` inside their own transaction and store the bytes as an immutable
`DocumentVersion`. `content` builds what a document says once; `pdf`, `docx` and `ical` only lay it out.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..models import Body, BodyMember, DocumentKind, Meeting
from ..slugs import slug
from . import content, docx, ical, pdf
from .content import (
    DOCX_CONTENT_TYPE,
    ICS_CONTENT_TYPE,
    PDF_CONTENT_TYPE,
    build_minutes,
    build_notice,
    exemption_marking,
    text_blocks,
)
from .docx import minutes_docx, notice_docx
from .ical import body_calendar_ics, meeting_invitation_ics
from .pdf import minutes_pdf, notice_pdf, render_html

NOTICE, MINUTES = DocumentKind.NOTICE, DocumentKind.MINUTES
INVITATION, CALENDAR = "invitation", "calendar"
PDF, DOCX, ICS = "pdf", "docx", "ics"
# Who reads the variant: members read everything; observers everything but confidential items; the public archive
# only public items.
MEMBERS, OBSERVERS, PUBLIC = "members", "observers", "public"
AUDIENCES = {MEMBERS: {}, OBSERVERS: {"confidential": False}, PUBLIC: {"public": True}}

_MEETING_DOCUMENTS = {
    (NOTICE, PDF): notice_pdf,
    (NOTICE, DOCX): notice_docx,
    (MINUTES, PDF): minutes_pdf,
    (MINUTES, DOCX): minutes_docx,
}


def render(
    kind: str,
    fmt: str = PDF,
    audience: str = MEMBERS,
    *,
    meeting: Meeting | None = None,
    body: Body | None = None,
    seat: BodyMember | None = None,
    year: int | None = None,
    base_url: str = "",
    version: int | None = None,
    reason: str = "",
) -> bytes:
    """The one way to get a document's bytes.

    - `render("notice" | "minutes", "pdf" | "docx", audience, meeting=…, version=…, reason=…)`
    - `render("invitation", "ics", meeting=…, seat=…, base_url=…)` (METHOD:CANCEL once the meeting is cancelled)
    - `render("calendar", "ics", body=…, year=…, base_url=…)` (the public meeting plan feed)
    """
    if kind == INVITATION:
        return meeting_invitation_ics(meeting, seat, base_url=base_url)
    if kind == CALENDAR:
        return body_calendar_ics(body, year, base_url=base_url)
    try:
        build = _MEETING_DOCUMENTS[(kind, fmt)]
        variant = AUDIENCES[audience]
    except KeyError:
        raise ValueError(f"No document {kind!r} as {fmt!r} for {audience!r}") from None
    return build(meeting, version=version, reason=reason, **variant)


def document_filename(meeting: Meeting, kind: str, fmt: str, *, public: bool = False) -> str:
    """'innkalling-ssu-2026-09-22.pdf' in the active language (æ, ø, å written ae, o, a)."""
    what = _("notice") if kind == NOTICE else _("minutes")
    suffix = f"-{_('public')}" if public else ""
    return f"{slug(f'{what} {meeting.body}')}-{meeting.date:%Y-%m-%d}{suffix}.{fmt}"


__all__ = [
    "AUDIENCES",
    "CALENDAR",
    "DOCX",
    "DOCX_CONTENT_TYPE",
    "ICS",
    "ICS_CONTENT_TYPE",
    "INVITATION",
    "MEMBERS",
    "MINUTES",
    "NOTICE",
    "OBSERVERS",
    "PDF",
    "PDF_CONTENT_TYPE",
    "PUBLIC",
    "body_calendar_ics",
    "build_minutes",
    "build_notice",
    "content",
    "document_filename",
    "docx",
    "exemption_marking",
    "ical",
    "meeting_invitation_ics",
    "minutes_docx",
    "minutes_pdf",
    "notice_docx",
    "notice_pdf",
    "pdf",
    "render",
    "render_html",
    "text_blocks",
]
