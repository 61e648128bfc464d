"""The national deviation statistics beside the national view: every community's de-identified, suppressed counts for
a year or a half-year, as a page and as CSV. For analysts and the communities' secretariats; never public."""

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from samhandling.core.permissions import require
from samhandling.deviations import national
from samhandling.deviations.reports.structure import Cell

from ..forms import DeviationPeriodForm
from .common import page


def _choice(request: HttpRequest) -> tuple[DeviationPeriodForm, int, str]:
    """The year and period asked for; by default the last half-year that is over. A bad choice is shown at its field
    and the default is used meanwhile."""
    today = timezone.localdate()
    default_year, default_period = (today.year, "1") if today.month > 6 else (today.year - 1, "2")
    # Every year since the first deviation, and at least the last five (a year without cases shows its zeros).
    first = min(national.first_year() or today.year, today.year - 4)
    years = range(first, today.year + 1)
    form = DeviationPeriodForm(
        request.GET or None, years=years, initial={"aar": default_year, "periode": default_period}
    )
    if form.is_bound and form.is_valid():
        return form, form.cleaned_data["aar"], form.cleaned_data["periode"]
    return form, default_year, default_period


def _period_label(stats: national.NationalDeviations) -> str:
    if stats.period == national.WHOLE_YEAR:
        return str(stats.year)
    if stats.period == "1":
        return _("1st half %(year)s") % {"year": stats.year}
    return _("2nd half %(year)s") % {"year": stats.year}


@login_required
@require_GET
def national_deviations(request: HttpRequest) -> HttpResponse:
    require(request.user, "deviations.view_national_statistics")
    form, year, period = _choice(request)
    stats = national.national_deviations(year, period)
    crumbs = [
        (_("Norway"), reverse("indicators:home")),
        (_("All health communities"), reverse("indicators:national")),
        (_("Deviations"), None),
    ]
    query = f"aar={year}&periode={period}"
    context = page(
        request,
        "dashboards",
        with_tabs=False,
        crumbs=crumbs,
        form=form,
        stats=stats,
        period_label=_period_label(stats),
        csv_url=reverse("indicators:national_deviations_csv") + "?" + query,
        in_use=stats.communities_in_use,
    )
    return render(request, "indicators/national_deviations.html", context, status=400 if form.errors else 200)


def _csv_value(cell: Cell):
    """A machine number (dot decimal), blank when hidden or when there is none."""
    if not cell.shown:
        return ""
    if cell.kind == "percent":
        return round(cell.value * 100, 1)
    if cell.kind == "rate":
        return round(cell.value, 1)
    return cell.value


def csv_bytes(stats: national.NationalDeviations) -> bytes:
    """One row per community, table and column: the same cells as the page, hidden ones blank with the reason."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow(
        [_("Period"), _("Health community"), _("Table"), _("Column"), _("Value"), _("Hidden (small numbers)")]
    )
    label = _period_label(stats)
    units = {"percent": " (%)"}
    for table in stats.all_tables():
        for row in [*table.rows, table.total]:
            for header, cell in zip(table.value_headers, row.cells, strict=True):
                hidden = str(cell) if cell.hidden else ""
                writer.writerow(
                    [label, row.labels[0], table.title, header + units.get(cell.kind, ""), _csv_value(cell), hidden]
                )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@login_required
@require_GET
def national_deviations_csv(request: HttpRequest) -> HttpResponse:
    require(request.user, "deviations.view_national_statistics")
    _form, year, period = _choice(request)
    stats = national.national_deviations(year, period)
    response = HttpResponse(csv_bytes(stats), content_type="text/csv; charset=utf-8")
    suffix = str(year) if period == national.WHOLE_YEAR else f"{year}-{period}"
    response["Content-Disposition"] = f'attachment; filename="samhandlingsavvik-nasjonalt-{suffix}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
