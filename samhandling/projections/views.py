"""Thin views of framskrivning: the population page, population sources (compute and import), scenarios (create,
change, run), a run's results per area with today's capacity, two runs side by side, and exports."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from samhandling.core.forms import apply_service_errors
from samhandling.core.http import parse_id, save_with
from samhandling.core.permissions import can, permission_required
from samhandling.indicators.charts import trend_chart

from . import charts, selectors, services
from .access import sees_raw_values
from .forms import (
    AgendaForm,
    CapacityForm,
    FactorFormSet,
    PopulationComputeForm,
    PopulationImportForm,
    ScenarioForm,
)
from .models import Scenario, ScenarioRun

viewer = permission_required("projections.view")
analyst_only = permission_required("projections.analyse")

TABS = (
    ("population", gettext_lazy("Population"), "projections:home", "projections.view"),
    ("sources", gettext_lazy("Population sources"), "projections:sources", "projections.analyse"),
    ("scenarios", gettext_lazy("Scenarios"), "projections:scenarios", "projections.view"),
    ("compare", gettext_lazy("Compare"), "projections:compare", "projections.view"),
)


def _page(request, tab: str, *, crumbs=None, **context) -> dict:
    return {
        "tab": tab,
        "tabs": [(key, label, reverse(url)) for key, label, url, permission in TABS if can(request.user, permission)],
        "tabs_label": _("Projections"),
        "crumbs": crumbs or [],
        "analyst": can(request.user, "projections.analyse"),
        **context,
    }


# --- population -------------------------------------------------------------------------------------------------


@login_required
@viewer
def home(request):
    """The population of an area by sex and age through the years, its age groups and dependency ratios."""
    area = selectors.area_from(request.GET.get("omrade"))
    source = selectors.source_or_default(request.GET.get("kilde"))
    view = selectors.population_view(source, area, parse_id(request.GET.get("aar"))) if source else None
    context = _page(
        request,
        "population",
        area=area,
        area_key=area.key,
        source=source,
        sources=selectors.ready_sources(),
        area_choices=selectors.area_choices(),
        view=view,
    )
    if view:
        first_shown = view.first_projected or view.years[0]
        context["pyramid_spec"] = charts.moving_pyramid(
            view.pyramid,
            title=_("Population by sex and age, %(area)s") % {"area": area.name},
            first_year=view.years[0],
            last_year=view.years[-1],
            start_year=first_shown,
        )
        context["growth_spec"] = trend_chart(
            selectors.age_group_series(source, area),
            title=_("Population by age group, first year = 100"),
            unit_title=_("Index"),
            target=None,
            target_label="",
            synthetic=False,
        )
        first, last, rows = selectors.dependency_ratios(source, area)
        context.update(dependency_first=first, dependency_last=last, dependency_rows=rows)
    return render(request, "projections/population.html", context)


@login_required
@analyst_only
def sources(request):
    compute = PopulationComputeForm(prefix="beregn")
    upload = PopulationImportForm(prefix="ssb")
    if request.method == "POST":
        if "beregn-name" in request.POST:
            compute = PopulationComputeForm(request.POST, prefix="beregn")
            response = save_with(
                request,
                compute,
                lambda data: services.population_compute_start(
                    actor=request.user,
                    name=data["name"],
                    base_years=list(range(data["base_first"], data["base_last"] + 1)),
                    to_year=data["to_year"],
                    shrinkage=data["shrinkage"],
                ),
                success=_("The projection is queued."),
            )
        else:
            upload = PopulationImportForm(request.POST, request.FILES, prefix="ssb")
            response = save_with(
                request,
                upload,
                lambda data: services.population_import_start(
                    actor=request.user, name=data["name"], alternative=data["alternative"], upload=data["upload"]
                ),
                success=_("The file is queued for checking."),
            )
        if response:
            return response
    context = _page(
        request, "sources", sources=selectors.sources(request.user)[:50], compute_form=compute, import_form=upload
    )
    return render(request, "projections/sources.html", context)


@login_required
@analyst_only
def source_detail(request, pk: int):
    source = get_object_or_404(selectors.sources(request.user), pk=pk)
    context = _page(
        request,
        "sources",
        crumbs=[(_("Population sources"), reverse("projections:sources")), (str(source), None)],
        source=source,
    )
    template = "projections/_source_status.html" if request.htmx else "projections/source.html"
    return render(request, template, context)


# --- scenarios --------------------------------------------------------------------------------------------------


@login_required
@viewer
def scenarios(request):
    rows = selectors.scenarios(request.user).prefetch_related("runs")
    return render(request, "projections/scenarios.html", _page(request, "scenarios", scenarios=rows))


def _factor_initial(scenario: Scenario | None) -> list[dict]:
    return list(scenario.factors) if scenario else []


def _scenario_form(request, scenario: Scenario | None):
    initial = {}
    if scenario is None:  # a new scenario starts from the default population and the newest data set
        source, dataset = selectors.default_source(), selectors.datasets().first()
        initial = {"population": source, "dataset": dataset}
        if dataset and dataset.period_years:
            years = dataset.period_years[-2:]
            initial.update(base_first=years[0], base_last=years[-1])
    form = ScenarioForm(request.POST or None, instance=scenario, prefix="scenario", initial=initial)
    factors = FactorFormSet(request.POST or None, initial=_factor_initial(scenario), prefix="faktor")
    if request.method == "POST":
        factors_valid = factors.is_valid()
        if form.is_valid() and factors_valid:
            values = {name: form.cleaned_data[name] for name in form.Meta.fields}
            values["factors"] = [f for f in (each.factor() for each in factors.forms) if f]
            try:
                if scenario is None:
                    saved = services.scenario_create(actor=request.user, **values)
                else:
                    saved = services.scenario_update(actor=request.user, scenario=scenario, **values)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, _("The scenario is saved."))
                return redirect(saved)
    crumbs = [(_("Scenarios"), reverse("projections:scenarios"))]
    if scenario:
        crumbs.append((scenario.name, scenario.get_absolute_url()))
    crumbs.append((_("Change") if scenario else _("New scenario"), None))
    context = _page(request, "scenarios", crumbs=crumbs, form=form, factors=factors, scenario=scenario)
    return render(request, "projections/scenario_form.html", context)


@login_required
@analyst_only
def scenario_create(request):
    return _scenario_form(request, None)


@login_required
@analyst_only
def scenario_edit(request, pk: int):
    return _scenario_form(request, get_object_or_404(Scenario, pk=pk))


@login_required
@viewer
def scenario_detail(request, pk: int):
    scenario = get_object_or_404(selectors.scenarios(request.user), pk=pk)
    factors = selectors.describe_factors(scenario.factors)
    context = _page(
        request,
        "scenarios",
        crumbs=[(_("Scenarios"), reverse("projections:scenarios")), (scenario.name, None)],
        scenario=scenario,
        factors=factors,
        runs=scenario.runs.all()[:20],
    )
    return render(request, "projections/scenario.html", context)


@login_required
@analyst_only
@require_POST
def scenario_run(request, pk: int):
    scenario = get_object_or_404(Scenario, pk=pk)
    try:
        run = services.run_start(actor=request.user, scenario=scenario)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(scenario)
    return redirect(run)


# --- results ----------------------------------------------------------------------------------------------------


@login_required
@viewer
def run_detail(request, pk: int):
    run = get_object_or_404(selectors.runs(request.user), pk=pk)
    area = selectors.area_from(request.GET.get("omrade"))
    results = selectors.run_results(run, area, request.user) if run.is_done else []
    for result in results:
        if result.points:
            result.spec = charts.service_chart(
                result.points,
                title=f"{result.name}, {area.name}",
                unit_title=result.unit,
                synthetic=run.synthetic,
            )
    context = _page(
        request,
        "scenarios",
        crumbs=[
            (_("Scenarios"), reverse("projections:scenarios")),
            (run.scenario.name, run.scenario.get_absolute_url()),
            (_("Run %(number)s") % {"number": run.pk}, None),
        ],
        run=run,
        area=area,
        area_key=area.key,
        area_choices=selectors.area_choices(),
        results=results,
        raw=sees_raw_values(request.user),
        capacity_form=CapacityForm() if can(request.user, "projections.set_capacity") else None,
        agenda_form=_agenda_form(request, run, area) if run.is_done else None,
    )
    template = "projections/_run_status.html" if request.htmx and not run.is_done else "projections/run.html"
    return render(request, template, context)


def _agenda_form(request, run, area, data=None):
    """The form that puts the report on an agenda, for users who run the community's partnership meeting or SSU."""
    community = services.report_community(run, area)
    bodies = services.agenda_bodies(request.user, community)
    if not bodies.exists():
        return None
    meetings = services.agenda_meetings(request.user, community)
    initial = {"body": bodies.first()} if bodies.count() == 1 else {}
    return AgendaForm(data, bodies=bodies, meetings=meetings, initial=initial)


