"""Forms for framskrivning: compute the built-in population, import an SSB file, build a scenario with its change
factors, and enter today's capacity. Every message is at its field; nothing typed is lost on an error."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin
from samhandling.core.models import Helsefellesskap

from .engine.need import SERVICES
from .engine.population import DEFAULT_SHRINKAGE
from .engine.scenario import TARGET, YEARLY
from .models import CapacityKind, PopulationSource, Scenario, WorkStatus

FIRST_YEAR, LAST_YEAR = 2000, 2100


class PopulationComputeForm(DesignsystemetMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, initial=_("Built-in projection"))
    base_first = forms.IntegerField(label=_("First base year"), min_value=2024, max_value=2026, initial=2024)
    base_last = forms.IntegerField(label=_("Last base year"), min_value=2024, max_value=2026, initial=2026)
    to_year = forms.IntegerField(label=_("Project to"), min_value=2025, max_value=2060, initial=2050)
    shrinkage = forms.FloatField(
        label=_("Weight of the community's ratios (persons)"),
        min_value=0,
        max_value=100000,
        initial=DEFAULT_SHRINKAGE,
        help_text=_("0 gives plain Hamilton–Perry. Larger values lean small municipalities more on their community."),
    )

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("base_first"), cleaned.get("base_last")
        if first is not None and last is not None and last <= first:
            self.add_error("base_last", _("The last base year must come after the first."))
        to_year = cleaned.get("to_year")
        if last is not None and to_year is not None and to_year <= last:
            self.add_error("to_year", _("Project to a year after the last base year."))
        return cleaned


class PopulationImportForm(DesignsystemetMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200, initial=_("SSB population projection"))
    alternative = forms.CharField(
        label=_("Alternative"),
        max_length=12,
        required=False,
        help_text=_("For example MMMM (the main alternative), LLML or HHMH. Needed when the file has several."),
    )
    upload = forms.FileField(
        label=_("File from SSB"),
        help_text=_("Table 14288 or its successor from the Statistikkbank or PxWebApi v2, as JSON-stat 2.0 or CSV."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].widget.attrs["accept"] = ".json,.csv"

    def clean_alternative(self):
        value = self.cleaned_data["alternative"].strip().upper()
        if value and not value.isalnum():
            raise ValidationError(_("Write the alternative's code, for example MMMM."))
        return value


class ScenarioForm(DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = Scenario
        fields = [
            "name",
            "description",
            "helsefellesskap",
            "population",
            "dataset",
            "base_first",
            "base_last",
            "to_year",
            "occupancy",
            "room_days",
            "room_hours",
            "contact_minutes",
            "fte_per_user",
            "draws",
            "seed",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["population"].queryset = PopulationSource.objects.filter(status=WorkStatus.DONE)
        self.fields["helsefellesskap"].queryset = Helsefellesskap.objects.order_by("name")
        self.fields["base_first"].min_value = FIRST_YEAR
        for name in ("base_first", "base_last", "to_year"):
            self.fields[name].widget.attrs.update({"min": FIRST_YEAR, "max": LAST_YEAR})
        self.fields["occupancy"].widget.attrs.update({"min": 1, "max": 100, "step": "any"})
        self.fields["draws"].widget.attrs.update({"min": 1, "max": 20000})

    def clean_occupancy(self):
        value = self.cleaned_data["occupancy"]
        if not 0 < value <= 100:
            raise ValidationError(_("The occupancy is a percentage above 0 and at most 100."))
        return value

    def clean_draws(self):
        value = self.cleaned_data["draws"]
        if not 1 <= value <= 20000:
            raise ValidationError(_("Choose between 1 and 20,000 draws."))
        return value

    def clean(self):
        cleaned = super().clean()
        for name in ("room_days", "room_hours", "contact_minutes"):
            if cleaned.get(name) is not None and cleaned[name] <= 0:
                self.add_error(name, _("Must be more than zero."))
        if cleaned.get("fte_per_user") is not None and cleaned["fte_per_user"] < 0:
            self.add_error("fte_per_user", _("Cannot be negative."))
        if cleaned.get("room_days") is not None and cleaned["room_days"] > 366:
            self.add_error("room_days", _("A year has at most 366 days."))
        if cleaned.get("room_hours") is not None and cleaned["room_hours"] > 24:
            self.add_error("room_hours", _("A day has at most 24 hours."))
        return cleaned


CATEGORIES = (
    ("epidemiology", _("Epidemiology")),
    ("shift", _("Shift from inpatient to day or outpatient care")),
    ("digital", _("Video and telephone share")),
    ("task_transfer", _("Task transfer between hospital and municipality")),
    ("overliggerdogn", _("Target for bed-days after ready for discharge")),
    ("other", _("Other")),
)


class FactorForm(DesignsystemetMixin, forms.Form):
    service = forms.ChoiceField(label=_("Service"), required=False)
    category = forms.ChoiceField(label=_("Change factor"), choices=CATEGORIES, required=False)
    kind = forms.ChoiceField(
        label=_("As"),
        choices=((YEARLY, _("Yearly change (%)")), (TARGET, _("Change by the target year (%)"))),
        required=False,
    )
    value = forms.FloatField(label=_("Change (%)"), required=False, min_value=-99.9, max_value=1000)
    low = forms.FloatField(label=_("Low (%)"), required=False, min_value=-99.9, max_value=1000)
    high = forms.FloatField(label=_("High (%)"), required=False, min_value=-99.9, max_value=1000)
    target_year = forms.IntegerField(label=_("Target year"), required=False, min_value=FIRST_YEAR, max_value=LAST_YEAR)
    to_service = forms.ChoiceField(
        label=_("Shift to service"),
        required=False,
        help_text=_(
            "For a shift: the service that takes the activity over. The change is then the share moved (0–100 %)."
        ),
    )
    ratio = forms.FloatField(
        label=_("Units received per unit moved"),
        required=False,
        min_value=0,
        max_value=1000,
        help_text=_("For example 1 when one bed-day becomes one day stay."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils.translation import get_language

        language = get_language() or "nb"
        services = [(s.id, s.name(language)) for s in SERVICES]
        self.fields["service"].choices = [("", _("– none –")), *services]
        self.fields["to_service"].choices = [("", _("– no shift –")), *services]
        self.fields["ratio"].widget.attrs.update({"step": "any"})

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("service"):
            return cleaned
        value = cleaned.get("value")
        if value is None:
            self.add_error("value", _("Write the change in percent."))
            return cleaned
        low = cleaned.get("low") if cleaned.get("low") is not None else value
        high = cleaned.get("high") if cleaned.get("high") is not None else value
        if not low <= value <= high:
            self.add_error("low", _("The range must go from low to high around the change."))
        if cleaned.get("kind") == TARGET and cleaned.get("target_year") is None:
            self.add_error("target_year", _("A change by a target year needs the target year."))
        if not cleaned.get("kind"):
            self.add_error("kind", _("Choose how the change is given."))
        if cleaned.get("to_service"):
            self._clean_shift(cleaned, value, low, high)
        return cleaned

    def _clean_shift(self, cleaned: dict, value: float, low: float, high: float) -> None:
        if cleaned["to_service"] == cleaned["service"]:
            self.add_error("to_service", _("Choose another service than the one the activity moves from."))
        ratio = cleaned.get("ratio")
        if "ratio" not in self.errors and (ratio is None or ratio <= 0):
            self.add_error("ratio", _("Write how many units the receiving service gets per unit moved (above 0)."))
        if not 0 <= value <= 100:
            self.add_error("value", _("A shift moves a share of the activity between 0 and 100 %."))
        elif "low" not in self.errors and not (low >= 0 and high <= 100):
            self.add_error("low", _("The range of a shift lies between 0 and 100 %."))

    def factor(self) -> dict | None:
        data = self.cleaned_data
        if not data.get("service"):
            return None
        factor = {
            "service": data["service"],
            "category": data.get("category") or "other",
            "kind": data["kind"],
            "value": data["value"],
            "low": data.get("low"),
            "high": data.get("high"),
            "target_year": data.get("target_year") if data["kind"] == TARGET else None,
        }
        if data.get("to_service"):
            factor.update(to_service=data["to_service"], ratio=data["ratio"])
        return factor


FactorFormSet = forms.formset_factory(FactorForm, extra=3, max_num=40, validate_max=True)


class CapacityForm(DesignsystemetMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=CapacityKind.choices)
    value = forms.FloatField(label=_("Today's capacity"), min_value=0, max_value=10_000_000)


class AgendaForm(DesignsystemetMixin, forms.Form):
    body = forms.ModelChoiceField(label=_("Body"), queryset=None, empty_label=_("– choose –"))
    meeting = forms.ModelChoiceField(
        label=_("Meeting"),
        queryset=None,
        required=False,
        empty_label=_("None yet: the body's queue of items"),
        help_text=_("An upcoming meeting of the body; without one the item waits in the body's queue."),
    )

    def __init__(self, *args, bodies=None, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["body"].label_from_instance = lambda body: f"{body.name} ({body.helsefellesskap.name})"
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda meeting: (
            f"{meeting.body.name}: {formats.date_format(meeting.date, 'SHORT_DATE_FORMAT')}"
            + (f" – {meeting.title}" if meeting.title else "")
        )

    def clean(self):
        cleaned = super().clean()
        body, meeting = cleaned.get("body"), cleaned.get("meeting")
        if body is not None and meeting is not None and meeting.body_id != body.pk:
            self.add_error("meeting", _("Choose a meeting of the chosen body, or none for the queue."))
        return cleaned
