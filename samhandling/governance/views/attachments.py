"""Attachments of an item: add, edit, download (access checked) and remove."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core.forms import apply_service_errors
from samhandling.core.permissions import require

from .. import selectors, services
from ..forms import (
    AttachmentEditForm,
    AttachmentForm,
)
from ..models import MEETING_WORKFLOW
from .common import _manageable_item, render_form_page, save_with


@login_required
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _manageable_item(request, pk)
    form = AttachmentForm(
        request.POST or None,
        request.FILES or None,
        initial={"visibility": item.visibility},
        max_bytes=settings.GOVERNANCE_MAX_ATTACHMENT_BYTES,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                actor=request.user,
                item=item,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                visibility=form.cleaned_data["visibility"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The attachment was added."))
            if "another" in request.POST:
                return redirect("governance:attachment_add", item.pk)
            return redirect(f"{item.get_absolute_url()}#attachments-heading")
    return render_form_page(
        request,
        form,
        title=_("Add an attachment to %(item)s") % {"item": item},
        status=400 if request.method == "POST" else 200,
        submit=_("Add the attachment"),
        another=_("Add and upload another"),
        cancel=item.get_absolute_url(),
        multipart=True,
        meeting=item.meeting,
        body=item.body,
        item=item,
    )


@login_required
def attachment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an attachment's title and who may read it (the file itself is replaced by removing and adding)."""
    attachment = selectors.attachment_for(request.user, pk)
    item = attachment.item
    require(request.user, "governance.manage_item", item)
    if item.meeting and not MEETING_WORKFLOW.allows(request.user, item.meeting, "edit_items"):
        messages.error(request, _("The item belongs to approved minutes or a cancelled meeting and cannot be changed."))
        return redirect(item)
    form = AttachmentEditForm(
        request.POST or None,
        initial={"title": attachment.title, "visibility": attachment.visibility},
        item_visibility=item.visibility,
    )

    def perform(data):
        services.attachment_update(actor=request.user, attachment=attachment, **data)
        return f"{item.get_absolute_url()}#attachments-heading"

    return save_with(
        request,
        form,
        perform,
        success=_("The attachment was changed."),
        title=_("Change the attachment “%(title)s”") % {"title": attachment.title},
        lead=_("The file is %(name)s. To replace it, remove the attachment and add the new file.")
        % {"name": attachment.original_name},
        submit=_("Save changes"),
        cancel=f"{item.get_absolute_url()}#attachments-heading",
        meeting=item.meeting,
        body=item.body,
        item=item,
    )


@login_required
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_for(request.user, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = selectors.attachment_for(request.user, pk)
    require(request.user, "governance.manage_item", attachment.item)
    try:
        services.attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The attachment was removed."))
    return redirect(f"{attachment.item.get_absolute_url()}#attachments-heading")
