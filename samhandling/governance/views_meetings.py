"""Thin views for one meeting and its items: planning, the agenda (with reordering), items with their case papers
and attachments, the notice (preview, send, versions), the minutes (attendance, outcomes, action points, versions,
corrections once approved), forwarding, downloads and the deviation report as an item. Every write goes through
`services`."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core import audit
from samhandling.core.forms import apply_service_errors
from samhandling.core.models import AuditEvent
from samhandling.core.permissions import can, require

from . import documents, selectors, services
from .forms import (
    ActionPointForm,
    AttachmentEditForm,
    AttachmentForm,
    AttendanceRowForm,
    DeviationReportForm,
    ForwardForm,
    ItemForm,
    MeetingForm,
    MinutesCorrectionForm,
    NoticeForm,
    OutcomeForm,
    item_initial,
    months_of,
)
from .models import AgendaItem, AttendanceStatus, BodyKind, DocumentKind, MeetingStatus, StandardItem
from .views import community_people, render_form_page, save_with

# Statuses in which an item and its attachments are frozen (the services refuse changes).
FROZEN_STATUSES = {MeetingStatus.MINUTES_APPROVED, MeetingStatus.CANCELLED}

DOWNLOAD_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
MEETING_FIELDS = ("date", "start_time", "end_time", "place", "video_link", "title", "minute_taker", "minute_taker_name")
# Statuses in which attendance and outcomes can be recorded.
MINUTES_STATUSES = {MeetingStatus.NOTICE_SENT, MeetingStatus.HELD, MeetingStatus.MINUTES_DRAFTED}


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


# --- planning and the meeting page ------------------------------------------------------------------------------------


@login_required
def meeting_create(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for(request.user, pk)
    require(request.user, "governance.manage_body", body)
    recurring = list(body.recurring_items.filter(is_active=True))
    next_month = (timezone.localdate().month % 12) + 1
    form = MeetingForm(
        request.POST or None,
        users=community_people(body.helsefellesskap),
        recurring=recurring,
        initial={"recurring": months_of(recurring, next_month), "start_time": "13:00", "end_time": "15:30"},
    )

    def perform(data):
        chosen = set(data.pop("recurring", []))
        meeting = services.meeting_plan(actor=request.user, body=body, **data)
        _apply_recurring_choice(request, meeting, recurring, chosen)
        return meeting

    return save_with(
        request,
        form,
        perform,
        success=_("The meeting was planned. The standard items and the items waiting in the queue are on the agenda."),
        title=_("Plan a meeting of %(body)s") % {"body": body.name},
        lead=_(
            "The approval of the notice and of the last minutes and any other business are added by themselves, "
            "with the items waiting in the body's queue."
        ),
        submit=_("Plan the meeting"),
        cancel=body.get_absolute_url(),
        body=body,
    )


def _apply_recurring_choice(request: HttpRequest, meeting, recurring: list, chosen: set[str]) -> None:
    """The service proposes the recurring items of the meeting's month; the secretariat's ticks decide."""
    added = {item.recurring_id: item for item in meeting.items.filter(recurring__isnull=False)}
    for template in recurring:
        if str(template.pk) in chosen and template.pk not in added:
            services.item_create(
                actor=request.user,
                body=meeting.body,
                meeting=meeting,
                title=template.title,
                kind=template.kind,
                description=template.description,
                visibility=template.visibility,
                responsibles=(
                    [{"user": None, "name": template.responsible_name, "organisation_name": ""}]
                    if template.responsible_name
                    else ()
                ),
            )
        elif str(template.pk) not in chosen and template.pk in added:
            services.item_remove(actor=request.user, item=added[template.pk])


@login_required
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable_meeting(request, pk)
    if meeting.status not in (MeetingStatus.PLANNED, MeetingStatus.NOTICE_SENT):
        messages.error(request, _("A meeting that has been held cannot be changed."))
        return redirect(meeting)
    notice_sent = meeting.status == MeetingStatus.NOTICE_SENT
    form = MeetingForm(
        request.POST or None,
        users=community_people(meeting.body.helsefellesskap),
        initial={name: getattr(meeting, name) for name in MEETING_FIELDS},
        notice_sent=notice_sent,
    )

    def perform(data):
        reason = data.pop("reason", "")
        services.meeting_update(actor=request.user, meeting=meeting, **data)
        if notice_sent:
            services.meeting_send_notice(actor=request.user, meeting=meeting, reason=reason, base_url=base_url(request))
        return meeting

    return save_with(
        request,
        form,
        perform,
        success=_("The changes were saved.")
        + (" " + _("A new version of the notice was sent.") if notice_sent else ""),
        title=_("Change the meeting"),
        submit=_("Save changes"),
        cancel=meeting.get_absolute_url(),
        meeting=meeting,
        body=meeting.body,
    )


def _meeting_context(request: HttpRequest, meeting, report_form=None) -> dict:
    user = request.user
    manages = can(user, "governance.manage_meeting", meeting)
    items = selectors.agenda(user, meeting)
    context = {
        "tab": "meetings",
        "meeting": meeting,
        "body": meeting.body,
        "items": items,
        "movable": [item for item in items if not item.standard],
        "movable_last": next((item.pk for item in reversed(items) if not item.standard), None),
        "notice_versions": selectors.documents_for(user, meeting, DocumentKind.NOTICE),
        "minutes_versions": selectors.documents_for(user, meeting, DocumentKind.MINUTES),
        "previous": selectors.previous_meeting(meeting),
        "next": selectors.next_meeting(meeting),
        "manages": manages,
        "today": timezone.localdate(),
    }
    if manages:
        context["queue"] = selectors.queue_for(user, meeting.body)
        context["can_edit"] = meeting.status in (MeetingStatus.PLANNED, MeetingStatus.NOTICE_SENT)
        context["can_record"] = meeting.status in MINUTES_STATUSES
        if meeting.body.kind == BodyKind.SSU and context["can_edit"]:
            context["report_form"] = report_form or DeviationReportForm(prefix="report", initial=_last_half_year())
    return context


def _last_half_year() -> dict:
    today = timezone.localdate()
    return {"year": today.year, "half": 1} if today.month > 6 else {"year": today.year - 1, "half": 2}


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    return render(request, "governance/meeting_detail.html", _meeting_context(request, meeting))


MEETING_ACTIONS = {
    "holdt": lambda r, m: services.meeting_mark_held(actor=r.user, meeting=m),
    "avlys": lambda r, m: services.meeting_cancel(
        actor=r.user, meeting=m, reason=r.POST.get("reason", "").strip(), base_url=base_url(r)
    ),
    "gjeninnsett": lambda r, m: services.meeting_reinstate(actor=r.user, meeting=m),
}


@login_required
@require_POST
def meeting_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = _manageable_meeting(request, pk)
    if action not in MEETING_ACTIONS:
        raise Http404
    try:
        MEETING_ACTIONS[action](request, meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Done."))
    return redirect(meeting)


@login_required
@require_POST
def deviation_report(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable_meeting(request, pk)
    form = DeviationReportForm(request.POST, prefix="report")
    if form.is_valid():
        try:
            item = services.item_from_deviation_report(actor=request.user, meeting=meeting, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The deviation report was put on the agenda as an information item."))
            return redirect(item)
    response = render(request, "governance/meeting_detail.html", _meeting_context(request, meeting, form))
    response.status_code = 400
    return response


# --- items ------------------------------------------------------------------------------------------------------------


def _item_form(request: HttpRequest, body, item: AgendaItem | None = None) -> ItemForm:
    earlier = AgendaItem.objects.filter(body__helsefellesskap=body.helsefellesskap).exclude(number="")
    if item is not None:
        earlier = earlier.exclude(pk=item.pk)
    return ItemForm(
        request.POST or None,
        initial=item_initial(item) if item else {"kind": "information", "visibility": "public"},
        users=community_people(body.helsefellesskap),
        earlier_items=earlier.select_related("body").order_by("-year", "-sequence")[:300],
    )


def _item_create(request: HttpRequest, body, meeting=None) -> HttpResponse:
    form = _item_form(request, body)
    return save_with(
        request,
        form,
        lambda data: services.item_create(actor=request.user, body=body, meeting=meeting, **_item_data(form)),
        success=_("The item was added."),
        title=_("New item for %(meeting)s") % {"meeting": meeting} if meeting else _("New item in the queue"),
        lead=(
            _("The item is placed before any other business. It gets its number when the notice is sent.")
            if meeting
            else _("The item waits in the body's queue and is put on the agenda of the next meeting that is planned.")
        ),
        submit=_("Add the item"),
        cancel=(meeting or body).get_absolute_url(),
        meeting=meeting,
        body=body,
        wide=True,
    )


def _item_data(form: ItemForm) -> dict:
    return form.service_fields()


@login_required
def item_create(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable_meeting(request, pk)
    return _item_create(request, meeting.body, meeting)


@login_required
def queue_item_create(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for(request.user, pk)
    require(request.user, "governance.manage_body", body)
    return _item_create(request, body)


@login_required
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    item = _manageable_item(request, pk)
    form = _item_form(request, item.body, item)
    return save_with(
        request,
        form,
        lambda data: services.item_update(actor=request.user, item=item, **_item_data(form)),
        success=_("The changes were saved."),
        title=_("Change item %(item)s") % {"item": item},
        submit=_("Save changes"),
        cancel=item.get_absolute_url(),
        meeting=item.meeting,
        body=item.body,
        item=item,
        wide=True,
    )


def _history(item: AgendaItem) -> list[dict]:
    events = AuditEvent.objects.filter(target_type=item._meta.label_lower, target_id=str(item.pk)).order_by(
        "created_at"
    )
    return [
        {"when": event.created_at, "who": event.actor_name, "what": audit.describe(event.action)} for event in events
    ]


def _item_context(request: HttpRequest, item: AgendaItem, forward_form=None) -> dict:
    user = request.user
    earlier, later = selectors.follow_up_chain(user, item)
    manages = can(user, "governance.manage_item", item)
    context = {
        "tab": "meetings",
        "item": item,
        "body": item.body,
        "meeting": item.meeting,
        "attachments": selectors.attachments_for(user, item),
        "earlier": earlier,
        "later": later,
        "action_points": selectors.action_points_of_item(user, item).select_related("owner"),
        "history": _history(item) if manages else [],
        "manages": manages,
        "editable": manages and not (item.meeting and item.meeting.status in FROZEN_STATUSES),
        "decision_shown": bool(item.outcome),
    }
    targets = item.body.may_forward_to.filter(is_active=True)
    if manages and targets.exists() and not item.standard:
        context["forward_form"] = forward_form or ForwardForm(bodies=targets, prefix="forward")
    return context


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = selectors.item_for(request.user, pk)
    return render(request, "governance/item_detail.html", _item_context(request, item))


@login_required
@require_POST
def item_forward(request: HttpRequest, pk: int) -> HttpResponse:
    item = _manageable_item(request, pk)
    form = ForwardForm(request.POST, bodies=item.body.may_forward_to.filter(is_active=True), prefix="forward")
    if form.is_valid():
        try:
            services.item_forward(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The item was forwarded to %(body)s and waits in its queue.")
                % {"body": form.cleaned_data["to_body"]},
            )
            return redirect(item)
    response = render(request, "governance/item_detail.html", _item_context(request, item, form))
    response.status_code = 400
    return response


def _new_position(item: AgendaItem, direction: str) -> int | None:
    """The place (1 = first) among the ordinary items one step up or down; None at either end."""
    ordinary = list(item.meeting.items.filter(standard="").order_by("position", "pk").values_list("pk", flat=True))
    target = ordinary.index(item.pk) + (-1 if direction == "opp" else 1)
    return target + 1 if 0 <= target < len(ordinary) else None


ITEM_ACTIONS = {
    "fjern": lambda r, item: services.item_remove(actor=r.user, item=item),
    "ta-av": lambda r, item: services.item_unschedule(actor=r.user, item=item),
}


@login_required
@require_POST
def item_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    item = _manageable_item(request, pk)
    if action not in ITEM_ACTIONS:
        raise Http404
    back = item.meeting or item.body
    try:
        ITEM_ACTIONS[action](request, item)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(item)
    messages.success(request, _("Done."))
    return redirect(back)


@login_required
@require_POST
def item_schedule(request: HttpRequest, pk: int) -> HttpResponse:
    """Put a queue item on a meeting's agenda (the meeting is `pk`, the item comes in the form)."""
    meeting = _manageable_meeting(request, pk)
    item = _posted_item(request)
    if item is None:
        return HttpResponseBadRequest(_("Choose an item."))
    try:
        services.item_schedule(actor=request.user, item=item, meeting=meeting)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The item was put on the agenda."))
    return redirect(meeting)


