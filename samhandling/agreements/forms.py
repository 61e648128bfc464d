"""Forms of the cooperation agreements; the version text is checked by the service's own parser in `clean()`, so
every error shows at once, at its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin
from samhandling.governance.forms.fields import CHECKBOX_GROUP, DATE, BodyChoiceField, check_as_service, text_area

from .models import AgreementKind
from .services import parse_clauses


class AgreementForm(DesignsystemetMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=AgreementKind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    parties = forms.ModelMultipleChoiceField(
        label=_("Parties"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        template_name=CHECKBOX_GROUP,
        error_messages={"required": _("Choose the parties to the agreement.")},
    )
    review_date = forms.DateField(label=_("Next review"), required=False, widget=DATE)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = parties


class VersionForm(DesignsystemetMixin, forms.Form):
    text = forms.CharField(
        label=_("The agreement text"),
        max_length=200_000,
        widget=text_area(24),
        help_text=_(
            "One clause after the other: a line “3 Heading” or “3.1 Heading” starts a clause; a line “§ 6-2: 2, 5” "
            "under it names the points of the law the clause covers."
        ),
    )
    reason = forms.CharField(label=_("What changed and why"), required=False, widget=text_area(3))

    def clean(self):
        data = super().clean()
        if data.get("text"):
            check_as_service(self, parse_clauses, data["text"])
        return data


class AdoptForm(DesignsystemetMixin, forms.Form):
    valid_from = forms.DateField(
        label=_("Applies from"),
        widget=DATE,
        error_messages={"required": _("Give the date from which the version applies.")},
    )


class ApprovalForm(DesignsystemetMixin, forms.Form):
    party = forms.ModelChoiceField(label=_("Party"), queryset=None)
    approved_by = forms.CharField(label=_("Approved by"), max_length=200, help_text=_("For example Kommunestyret."))
    approved_on = forms.DateField(label=_("Date"), widget=DATE)
    signed_copy = forms.FileField(label=_("Signed copy (PDF)"), required=False)

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["party"].queryset = parties


class RevisionForm(DesignsystemetMixin, forms.Form):
    body = BodyChoiceField(
        label=_("Body that takes the revision case"),
        queryset=None,
        error_messages={"required": _("Choose the body that takes the revision case.")},
    )

    def __init__(self, *args, bodies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].queryset = bodies
