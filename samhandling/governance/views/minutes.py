"""The minutes page (attendance and outcomes in one form), action points, drafting and correcting the minutes."""

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

from .. import selectors, services
from ..forms import (
    ActionPointForm,
    AttendanceRowForm,
    MinutesCorrectionForm,
    NoticeForm,
    OutcomeForm,
)
from ..models import MEETING_WORKFLOW, AgendaItem, AttendanceStatus, DocumentKind, StandardItem
from .common import _manageable_item, _manageable_meeting, base_url, community_people, save_with


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


def _outcome_form(item: AgendaItem, data=None, prepare: bool = False) -> OutcomeForm:
    initial = {"outcome": item.outcome or _default_outcome(item), "conclusion": item.conclusion or _proposal(item)}
    initial["discussion"] = item.discussion
    targets = item.body.may_forward_to.filter(is_active=True)
    return OutcomeForm(data, prefix=f"i{item.pk}", initial=initial, forward_bodies=targets, prepare=prepare, item=item)


def _default_outcome(item: AgendaItem) -> str:
    return "noted" if item.kind in ("information", "report") else "decided"


def _proposal(item: AgendaItem) -> str:
    return item.proposed_decision or item.proposed_conclusion


def _minutes_context(request: HttpRequest, meeting, *, attendance=None, bound: dict | None = None) -> dict:
    bound = bound or {}
    users = community_people(meeting.body.helsefellesskap)
    members = list(selectors.members_of(meeting.body, on=meeting.date))
    items = selectors.agenda(request.user, meeting)
    sections = []
    for item in items:
        sections.append(
            {
                "item": item,
                "form": bound.get(("outcome", item.pk)) or _outcome_form(item),
                "action_form": bound.get(("action", item.pk))
                or ActionPointForm(prefix=f"a{item.pk}", users=users, members=members),
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
        "actions": meeting.actions_for(request.user),
        # Before its day the page prepares the minutes: conclusions and discussion are kept, outcomes come later.
        "before_day": meeting.date > timezone.localdate(),
        "saved": request.GET.get("lagret", ""),
        "draft_form": bound.get("draft") or NoticeForm(first=not versions.exists(), prefix="draft"),
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
    if not MEETING_WORKFLOW.allows(request.user, meeting, "minutes_page"):
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
            return redirect(f"{request.path}?lagret=attendance#attendance-heading")
        return _minutes_page(request, meeting, 400, attendance=rows)
    return _minutes_page(request, meeting)


@login_required
@require_POST
def item_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    item = _manageable_item(request, pk)
    if item.meeting is None:
        raise Http404
    meeting = item.meeting
    if meeting.date > timezone.localdate() and MEETING_WORKFLOW.allows(request.user, meeting, "prepare_minutes"):
        form = _outcome_form(item, request.POST, prepare=True)
        if form.is_valid():
            services.item_prepare_minutes(
                actor=request.user,
                item=item,
                conclusion=form.cleaned_data["conclusion"],
                discussion=form.cleaned_data["discussion"],
            )
            return redirect(f"{_minutes_url(meeting)}?lagret={item.pk}#item-{item.pk}")
        return _minutes_page(request, meeting, 400, bound={("outcome", item.pk): form})
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
            return redirect(f"{_minutes_url(item.meeting)}?lagret={item.pk}#item-{item.pk}")
    return _minutes_page(request, item.meeting, 400, bound={("outcome", item.pk): form})


def _minutes_url(meeting) -> str:
    return reverse("governance:minutes", args=[meeting.pk])


@login_required
@require_POST
def action_point_add(request: HttpRequest, pk: int) -> HttpResponse:
    item = _manageable_item(request, pk)
    if item.meeting is None:
        raise Http404
    form = ActionPointForm(
        request.POST,
        prefix=f"a{item.pk}",
        users=community_people(item.body.helsefellesskap),
        members=selectors.members_of(item.body, on=item.meeting.date),
    )
    if form.is_valid():
        try:
            services.action_point_create(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The action point was added."))
            return redirect(f"{_minutes_url(item.meeting)}?lagret=a{item.pk}#item-{item.pk}")
    return _minutes_page(request, item.meeting, 400, bound={("action", item.pk): form})


@login_required
def minutes_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Correct approved minutes: changed conclusions and a reason make a new approved version; the old ones stay."""
    meeting = _manageable_meeting(request, pk)
    if not MEETING_WORKFLOW.allows(request.user, meeting, "correct_minutes"):
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
