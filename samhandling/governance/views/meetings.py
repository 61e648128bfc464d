"""Planning and changing a meeting, its page and actions (cancel, reinstate, number, mark held), the notice
(preview, confirm and send, versions), document downloads and the invitation."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core.forms import apply_service_errors
from samhandling.core.http import save_with as core_save_with
from samhandling.core.permissions import can, require

from .. import documents, selectors, services
from ..forms import (
    DeviationReportForm,
    MeetingForm,
    NoticeForm,
    months_of,
)
from ..models import MEETING_WORKFLOW, BodyKind, DocumentKind
from ..services import mail
from .common import (
    DOWNLOAD_TYPES,
    _manageable_meeting,
    base_url,
    community_people,
    download,
    save_with,
)

MEETING_FIELDS = ("date", "start_time", "end_time", "place", "video_link", "title", "minute_taker", "minute_taker_name")


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
    actions = meeting.actions_for(request.user)
    if "edit" not in actions:
        messages.error(request, _("A meeting that has been held cannot be changed."))
        return redirect(meeting)
    notice_sent = "resend_notice" in actions
    form = MeetingForm(
        request.POST or None,
        users=community_people(meeting.body.helsefellesskap),
        initial={name: getattr(meeting, name) for name in MEETING_FIELDS},
        notice_sent=notice_sent,
        meeting=meeting,
    )

    def perform(data):
        reason = data.pop("reason", "")
        data.pop("send_for_past_date", None)
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
        "actions": meeting.actions_for(user),
        "today": timezone.localdate(),
    }
    if manages:
        context["queue"] = selectors.queue_for(user, meeting.body)
        if meeting.body.kind == BodyKind.SSU and "edit" in context["actions"]:
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


def _notice_context(request: HttpRequest, meeting, form=None, confirm: bool = False) -> dict:
    versions = selectors.documents_for(request.user, meeting, DocumentKind.NOTICE)
    manages = can(request.user, "governance.manage_meeting", meeting)
    can_send = MEETING_WORKFLOW.allows(request.user, meeting, "manage_notice")
    recipients = selectors.members_of(meeting.body).select_related("user", "organisation")
    return {
        "tab": "meetings",
        "meeting": meeting,
        "body": meeting.body,
        "items": selectors.agenda(request.user, meeting),
        "recipients": recipients,
        "mailed": mail.recipients_of(meeting),
        "versions": versions,
        "manages": manages,
        "form": (form or NoticeForm(first=not versions.exists(), meeting_date=meeting.date)) if can_send else None,
        "confirm": confirm,
    }


@login_required
def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """The notice page. Sending takes two posts: the form (reason, and a tick for a past date), then the
    confirmation that says how many members get the e-mail."""
    meeting = selectors.meeting_for(request.user, pk)
    if request.method != "POST":
        return render(request, "governance/notice.html", _notice_context(request, meeting))
    require(request.user, "governance.manage_meeting", meeting)
    first = not selectors.documents_for(request.user, meeting, DocumentKind.NOTICE).exists()
    form = NoticeForm(request.POST, first=first, meeting_date=meeting.date)
    if form.is_valid() and not form.cleaned_data["confirmed"]:
        return render(request, "governance/notice.html", _notice_context(request, meeting, form, confirm=True))

    def send(data):
        return services.meeting_send_notice(
            actor=request.user, meeting=meeting, reason=data.get("reason", ""), base_url=base_url(request)
        )

    sent = core_save_with(
        request,
        form,
        send,
        success=lambda version: _("Version %(version)s of the notice was sent to the members.")
        % {"version": version.version},
        redirect_to=lambda version: reverse("governance:notice", args=[meeting.pk]),
    )
    if sent is not None:
        return sent
    response = render(request, "governance/notice.html", _notice_context(request, meeting, form))
    response.status_code = 400
    return response


@login_required
def notice_preview(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The notice as it would be sent now, generated on the fly for the secretariat; nothing is stored."""
    meeting = _manageable_meeting(request, pk)
    if fmt not in DOWNLOAD_TYPES:
        raise Http404
    content = documents.render(DocumentKind.NOTICE, fmt, documents.MEMBERS, meeting=meeting)
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
    content = documents.render(
        documents.INVITATION, documents.ICS, meeting=meeting, seat=seat, base_url=base_url(request)
    )
    filename = documents.document_filename(meeting, DocumentKind.NOTICE, "ics")
    return download(content, filename, "text/calendar; charset=utf-8")
