"""The public archive, open without log-in: per community its bodies, upcoming meetings, published notices and
approved minutes with their public documents and attachments, and each body's meeting plan as a calendar feed.

Everything here reads through the public selectors, which never return internal or confidential items or
attachments, nor minutes that are not approved."""

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from samhandling.core.http import community_by_slug_or_redirect
from samhandling.core.models import Helsefellesskap

from .. import documents, selectors
from ..models import DocumentKind, MeetingStatus
from ..slugs import slug as file_slug
from .common import DOWNLOAD_TYPES, base_url, download


def _community(request: HttpRequest, slug: str) -> Helsefellesskap:
    # An old slug (before æ/ø/å were transliterated) answers 301 to today's address.
    return community_by_slug_or_redirect(request, slug, selectors.public_communities())


def public_index(request: HttpRequest) -> HttpResponse:
    return render(request, "governance/public_index.html", {"communities": selectors.public_communities()})


def public_archive(request: HttpRequest, slug: str) -> HttpResponse:
    community = _community(request, slug)
    bodies = selectors.public_bodies(community)
    body = None
    if request.GET.get("organ"):
        body = bodies.filter(pk=request.GET["organ"]).first() if request.GET["organ"].isdigit() else None
        if body is None:
            raise Http404
    meetings = selectors.public_meetings(community, body=body)
    past = [m for m in meetings if m.date < timezone.localdate() or m.status != MeetingStatus.NOTICE_SENT][:40]
    return render(
        request,
        "governance/public_archive.html",
        {
            "community": community,
            "bodies": bodies,
            "body": body,
            "upcoming": selectors.public_upcoming_meetings(community).filter(**({"body": body} if body else {}))[:20],
            "archive": [_latest(meeting) for meeting in past],
            "year": timezone.localdate().year,
        },
    )


def _latest(meeting) -> tuple:
    """The meeting with its notice and its newest approved minutes (either may be None)."""
    documents = selectors.public_documents(meeting)
    notice = next((d for d in documents if d.kind == DocumentKind.NOTICE), None)
    minutes = next((d for d in documents if d.kind == DocumentKind.MINUTES), None)
    return meeting, notice, minutes


def public_meeting(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = _community(request, slug)
    meeting = selectors.public_meeting(community, pk)
    # Exempt items keep their place by number only, so the public sees that a number is not missing by mistake.
    items = list(selectors.public_items(meeting)) + list(selectors.public_exempt_items(meeting))
    items.sort(key=lambda item: (item.position, item.pk))
    return render(
        request,
        "governance/public_meeting.html",
        {
            "community": community,
            "meeting": meeting,
            "items": items,
            "documents": selectors.public_documents(meeting),
            "minutes_final": meeting.is_minutes_final,
        },
    )


def public_document(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    community = _community(request, slug)
    document = selectors.public_document(community, pk)
    if fmt not in DOWNLOAD_TYPES or not document.is_public:
        raise Http404
    content = bytes(document.public_pdf if fmt == "pdf" else document.public_docx)
    filename = documents.document_filename(document.meeting, document.kind, fmt, public=True)
    if document.kind == DocumentKind.MINUTES:
        filename = filename.replace(f".{fmt}", f"-v{document.version}.{fmt}")
    response = download(content, filename, DOWNLOAD_TYPES[fmt])
    response["Cache-Control"] = "public, max-age=300"
    return response


def public_attachment(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    attachment = selectors.public_attachment(_community(request, slug), pk)
    return FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )


def body_calendar(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The yearly plan of a body as a subscribable feed. Dates and places of a public body's meetings are public."""
    community = _community(request, slug)
    body = get_object_or_404(selectors.public_bodies(community), pk=pk)
    content = documents.render(documents.CALENDAR, documents.ICS, body=body, base_url=base_url(request))
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{file_slug(body.short_name or body.name)}.ics"'
    return response
