"""Downloads of de-identified deviations: CSV and Excel for a period, FHIR AdverseEvent for a period or one case.

Period exports need the statistics permission for the current community; what they contain is chosen by
`exports.export_cases`. Every download is an audit event (period and number of rows, never the contents)."""

import json
import tempfile
from datetime import date
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from samhandling.core.permissions import require

from .. import exports, fhir
from .cases import visible_case_or_404
from .community import period_from_request

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _InvalidPeriod(Exception):
    def __init__(self, form) -> None:
        super().__init__("invalid period")
        self.form = form


def _period(request: HttpRequest) -> tuple[date, date]:
    """The period the statistics page shows; a period given but invalid is refused rather than replaced."""
    form, start, end = period_from_request(request)
    if ("start" in request.GET or "end" in request.GET) and not form.is_valid():
        raise _InvalidPeriod(form)
    return start, end


def _explains_bad_periods(view):
    """A period that is not a date, or out of range, is answered with the form and its field messages (400)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _InvalidPeriod as invalid:
            response = render(request, "deviations/period_invalid.html", {"form": invalid.form, "tab": "statistics"})
            response.status_code = 400
            return response

    return wrapped


def _version(request: HttpRequest) -> str:
    version = request.GET.get("version", fhir.R5)
    if version not in fhir.VERSIONS:
        raise BadRequest("unknown FHIR version")
    return version


def _filename(community, start: date, end: date, suffix: str) -> str:
    return f"samhandlingsavvik-{community.code}-{start.isoformat()}-{end.isoformat()}.{suffix}"


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "private, no-store"
    return response


def _period_export(request: HttpRequest, action: str, *, fhir_version: bool = False):
    """Check permission, read the period, count the rows and log the export; returns what the writers need."""
    community = request.helsefellesskap
    require(request.user, "deviations.view_statistics", community)
    start, end = _period(request)
    extra = {"version": _version(request)} if fhir_version else None
    cases = exports.export_cases(request.user, community, start, end)
    count = cases.count()
    exports.export_record(
        actor=request.user, action=action, community=community, start=start, end=end, count=count, extra=extra
    )
    return community, start, end, cases


@login_required
@require_GET
@_explains_bad_periods
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    community, start, end, cases = _period_export(request, "deviations.export.csv")
    response = StreamingHttpResponse(
        exports.csv_chunks(exports.rows(cases), language=get_language()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(community, start, end, "csv")}"'
    return _private(response)


@login_required
@require_GET
@_explains_bad_periods
def export_xlsx(request: HttpRequest) -> FileResponse:
    community, start, end, cases = _period_export(request, "deviations.export.xlsx")
    info = exports.ExportInfo(
        community=community,
        start=start,
        end=end,
        whole_community=exports.sees_whole_community(request.user, community),
    )
    # Spooled: a small workbook stays in memory, a large one goes to a temporary file rather than filling it.
    target = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115 (FileResponse closes it)
    exports.write_xlsx(exports.rows(cases), info, target)
    target.seek(0)
    response = FileResponse(
        target,
        as_attachment=True,
        filename=_filename(community, start, end, "xlsx"),
        content_type=XLSX_CONTENT_TYPE,
    )
    return _private(response)


@login_required
@require_GET
@_explains_bad_periods
def fhir_bundle(request: HttpRequest) -> StreamingHttpResponse:
    community, start, end, cases = _period_export(request, "deviations.export.fhir", fhir_version=True)
    version = _version(request)
    response = StreamingHttpResponse(
        fhir.bundle_chunks(exports.rows(cases), version=version, language=get_language()),
        content_type=fhir.CONTENT_TYPES[version],
    )
    filename = _filename(community, start, end, f"{version.lower()}.fhir.json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return _private(response)


@login_required
@require_GET
def fhir_case(request: HttpRequest, pk: int) -> HttpResponse:
    """One case as an AdverseEvent, for whoever may open the case; a case never sent has none (404)."""
    case = visible_case_or_404(request, pk)
    version = _version(request)
    resource = fhir.case_adverse_event(case, version=version)
    if resource is None:
        raise Http404
    exports.export_record(
        actor=request.user,
        action="deviations.export.fhir_case",
        community=case.helsefellesskap,
        case=case,
        extra={"version": version},
    )
    response = HttpResponse(
        json.dumps(resource, ensure_ascii=False, indent=2), content_type=fhir.CONTENT_TYPES[version]
    )
    response["Content-Disposition"] = f'attachment; filename="{case.reference}.{version.lower()}.fhir.json"'
    return _private(response)
