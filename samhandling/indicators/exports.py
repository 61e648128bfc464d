"""CSV and XLSX of any dashboard view: the result rows of an area or of one indicator, with small numbers left blank
and a `suppressed` flag column, and the synthetic-data marker on every row and at the top of the sheet.

CSV follows what Norwegian Excel opens (UTF-8 with BOM, semicolons, decimal comma)."""

import csv
import io

from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, HttpResponse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import selectors
from .models import Level

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    "indicator",
    "indicator_name",
    "level",
    "area",
    "area_name",
    "year",
    "period",
    "numerator",
    "denominator",
    "value",
    "value_std",
    "unit",
    "suppressed",
    "reason",
    "data",
)


def _headers() -> list[str]:
    return [
        _("Indicator"),
        _("Indicator name"),
        _("Level"),
        _("Area code"),
        _("Area"),
        _("Year"),
        _("Period"),
        _("Numerator"),
        _("Denominator"),
        _("Value"),
        _("Age-standardised value"),
        _("Unit"),
        _("Hidden (small numbers)"),
        _("Reason"),
        _("Data"),
    ]


def rows_for(request, run, *, raw: bool):
    """The rows of the view the request names, and a file name stem; 400 for a request that names no view."""
    level, area, indicator = (
        request.GET.get("niva", ""),
        request.GET.get("omrade", ""),
        request.GET.get("indikator", ""),
    )
    if indicator:
        selectors.indicator_or_404(indicator)
        stem = f"styringsinformasjon-{indicator}"
    elif level in Level.values and area:
        stem = f"styringsinformasjon-{level}-{area}"
    else:
        raise BadRequest("name an area (niva, omrade) or an indicator (indikator)")
    if run is None:
        raise Http404
    marker = _("Synthetic data") if run.synthetic else ""
    rows = selectors.export_rows(run, raw=raw, level=level or None, area=area or None, indicator=indicator or None)
    return ({**row, "data": marker} for row in rows), stem


def _text(value, column: str) -> str:
    if value is None:
        return ""
    if column == "suppressed":
        return _("yes") if value else _("no")
    if isinstance(value, float):
        places = 6 if column in ("value", "value_std") else 0
        return number_format(round(value, places), places, use_l10n=True)
    return str(value)


def csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(_headers())
    for row in rows:
        writer.writerow([_text(row[column], column) for column in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_file(rows, *, synthetic: bool, title: str):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Results")[:31])
    if synthetic:
        sheet.append([_("Synthetic data: the numbers are invented and say nothing about real patients or areas.")])
    sheet.append([title])
    sheet.append(_headers())
    for row in rows:
        values = []
        for column in COLUMNS:
            value = row[column]
            if column == "suppressed":
                value = _("yes") if value else _("no")
            values.append(value)
        sheet.append(values)
    handle = io.BytesIO()  # a view's rows are at most a few thousand: memory is fine
    workbook.save(handle)
    handle.seek(0)
    return handle


def export_response(request, fmt: str, *, run, raw: bool, public: bool) -> HttpResponse:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    rows, stem = rows_for(request, run, raw=raw)
    if run.synthetic:
        stem += "-syntetisk"
    if fmt == "csv":
        response = HttpResponse(csv_bytes(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    else:
        title = _("Management information, run %(run)s (data set %(version)s)") % {
            "run": run.pk,
            "version": run.dataset_version,
        }
        response = FileResponse(
            xlsx_file(rows, synthetic=run.synthetic, title=title),
            as_attachment=True,
            filename=f"{stem}.xlsx",
            content_type=XLSX_CONTENT_TYPE,
        )
    response["Cache-Control"] = "private, no-store" if raw else "public, max-age=300"
    return response