def _posted_item(request: HttpRequest) -> AgendaItem | None:
    """The item named in the form, if the user may manage it (a tampered form gets a 400, an unseen item a 404)."""
    try:
        pk = int(request.POST.get("item", ""))
    except ValueError:
        return None
    item = selectors.item_for(request.user, pk)
    require(request.user, "governance.manage_item", item)
    return item


@login_required
@require_POST
def item_move(request: HttpRequest, pk: int) -> HttpResponse:
    """Move an ordinary item one place up or down; htmx swaps the agenda, otherwise the page reloads."""
    meeting = _manageable_meeting(request, pk)
    item, direction = _posted_item(request), request.POST.get("retning")
    if item is None or direction not in ("opp", "ned") or item.meeting_id != meeting.pk or item.standard:
        return HttpResponseBadRequest(_("Choose an ordinary item of this meeting and a direction."))
    position = _new_position(item, direction)
    if position is not None:
        try:
            services.item_move(actor=request.user, item=item, position=position)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
    if request.htmx:
        context = _meeting_context(request, meeting)
        context["moved"] = item.pk
        return render(request, "governance/_agenda.html", context)
    return redirect(f"{meeting.get_absolute_url()}#agenda-heading")


# --- attachments ------------------------------------------------------------------------------------------------------


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
    if item.meeting and item.meeting.status in FROZEN_STATUSES:
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


