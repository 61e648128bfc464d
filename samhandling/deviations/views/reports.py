"""The reports page: the secretariat picks the half-year report to SSU or the annual report, the version and the
format, and downloads the file. Every download is generated anew and audit-logged by
`services.deviation_report_generate`; nothing is stored (the meeting module will attach reports itself)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from samhandling.core.forms import DesignsystemetMixin
from samhandling.core.permissions import can, require

from .. import reports, selectors, services


class ReportRequestForm(DesignsystemetMixin, forms.Form):
    """Which report to make. Kept beside its only view, since it belongs to this page alone."""

    kind = forms.ChoiceField(label=_("Report"), choices=list(reports.KINDS.items()), widget=forms.RadioSelect)
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    half = forms.TypedChoiceField(
        label=_("Half-year"),
        coerce=int,
        choices=[(1, _("1st half (1 January – 30 June)")), (2, _("2nd half (1 July – 31 December)"))],
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Only for the half-year report. It is compared with the half-year before."),
    )
    version = forms.ChoiceField(label=_("Version"), widget=forms.RadioSelect)
    fmt = forms.ChoiceField(label=_("Format"), choices=list(reports.FORMATS.items()), widget=forms.RadioSelect)

    def __init__(self, *args, years: list[int], internal_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, str(year)) for year in years]
        versions = [(reports.PUBLISHED, reports.VERSIONS[reports.PUBLISHED])]
        if internal_allowed:
            versions.append((reports.INTERNAL, reports.VERSIONS[reports.INTERNAL]))
        self.fields["version"].choices = versions
        self.fields["version"].help_text = (
            _("The published version hides small numbers and can go into public case papers.")
            if internal_allowed
            else _("Only the secretariat can make the internal version with every number.")
        )

    def clean(self):
        cleaned = super().clean()
        kind, year, half = cleaned.get("kind"), cleaned.get("year"), cleaned.get("half")
        if kind == reports.HALF_YEAR and not half:
            self.add_error("half", _("Choose the half-year."))
        elif kind and year:
            start, _end = reports.report_period(kind, year, half if kind == reports.HALF_YEAR else None)
            if start > timezone.localdate():
                self.add_error("half" if kind == reports.HALF_YEAR else "year", _("This period has not started yet."))
        return cleaned


def _defaults() -> dict:
    """The last half-year that is over (the report SSU asks for next)."""
    today = timezone.localdate()
    year, half = (today.year, 1) if today.month > 6 else (today.year - 1, 2)
    return {"kind": reports.HALF_YEAR, "year": year, "half": half, "version": reports.PUBLISHED, "fmt": reports.PDF}


def _form(request: HttpRequest, data=None) -> ReportRequestForm:
    community = request.helsefellesskap
    this_year = timezone.localdate().year
    first = selectors.first_report_year(community) or this_year
    return ReportRequestForm(
        data,
        initial=_defaults(),
        years=list(range(this_year, min(first, this_year - 1) - 1, -1)),
        internal_allowed=can(request.user, "deviations.reports_internal", community),
    )


def _page(request: HttpRequest, form: ReportRequestForm, status: int = 200) -> HttpResponse:
    response = render(request, "deviations/reports/page.html", {"form": form, "community": request.helsefellesskap})
    response.status_code = status
    return response


@login_required
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    require(request.user, "deviations.view_statistics", request.helsefellesskap)
    return _page(request, _form(request))


@login_required
@require_GET
def report_download(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "deviations.view_statistics", community)
    if request.GET.get("version") == reports.INTERNAL:
        require(request.user, "deviations.reports_internal", community)
    form = _form(request, request.GET)
    if not form.is_valid():
        return _page(request, form, status=400)
    data = form.cleaned_data
    filename, content, content_type = services.deviation_report_generate(
        actor=request.user,
        community=community,
        kind=data["kind"],
        year=data["year"],
        half=data["half"] if data["kind"] == reports.HALF_YEAR else None,
        version=data["version"],
        fmt=data["fmt"],
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
