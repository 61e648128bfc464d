"""The report as a file: its name and bytes in the chosen format. Stores nothing and checks nothing; the meeting
module attaches it to an agenda item, a person's download goes through `services.deviation_report_generate()`.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from samhandling.core.models import Helsefellesskap

from .content import _check, build_report
from .docx import render_docx
from .pdf import render_pdf
from .structure import CONTENT_TYPES, HALF_YEAR, PDF, PUBLISHED

# --- entry points -------------------------------------------------------------------------------------------------


def report_filename(community: Helsefellesskap, kind: str, year: int, half: int | None, version: str, fmt: str) -> str:
    what = f"halvar-{year}-{half}" if kind == HALF_YEAR else f"arsrapport-{year}"
    which = "publisert" if version == PUBLISHED else "intern"
    return f"samhandlingsavvik-{community.code.lower()}-{what}-{which}.{fmt}"


def generate_report(
    community: Helsefellesskap,
    kind: str,
    year: int,
    half: int | None,
    version: str,
    fmt: str,
    *,
    language: str | None = None,
) -> tuple[str, bytes, str]:
    """The report as (filename, bytes, content type), in `language` (the active one when not given).

    No permission check and no audit event: the caller does both. A person's download goes through
    `deviation_report_generate()`; the meeting module calls this to attach the published report to an SSU agenda
    item (it stores the file itself, as an attachment). Nothing is stored here.
    """
    _check(kind, year, half, version, fmt)
    with translation.override(language or translation.get_language() or settings.LANGUAGE_CODE):
        report = build_report(community, kind, year, half, version)
        content = render_pdf(report) if fmt == PDF else render_docx(report)
    half = half if kind == HALF_YEAR else None
    return report_filename(community, kind, year, half, version, fmt), content, CONTENT_TYPES[fmt]
