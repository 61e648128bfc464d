"""Helpers every view of the meeting module shares: the people a secretariat picks from, the plain form page,
the form → service → redirect shape (core's `save_with`), downloads and the managed meeting or item of a request."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from samhandling.core.http import save_with as core_save_with
from samhandling.core.models import Membership, User
from samhandling.core.permissions import community_organisations, require

from .. import selectors
from ..models import AgendaItem


def community_people(community):
    """Active users with a role in one of the community's organisations: the people a secretariat picks from."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__in=Membership.objects.filter(organisation__in=community_organisations(community)),
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )


def render_form_page(request: HttpRequest, form, *, title: str, status: int = 200, **context) -> HttpResponse:
    """One page layout for the module's plain forms (heading, lead, the form, submit and cancel)."""
    response = render(request, "governance/form_page.html", {"form": form, "title": title, **context})
    response.status_code = status
    return response


def save_with(request: HttpRequest, form, perform, *, success: str, title: str, **context) -> HttpResponse:
    """A plain form page: on POST, core's `save_with` (valid form → service → redirect, or the service's errors at
    the fields); otherwise, or with errors, the form page (400 after a POST)."""
    if request.method == "POST":
        response = core_save_with(request, form, perform, success=success)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render_form_page(request, form, title=title, status=status, **context)


DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def download(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _manageable_meeting(request: HttpRequest, pk: int):
    meeting = selectors.meeting_for(request.user, pk)
    require(request.user, "governance.manage_meeting", meeting)
    return meeting


def _manageable_item(request: HttpRequest, pk: int) -> AgendaItem:
    item = selectors.item_for(request.user, pk)
    require(request.user, "governance.manage_item", item)
    return item
