"""Forms of the newsletter: subscribing, a contribution, an issue, the editor's decision on a contribution, the
issue's layout, scheduling and a test send."""

from django import forms
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin
from samhandling.core.models import Language

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"PNG", "JPEG", "WEBP"}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
RICH_TEXT_HELP = _(
    "Write plain text with blank lines between paragraphs, or simple HTML (paragraphs, bold, italics, lists, links)."
)


class SubscribeForm(DesignsystemetMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail"), max_length=254)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class ContributionForm(DesignsystemetMixin, forms.Form):
    newsletter = forms.ModelChoiceField(label=_("Newsletter"), queryset=None, empty_label=None)
    issue = forms.ModelChoiceField(
        label=_("Wished issue"),
        queryset=None,
        required=False,
        empty_label=_("The next issue"),
        help_text=_("Only issues whose deadline has not passed."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}), help_text=RICH_TEXT_HELP
    )
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    link_text = forms.CharField(label=_("Link text"), max_length=200, required=False)
    image = forms.ImageField(
        label=_("Picture"),
        required=False,
        help_text=_("PNG, JPEG or WebP, at most 5 MB. The newsletter is readable without it."),
    )
    image_alt = forms.CharField(
        label=_("What the picture shows"),
        max_length=300,
        required=False,
        help_text=_("Read aloud to blind readers and shown when pictures are off."),
    )

    def __init__(self, *args, newsletters=None, issues=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["newsletter"].queryset = newsletters
        self.fields["issue"].queryset = issues
        self.fields["issue"].label_from_instance = lambda issue: (
            f"{issue.newsletter.name}: {issue.title}"
            + (f" ({_('deadline')} {issue.input_deadline:%d.%m.%Y})" if issue.input_deadline else "")
        )

    def clean(self):
        data = super().clean()
        issue, newsletter = data.get("issue"), data.get("newsletter")
        if issue is not None and newsletter is not None and issue.newsletter_id != newsletter.pk:
            self.add_error("issue", _("The issue belongs to another newsletter."))
        image = data.get("image")
        if image is not None:
            if image.size > MAX_IMAGE_BYTES:
                self.add_error("image", _("The picture is larger than 5 MB."))
            elif getattr(image, "image", None) is not None and image.image.format not in IMAGE_FORMATS:
                self.add_error("image", _("Choose a PNG, JPEG or WebP picture."))
            if not data.get("image_alt", "").strip():
                self.add_error("image_alt", _("Describe the picture for those who cannot see it."))
        return data


class IssueForm(DesignsystemetMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200, help_text=_("For example: Newsletter December 2026."))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    input_deadline = forms.DateField(label=_("Deadline for contributions"), required=False, widget=DATE)
    period_start = forms.DateField(label=_("Important dates from"), widget=DATE)
    period_end = forms.DateField(label=_("Important dates to"), widget=DATE)
    intro = forms.CharField(
        label=_("Introduction"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=RICH_TEXT_HELP,
    )


class IssueEditForm(IssueForm):
    important_dates = forms.CharField(
        label=_("Important dates"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "One date per line; “text | https://…” makes a link. Generated from the calendar, and yours to change."
        ),
    )


DECISION_CHOICES = [
    ("accept", _("Accept")),
    ("hold", _("Hold for a later issue")),
    ("decline", _("Decline")),
]


class DecisionForm(DesignsystemetMixin, forms.Form):
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISION_CHOICES, widget=forms.RadioSelect)
    issue = forms.ModelChoiceField(label=_("Issue"), queryset=None, required=False)
    section = forms.ModelChoiceField(label=_("Section"), queryset=None, required=False)
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Text"), max_length=20000, widget=forms.Textarea(attrs={"rows": 10}))
    link = forms.URLField(label=_("Link"), required=False, assume_scheme="https")
    link_text = forms.CharField(label=_("Link text"), max_length=200, required=False)
    message = forms.CharField(
        label=_("Message to the contributor"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent by e-mail with the decision."),
    )

    def __init__(self, *args, issues=None, sections=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issue"].queryset = issues
        self.fields["section"].queryset = sections


class ScheduleForm(DesignsystemetMixin, forms.Form):
    send_at = forms.DateTimeField(label=_("Send at"), widget=DATETIME)


class TestSendForm(DesignsystemetMixin, forms.Form):
    email = forms.EmailField(label=_("Send a test to"), max_length=254)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)


class NewsletterForm(DesignsystemetMixin, forms.Form):
    community = forms.ChoiceField(label=_("Health community"))
    name = forms.CharField(label=_("Name"), max_length=200)
    default_language = forms.ChoiceField(label=_("Default language"), choices=Language.choices)
    description = forms.CharField(
        label=_("Description"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = list(communities)
