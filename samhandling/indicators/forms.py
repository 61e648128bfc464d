"""Forms for styringsinformasjon: import a data set (upload or server folder), start a run, pick an indicator."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin

from . import services
from .models import Dataset


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class ImportForm(DesignsystemetMixin, forms.Form):
    name = forms.CharField(label=_("Name of the data set"), max_length=200)
    files = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_(
            "One file per table, named after the table: opphold, kontakter, iplos and befolkning, as .csv, .parquet "
            "or .xlsx. Choose several files at once."
        ),
    )
    folder = forms.ChoiceField(
        label=_("Or a folder on the server"),
        required=False,
        help_text=_("Large data sets are placed in the import folder on the server by the operators."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["files"].widget.attrs["accept"] = ",".join(services.UPLOAD_SUFFIXES)
        self.fields["folder"].choices = [("", _("– no folder –"))] + [(f, f) for f in services.server_folders()]

    def clean_files(self):
        files = self.cleaned_data.get("files") or []
        try:
            services.validate_uploads(files)
        except ValidationError as error:
            raise ValidationError(error.message_dict["files"]) from None
        return files

    def clean(self):
        cleaned = super().clean()
        if not self.errors and bool(cleaned.get("files")) == bool(cleaned.get("folder")):
            raise ValidationError(_("Upload the files or choose a folder on the server, not both."))
        return cleaned


class RunForm(DesignsystemetMixin, forms.Form):
    dataset = forms.ModelChoiceField(label=_("Data set"), queryset=Dataset.objects.none())
    years = forms.CharField(
        label=_("Years"),
        required=False,
        max_length=100,
        help_text=_(
            "For example 2024 2025. Leave empty to compute every whole year the data set covers; records outside "
            "those years are only used to follow up stays (readmissions)."
        ),
    )
    engine = forms.ChoiceField(label=_("Engine"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = Dataset.objects.order_by("-created_at")
        self.fields["engine"].choices = [(e, e) for e in services.available_engines()]

    def clean_years(self) -> list[int]:
        text = self.cleaned_data.get("years", "").replace(",", " ")
        years = []
        for part in text.split():
            if not part.isdigit() or not 2000 <= int(part) <= 2100:
                raise ValidationError(_("Write years as four digits separated by spaces, for example 2024 2025."))
            years.append(int(part))
        return sorted(set(years))


class DatasetPeriodForm(DesignsystemetMixin, forms.Form):
    """The whole years a data set covers: a run covers only these, records outside them are follow-up context."""

    first = forms.IntegerField(label=_("First year covered"), min_value=2000, max_value=2100)
    last = forms.IntegerField(label=_("Last year covered"), min_value=2000, max_value=2100)

    def __init__(self, *args, dataset=None, **kwargs):
        if dataset is not None:
            kwargs.setdefault("initial", {"first": dataset.period_start, "last": dataset.period_end})
        super().__init__(*args, **kwargs)


class IndicatorChoiceForm(DesignsystemetMixin, forms.Form):
    indikator = forms.ChoiceField(label=_("Indicator in detail"))

    def __init__(self, *args, indicators=(), language="nb", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indikator"].choices = [(i.id, i.name(language)) for i in indicators]


class MapChoiceForm(DesignsystemetMixin, forms.Form):
    """What a map or a funnel plot shows; sent with its own button (no change of page on input, WCAG 3.2.2)."""

    indikator = forms.ChoiceField(label=_("Indicator"))
    aar = forms.TypedChoiceField(label=_("Year"), coerce=int)
    niva = forms.ChoiceField(
        label=_("Areas"),
        required=False,
        choices=[("kommune", _("Municipalities")), ("helsefellesskap", _("Health communities"))],
    )
    fellesskap = forms.ChoiceField(label=_("Health community"), required=False)
    sentralitet = forms.TypedChoiceField(
        label=_("Centrality class"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("– every class –"))] + [(n, str(n)) for n in range(1, 7)],
        help_text=_("Compare with similar municipalities: 1 is the most central, 6 the least."),
    )

    gruppe = forms.TypedChoiceField(label=_("My comparison group"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, indicators=(), years=(), communities=(), language="nb", levels=True, groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        if groups and not levels:
            self.fields["gruppe"].choices = [("", _("– none –"))] + [(g.pk, g.name) for g in groups]
        else:
            del self.fields["gruppe"]
        self.fields["indikator"].choices = [(i.id, i.name(language)) for i in indicators]
        self.fields["aar"].choices = [(year, str(year)) for year in sorted(years, reverse=True)]
        self.fields["fellesskap"].choices = [("", _("– the whole country –"))] + [(c.code, c.name) for c in communities]
        if not levels:
            del self.fields["niva"]
        else:
            del self.fields["sentralitet"]


class ComparisonGroupForm(DesignsystemetMixin, forms.Form):
    """A comparison group: a name and the municipalities in it."""

    name = forms.CharField(label=_("Name of the group"), max_length=100)
    municipalities = forms.MultipleChoiceField(
        label=_("Municipalities"),
        help_text=_("Choose at least two. Hold Ctrl (or Cmd) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 12}),
    )

    def __init__(self, *args, municipalities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].choices = list(municipalities)


class DeviationPeriodForm(DesignsystemetMixin, forms.Form):
    """The year and half-year of the national deviation statistics; sent with its own button (WCAG 3.2.2)."""

    aar = forms.TypedChoiceField(label=_("Year"), coerce=int)
    periode = forms.ChoiceField(
        label=_("Period"),
        choices=[("year", _("Whole year")), ("1", _("1st half (January–June)")), ("2", _("2nd half (July–December)"))],
    )

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aar"].choices = [(year, str(year)) for year in sorted(years, reverse=True)]
