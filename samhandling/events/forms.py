"""Forms of the events module: the organiser's event form, the registration form (with the event's own questions)
and the calendar filter."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin
from samhandling.core.models import Language

from .models import DEFAULT_RETENTION_DAYS, Audience, EventKind

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _datetime(label, required=True, help_text=""):
    return forms.DateTimeField(label=label, required=required, widget=DATETIME, help_text=help_text)


class EventForm(DesignsystemetMixin, forms.Form):
    organiser = forms.ChoiceField(label=_("Organiser"))
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices)
    topic = forms.CharField(label=_("Topic"), max_length=100, required=False, help_text=_("For example: Psychiatry."))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    summary = forms.CharField(label=_("Summary"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    programme = forms.CharField(
        label=_("Programme"),
        max_length=10000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One line per item, for example “10.00 Welcome”."),
    )
    starts_at = _datetime(_("Starts"))
    ends_at = _datetime(_("Ends"))
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    video_link = forms.URLField(
        label=_("Video link"),
        required=False,
        assume_scheme="https",
        help_text=_("The full address, starting with https://."),
    )
    registration_required = forms.BooleanField(label=_("Registration needed"), required=False)
    registration_opens_at = _datetime(_("Registration opens"), required=False, help_text=_("Empty: at once."))
    registration_closes_at = _datetime(
        _("Registration closes"), required=False, help_text=_("Empty: when the event starts.")
    )
    capacity = forms.IntegerField(
        label=_("Capacity"), required=False, min_value=1, max_value=100000, help_text=_("Empty: no limit.")
    )
    moderation = forms.BooleanField(label=_("The organiser approves each registration"), required=False)
    login_required = forms.BooleanField(label=_("Registration needs log-in"), required=False)
    questions = forms.CharField(
        label=_("Questions to those who register"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One question per line, for example “Diet” or “Role”. At most 10."),
    )
    retention_days = forms.IntegerField(
        label=_("Days the registrations are kept after the event"),
        min_value=1,
        max_value=730,
        initial=DEFAULT_RETENTION_DAYS,
    )

    def __init__(self, *args, organisers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = list(organisers)
        if len(self.fields["organiser"].choices) == 1:
            self.fields["organiser"].initial = self.fields["organiser"].choices[0][0]

    def clean_questions(self):
        return [line.strip() for line in self.cleaned_data["questions"].splitlines() if line.strip()]


class RegistrationForm(DesignsystemetMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    consent = forms.BooleanField(
        label=_("I have read the privacy notice and agree that my registration is stored until it is deleted."),
        required=True,
        error_messages={"required": _("You must accept the privacy notice to register.")},
    )

    def __init__(self, *args, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.question_fields = []
        for index, question in enumerate(event.questions if event else []):
            name = f"question_{index}"
            self.fields[name] = forms.CharField(
                label=question, max_length=500, required=False, widget=forms.TextInput(attrs={"class": "ds-input"})
            )
            self.question_fields.append((name, question))
        # The consent box comes last, after the questions.
        self.order_fields([*(f for f in self.fields if f != "consent"), "consent"])

    def answers(self) -> dict[str, str]:
        return {question: self.cleaned_data.get(name, "") for name, question in self.question_fields}


class CalendarFilterForm(DesignsystemetMixin, forms.Form):
    organiser = forms.ChoiceField(label=_("Organiser"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *EventKind.choices])
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("All audiences")), *Audience.choices]
    )
    topic = forms.ChoiceField(label=_("Topic"), required=False)

    def __init__(self, *args, communities=(), topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organiser"].choices = [
            ("", _("All organisers")),
            ("nasjonalt", _("National")),
            *[(c.slug, c.name) for c in communities],
        ]
        self.fields["topic"].choices = [("", _("All topics")), *[(t, t) for t in topics]]