@login_required
@require_POST
@viewer
def report_to_agenda(request, pk: int):
    run = get_object_or_404(selectors.runs(request.user), pk=pk)
    area = selectors.area_from(request.POST.get("omrade"))
    form = _agenda_form(request, run, area, request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        try:
            item = services.report_to_agenda(
                actor=request.user,
                run=run,
                area=area,
                body=form.cleaned_data["body"],
                meeting=form.cleaned_data["meeting"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The report is on the agenda."))
            return redirect(item)
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(f"{run.get_absolute_url()}?omrade={area.key}#agenda")


@login_required
@require_POST
@permission_required("projections.set_capacity")
def capacity_set(request, pk: int):
    run = get_object_or_404(ScenarioRun, pk=pk)
    area = selectors.area_from(request.POST.get("omrade"))
    form = CapacityForm(request.POST)
    if form.is_valid():
        services.capacity_set(
            actor=request.user,
            level=area.level,
            area=area.code,
            kind=form.cleaned_data["kind"],
            value=form.cleaned_data["value"],
        )
        messages.success(request, _("Today's capacity is saved."))
    else:
        messages.error(request, _("Today's capacity was not saved: write a number of zero or more."))
    return redirect(f"{run.get_absolute_url()}?omrade={area.key}#capacity")


@login_required
@analyst_only
@require_POST
def run_publish(request, pk: int):
    run = get_object_or_404(ScenarioRun, pk=pk)
    publish = request.POST.get("publiser") == "1"
    try:
        services.run_publish(actor=request.user, run=run, publish=publish)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The run is published.") if publish else _("The run is no longer public."))
    return redirect(run)


def public_home(request):
    """The published projections, for everyone."""
    return render(request, "projections/public.html", {"runs": selectors.published_runs(), "crumbs": []})


def public_run(request, pk: int):
    """A published run's results for everyone: small numbers hidden, no forms, no exports."""
    run = get_object_or_404(selectors.published_runs(), pk=pk)
    area = selectors.area_from(request.GET.get("omrade"))
    results = selectors.run_results(run, area, request.user, public=True)
    for result in results:
        if result.points:
            result.spec = charts.service_chart(
                result.points, title=f"{result.name}, {area.name}", unit_title=result.unit, synthetic=run.synthetic
            )
    context = {
        "public": True,
        "tabs": [],
        "crumbs": [(_("Published projections"), reverse("projections:public_home")), (run.scenario.name, None)],
        "run": run,
        "area": area,
        "area_key": area.key,
        "area_choices": selectors.area_choices(),
        "results": results,
        "raw": False,
    }
    return render(request, "projections/run.html", context)


@login_required
@viewer
def compare(request):
    finished = selectors.finished_runs()
    first = finished.filter(pk=parse_id(request.GET.get("a"))).first()
    second = finished.filter(pk=parse_id(request.GET.get("b"))).first()
    area = selectors.area_from(request.GET.get("omrade"))
    rows = selectors.compare_runs(first, second, area, request.user) if first and second else []
    context = _page(
        request,
        "compare",
        runs=finished[:100],
        first=first,
        second=second,
        area=area,
        area_key=area.key,
        area_choices=selectors.area_choices(),
        rows=rows,
        first_factors=selectors.describe_factors(selectors.run_factors(first)) if first else [],
        second_factors=selectors.describe_factors(selectors.run_factors(second)) if second else [],
    )
    return render(request, "projections/compare.html", context)


@login_required
@viewer
def report(request, pk: int, fmt: str):
    """The report "Framskriving for <area>" as PDF or Word, for the secretariat to put on an agenda."""
    from . import reports

    run = get_object_or_404(selectors.runs(request.user), pk=pk)
    if not run.is_done or fmt not in ("pdf", "docx"):
        raise Http404
    area = selectors.area_from(request.GET.get("omrade"))
    built = reports.build(run, area, request.user)
    if fmt == "pdf":
        content, content_type = reports.render_pdf(built), "application/pdf"
    else:
        content = reports.render_docx(built)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="framskriving-{run.pk}-{area.code}.{fmt}"'
    return response


@login_required
@viewer
def export(request, pk: int, fmt: str):
    run = get_object_or_404(selectors.runs(request.user), pk=pk)
    if not run.is_done or fmt not in ("csv", "xlsx"):
        raise Http404
    header, rows = selectors.export_rows(run, request.user)
    filename = f"framskriving-{run.pk}.{fmt}"
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(header)
        writer.writerows(rows)
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    else:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet(_("Projection"))
        if run.synthetic:
            sheet.append([_("Synthetic data")])
        sheet.append(header)
        for row in rows:
            sheet.append(row)
        stream = io.BytesIO()
        book.save(stream)
        response = HttpResponse(
            stream.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
