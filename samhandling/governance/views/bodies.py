"""The overview, bodies and their members, recurring items, the yearly meeting plan and the community's settings."""

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.permissions import can, community_organisations, require

from .. import selectors, services
from ..forms import BodyForm, MemberForm, RecurringItemForm, SettingsForm
from ..models import BodyMember, MeetingStatus
from .common import community_people, save_with


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user, today = request.user, timezone.localdate()
    managed = selectors.managed_bodies(user)
    todo_notices = todo_minutes = todo_approval = []
    if managed.exists():
        mine = selectors.meetings_for(user).filter(body__in=managed).select_related("body")
        todo_notices = mine.filter(status=MeetingStatus.PLANNED, date__gte=today).order_by("date")[:10]
        todo_minutes = mine.filter(
            Q(status=MeetingStatus.HELD) | Q(status=MeetingStatus.NOTICE_SENT, date__lte=today)
        ).order_by("date")[:10]
        todo_approval = mine.filter(status=MeetingStatus.MINUTES_DRAFTED).order_by("date")[:10]
    return render(
        request,
        "governance/home.html",
        {
            "tab": "home",
            "bodies": selectors.bodies_for(user),
            "upcoming": selectors.meetings_for(user, upcoming=True).select_related("body")[:10],
            "action_points": selectors.action_points_for(user).select_related("item", "item__body"),
            "manages": managed.exists(),
            "todo_notices": todo_notices,
            "todo_minutes": todo_minutes,
            "todo_approval": todo_approval,
            "community": request.helsefellesskap,
            "can_create_body": can(user, "governance.manage_community", request.helsefellesskap),
        },
    )


@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    return render(
        request,
        "governance/body_list.html",
        {
            "tab": "bodies",
            "bodies": selectors.bodies_for(request.user).select_related("parent", "helsefellesskap"),
            "can_create_body": can(request.user, "governance.manage_community", community),
        },
    )


@login_required
def body_detail(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for(request.user, pk)
    year = timezone.localdate().year
    manages = can(request.user, "governance.manage_body", body)
    return render(
        request,
        "governance/body_detail.html",
        {
            "tab": "bodies",
            "body": body,
            "members": selectors.members_of(body).select_related("user", "organisation"),
            "former_members": (
                selectors.all_members_of(body).filter(valid_to__lt=timezone.localdate()).select_related("user")
                if manages
                else []
            ),
            "year": year,
            "plan": selectors.year_plan(request.user, body, year),
            "queue": selectors.queue_for(request.user, body),
            "recurring": body.recurring_items.filter(is_active=True) if manages else [],
            "manages": manages,
        },
    )


def _body_form(request: HttpRequest, community, body=None) -> BodyForm:
    initial = None
    if body is not None:
        initial = {
            name: getattr(body, name)
            for name in ("kind", "name", "short_name", "topic", "mandate", "parent", "meetings_per_year", "is_active")
        }
        initial["may_forward_to"] = list(body.may_forward_to.all())
    return BodyForm(
        request.POST or None,
        initial=initial,
        bodies=selectors.bodies_for(request.user, community),
        editing=body,
        community=community,
    )


@login_required
def body_create(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "governance.manage_community", community)
    form = _body_form(request, community)
    return save_with(
        request,
        form,
        lambda data: services.body_create(actor=request.user, community=community, **data),
        success=_("The body was created."),
        title=_("New body"),
        lead=_("A partnership meeting, an SSU, an FSU or another body of %(community)s.") % {"community": community},
        submit=_("Create the body"),
        cancel=reverse("governance:body_list"),
    )


@login_required
def body_edit(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for(request.user, pk)
    require(request.user, "governance.manage_body", body)
    form = _body_form(request, body.helsefellesskap, body)
    return save_with(
        request,
        form,
        lambda data: services.body_update(actor=request.user, body=body, **data),
        success=_("The changes were saved."),
        title=_("Change %(body)s") % {"body": body.name},
        submit=_("Save changes"),
        cancel=body.get_absolute_url(),
        body=body,
    )


MEMBER_FIELDS = ("user", "name", "email", "role", "organisation", "represents_text", "valid_from", "valid_to")


def _member_form(request: HttpRequest, body, member: BodyMember | None = None) -> MemberForm:
    community = body.helsefellesskap
    initial = (
        {name: getattr(member, name) for name in MEMBER_FIELDS} if member else {"valid_from": timezone.localdate()}
    )
    return MemberForm(
        request.POST or None,
        initial=initial,
        users=community_people(community),
        organisations=community_organisations(community).filter(parent__isnull=True).order_by("name"),
    )


@login_required
def member_add(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for(request.user, pk)
    require(request.user, "governance.manage_body", body)
    form = _member_form(request, body)

    def perform(data):
        services.member_add(actor=request.user, body=body, **data)
        return body.get_absolute_url() + "#members-heading"

    return save_with(
        request,
        form,
        perform,
        success=_("The member was added."),
        title=_("Add a member to %(body)s") % {"body": body.name},
        submit=_("Add the member"),
        cancel=body.get_absolute_url(),
        body=body,
    )


@login_required
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = BodyMember.objects.select_related("body", "body__helsefellesskap").filter(pk=pk).first()
    if member is None or not can(request.user, "governance.view_body", member.body):
        raise Http404
    require(request.user, "governance.manage_body", member.body)
    form = _member_form(request, member.body, member)

    def perform(data):
        services.member_update(actor=request.user, member=member, **data)
        return member.body.get_absolute_url() + "#members-heading"

    return save_with(
        request,
        form,
        perform,
        success=_("The changes were saved."),
        title=_("Change the seat of %(name)s") % {"name": member.display_name},
        lead=_("To end a seat, set the end of the period. Seats are kept for the record."),
        submit=_("Save changes"),
        cancel=member.body.get_absolute_url(),
        body=member.body,
    )


@login_required
def recurring_create(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for(request.user, pk)
    require(request.user, "governance.manage_body", body)
    form = RecurringItemForm(request.POST or None)

    def perform(data):
        services.recurring_item_create(actor=request.user, body=body, **data)
        return body.get_absolute_url() + "#recurring-heading"

    return save_with(
        request,
        form,
        perform,
        success=_("The recurring item was saved."),
        title=_("New recurring item for %(body)s") % {"body": body.name},
        lead=_("A recurring item is proposed on the agenda of every meeting held in one of its months."),
        submit=_("Save the recurring item"),
        cancel=body.get_absolute_url(),
        body=body,
    )


@login_required
def body_plan(request: HttpRequest, pk: int) -> HttpResponse:
    body = selectors.body_for(request.user, pk)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("ar", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        raise Http404
    return render(
        request,
        "governance/body_plan.html",
        {
            "tab": "bodies",
            "body": body,
            "year": year,
            "meetings": selectors.year_plan(request.user, body, year),
            "manages": can(request.user, "governance.manage_body", body),
        },
    )


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "governance.manage_community", community)
    current = services.settings_for(community)
    form = SettingsForm(request.POST or None, initial={"case_number_format": current.case_number_format})

    def perform(data):
        services.settings_update(actor=request.user, community=community, **data)
        return "governance:settings"

    return save_with(
        request,
        form,
        perform,
        success=_("The changes were saved."),
        title=_("Settings for meetings"),
        lead=_("How %(community)s numbers its items. A change applies to numbers given from now on.")
        % {"community": community},
        submit=_("Save changes"),
        cancel=reverse("governance:home"),
    )
