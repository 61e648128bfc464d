"""The community's pages in the deviation module: statistics for a period, and the secretariat's settings (rules,
deadlines, categories)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from samhandling.core.charts import bar_chart
from samhandling.core.http import parse_id, save_with
from samhandling.core.permissions import require

from .. import selectors, services
from ..access import sees_whole_community
from ..forms import CategoryForm, PeriodForm, SettingsForm
from ..models import Category, Status


def period_from_request(request: HttpRequest) -> tuple[PeriodForm, date, date]:
    """The period asked for, or the current half-year so far; a bad period is shown at its field and the default is
    used meanwhile."""
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
    by_clause = {selectors.clause_key(row): row["count"] for row in stats.by_clause}
    clause_table = [
        (group.agreement, [(label, by_clause.get(key, 0)) for key, label in group.rows])
        for group in selectors.clause_groups([by_clause])
    ]
    return render(
        request,
        "deviations/statistics.html",
        {
            "form": form,
            "stats": stats,
            "start": start,
            "end": end,
            # (label, count) per status, so the template looks nothing up by status value
            "by_status": [(labels.get(row["status"], row["status"]), row["count"]) for row in stats.by_status],
            "chart": chart,
            "clause_table": clause_table,
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
    # A garbled id ("abc", "1e3") is a category that does not exist, not a server error.
    editing_id = parse_id(request.POST.get("category") or request.GET.get("kategori"))
    editing = categories.filter(pk=editing_id).first() if editing_id else None
    category_form = CategoryForm(
        request.POST if action == "category" else None,
        initial={"code": editing.code, "name_nb": editing.name_nb, "name_nn": editing.name_nn} if editing else None,
        prefix="category",
    )
    if request.method == "POST":
        response = None
        if action == "settings":
            response = save_with(
                request,
                form,
                lambda data: services.deviation_settings_update(actor=request.user, community=community, **data),
                success=_("The changes were saved."),
                redirect_to="deviations:settings",
            )
        elif action == "category":
            response = save_with(
                request,
                category_form,
                lambda data: services.category_save(actor=request.user, community=community, category=editing, **data),
                success=_("The category was saved."),
                redirect_to="deviations:settings",
            )
        elif action in ("retire", "restore") and editing is not None:
            try:
                services.category_set_active(actor=request.user, category=editing, active=action == "restore")
            except ValidationError as error:
                for message in error.messages:
                    messages.error(request, message)
            else:
                messages.success(request, _("The changes were saved."))
            return redirect("deviations:settings")
        if response is not None:
            return response
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