# --- notice -----------------------------------------------------------------------------------------------------------


def _notice_context(request: HttpRequest, meeting, form=None) -> dict:
    versions = selectors.documents_for(request.user, meeting, DocumentKind.NOTICE)
    manages = can(request.user, "governance.manage_meeting", meeting)
    can_send = manages and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.NOTICE_SENT)
    return {
        "tab": "meetings",
        "meeting": meeting,
        "body": meeting.body,
        "items": selectors.agenda(request.user, meeting),
        "recipients": selectors.members_of(meeting.body).select_related("user", "organisation"),
        "versions": versions,
        "manages": manages,
        "form": (form or NoticeForm(first=not versions.exists())) if can_send else None,
    }


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    form = None
    if request.method == "POST":
        require(request.user, "governance.manage_meeting", meeting)
        first = not selectors.documents_for(request.user, meeting, DocumentKind.NOTICE).exists()
        form = NoticeForm(request.POST, first=first)
        if form.is_valid():
            try:
                version = services.meeting_send_notice(
                    actor=request.user,
                    meeting=meeting,
                    reason=form.cleaned_data.get("reason", ""),
                    base_url=base_url(request),
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Version %(version)s of the notice was sent to the members.") % {"version": version.version},
                )
                return redirect("governance:notice", meeting.pk)
    response = render(request, "governance/notice.html", _notice_context(request, meeting, form))
    if form is not None:
        response.status_code = 400
    return response


