"""Pages of the action plans: the community's plans, a plan with its themes, goals, measures and indicator
progress, the forms of the secretariat, status entry by a measure's owner, the status report, and the public pages
of published plans. Thin: reads through selectors, writes through services."""

from datetime import timedelta
from functools import wraps

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
from samhandling.core.http import community_by_slug_or_redirect, save_with
from samhandling.core.models import Helsefellesskap
from samhandling.core.permissions import can, require
from samhandling.governance import selectors as governance_selectors
from samhandling.governance.models import AgendaItem, StandardItem
from samhandling.governance.views.common import community_people

from . import documents, selectors, services
from .forms import AgendaForm, ApproveForm, GoalForm, MeasureForm, PlanForm, StatusForm, ThemeForm
from .models import MEASURE_WORKFLOW, PLAN_WORKFLOW, PlanStatus


def _form_page(
    request, form, *, title: str, crumbs, submit: str, cancel: str, lead: str = "", remove: str = ""
) -> HttpResponse:
    response = render(
        request,
        "plans/form_page.html",
        {
            "form": form,
            "title": title,
            "crumbs": crumbs,
            "submit": submit,
            "cancel": cancel,
            "lead": lead,
            "remove": remove,
        },
    )
    response.status_code = 400 if request.method == "POST" else 200
    return response


def _form_view(request, form, perform, *, success: str, **page) -> HttpResponse:
    if request.method == "POST":
        response = save_with(request, form, perform, success=success)
        if response is not None:
            return response
    return _form_page(request, form, **page)


def _crumbs(plan=None, *extra):
    crumbs = [(_("Action plans"), reverse("plans:plan_list"))]
    if plan is not None:
        crumbs.append((plan.title, plan.get_absolute_url()))
    return crumbs + list(extra)


def _managed_plan(request, pk):
    plan = selectors.plan_for(request.user, pk)
    require(request.user, "plans.manage_plan", plan)
    return plan


# Agenda items offered for linking: the community's own items (not the fixed opening items) of the last two years.
ITEM_DAYS = 2 * 366


def _community_items(community):
    return (
        AgendaItem.objects.filter(
            body__helsefellesskap=community,
            meeting__isnull=False,
            standard=StandardItem.NONE,
            meeting__date__gte=timezone.localdate() - timedelta(days=ITEM_DAYS),
        )
        .select_related("body")
        .order_by("-meeting__date", "position", "pk")
    )


class NotEditable(Exception):
    """The plan is approved or published: its contents are not changed (the view goes back to the plan)."""


def _editable(request, plan):
    require(request.user, "plans.manage_plan", plan)
    try:
        PLAN_WORKFLOW.require(request.user, plan, "edit")
    except ValidationError:
        raise NotEditable(plan) from None


