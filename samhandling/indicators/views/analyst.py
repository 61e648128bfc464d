"""Thin views for analysts: data sets, their import and the period they cover, the job page that follows an import
or a run (polled with htmx), the runs with their versions and timings, starting a run, publishing and unpublishing."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core.http import parse_id, save_with
from samhandling.core.permissions import permission_required

from .. import selectors, services
from ..forms import DatasetPeriodForm, ImportForm, RunForm
from ..models import Dataset, Job, JobKind, Level, Run
from ..texts import dataset_error_text
from .common import page

analyst_only = permission_required("indicators.analyse")


def _job_url(job: Job) -> str:
    return reverse("indicators:job", args=[job.pk])


def _start_job(request, form, start):
    """A posted form that starts an import or a run: on success to the job's page, else None (show the form)."""
    if request.method != "POST":
        return None
    return save_with(request, form, start, redirect_to=_job_url)


def _crumbs(*parts) -> list:
    return [(_("Data sets"), reverse("indicators:datasets")), *parts]


@login_required
@analyst_only
def datasets(request):
    listing = Paginator(selectors.datasets(), 25).get_page(request.GET.get("side"))
    context = page(request, "datasets", page=listing, jobs=selectors.recent_jobs(10))
    return render(request, "indicators/datasets.html", context)


@login_required
@analyst_only
def dataset_detail(request, pk: int):
    dataset = get_object_or_404(selectors.datasets(), pk=pk)
    context = page(
        request,
        "datasets",
        crumbs=_crumbs((dataset.name, None)),
        dataset=dataset,
        runs=dataset.runs.order_by("-created_at"),
        manifest_json=json.dumps(dataset.manifest, indent=2, ensure_ascii=False),
        period_form=DatasetPeriodForm(dataset=dataset),
    )
    return render(request, "indicators/dataset.html", context)


@login_required
@analyst_only
def dataset_period(request, pk: int):
    """Change the whole years a data set covers (detected at import); runs then default to them."""
    dataset = get_object_or_404(selectors.datasets(), pk=pk)
    form = DatasetPeriodForm(request.POST or None, dataset=dataset)
    if request.method == "POST":
        response = save_with(
            request,
            form,
            lambda data: services.dataset_set_period(
                actor=request.user, dataset=dataset, first=data["first"], last=data["last"]
            ),
            success=_("The period is saved. New runs cover these years."),
            redirect_to=lambda saved: reverse("indicators:dataset", args=[saved.pk]),
        )
        if response:
            return response
    context = page(
        request,
        "datasets",
        crumbs=_crumbs((dataset.name, reverse("indicators:dataset", args=[dataset.pk]))),
        dataset=dataset,
        form=form,
    )
    return render(request, "indicators/dataset_period.html", context)


@login_required
@analyst_only
def dataset_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    started = _start_job(
        request,
        form,
        lambda data: services.dataset_import_start(
            actor=request.user, name=data["name"], files=data["files"], folder=data["folder"]
        ),
    )
    if started:
        return started
    return render(request, "indicators/import.html", page(request, "import", form=form))


@login_required
@analyst_only
def job_detail(request, pk: int):
    """The job's progress; htmx asks for the status block every second until the job has finished. Errors the engine
    reported as codes are worded in the reader's language."""
    job = get_object_or_404(Job.objects.select_related("dataset", "run"), pk=pk)
    errors = [{**error, "message": dataset_error_text(error)} if error.get("code") else error for error in job.errors]
    if job.kind == JobKind.IMPORT:
        tab, crumbs = "datasets", _crumbs((str(job), None))
    else:
        tab, crumbs = "runs", [(_("Runs"), reverse("indicators:runs")), (str(job), None)]
    context = page(request, tab, crumbs=crumbs, job=job, errors=errors)
    if request.htmx:
        return render(request, "indicators/_job_status.html", context)
    return render(request, "indicators/job.html", context)


@login_required
@analyst_only
def runs(request):
    listing = Paginator(selectors.runs(), 25).get_page(request.GET.get("side"))
    return render(request, "indicators/runs.html", page(request, "runs", page=listing, jobs=selectors.recent_jobs(10)))


@login_required
@analyst_only
def run_detail(request, pk: int):
    run = get_object_or_404(selectors.runs(), pk=pk)
    counts = run.results.values_list("level").annotate(count=Count("id")).order_by("level")
    levels = {Level(level).label: count for level, count in counts}
    crumbs = [(_("Runs"), reverse("indicators:runs")), (str(run), None)]
    return render(request, "indicators/run.html", page(request, "runs", crumbs=crumbs, run=run, levels=levels))


@login_required
@analyst_only
def run_start(request):
    initial = {}
    if dataset_id := parse_id(request.GET.get("datasett")):
        dataset = Dataset.objects.filter(pk=dataset_id).first()
        if dataset is not None:
            initial = {"dataset": dataset, "years": " ".join(str(year) for year in dataset.period_years)}
    form = RunForm(request.POST or None, initial=initial)
    started = _start_job(
        request,
        form,
        lambda data: services.indicator_run_start(
            actor=request.user, dataset=data["dataset"], years=data["years"], engine=data["engine"]
        ),
    )
    if started:
        return started
    return render(request, "indicators/run_start.html", page(request, "run_start", form=form))


def _publication(request, pk: int, service, success: str):
    run = get_object_or_404(Run, pk=pk)
    try:
        service(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("indicators:run", run.pk)


@login_required
@analyst_only
@require_POST
def run_publish(request, pk: int):
    return _publication(
        request, pk, services.run_publish, _("The run is published. The public pages now show its results.")
    )


@login_required
@analyst_only
@require_POST
def run_unpublish(request, pk: int):
    return _publication(
        request, pk, services.run_unpublish, _("The run is no longer published. The public pages show no results now.")
    )
