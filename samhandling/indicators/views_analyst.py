"""Thin views for analysts: data sets and their import, the job page that follows an import or a run (polled with
htmx), the runs with their versions and timings, starting a run, publishing and unpublishing."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from samhandling.core.forms import apply_service_errors
from samhandling.core.permissions import permission_required

from . import selectors, services
from .forms import ImportForm, RunForm
from .models import Dataset, Job, Level, Run

analyst_only = permission_required("indicators.analyse")


@login_required
@analyst_only
def datasets(request):
    page = Paginator(selectors.datasets(), 25).get_page(request.GET.get("side"))
    return render(
        request,
        "indicators/datasets.html",
        {"page": page, "jobs": selectors.recent_jobs(10), "tab": "datasets"},
    )


@login_required
@analyst_only
def dataset_detail(request, pk: int):
    dataset = get_object_or_404(selectors.datasets(), pk=pk)
    return render(
        request,
        "indicators/dataset.html",
        {
            "dataset": dataset,
            "runs": dataset.runs.order_by("-created_at"),
            "manifest_json": json.dumps(dataset.manifest, indent=2, ensure_ascii=False),
            "tab": "datasets",
        },
    )


@login_required
@analyst_only
def dataset_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.dataset_import_start(
                actor=request.user,
                name=form.cleaned_data["name"],
                files=form.cleaned_data["files"],
                folder=form.cleaned_data["folder"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("indicators:job", job.pk)
    return render(request, "indicators/import.html", {"form": form, "tab": "import"})


@login_required
@analyst_only
def job_detail(request, pk: int):
    """The job's progress; htmx asks for the status block every second until the job has finished."""
    job = get_object_or_404(Job.objects.select_related("dataset", "run"), pk=pk)
    context = {"job": job, "tab": "datasets" if job.kind == "import" else "runs"}
    if request.htmx:
        return render(request, "indicators/_job_status.html", context)
    return render(request, "indicators/job.html", context)


@login_required
@analyst_only
def runs(request):
    page = Paginator(selectors.runs(), 25).get_page(request.GET.get("side"))
    return render(request, "indicators/runs.html", {"page": page, "jobs": selectors.recent_jobs(10), "tab": "runs"})


@login_required
@analyst_only
def run_detail(request, pk: int):
    run = get_object_or_404(selectors.runs(), pk=pk)
    counts = run.results.values_list("level").annotate(count=Count("id")).order_by("level")
    levels = {Level(level).label: count for level, count in counts}
    return render(request, "indicators/run.html", {"run": run, "levels": levels, "tab": "runs"})


@login_required
@analyst_only
def run_start(request):
    initial = {}
    if dataset_id := request.GET.get("datasett"):
        initial["dataset"] = Dataset.objects.filter(pk=dataset_id).first()
    form = RunForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.indicator_run_start(
                actor=request.user,
                dataset=form.cleaned_data["dataset"],
                years=form.cleaned_data["years"],
                engine=form.cleaned_data["engine"],
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("indicators:job", job.pk)
    return render(request, "indicators/run_start.html", {"form": form, "tab": "run_start"})


@login_required
@analyst_only
@require_POST
def run_publish(request, pk: int):
    run = get_object_or_404(Run, pk=pk)
    try:
        services.run_publish(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The run is published. The public pages now show its results."))
    return redirect("indicators:run", run.pk)


@login_required
@analyst_only
@require_POST
def run_unpublish(request, pk: int):
    run = get_object_or_404(Run, pk=pk)
    try:
        services.run_unpublish(actor=request.user, run=run)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The run is no longer published. The public pages show no results now."))
    return redirect("indicators:run", run.pk)