def editable_only(view):
    """Back to the plan with a message when the plan is no longer a draft (a link from an older page, say)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotEditable as error:
            plan = error.args[0]
            messages.error(
                request,
                _("The plan is approved: put it back to draft to change it, or copy it to the next year."),
            )
            return redirect(plan)

    return wrapped


# --- plans -----------------------------------------------------------------------------------------------------------


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "plans.view_list", community)
    return render(
        request,
        "plans/plan_list.html",
        {
            "community": community,
            "plans": selectors.plans_for(request.user, community),
            "can_create": can(request.user, "plans.manage", community),
            "crumbs": [],
        },
    )


@login_required
def plan_create(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "plans.manage", community)
    year = timezone.localdate().year + 1
    form = PlanForm(
        request.POST or None,
        community=community,
        initial={"title": _("Action plan %(year)s") % {"year": year}, "start_year": year, "end_year": year},
    )
    return _form_view(
        request,
        form,
        lambda data: services.plan_create(actor=request.user, community=community, **data),
        success=_("The plan was created."),
        title=_("New action plan"),
        crumbs=_crumbs(),
        submit=_("Create the plan"),
        cancel=reverse("plans:plan_list"),
    )


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    manages = can(request.user, "plans.manage_plan", plan)
    context = {
        "plan": plan,
        "actions": PLAN_WORKFLOW.actions_for(request.user, plan),
        "manages": manages,
        "progress": selectors.plan_progress(plan),
        "crumbs": _crumbs(),
        "reportable": {m.pk for m in selectors.measures_of(plan) if MEASURE_WORKFLOW.allows(request.user, m, "report")},
    }
    if manages:
        context["approve_form"] = ApproveForm(items=_community_items(plan.helsefellesskap), prefix="approve")
        context["agenda_form"] = AgendaForm(meetings=_report_meetings(plan), prefix="agenda")
    return render(request, "plans/plan_detail.html", context)


@login_required
@editable_only
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    _editable(request, plan)
    form = PlanForm(
        request.POST or None,
        community=plan.helsefellesskap,
        editing=plan,
        initial={name: getattr(plan, name) for name in services.PLAN_FIELDS},
    )
    return _form_view(
        request,
        form,
        lambda data: services.plan_update(actor=request.user, plan=plan, **data),
        success=_("The plan was saved."),
        title=_("Edit the plan"),
        crumbs=_crumbs(plan),
        submit=_("Save"),
        cancel=plan.get_absolute_url(),
    )


def _report_meetings(plan):
    return governance_selectors.upcoming_steering_meetings(plan.helsefellesskap)


def _detail_with_errors(request, plan, **forms) -> HttpResponse:
    plan = selectors.plan_for(request.user, plan.pk)
    context = {
        "plan": plan,
        "actions": PLAN_WORKFLOW.actions_for(request.user, plan),
        "manages": True,
        "progress": selectors.plan_progress(plan),
        "crumbs": _crumbs(),
        "reportable": {m.pk for m in selectors.measures_of(plan)},
        "approve_form": ApproveForm(items=_community_items(plan.helsefellesskap), prefix="approve"),
        "agenda_form": AgendaForm(meetings=_report_meetings(plan), prefix="agenda"),
        **forms,
    }
    response = render(request, "plans/plan_detail.html", context)
    response.status_code = 400
    return response


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = ApproveForm(request.POST, items=_community_items(plan.helsefellesskap), prefix="approve")
    if form.is_valid():
        try:
            services.plan_approve(actor=request.user, plan=plan, item=form.cleaned_data["item"])
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The approval was recorded."))
            return redirect(plan)
    return _detail_with_errors(request, plan, approve_form=form)


@login_required
@require_POST
def plan_report_to_agenda(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _managed_plan(request, pk)
    form = AgendaForm(request.POST, meetings=_report_meetings(plan), prefix="agenda")
    if form.is_valid():
        try:
            item = services.plan_report_to_agenda(
                actor=request.user, plan=plan, meeting=form.cleaned_data["meeting"], fmt=form.cleaned_data["fmt"]
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("The status report was put on the agenda as an information item."))
            return redirect(item)
    return _detail_with_errors(request, plan, agenda_form=form)


PLAN_ACTIONS = {
    "publiser": (services.plan_publish, "publish"),
    "til-utkast": (services.plan_reopen, "reopen"),
    "kopier": (services.plan_copy_to_next_year, "copy"),
}


@login_required
@require_POST
def plan_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    plan = _managed_plan(request, pk)
    if action not in PLAN_ACTIONS:
        raise Http404
    service, _name = PLAN_ACTIONS[action]
    try:
        result = service(actor=request.user, plan=plan)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(plan)
    messages.success(request, _("Done."))
    return redirect(result)


@login_required
def status_report(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    if fmt not in documents.FORMATS:
        raise Http404
    today = timezone.localdate()
    response = HttpResponse(documents.status_report(plan, fmt, today=today), content_type=documents.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{documents.report_filename(plan, fmt, today)}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- themes, goals, measures -----------------------------------------------------------------------------------------


@login_required
@editable_only
def theme_create(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_for(request.user, pk)
    _editable(request, plan)
    return _form_view(
        request,
        ThemeForm(request.POST or None),
        lambda data: services.theme_create(actor=request.user, plan=plan, **data),
        success=_("The theme was added."),
        title=_("New theme"),
        crumbs=_crumbs(plan),
        submit=_("Add the theme"),
        cancel=plan.get_absolute_url(),
    )


@login_required
@editable_only
def theme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    theme = selectors.theme_for(request.user, pk)
    _editable(request, theme.plan)
    form = ThemeForm(request.POST or None, initial={n: getattr(theme, n) for n in services.THEME_FIELDS})
    return _form_view(
        request,
        form,
        lambda data: services.theme_update(actor=request.user, theme=theme, **data),
        success=_("The theme was saved."),
        title=_("Edit the theme"),
        remove=reverse("plans:part_remove", args=["tema", theme.pk]),
        crumbs=_crumbs(theme.plan),
        submit=_("Save"),
        cancel=theme.plan.get_absolute_url(),
    )


@login_required
@editable_only
def goal_create(request: HttpRequest, pk: int) -> HttpResponse:
    theme = selectors.theme_for(request.user, pk)
    plan = theme.plan
    _editable(request, plan)
    form = GoalForm(request.POST or None, community=plan.helsefellesskap)
    return _form_view(
        request,
        form,
        lambda data: services.goal_create(actor=request.user, theme=theme, **data),
        success=_("The goal was added."),
        title=_("New goal under “%(theme)s”") % {"theme": theme.title},
        crumbs=_crumbs(plan),
        submit=_("Add the goal"),
        cancel=plan.get_absolute_url(),
    )


@login_required
@editable_only
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk)
    plan = goal.theme.plan
    _editable(request, plan)
    form = GoalForm(
        request.POST or None,
        community=plan.helsefellesskap,
        initial={n: getattr(goal, n) for n in services.GOAL_FIELDS},
    )
    return _form_view(
        request,
        form,
        lambda data: services.goal_update(actor=request.user, goal=goal, **data),
        success=_("The goal was saved."),
        title=_("Edit the goal"),
        remove=reverse("plans:part_remove", args=["mal", goal.pk]),
        crumbs=_crumbs(plan),
        submit=_("Save"),
        cancel=plan.get_absolute_url(),
    )


def _measure_form(request, plan, initial=None) -> MeasureForm:
    community = plan.helsefellesskap
    return MeasureForm(
        request.POST or None,
        community=community,
        people=community_people(community),
        items=_community_items(community),
        initial=initial,
    )


@login_required
@editable_only
def measure_create(request: HttpRequest, pk: int) -> HttpResponse:
    goal = selectors.goal_for(request.user, pk)
    plan = goal.theme.plan
    _editable(request, plan)
    return _form_view(
        request,
        _measure_form(request, plan),
        lambda data: services.measure_create(actor=request.user, goal=goal, **data),
        success=_("The measure was added."),
        title=_("New measure for “%(goal)s”") % {"goal": goal.title},
        crumbs=_crumbs(plan),
        submit=_("Add the measure"),
        cancel=plan.get_absolute_url(),
    )


@login_required
@editable_only
def measure_edit(request: HttpRequest, pk: int) -> HttpResponse:
    measure = selectors.measure_for(request.user, pk)
    plan = measure.plan
    _editable(request, plan)
    initial = {n: getattr(measure, n) for n in services.MEASURE_FIELDS if n != "agenda_items"}
    initial["agenda_items"] = list(measure.agenda_items.all())
    return _form_view(
        request,
        _measure_form(request, plan, initial),
        lambda data: services.measure_update(actor=request.user, measure=measure, **data),
        success=_("The measure was saved."),
        title=_("Edit the measure"),
        remove=reverse("plans:part_remove", args=["tiltak", measure.pk]),
        crumbs=_crumbs(plan, (measure.title, measure.get_absolute_url())),
        submit=_("Save"),
        cancel=measure.get_absolute_url(),
    )


@login_required
def measure_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The measure with its status history; its owner and the secretariat report a new status here."""
    measure = selectors.measure_for(request.user, pk)
    may_report = MEASURE_WORKFLOW.allows(request.user, measure, "report")
    form = None
    if may_report:
        choices = MEASURE_WORKFLOW.next_statuses(measure)
        initial = {"status": measure.status, "text": measure.status_text}
        form = StatusForm(request.POST or None, choices=choices, initial=initial)
        if request.method == "POST":
            response = save_with(
                request,
                form,
                lambda data: services.measure_report_status(actor=request.user, measure=measure, **data),
                success=_("The status was reported."),
            )
            if response is not None:
                return response
    elif request.method == "POST":
        require(request.user, "plans.report_status", measure)
    response = render(
        request,
        "plans/measure_detail.html",
        {
            "measure": measure,
            "plan": measure.plan,
            "history": measure.history.select_related("by"),
            "form": form,
            "can_edit": PLAN_WORKFLOW.allows(request.user, measure.plan, "edit"),
            "crumbs": _crumbs(measure.plan),
        },
    )
    if request.method == "POST":
        response.status_code = 400
    return response


