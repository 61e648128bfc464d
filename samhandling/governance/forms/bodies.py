"""Forms for bodies, their members, recurring items, the community's settings and search."""

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin

from ..models import (
    CASE_NUMBER_FORMATS,
    Body,
    BodyKind,
    ItemKind,
    MemberRole,
    Visibility,
)
from .fields import (
    CHECKBOX_GROUP,
    DATE,
    BodyChoiceField,
    BodyMultipleChoiceField,
    PersonChoiceField,
    check_as_service,
    text_area,
)


class BodyForm(DesignsystemetMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of body"), choices=BodyKind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=200, help_text=_("For example “Faglig samarbeidsutvalg for barn og unge”.")
    )
    short_name = forms.CharField(
        label=_("Short name"), max_length=30, required=False, help_text=_("For example SSU or FSU-KT.")
    )
    topic = forms.CharField(label=_("Topic"), max_length=200, required=False)
    mandate = forms.CharField(label=_("Mandate"), required=False, widget=text_area(5), max_length=8000)
    parent = BodyChoiceField(
        label=_("Reports to"),
        queryset=Body.objects.none(),
        required=False,
        help_text=_("An FSU reports to the SSU; the SSU to the partnership meeting."),
    )
    may_forward_to = BodyMultipleChoiceField(
        label=_("May forward items to"),
        queryset=Body.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        template_name=CHECKBOX_GROUP,
    )
    meetings_per_year = forms.IntegerField(label=_("Planned meetings per year"), min_value=0, max_value=52, initial=4)
    is_active = forms.BooleanField(label=_("The body is active"), required=False, initial=True)

    def __init__(self, *args, bodies=None, editing: Body | None = None, community=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing, self.community = editing, community
        if bodies is not None:
            others = bodies.exclude(pk=editing.pk) if editing else bodies
            self.fields["parent"].queryset = others
            self.fields["may_forward_to"].queryset = others
        if editing is None:
            del self.fields["is_active"]

    def clean(self):
        from ..services.bodies import check_body

        cleaned = super().clean()
        if self.community is not None:
            body = Body(
                pk=self.editing.pk if self.editing else None,
                helsefellesskap=self.community,
                kind=cleaned.get("kind") or "",
                name=(cleaned.get("name") or "").strip(),
                parent=cleaned.get("parent"),
            )
            check_as_service(self, check_body, body, cleaned.get("may_forward_to"))
        return cleaned


class MemberForm(DesignsystemetMixin, forms.Form):
    user = PersonChoiceField(
        label=_("Person with a user account"),
        queryset=None,
        required=False,
        help_text=_("Choose the person if they have a user; otherwise fill in name and e-mail below."),
    )
    name = forms.CharField(label=_("Name of a person without a user account"), max_length=200, required=False)
    email = forms.EmailField(label=_("E-mail of a person without a user account"), required=False)
    role = forms.ChoiceField(label=_("Role in the body"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    organisation = forms.ModelChoiceField(label=_("Represents"), queryset=None, required=False)
    represents_text = forms.CharField(
        label=_("Represents (other)"),
        max_length=200,
        required=False,
        help_text=_("For example the user committee, a union or the GPs, when not an organisation in the list."),
    )
    valid_from = forms.DateField(label=_("Member from"), widget=DATE)
    valid_to = forms.DateField(label=_("Member to"), widget=DATE, required=False)

    def __init__(self, *args, users=None, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users
        self.fields["organisation"].queryset = organisations
        self.fields["user"].empty_label = _("No user account")
        self.fields["organisation"].empty_label = _("Not an organisation in the list")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not (cleaned.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", _("Choose a person with a user account, or write the name."))
        start, end = cleaned.get("valid_from"), cleaned.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end of the period must be on or after its start."))
        if not cleaned.get("organisation") and not (cleaned.get("represents_text") or "").strip():
            self.add_error("organisation", _("Say which organisation or group the member represents."))
        return cleaned


class RecurringItemForm(DesignsystemetMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300, help_text=_("For example “Status for the action plan”."))
    kind = forms.ChoiceField(label=_("Type of item"), choices=ItemKind.choices, widget=forms.RadioSelect)
    months = forms.TypedMultipleChoiceField(
        label=_("Months"),
        coerce=int,
        choices=list(MONTHS.items()),
        widget=forms.CheckboxSelectMultiple,
        template_name=CHECKBOX_GROUP,
        help_text=_("The item is proposed for meetings held in these months."),
        error_messages={"required": _("Choose at least one month.")},
    )
    description = forms.CharField(
        label=_("Summary for the agenda"), required=False, widget=text_area(3), max_length=4000
    )
    responsible_name = forms.CharField(label=_("Responsible"), max_length=200, required=False)
    visibility = forms.ChoiceField(
        label=_("Who may read it"), choices=Visibility.choices, widget=forms.RadioSelect, initial=Visibility.PUBLIC
    )


class SettingsForm(DesignsystemetMixin, forms.Form):
    case_number_format = forms.ChoiceField(
        label=_("Case numbers"),
        choices=[(fmt, example) for fmt, example in CASE_NUMBER_FORMATS],
        widget=forms.RadioSelect,
        help_text=_("How the yearly number of an item is written. The examples show item 21 in 2022."),
    )


def months_of(recurring_items, month: int) -> list[str]:
    """The recurring items proposed for a month (ticked in the meeting form)."""
    return [str(r.pk) for r in recurring_items if month in (r.months or [])]


class SearchForm(DesignsystemetMixin, forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    body = BodyChoiceField(label=_("Body"), queryset=None, required=False)
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    kind = forms.ChoiceField(label=_("Type of item"), required=False)
    person = forms.CharField(label=_("Person"), required=False, max_length=200)

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
        self.fields["body"].empty_label = _("All bodies")
        self.fields["kind"].choices = [("", _("All types")), *ItemKind.choices]

    @property
    def has_criteria(self) -> bool:
        return (
            self.is_bound and self.is_valid() and any(value not in ("", None) for value in self.cleaned_data.values())
        )
