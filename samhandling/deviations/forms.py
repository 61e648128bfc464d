"""Forms for reporting and handling deviations. Not ModelForms: services own every write."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from samhandling.core import clauses as agreement_clauses
from samhandling.core.forms import DesignsystemetMixin
from samhandling.core.identity import validate_national_id
from samhandling.core.models import Organisation, OrganisationType, User

from .models import Category, EventType, PhysicalHarm, PsychologicalHarm, Status, YesNoUnknown
from .selectors import INBOX_ORDERS


class OrganisationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Organisation) -> str:
        return f"{obj.parent.name} › {obj.name}" if obj.parent_id else obj.name


def grouped_by_organisation(field: OrganisationChoiceField, queryset) -> list:
    """The choices of an organisation field as one group (optgroup) per top organisation, in the queryset's order."""
    groups: dict[str, list[tuple[int, str]]] = {}
    for organisation in queryset.select_related("root", "parent"):
        top = organisation.root or organisation
        groups.setdefault(top.name, []).append((organisation.pk, field.label_from_instance(organisation)))
    return [("", field.empty_label), *groups.items()]


class ReportForm(DesignsystemetMixin, forms.Form):
    national_id_fields = ("patient_id",)  # the one field where the number belongs (stored encrypted)

    reporter_unit = OrganisationChoiceField(
        label=_("Where you work"), queryset=Organisation.objects.none(), help_text=_("Your own unit.")
    )
    receiver = OrganisationChoiceField(
        label=_("Organisation or unit it concerns"),
        queryset=Organisation.objects.none(),
        help_text=_("Choose the unit if you know it; otherwise the organisation."),
    )
    occurred_on = forms.DateField(
        label=_("Date of the event"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    occurred_time = forms.TimeField(
        label=_("Time (if known)"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    description = forms.CharField(
        label=_("What happened"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Describe the event and the hand-over. Do not write the patient's name or number here."),
        max_length=8000,
    )
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    clause = forms.TypedChoiceField(
        label=_("Agreement clause breached"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("The clauses of the health community's agreements in force. Leave it if none fits."),
    )
    agreement_clause = forms.CharField(
        label=_("Agreement clause breached"),
        required=False,
        max_length=200,
        help_text=_("For example “Tjenesteavtale 5, punkt 4.2”."),
    )
    immediate_action = forms.CharField(
        label=_("Immediate action taken"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    event_type = forms.ChoiceField(label=_("Type of event"), choices=EventType.choices, widget=forms.RadioSelect)
    harm_physical = forms.ChoiceField(label=_("Physical harm"), choices=PhysicalHarm.choices, widget=forms.RadioSelect)
    harm_psychological = forms.ChoiceField(
        label=_("Psychological harm"), choices=PsychologicalHarm.choices, widget=forms.RadioSelect
    )
    patient_involved = forms.ChoiceField(
        label=_("Is a patient involved?"), choices=YesNoUnknown.choices, widget=forms.RadioSelect
    )
    patient_id = forms.CharField(
        label=_("Patient's fødselsnummer or D-nummer"),
        required=False,
        max_length=14,
        help_text=_(
            "Only when the receiver needs it to look up the patient's record. Stored encrypted and shown only to the "
            "handlers."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    patient_name = forms.CharField(
        label=_("Patient's name"), required=False, max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    reporter_hidden = forms.BooleanField(label=_("Hide my name from the other organisation"), required=False)
    reporter_hidden_reason = forms.CharField(
        label=_("Why your name should be hidden"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Your organisation is always shown."),
        max_length=1000,
    )

    def __init__(self, *args, units=None, receivers=None, categories=None, has_patient=False, clauses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._offer_clauses(list(clauses))
        if units is not None:
            self.fields["reporter_unit"].queryset = units
        if receivers is not None:
            receiver = self.fields["receiver"]
            receiver.queryset = receivers
            receiver.choices = grouped_by_organisation(receiver, receivers)
            # receiver-filter.js adds a search box above the list, labelled with these (no inline script under CSP)
            receiver.widget.attrs.update(
                {
                    "data-filter-label": _("Search the list by name"),
                    "data-filter-count": _("%s organisations and units match"),
                }
            )
        if categories is not None:
            self.fields["category"].queryset = categories
        if has_patient:
            self.fields["patient_id"].help_text = _(
                "A patient identity is stored. Leave empty to keep it, or type a new one to replace it."
            )
            self.fields["remove_patient"] = forms.BooleanField(
                label=_("Remove the stored patient identity"), required=False
            )

    def _offer_clauses(self, clauses: list) -> None:
        """The clauses of the agreements in force, one group per agreement, with the free text kept for a clause
        that is not in the list; a community without agreements in force keeps the free text alone."""
        if not clauses:
            del self.fields["clause"]
            return
        self.fields["clause"].choices = [
            ("", _("Not in the list / other")),
            *agreement_clauses.grouped_choices(clauses),
        ]
        other = self.fields["agreement_clause"]
        other.label = _("Other agreement or clause (if it is not in the list)")
        other.help_text = _("For example “Tjenesteavtale 5, punkt 4.2”.")

    def clean_patient_id(self) -> str:
        value = self.cleaned_data.get("patient_id", "").strip()
        return validate_national_id(value) if value else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("patient_involved") == YesNoUnknown.NO and (
            cleaned.get("patient_id") or cleaned.get("patient_name")
        ):
            self.add_error("patient_involved", _("You have given a patient's identity; choose “Yes”."))
        if cleaned.get("reporter_hidden") and not cleaned.get("reporter_hidden_reason", "").strip():
            self.add_error("reporter_hidden_reason", _("Give a reason for hiding your name."))
        # The service checks these too; here they come with the other field errors, in one round.
        if cleaned.get("occurred_on") and cleaned["occurred_on"] > timezone.localdate():
            self.add_error("occurred_on", _("The date cannot be in the future."))
        unit, receiver = cleaned.get("reporter_unit"), cleaned.get("receiver")
        if unit and receiver and (receiver.root_id or receiver.pk) == (unit.root_id or unit.pk):
            self.add_error("receiver", _("A samhandlingsavvik concerns another organisation than your own."))
        return cleaned


class TextForm(DesignsystemetMixin, forms.Form):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label


class AcknowledgeForm(DesignsystemetMixin, forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, handlers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if handlers is not None:
            self.fields["handler"].queryset = handlers
        self.fields["handler"].empty_label = _("Me")


class RedirectForm(DesignsystemetMixin, forms.Form):
    receiver = OrganisationChoiceField(label=_("Send on to"), queryset=Organisation.objects.none())
    text = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args, receivers=None, **kwargs):
        super().__init__(*args, **kwargs)
        if receivers is not None:
            self.fields["receiver"].queryset = receivers


class ClassifyForm(DesignsystemetMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Conclusion"),
        choices=[("not_deviation", _("Not a samhandlingsavvik")), ("duplicate", _("Duplicate"))],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class MeasureForm(DesignsystemetMixin, forms.Form):
    description = forms.CharField(label=_("Measure"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    responsible = forms.CharField(label=_("Responsible"), required=False, max_length=200)
    due = forms.DateField(
        label=_("Due"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def clean_due(self):
        due = self.cleaned_data.get("due")
        if due and due < timezone.localdate():
            raise ValidationError(_("The deadline of a measure cannot be in the past."))
        return due


class SettingsForm(DesignsystemetMixin, forms.Form):
    leader_completion_required = forms.BooleanField(
        label=_("The reporter's leader completes the report before it is sent"), required=False
    )
    acknowledge_days = forms.IntegerField(
        label=_("Deadline for acknowledgement (working days)"), min_value=1, max_value=60
    )
    answer_days = forms.IntegerField(label=_("Deadline for the answer (working days)"), min_value=1, max_value=250)

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("acknowledge_days") or 0) > (cleaned.get("answer_days") or 10**6):
            raise ValidationError({"answer_days": _("The answer deadline cannot be shorter than the acknowledgement.")})
        return cleaned


class PeriodForm(DesignsystemetMixin, forms.Form):
    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    # Shown at once; the rest fold under "More filters" (on a phone all eight filled the first screen).
    MAIN = ("status", "q", "category")

    @property
    def main_fields(self) -> list:
        return [self[name] for name in self.MAIN]

    @property
    def more_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.MAIN]

    @property
    def more_in_use(self) -> bool:
        """Open the folded filters when one of them is set or has an error, so nothing chosen is hidden."""
        names = [name for name in self.fields if name not in self.MAIN]
        return any(self.data.get(self.add_prefix(name)) for name in names) or any(n in self.errors for n in names)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The to date must be on or after the from date."))
        return cleaned


class CategoryForm(DesignsystemetMixin, forms.Form):
    code = forms.RegexField(
        label=_("Code"),
        regex=r"^[A-Za-zÆØÅæøå0-9]{2,12}$",
        max_length=12,
        help_text=_("2–12 letters or digits, e.g. EPI."),
        error_messages={"invalid": _("Use 2–12 letters or digits.")},
    )
    name_nb = forms.CharField(label=_("Name in bokmål"), max_length=200)
    name_nn = forms.CharField(label=_("Name in nynorsk"), max_length=200)


class InboxFilterForm(DesignsystemetMixin, forms.Form):
    """The inbox's filters and sort order; a value that is not offered is ignored at its field."""

    status = forms.ChoiceField(label=_("Status"), required=False)
    q = forms.CharField(label=_("Reference number"), required=False, max_length=40)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False, empty_label=_("All")
    )
    clause = forms.TypedChoiceField(label=_("Agreement clause"), required=False, coerce=int, empty_value=None)
    direction = forms.ChoiceField(label=_("Kind of sender"), required=False)
    start = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("Received to"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    order = forms.ChoiceField(label=_("Sort by"), required=False, choices=INBOX_ORDERS)
    overdue = forms.BooleanField(label=_("Only overdue"), required=False)

    def __init__(self, *args, categories=None, clauses=(), **kwargs):
        super().__init__(*args, **kwargs)
        clauses = list(clauses)
        if clauses:  # the agreement page links here with ?clause=<id>
            self.fields["clause"].choices = [("", _("All")), *agreement_clauses.grouped_choices(clauses)]
        else:
            del self.fields["clause"]
        never_in_inbox = {Status.DRAFT, Status.AWAITING_LEADER}
        self.fields["status"].choices = [
            ("open", _("Open")),
            ("", _("All")),
            *[(value, label) for value, label in Status.choices if value not in never_in_inbox],
        ]
        self.fields["direction"].choices = [("", _("All")), *OrganisationType.choices]
        if categories is not None:
            self.fields["category"].queryset = categories

    # Shown at once; the rest fold under "More filters" (on a phone all eight filled the first screen).
    MAIN = ("status", "q", "category")

    @property
    def main_fields(self) -> list:
        return [self[name] for name in self.MAIN]

    @property
    def more_fields(self) -> list:
        return [self[name] for name in self.fields if name not in self.MAIN]

    @property
    def more_in_use(self) -> bool:
        """Open the folded filters when one of them is set or has an error, so nothing chosen is hidden."""
        names = [name for name in self.fields if name not in self.MAIN]
        return any(self.data.get(self.add_prefix(name)) for name in names) or any(n in self.errors for n in names)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] < cleaned["start"]:
            self.add_error("end", _("The to date must be on or after the from date."))
        return cleaned