# --- public pages ----------------------------------------------------------------------------------------------------


def _public_community(request, slug) -> Helsefellesskap:
    return community_by_slug_or_redirect(request, slug)


def public_list(request: HttpRequest, slug: str) -> HttpResponse:
    community = _public_community(request, slug)
    return render(
        request,
        "plans/public_list.html",
        {"community": community, "plans": selectors.published_plans(community)},
    )


def public_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    community = _public_community(request, slug)
    plan = selectors.with_contents(selectors.published_plans(community).filter(pk=pk)).first()
    if plan is None or plan.status != PlanStatus.PUBLISHED:
        raise Http404
    return render(
        request,
        "plans/public_detail.html",
        {"community": community, "plan": plan, "progress": selectors.plan_progress(plan), "public": True},
    )


REMOVABLE = {"tema": selectors.theme_for, "mal": selectors.goal_for, "tiltak": selectors.measure_for}


@login_required
@require_POST
@editable_only
def part_remove(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Remove a theme, goal or measure from a draft (a button on its edit page)."""
    if kind not in REMOVABLE:
        raise Http404
    part = REMOVABLE[kind](request.user, pk)
    plan = part.theme.plan if kind == "mal" else part.plan
    _editable(request, plan)
    services.plan_part_remove(actor=request.user, part=part)
    messages.success(request, _("“%(title)s” was removed from the plan.") % {"title": part.title})
    return redirect(plan)
