"""Thin views for samhandlingsavvik: report, lists, the case page with its actions, patient identity on click,
statistics and the community's settings."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core.charts import bar_chart
from samhandling.core.forms import apply_service_errors
from samhandling.core.models import Organisation, User
from samhandling.core.permissions import can, require

from .. import selectors, services
from ..access import access_for, sees_whole_community, with_units
from ..forms import (
    AcknowledgeForm,
    CategoryForm,
    ClassifyForm,
    MeasureForm,
    PeriodForm,
    RedirectForm,
    ReportForm,
    SettingsForm,
    TextForm,
)
from ..models import OPEN_STATUSES, Category, Deviation, Status


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def visible_case_or_404(request: HttpRequest, pk: int) -> Deviation:
    """The case if the user may see it; 404 otherwise (its existence is not revealed)."""
    case = get_object_or_404(
        Deviation.objects.select_related(
            "reporter", "reporter_unit", "receiver", "category", "handler", "helsefellesskap"
        ),
        pk=pk,
    )
    if not can(request.user, "deviations.view", case):
        raise Http404
    return case


def _report_form(request: HttpRequest, case: Deviation | None, data=None) -> ReportForm:
    access = access_for(request.user)
    units = Organisation.objects.filter(pk__in=access.member_units, is_active=True).select_related("parent")
    community = case.helsefellesskap if case else request.helsefellesskap
    if not community:
        raise PermissionDenied
    services.settings_for(community)  # makes sure the community's starting categories exist
    initial = {}
    if case is not None:
        initial = {name: getattr(case, name) for name in services.REPORT_FIELDS}
    elif units.count() == 1:
        initial["reporter_unit"] = units.first()
    return ReportForm(
        data,
        initial=initial,
        units=units.order_by("root__name", "name"),
        receivers=selectors.receivers_for(community),
        categories=selectors.categories_for(community),
        has_patient=bool(case and case.has_patient_identity),
    )


def _save_report(request: HttpRequest, case: Deviation | None) -> HttpResponse:
    form = _report_form(request, case, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.deviation_save_draft(actor=request.user, data=form.cleaned_data, case=case)
            if "send" in request.POST:
                services.deviation_send(actor=request.user, case=case, base_url=_base_url(request))
                case.refresh_from_db()
                if case.status == Status.AWAITING_LEADER:
                    messages.success(request, _("The report was sent to your leader to be completed."))
                else:
                    messages.success(
                        request, _("The deviation %(reference)s was sent.") % {"reference": case.reference}
                    )
            else:
                messages.success(request, _("The draft was saved. It has not been sent."))
            return redirect(case)
        except ValidationError as error:
            apply_service_errors(form, error)
    return render(request, "deviations/report.html", {"form": form, "case": case})


@login_required
def report(request: HttpRequest) -> HttpResponse:
    require(request.user, "deviations.report", None)
    return _save_report(request, None)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case_or_404(request, pk)
    require(request.user, "deviations.edit_draft", case)
    return _save_report(request, case)


@login_required
def my_reports(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_reports(request.user), 25).get_page(request.GET.get("side"))
    return render(request, "deviations/list.html", {"page": page, "tab": "mine", "today": timezone.localdate()})


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.contact_units and not request.user.handled_deviations.exists():
        raise PermissionDenied
    status = request.GET.get("status", "open")
    status = status if status in {"open", "", *Status.values} else "open"
    overdue = request.GET.get("overdue") == "1"
    query = request.GET.get("q", "").strip()
    cases = selectors.inbox(request.user, status=status, overdue_only=overdue, query=query)
    page = Paginator(cases, 25).get_page(request.GET.get("side"))
    return render(
        request,
        "deviations/list.html",
        {
            "page": page,
            "tab": "inbox",
            "status": status,
            "overdue": overdue,
            "query": query,
            "statuses": Status.choices,
            "today": timezone.localdate(),
        },
    )


@login_required
def from_my_units(request: HttpRequest) -> HttpResponse:
    access = access_for(request.user)
    if not access.leader_units and not access.contact_units:
        raise PermissionDenied
    page = Paginator(selectors.sent_from_my_units(request.user), 25).get_page(request.GET.get("side"))
    return render(request, "deviations/list.html", {"page": page, "tab": "units", "today": timezone.localdate()})


def _handlers_for(case: Deviation):
    return User.objects.filter(
        memberships__organisation__in=with_units({case.receiver.root_id}), is_active=True
    ).distinct()


def _action_forms(request: HttpRequest, case: Deviation, bound: dict | None = None) -> dict:
    """The forms the user may use on this case right now, keyed by action (one of them possibly bound)."""
    bound = bound or {}
    user, forms = request.user, {}

    def offer(action: str, form_class=None, **kwargs) -> None:
        if action in bound and bound[action] is not None:
            forms[action] = bound[action]
        else:
            forms[action] = form_class(prefix=action, **kwargs) if form_class else None

    allowed = services.TRANSITIONS[case.status]
    if can(user, "deviations.complete", case):
        offer("complete", TextForm, label=_("Addendum from the leader (optional)"))
        forms["complete"].fields["text"].required = False
    if can(user, "deviations.reply", case):
        offer("reply", TextForm, label=_("Your answer to the receiver"))
    if can(user, "deviations.handle", case):
        if Status.ACKNOWLEDGED in allowed:
            offer("acknowledge", AcknowledgeForm, handlers=_handlers_for(case))
        if Status.UNDER_REVIEW in allowed:
            offer("review")
        if Status.NEEDS_INFO in allowed:
            offer("request_info", TextForm, label=_("What do you need to know?"))
        if Status.ANSWERED in allowed:
            offer("answer", TextForm, label=_("Answer to the reporter"))
        if Status.CLOSED in allowed:
            offer("close")
        if Status.REOPENED in allowed:
            offer("reopen", TextForm, label=_("Why is it reopened?"))
        if Status.REDIRECTED in allowed:
            offer("redirect", RedirectForm, receivers=_redirect_targets(case))
        if Status.NOT_DEVIATION in allowed:
            offer("classify", ClassifyForm)
        if case.status in OPEN_STATUSES:
            offer("measure", MeasureForm)
    if can(user, "deviations.add_addendum", case):
        offer("addendum", TextForm, label=_("Addendum"))
    if can(user, "deviations.withdraw", case) and case.status != Status.DRAFT:
        offer("withdraw", TextForm, label=_("Why is it withdrawn?"))
    return forms


def _redirect_targets(case: Deviation):
    return selectors.receivers_for(case.helsefellesskap).exclude(pk=case.receiver_id)


# Shown folded, so the main next step stands out.
SECONDARY_ACTIONS = ("redirect", "classify", "measure", "addendum", "withdraw", "reopen")


def _case_context(request: HttpRequest, case: Deviation, bound: dict | None = None) -> dict:
    access = access_for(request.user)
    show_reporter = not case.reporter_hidden or access.is_reporter(case) or access.is_leader(case)
    return {
        "case": case,
        "events": case.events.select_related("actor", "organisation"),
        "measures": case.measures.all(),
        "forms": _action_forms(request, case, bound),
        "show_reporter": show_reporter,
        "can_reveal": case.has_patient_identity and can(request.user, "deviations.reveal_patient", case),
        "can_edit": can(request.user, "deviations.edit_draft", case),
        "overdue": case.is_overdue(),
        "secondary_actions": SECONDARY_ACTIONS,
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case_or_404(request, pk)
    return render(request, "deviations/detail.html", _case_context(request, case))


ACTIONS = {
    "complete": (
        TextForm,
        lambda r, c, d: services.deviation_complete(
            actor=r.user, case=c, addendum=d.get("text", ""), base_url=_base_url(r)
        ),
    ),
    "reply": (
        TextForm,
        lambda r, c, d: services.deviation_give_information(
            actor=r.user, case=c, text=d["text"], base_url=_base_url(r)
        ),
    ),
    "acknowledge": (
        AcknowledgeForm,
        lambda r, c, d: services.deviation_acknowledge(
            actor=r.user, case=c, handler=d.get("handler"), base_url=_base_url(r)
        ),
    ),
    "review": (None, lambda r, c, d: services.deviation_start_review(actor=r.user, case=c)),
    "request_info": (
        TextForm,
        lambda r, c, d: services.deviation_request_information(
            actor=r.user, case=c, question=d["text"], base_url=_base_url(r)
        ),
    ),
    "answer": (
        TextForm,
        lambda r, c, d: services.deviation_answer(actor=r.user, case=c, answer=d["text"], base_url=_base_url(r)),
    ),
    "close": (None, lambda r, c, d: services.deviation_close(actor=r.user, case=c, base_url=_base_url(r))),
    "reopen": (TextForm, lambda r, c, d: services.deviation_reopen(actor=r.user, case=c, reason=d["text"])),
    "redirect": (
        RedirectForm,
        lambda r, c, d: services.deviation_redirect(
            actor=r.user, case=c, receiver=d["receiver"], reason=d["text"], base_url=_base_url(r)
        ),
    ),
    "classify": (
        ClassifyForm,
        lambda r, c, d: services.deviation_classify(
            actor=r.user, case=c, status=d["status"], reason=d["text"], base_url=_base_url(r)
        ),
    ),
    "measure": (MeasureForm, lambda r, c, d: services.deviation_add_measure(actor=r.user, case=c, **d)),
    "addendum": (TextForm, lambda r, c, d: services.deviation_add_addendum(actor=r.user, case=c, text=d["text"])),
    "withdraw": (TextForm, lambda r, c, d: services.deviation_withdraw(actor=r.user, case=c, reason=d["text"])),
    "send": (None, lambda r, c, d: services.deviation_send(actor=r.user, case=c, base_url=_base_url(r))),
}


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One endpoint for the case's actions; the service decides whether the user may."""
    case = visible_case_or_404(request, pk)
    if action not in ACTIONS:
        raise Http404
    form_class, perform = ACTIONS[action]
    form = None
    if form_class is not None:
        kwargs = {}
        if form_class is AcknowledgeForm:
            kwargs["handlers"] = _handlers_for(case)
        if form_class is RedirectForm:
            kwargs["receivers"] = _redirect_targets(case)
        form = form_class(request.POST, prefix=action, **kwargs)
        if action == "complete":
            form.fields["text"].required = False
    if form is None or form.is_valid():
        try:
            perform(request, case, form.cleaned_data if form else {})
        except ValidationError as error:
            if form is None:
                for message in error.messages:
                    messages.error(request, message)
                return redirect(case)
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Done."))
            return redirect(case)
    case.refresh_from_db()
    response = render(request, "deviations/detail.html", _case_context(request, case, {action: form}))
    response.status_code = 400
    return response