@login_required
def notice_preview(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The notice as it would be sent now, generated on the fly for the secretariat; nothing is stored."""
    meeting = _manageable_meeting(request, pk)
    if fmt not in DOWNLOAD_TYPES:
        raise Http404
    content = documents.notice_pdf(meeting) if fmt == "pdf" else documents.notice_docx(meeting)
    filename = documents.document_filename(meeting, DocumentKind.NOTICE, fmt).replace(f".{fmt}", f"-{_('draft')}.{fmt}")
    return download(content, filename, DOWNLOAD_TYPES[fmt])


@login_required
def document_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    document = selectors.document_for(request.user, pk)
    if fmt not in DOWNLOAD_TYPES:
        raise Http404
    content = selectors.document_content(request.user, document, fmt)
    filename = documents.document_filename(document.meeting, document.kind, fmt).replace(
        f".{fmt}", f"-v{document.version}.{fmt}"
    )
    return download(content, filename, DOWNLOAD_TYPES[fmt])


@login_required
def meeting_ics(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    seat = selectors.members_of(meeting.body).filter(user=request.user).first()
    content = documents.meeting_invitation_ics(meeting, seat, base_url=base_url(request))
    filename = documents.document_filename(meeting, DocumentKind.NOTICE, "ics")
    return download(content, filename, "text/calendar; charset=utf-8")


# --- minutes ----------------------------------------------------------------------------------------------------------


def _attendance_forms(request: HttpRequest, meeting, data=None) -> list[tuple]:
    """One row per seat valid on the meeting day, prefilled from what is recorded."""
    recorded = {row.member_id: row for row in selectors.attendance_for(request.user, meeting)}
    rows = []
    for member in selectors.members_of(meeting.body, on=meeting.date).select_related("user", "organisation"):
        row = recorded.get(member.pk)
        initial = {"member": member.pk, "status": row.status if row else AttendanceStatus.PRESENT}
        if row:
            initial.update({"substitute_name": row.substitute_display, "note": row.note})
        rows.append((member, AttendanceRowForm(data, prefix=f"m{member.pk}", initial=initial)))
    return rows


def _outcome_form(item: AgendaItem, data=None) -> OutcomeForm:
    initial = {"outcome": item.outcome or _default_outcome(item), "conclusion": item.conclusion or _proposal(item)}
    initial["discussion"] = item.discussion
    targets = item.body.may_forward_to.filter(is_active=True)
    return OutcomeForm(data, prefix=f"i{item.pk}", initial=initial, forward_bodies=targets)


def _default_outcome(item: AgendaItem) -> str:
    return "noted" if item.kind in ("information", "report") else "decided"


def _proposal(item: AgendaItem) -> str:
    return item.proposed_decision or item.proposed_conclusion


def _minutes_context(request: HttpRequest, meeting, *, attendance=None, bound: dict | None = None) -> dict:
    bound = bound or {}
    users = community_people(meeting.body.helsefellesskap)
    items = selectors.agenda(request.user, meeting)
    sections = []
    for item in items:
        sections.append(
            {
                "item": item,
                "form": bound.get(("outcome", item.pk)) or _outcome_form(item),
                "action_form": bound.get(("action", item.pk)) or ActionPointForm(prefix=f"a{item.pk}", users=users),
                "action_points": selectors.action_points_of_item(request.user, item).select_related("owner"),
            }
        )
    versions = selectors.documents_for(request.user, meeting, DocumentKind.MINUTES)
    return {
        "tab": "meetings",
        "meeting": meeting,
        "body": meeting.body,
        "attendance": attendance or _attendance_forms(request, meeting),
        "sections": sections,
        "versions": versions,
        "can_record": meeting.status in MINUTES_STATUSES,
        "draft_form": bound.get("draft") or NoticeForm(first=not versions.exists(), prefix="draft"),
        "can_draft": meeting.status in (MeetingStatus.HELD, MeetingStatus.MINUTES_DRAFTED),
        "approval_item": meeting.approval_items.exclude(meeting=None).select_related("meeting").first(),
        "status_choices": AttendanceStatus.choices,
    }


def _minutes_page(request: HttpRequest, meeting, status: int = 200, **kwargs) -> HttpResponse:
    response = render(request, "governance/minutes.html", _minutes_context(request, meeting, **kwargs))
    response.status_code = status
    return response


@login_required
def minutes(request: HttpRequest, pk: int) -> HttpResponse:
    """The secretariat's minutes page: attendance, then every item's outcome and action points, then the document."""
    meeting = _manageable_meeting(request, pk)
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.CANCELLED):
        messages.error(request, _("The minutes can be written once the notice has been sent and the meeting held."))
        return redirect(meeting)
    if request.method == "POST":
        rows = _attendance_forms(request, meeting, request.POST)
        if all(form.is_valid() for _member, form in rows):
            try:
                services.attendance_record(
                    actor=request.user,
                    meeting=meeting,
                    rows=[
                        {
                            "member": member,
                            "status": form.cleaned_data["status"],
                            "substitute_name": form.cleaned_data["substitute_name"]
                            if form.cleaned_data["status"] == AttendanceStatus.SUBSTITUTE
                            else "",
                            "note": form.cleaned_data["note"],
                        }
                        for member, form in rows
                    ],
                )
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
                return _minutes_page(request, meeting, 400, attendance=rows)
            messages.success(request, _("The attendance was saved."))
            return redirect(f"{request.path}#attendance-heading")
        return _minutes_page(request, meeting, 400, attendance=rows)
    return _minutes_page(request, meeting)


@login_required
@require_POST
def item_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    item = _manageable_item(request, pk)
    if item.meeting is None:
        raise Http404
    form = _outcome_form(item, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.item_record_outcome(
                actor=request.user,
                item=item,
                outcome=data["outcome"],
                conclusion=data["conclusion"],
                discussion=data["discussion"],
                forward_to=data.get("forward_to"),
                forward_note=data.get("forward_note", ""),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The outcome of %(item)s was saved.") % {"item": item})
            if item.standard == StandardItem.APPROVE_MINUTES and data["outcome"] == "decided":
                messages.success(request, _("The minutes of the previous meeting are approved and published."))
            return redirect(f"{_minutes_url(item.meeting)}#item-{item.pk}")
    return _minutes_page(request, item.meeting, 400, bound={("outcome", item.pk): form})


def _minutes_url(meeting) -> str:
    return reverse("governance:minutes", args=[meeting.pk])


@login_required
@require_POST
def action_point_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _manageable_item(request, pk)
    if item.meeting is None:
        raise Http404
    form = ActionPointForm(request.POST, prefix=f"a{item.pk}", users=community_people(item.body.helsefellesskap))
    if form.is_valid():
        try:
            services.action_point_create(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The action point was added."))
            return redirect(f"{_minutes_url(item.meeting)}#item-{item.pk}")
    return _minutes_page(request, item.meeting, 400, bound={("action", item.pk): form})


@login_required
def minutes_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct approved minutes: changed conclusions and a reason make a new approved version; the old ones stay."""
    meeting = _manageable_meeting(request, pk)
    if meeting.status != MeetingStatus.MINUTES_APPROVED:
        messages.error(request, _("Only approved minutes are corrected; change the draft instead."))
        return redirect(meeting)
    form = MinutesCorrectionForm(request.POST or None, items=selectors.agenda(request.user, meeting))

    def perform(data):
        services.minutes_correct(
            actor=request.user, meeting=meeting, reason=data["reason"], conclusions=form.changed_conclusions()
        )
        return f"{meeting.get_absolute_url()}#minutes-versions-heading"

    return save_with(
        request,
        form,
        perform,
        success=_("The correction was published as a new version of the minutes. The earlier versions are kept."),
        title=_("Correct the approved minutes"),
        lead=_(
            "Approved minutes are never changed in place. Change the conclusions that are wrong and say why: the "
            "minutes are published again as a new version with the reason, and the members and the public archive "
            "see it. The earlier versions are kept."
        ),
        submit=_("Publish the corrected minutes"),
        cancel=meeting.get_absolute_url(),
        meeting=meeting,
        body=meeting.body,
        wide=True,
    )


@login_required
@require_POST
def minutes_draft(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _manageable_meeting(request, pk)
    first = not selectors.documents_for(request.user, meeting, DocumentKind.MINUTES).exists()
    form = NoticeForm(request.POST, first=first, prefix="draft")
    if form.is_valid():
        try:
            version = services.meeting_draft_minutes(
                actor=request.user,
                meeting=meeting,
                reason=form.cleaned_data.get("reason", ""),
                base_url=base_url(request),
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _(
                    "Draft minutes, version %(version)s, were made and sent to the members. They are approved at the "
                    "next meeting."
                )
                % {"version": version.version},
            )
            return redirect(f"{_minutes_url(meeting)}#versions-heading")
    return _minutes_page(request, meeting, 400, bound={"draft": form})
