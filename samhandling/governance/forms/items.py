"""Forms for agenda items (case papers, responsible people, legal ground for exemption), attachments and forwarding."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin

from ..models import (
    ExemptionBasis,
    ItemKind,
    Visibility,
)
from .fields import (
    CHECKBOX_GROUP,
    BodyChoiceField,
    ItemChoiceField,
    PeopleChoiceField,
    PersonChoiceField,
    check_as_service,
    text_area,
)


class ItemForm(DesignsystemetMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    kind = forms.ChoiceField(label=_("Type of item"), choices=ItemKind.choices, widget=forms.RadioSelect)
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        initial=Visibility.PUBLIC,
        help_text=_("Internal and confidential items and their papers never appear in the public archive."),
    )
    exemption_basis = forms.ChoiceField(
        label=_("Legal ground for exemption"),
        choices=ExemptionBasis.choices,
        required=False,
        help_text=_("For confidential items: printed on the notice and minutes, and shown in the public archive."),
    )
    description = forms.CharField(
        label=_("Summary for the agenda"),
        required=False,
        widget=text_area(3),
        max_length=4000,
        help_text=_("A few sentences shown under the title in the notice."),
    )
    responsible_users = PeopleChoiceField(
        label=_("Responsible people with a user account"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"filterable": "1"}),
        template_name=CHECKBOX_GROUP,
        help_text=_("Who presents the item. Tick one or more; type in the filter to find a name."),
    )
    responsible_others = forms.CharField(
        label=_("Other responsible people"),
        required=False,
        widget=text_area(2),
        max_length=2000,
        help_text=_("One person a line: name, then a comma and the organisation. For example “Kari Hansen, SiV”."),
    )
    case_officer = PersonChoiceField(label=_("Case officer"), queryset=None, required=False)
    case_officer_name = forms.CharField(label=_("Case officer without a user account"), max_length=200, required=False)
    background = forms.CharField(label=_("Background"), required=False, widget=text_area(6), max_length=20000)
    assessment = forms.CharField(label=_("Assessment"), required=False, widget=text_area(6), max_length=20000)
    proposed_decision = forms.CharField(
        label=_("Proposed decision"), required=False, widget=text_area(3), max_length=4000
    )
    proposed_conclusion = forms.CharField(
        label=_("Proposed conclusion"),
        required=False,
        widget=text_area(3),
        max_length=4000,
        help_text=_("For information and discussion items: what the body is asked to conclude."),
    )
    follows_up = ItemChoiceField(
        label=_("Follow-up of item"),
        queryset=None,
        required=False,
        help_text=_("An earlier item, in this or another body, that this item follows up."),
    )

    def __init__(self, *args, users=None, earlier_items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_users"].queryset = users
        self.fields["case_officer"].queryset = users
        self.fields["case_officer"].empty_label = _("Not chosen")
        self.fields["follows_up"].queryset = earlier_items
        self.fields["follows_up"].empty_label = _("None")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("exemption_basis") and cleaned.get("visibility") == Visibility.PUBLIC:
            self.add_error("exemption_basis", _("A public item has no ground for exemption: choose who may read it."))
        return cleaned

    def clean_responsible_others(self) -> list[dict]:
        rows = []
        for number, line in enumerate(self.cleaned_data.get("responsible_others", "").splitlines(), start=1):
            if not line.strip():
                continue
            name, _comma, organisation = line.partition(",")
            if not name.strip():
                raise forms.ValidationError(
                    _("Line %(number)s has no name before the comma."), params={"number": number}
                )
            rows.append({"user": None, "name": name.strip()[:200], "organisation_name": organisation.strip()[:200]})
        return rows

    def responsibles(self) -> list[dict]:
        users = [{"user": user, "name": "", "organisation_name": ""} for user in self.cleaned_data["responsible_users"]]
        return users + self.cleaned_data["responsible_others"]

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("responsible_users")
        data.pop("responsible_others")
        data["responsibles"] = self.responsibles()
        return data


def item_initial(item) -> dict:
    """The item's current values for the edit form, responsibles split into users and other people."""
    fields = [
        "title",
        "kind",
        "visibility",
        "exemption_basis",
        "description",
        "background",
        "assessment",
        "proposed_decision",
        "proposed_conclusion",
        "case_officer",
        "case_officer_name",
        "follows_up",
    ]
    initial = {name: getattr(item, name) for name in fields}
    responsibles = list(item.responsibles.all())
    initial["responsible_users"] = [r.user for r in responsibles if r.user_id]
    initial["responsible_others"] = "\n".join(
        f"{r.name}, {r.organisation_name}" if r.organisation_name else r.name for r in responsibles if not r.user_id
    )
    return initial


class AttachmentForm(DesignsystemetMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, Word (DOCX), Excel (XLSX), PNG or JPEG, at most %(size)s MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.png,.jpg,.jpeg"}),
    )
    title = forms.CharField(
        label=_("Title"), max_length=300, required=False, help_text=_("Leave empty to use the file name.")
    )
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_("Never more public than the item."),
    )

    def __init__(self, *args, max_bytes: int, **kwargs):
        super().__init__(*args, **kwargs)
        megabytes = max_bytes // (1024 * 1024)
        self.fields["file"].help_text = self.fields["file"].help_text % {"size": megabytes}

    def clean(self):
        from ..services.attachments import check_attachment

        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload is not None:
            # The service checks the file again when it stores it; checked here too, a disguised or swollen file
            # is named together with the form's other errors instead of after they are fixed.
            content = upload.read()
            upload.seek(0)
            check_as_service(self, check_attachment, upload.name, content)
        return cleaned


class AttachmentEditForm(DesignsystemetMixin, forms.Form):
    """An attachment's title and who may read it; the choices stop at the item's own visibility."""

    title = forms.CharField(label=_("Title"), max_length=300)
    visibility = forms.ChoiceField(
        label=_("Who may read it"),
        choices=Visibility.choices,
        widget=forms.RadioSelect,
        help_text=_("Never more public than the item."),
    )

    def __init__(self, *args, item_visibility: str, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = Visibility.values[Visibility.values.index(item_visibility) :]
        self.fields["visibility"].choices = [choice for choice in Visibility.choices if choice[0] in allowed]


class ForwardForm(DesignsystemetMixin, forms.Form):
    to_body = BodyChoiceField(label=_("Forward to"), queryset=None)
    note = forms.CharField(label=_("Note to the receiving body"), required=False, widget=text_area(3), max_length=4000)

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_body"].queryset = bodies
