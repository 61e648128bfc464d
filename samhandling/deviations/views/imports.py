"""The secretariat's page for importing earlier cases from its old spreadsheet, and the template to fill in."""

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from samhandling.core.forms import DesignsystemetMixin
from samhandling.core.permissions import require

from .. import imports as importer
from .. import selectors, services

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(DesignsystemetMixin, forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File with earlier deviations"),
        help_text=gettext_lazy(
            "An Excel workbook (.xlsx) or a CSV file separated by semicolons or commas, at most 10 MB."
        ),
        widget=forms.FileInput(attrs={"accept": ",".join(importer.EXTENSIONS)}),
        error_messages={
            "required": gettext_lazy("Choose a file."),
            "empty": gettext_lazy("The file is empty."),
            "invalid": gettext_lazy("Choose a file."),
        },
    )

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        if PurePath(uploaded.name).suffix.lower() not in importer.EXTENSIONS:
            raise forms.ValidationError(_("Choose a CSV file (.csv) or an Excel workbook (.xlsx)."), code="extension")
        if uploaded.size > importer.MAX_FILE_SIZE:
            raise forms.ValidationError(_("The file is larger than 10 MB."), code="size")
        return uploaded


@login_required
def import_cases(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "deviations.import", community)
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.deviation_import(
            actor=request.user, community=community, uploaded_file=form.cleaned_data["file"]
        )
        if result.ok:
            messages.success(
                request,
                ngettext(
                    "%(count)s deviation was imported from %(filename)s.",
                    "%(count)s deviations were imported from %(filename)s.",
                    result.batch.row_count,
                )
                % {"count": result.batch.row_count, "filename": result.filename},
            )
            return redirect("deviations:import")
    return render(
        request,
        "deviations/import.html",
        {
            "community": community,
            "form": form,
            "result": result,
            "columns": importer.COLUMNS,
            "batches": selectors.import_batches(community),
            "max_rows": importer.MAX_ROWS,
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def import_template(request: HttpRequest) -> HttpResponse:
    community = request.helsefellesskap
    require(request.user, "deviations.import", community)
    response = HttpResponse(importer.template_workbook(community), content_type=XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="mal-samhandlingsavvik.xlsx"'
    return response
