"""Agenda items: create, edit, detail with history, forward, reorder, schedule, and action points' done/reopen."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samhandling.core import audit
from samhandling.core.forms import apply_service_errors
from samhandling.core.models import AuditEvent
from samhandling.core.permissions import can, require

from .. import documents, selectors, services
from ..forms import (
    ForwardForm,
    ItemForm,
    item_initial,
)
from ..models import MEETING_WORKFLOW, ActionPoint, AgendaItem, Visibility
from .common import _manageable_item, _manageable_meeting, community_people, save_with
from .meetings import _meeting_context

ACTION_POINT_ACTIONS = {
    "ferdig": (lambda request, point: services.action_point_complete(actor=request.user, action_point=point)),
    "gjenapne": (lambda request, point: services.action_point_reopen(actor=request.user, action_point=point)),
}


ACTION_POINT_MESSAGES = {
    "ferdig": gettext_lazy("The action point is marked as done."),
    "gjenapne": gettext_lazy("The action point is open again."),
}


@login_required
@require_POST
def action_point_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    point = ActionPoint.objects.select_related("item", "item__body", "item__meeting").filter(pk=pk).first()
    if point is None or not can(request.user, "governance.view_action_point", point):
        raise Http404
    require(request.user, "governance.complete_action_point", point)
    if action not in ACTION_POINT_ACTIONS:
        raise Http404
    try:
        ACTION_POINT_ACTIONS[action](request, point)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, ACTION_POINT_MESSAGES[action])
    target = request.POST.get("next", "")
    if target.startswith("/moter/") and "//" not in target:
        return redirect(target)
    return redirect(point.item)


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
        "marking": documents.exemption_marking(item)
        if item.visibility == Visibility.CONFIDENTIAL
        else (_("Internal: for the members and the secretariat") if item.visibility == Visibility.INTERNAL else ""),
        "meeting_actions": item.meeting.actions_for(request.user) if item.meeting else None,
        "editable": manages
        and (item.meeting is None or MEETING_WORKFLOW.allows(request.user, item.meeting, "edit_items")),
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
