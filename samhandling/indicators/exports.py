"""CSV and XLSX of any dashboard view: the result rows of an area or of one indicator, for machines and people alike.

Numbers are plain machine numbers (CSV: dot decimal, no thousands separator; XLSX: numeric cells), every code has its
readable label in a column of its own (`unit` = per_1000 beside `unit_name` = "per 1,000 inhabitants"), and the
header row names the unit of the values. Small numbers are left blank with a `suppressed` flag and the reason, and
synthetic data are marked on every row (and at the top of the sheet)."""

import csv
import io

from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook

from . import selectors
from .models import Level

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = (
    "indicator",
    "indicator_name",
    "level",
    "level_name",
    "area",
    "area_name",
    "year",
    "period",
    "period_name",
    "numerator",
    "denominator",
    "value",
    "value_std",
    "unit",
    "unit_name",
    "suppressed",
    "reason",
    "reason_text",
    "synthetic",
    # Added after the original columns, so a reader that picks columns by position keeps working.
    "ci_low",
    "ci_high",
    "std_ci_low",
    "std_ci_high",
    "significance",
    "significance_name",
)


def period_label(period: str) -> str:
    """The period code of a result row (1y, 3y, T1–T3) in words."""
    labels = {
        "3y": _("three years (the year and the two before)"),
        "T1": _("first tertial (January–April)"),
        "T2": _("second tertial (May–August)"),
        "T3": _("third tertial (September–December)"),
    }
    return labels.get(period, _("one year"))


def _headers(units: set[str]) -> list[str]:
    unit = selectors.unit_label(next(iter(units))) if len(units) == 1 else _("unit in the column “Unit (code)”")
    return [
        _("Indicator (code)"),
        _("Indicator"),
        _("Level (code)"),
        _("Level"),
        _("Area code"),
        _("Area"),
        _("Year"),
        _("Period (code)"),
        _("Period"),
        _("Numerator"),
        _("Denominator"),
        _("Value (%(unit)s)") % {"unit": unit},
        _("Age-standardised value (%(unit)s)") % {"unit": unit},
        _("Unit (code)"),
        _("Unit"),
        _("Hidden (small numbers)"),
        _("Reason hidden (code)"),
        _("Reason hidden"),
        _("Synthetic data"),
        _("Lower confidence limit (95 per cent)"),
        _("Upper confidence limit (95 per cent)"),
        _("Age-standardised, lower confidence limit (95 per cent)"),
        _("Age-standardised, upper confidence limit (95 per cent)"),
        _("Compared with Norway (code)"),
        _("Compared with Norway"),
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
    levels = dict(Level.choices)
    rows = [
        {
            **row,
            "level_name": str(levels.get(row["level"], row["level"])),
            "period_name": period_label(row["period"]),
            "unit_name": selectors.unit_label(row["unit"]),
            "synthetic": run.synthetic,
        }
        for row in selectors.export_rows(
            run, raw=raw, level=level or None, area=area or None, indicator=indicator or None
        )
    ]
    return rows, stem


def _machine(value, column: str):
    """A cell as a machine reads it: whole numbers without decimals, other numbers as they are, no rounding to
    a display precision; booleans as true/false (CSV)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, float) and column in ("numerator", "denominator", "year") and value.is_integer():
        return int(value)
    return value


def csv_bytes(rows) -> bytes:
    """Comma-separated, UTF-8 with a byte-order mark (so Excel reads the letters right), dot decimal."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=",", lineterminator="\r\n")
    writer.writerow(_headers({row["unit"] for row in rows}))
    for row in rows:
        line = []
        for column in COLUMNS:
            value = _machine(row[column], column)
            line.append("" if value is None else ("true" if value else "false") if isinstance(value, bool) else value)
        writer.writerow(line)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_file(rows, *, synthetic: bool, title: str):
    """A sheet with the synthetic-data notice (when it applies) and the title above the header row; numbers are
    numeric cells and the flags are boolean cells."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Results")[:31])
    if synthetic:
        sheet.append([_("Synthetic data: the numbers are invented and say nothing about real patients or areas.")])
    sheet.append([title])
    sheet.append(_headers({row["unit"] for row in rows}))
    for row in rows:
        sheet.append([_machine(row[column], column) for column in COLUMNS])
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
