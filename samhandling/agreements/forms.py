"""Forms of the cooperation agreements; the version text is checked by the service's own parser in `clean()`, so
every error shows at once, at its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin
from samhandling.governance.forms.fields import (
    CHECKBOX_GROUP,
    DATE,
    BodyChoiceField,
    BodyMultipleChoiceField,
    check_as_service,
    text_area,
)
from samhandling.governance.models import Meeting
from samhandling.plans.forms import MeetingChoiceField

from .models import AgreementKind
from .services import check_consultation, parse_clauses


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


# --- Høringssvar ---------------------------------------------------------------------------------------------------

DEFAULT_QUESTIONS = _(
    "Do you agree with the proposal?\nWhat consequences will the proposal have for your services?\n"
    "Other input and feedback?"
)


class ConsultationForm(DesignsystemetMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    external_body = forms.CharField(
        label=_("Consulting body"), max_length=200, help_text=_("For example Helse- og omsorgsdepartementet.")
    )
    document = forms.FileField(label=_("The document consulted on (PDF or DOCX)"), required=False)
    document_url = forms.URLField(
        label=_("Or a link to the document"), max_length=500, required=False, assume_scheme="https"
    )
    external_deadline = forms.DateField(label=_("Deadline of the consultation"), widget=DATE)
    internal_deadline = forms.DateField(
        label=_("Deadline for input"),
        widget=DATE,
        help_text=_("The invited members can give and change their input until this day."),
    )
    questions = forms.CharField(
        label=_("Questions"),
        max_length=20_000,
        widget=text_area(6),
        help_text=_("One question a line."),
    )
    invited_bodies = BodyMultipleChoiceField(
        label=_("Invited bodies"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        template_name=CHECKBOX_GROUP,
        help_text=_("Their current members are invited."),
    )
    invited_organisations = forms.ModelMultipleChoiceField(
        label=_("Invited organisations"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        template_name=CHECKBOX_GROUP,
        help_text=_("Everyone with a role in the organisation or one of its units is invited."),
    )

    def __init__(self, *args, bodies, organisations, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invited_bodies"].queryset = bodies
        self.fields["invited_organisations"].queryset = organisations
        self.editing = editing
        if editing is not None:  # the questions and the uploaded document stay as they are
            del self.fields["questions"], self.fields["document"]
        elif not self.is_bound:
            self.initial.setdefault("questions", str(DEFAULT_QUESTIONS))

    def clean(self):
        data = super().clean()
        if not self.errors and self.editing is None:
            check_as_service(
                self,
                lambda: check_consultation(
                    title=data["title"],
                    external_body=data["external_body"],
                    external_deadline=data["external_deadline"],
                    internal_deadline=data["internal_deadline"],
                    questions=data["questions"],
                    document=data.get("document"),
                    url=data.get("document_url", ""),
                ),
            )
            if not data.get("invited_bodies") and not data.get("invited_organisations"):
                self.add_error("invited_bodies", _("Invite at least one body or organisation."))
        return data


class QuestionsForm(DesignsystemetMixin, forms.Form):
    """A text per question (the member's input, or the secretariat's joint response); field "q<question id>"."""

    def __init__(self, *args, questions, label: str, **kwargs):
        # The fields exist before the mixin's __init__, so they get its classes and its fødselsnummer check.
        self.base_fields = {
            f"q{question.pk}": forms.CharField(
                label=f"{number}. {question.text}",
                required=False,
                max_length=20_000,
                widget=text_area(5),
                help_text=label,
            )
            for number, question in enumerate(questions, start=1)
        }
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not any(self.add_prefix(name) in self.data for name in self.fields):
            raise forms.ValidationError(_("Write your text in the fields under each question."))
        return data

    def texts(self) -> dict[int, str]:
        return {int(name[1:]): value for name, value in self.cleaned_data.items()}


class ConsultationAgendaForm(DesignsystemetMixin, forms.Form):
    meeting = MeetingChoiceField(
        label=_("Meeting"),
        queryset=Meeting.objects.none(),
        error_messages={"required": _("Choose the meeting the response goes to.")},
    )
    fmt = forms.ChoiceField(label=_("Attach as"), choices=[("pdf", "PDF"), ("docx", "Word (DOCX)")], initial="pdf")

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
