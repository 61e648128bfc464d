"""Forms of the action plans. Each runs the service's own check in `clean()` (governance's `check_as_service`), so
the user sees every error at once, at its field, with what was typed kept."""

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin
from samhandling.governance.forms.fields import (
    CHECKBOX_GROUP,
    DATE,
    BodyChoiceField,
    ItemChoiceField,
    PersonChoiceField,
    check_as_service,
    text_area,
)
from samhandling.governance.models import AgendaItem, Body, Meeting

from . import services
from .models import ActionPlan, Goal, Measure, MeasureStatus, PriorityGroup
from .selectors import area_choices, indicator_choices

YEAR = {"min_value": 2000, "max_value": 2100}
YEAR_ERRORS = {
    "min_value": _("Enter a year between 2000 and 2100."),
    "max_value": _("Enter a year between 2000 and 2100."),
    "invalid": _("Enter a year with four digits."),
}


class PlanForm(DesignsystemetMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("For example “Handlingsplan 2027”."))
    start_year = forms.IntegerField(label=_("First year"), error_messages=YEAR_ERRORS, **YEAR)
    end_year = forms.IntegerField(label=_("Last year"), error_messages=YEAR_ERRORS, **YEAR)
    introduction = forms.CharField(label=_("Introduction"), required=False, widget=text_area(5))
    default_themes = forms.BooleanField(
        label=_("Start with the priority groups as themes"), required=False, initial=True
    )

    def __init__(self, *args, community, editing: ActionPlan | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.community, self.editing = community, editing
        if editing is not None:
            del self.fields["default_themes"]

    def clean(self):
        data = super().clean()
        if all(data.get(name) is not None for name in ("start_year", "end_year")):
            plan = ActionPlan(
                pk=self.editing.pk if self.editing else None,
                helsefellesskap=self.community,
                title=data.get("title") or "-",
                start_year=data["start_year"],
                end_year=data["end_year"],
            )
            check_as_service(self, services._check_period, plan)
        return data


class ThemeForm(DesignsystemetMixin, forms.Form):
    priority_group = forms.ChoiceField(label=_("Priority group"), choices=PriorityGroup.choices, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=text_area(4))


class GoalForm(DesignsystemetMixin, forms.Form):
    title = forms.CharField(label=_("Goal"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=text_area(3))
    indicator = forms.ChoiceField(
        label=_("Measured by indicator"),
        required=False,
        help_text=_("The plan then shows the latest published value and whether the goal is on track."),
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"),
        required=False,
        widget=forms.CheckboxSelectMultiple(),
        template_name=CHECKBOX_GROUP,
        help_text=_("Where the goal applies."),
    )
    baseline_year = forms.IntegerField(label=_("Baseline year"), required=False, error_messages=YEAR_ERRORS, **YEAR)
    target_value = forms.FloatField(
        label=_("Target value"),
        required=False,
        localize=True,  # a decimal comma, as Norwegians write it
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        error_messages={"invalid": _("Enter a number, for example 12,5.")},
    )

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["indicator"].choices = [("", _("No indicator")), *indicator_choices(get_language() or "nb")]
        self.fields["areas"].choices = area_choices(community)

    def clean(self):
        data = super().clean()
        goal = Goal(
            title=data.get("title") or "-",
            indicator=data.get("indicator") or "",
            areas=list(data.get("areas") or []),
            baseline_year=data.get("baseline_year"),
            target_value=data.get("target_value"),
        )
        check_as_service(self, services._check_goal, goal, self.community)
        return data


class MeasureForm(DesignsystemetMixin, forms.Form):
    title = forms.CharField(label=_("Measure"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False, widget=text_area(4))
    target_group = forms.CharField(label=_("Target group"), max_length=300, required=False)
    responsible_body = BodyChoiceField(label=_("Responsible body"), queryset=Body.objects.none(), required=False)
    owner = PersonChoiceField(label=_("Owner (user)"), queryset=None, required=False)
    owner_name = forms.CharField(
        label=_("Owner (name)"),
        max_length=200,
        required=False,
        help_text=_("Only when the owner has no user account."),
    )
    start_date = forms.DateField(label=_("Start"), required=False, widget=DATE)
    due_date = forms.DateField(label=_("Due"), required=False, widget=DATE)
    agenda_items = forms.ModelMultipleChoiceField(
        label=_("Agenda items that decided or followed up the measure"),
        queryset=AgendaItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        template_name=CHECKBOX_GROUP,
    )

    def __init__(self, *args, community, people, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.community = community
        self.fields["responsible_body"].queryset = Body.objects.filter(helsefellesskap=community, is_active=True)
        self.fields["owner"].queryset = people
        self.fields["agenda_items"].queryset = items
        self.fields["agenda_items"].label_from_instance = ItemChoiceField.label_from_instance.__get__(
            self.fields["agenda_items"]
        )

    def clean(self):
        data = super().clean()
        measure = Measure(
            title=data.get("title") or "-",
            owner=data.get("owner"),
            owner_name=data.get("owner_name") or "",
            responsible_body=data.get("responsible_body"),
            start_date=data.get("start_date"),
            due_date=data.get("due_date"),
        )
        check_as_service(self, services._check_measure, measure, self.community, data.get("agenda_items"))
        return data


class StatusForm(DesignsystemetMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), widget=forms.RadioSelect)
    text = forms.CharField(
        label=_("Result and status"),
        required=False,
        max_length=4000,
        widget=text_area(5),
        help_text=_("A few sentences for the status report: what has been done, what remains, what is needed."),
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(MeasureStatus.choices)
        self.fields["status"].choices = [(value, labels[value]) for value in MeasureStatus.values if value in choices]

    def clean(self):
        data = super().clean()
        if data.get("status") in (MeasureStatus.DELAYED, MeasureStatus.CLOSED) and not data.get("text"):
            self.add_error("text", _("Say briefly why."))
        return data


class ApproveForm(DesignsystemetMixin, forms.Form):
    item = ItemChoiceField(
        label=_("Agenda item where the plan was approved"),
        queryset=AgendaItem.objects.none(),
        error_messages={"required": _("Choose the agenda item where the plan was approved.")},
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items


class MeetingChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Meeting) -> str:
        return str(obj)


class AgendaForm(DesignsystemetMixin, forms.Form):
    meeting = MeetingChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.none(),
        error_messages={"required": _("Choose the meeting the report goes to.")},
    )
    fmt = forms.ChoiceField(label=_("Attach as"), choices=[("pdf", "PDF"), ("docx", "Word (DOCX)")], initial="pdf")

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