@login_required
@require_POST
def reveal_patient(request: HttpRequest, pk: int) -> HttpResponse:
    case = visible_case_or_404(request, pk)
    identity = services.deviation_reveal_patient(actor=request.user, case=case)
    if request.htmx:
        response = render(request, "deviations/_patient.html", {"identity": identity, "case": case})
    else:
        response = render(request, "deviations/detail.html", {**_case_context(request, case), "identity": identity})
    response["Cache-Control"] = "no-store"
    return response


def period_from_request(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    today = timezone.localdate()
    default_start = date(today.year, 1, 1) if today.month > 6 else date(today.year - 1, 7, 1)
    form = PeriodForm(request.GET or None, initial={"start": default_start, "end": today})
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["start"], form.cleaned_data["end"]
    return form, default_start, today


@login_required
def statistics(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "deviations.view_statistics", community)
    form, start, end = period_from_request(request)
    stats = selectors.statistics(community, start, end, request.user)
    labels = dict(Status.choices)
    chart = (
        bar_chart(
            stats.by_month,
            x="month",
            y="count",
            x_title=_("Month"),
            y_title=_("Deviations"),
            title=_("Deviations per month"),
        )
        if stats.by_month
        else None
    )
    return render(
        request,
        "deviations/statistics.html",
        {
            "form": form,
            "stats": stats,
            "start": start,
            "end": end,
            "status_labels": labels,
            "chart": chart,
            "community": community,
            "whole_community": sees_whole_community(request.user, community),
        },
    )


@login_required
def settings_view(request: HttpRequest) -> HttpResponse:
    """Rules, deadlines and the category list of the current community (secretariat and admin)."""
    community = request.helsefellesskap
    require(request.user, "deviations.configure", community)
    current = services.settings_for(community)
    categories = Category.objects.filter(helsefellesskap=community)
    action = request.POST.get("form")
    form = SettingsForm(
        request.POST if action == "settings" else None,
        initial={
            "leader_completion_required": current.leader_completion_required,
            "acknowledge_days": current.acknowledge_days,
            "answer_days": current.answer_days,
        },
        prefix="settings",
    )
    editing = categories.filter(pk=request.POST.get("category") or request.GET.get("kategori") or 0).first()
    category_form = CategoryForm(
        request.POST if action == "category" else None,
        initial={"code": editing.code, "name_nb": editing.name_nb, "name_nn": editing.name_nn} if editing else None,
        prefix="category",
    )
    if request.method == "POST":
        try:
            if action == "settings" and form.is_valid():
                services.deviation_settings_update(actor=request.user, community=community, **form.cleaned_data)
                messages.success(request, _("The changes were saved."))
                return redirect("deviations:settings")
            if action == "category" and category_form.is_valid():
                services.category_save(
                    actor=request.user, community=community, category=editing, **category_form.cleaned_data
                )
                messages.success(request, _("The category was saved."))
                return redirect("deviations:settings")
            if action in ("retire", "restore") and editing is not None:
                services.category_set_active(actor=request.user, category=editing, active=action == "restore")
                messages.success(request, _("The changes were saved."))
                return redirect("deviations:settings")
        except ValidationError as error:
            apply_service_errors(category_form if action == "category" else form, error)
    return render(
        request,
        "deviations/settings.html",
        {
            "form": form,
            "category_form": category_form,
            "editing": editing,
            "community": community,
            "categories": categories,
        },
    )
