"""Forms for meetings, the notice (with its confirmation), the minutes (attendance, outcomes, action points),
corrections and the deviation report as an item."""

from django import forms
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin

from ..models import (
    AttendanceStatus,
    Meeting,
    Outcome,
)
from .fields import (
    CHECKBOX_GROUP,
    DATE,
    TIME,
    BodyChoiceField,
    PersonChoiceField,
    check_as_service,
    person_label,
    text_area,
)


class MeetingForm(DesignsystemetMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE)
    start_time = forms.TimeField(label=_("Starts"), widget=TIME)
    end_time = forms.TimeField(label=_("Ends"), widget=TIME, required=False)
    place = forms.CharField(
        label=_("Place"), max_length=300, required=False, help_text=_("Building, address and room.")
    )
    video_link = forms.URLField(
        assume_scheme="https",
        label=_("Video link"),
        required=False,
        help_text=_("The full address, starting with https://."),
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty to use the body and the date.")
    )
    minute_taker = PersonChoiceField(label=_("Minute taker"), queryset=None, required=False)
    minute_taker_name = forms.CharField(label=_("Minute taker without a user account"), max_length=200, required=False)
    recurring = forms.MultipleChoiceField(
        label=_("Recurring items to put on the agenda"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        template_name=CHECKBOX_GROUP,
        help_text=_(
            "Items the body has on its agenda in given months. Those for next month are ticked; what you tick is put "
            "on the agenda."
        ),
    )
    reason = forms.CharField(
        label=_("Why the notice is changed"),
        required=False,
        widget=text_area(2),
        max_length=2000,
        help_text=_("The notice has been sent. Saving sends a new version to the members with this reason."),
    )
    send_for_past_date = forms.BooleanField(
        label=_("Send the new notice although the date has passed"),
        required=False,
        help_text=_("Only when the meeting really took place on that date (for example when recording it afterwards)."),
    )

    def __init__(self, *args, users=None, recurring=None, notice_sent: bool = False, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice_sent, self.meeting = notice_sent, meeting
        self.fields["minute_taker"].queryset = users
        self.fields["minute_taker"].empty_label = _("Not chosen")
        if recurring is None:
            del self.fields["recurring"]
        else:
            self.fields["recurring"].choices = [(str(r.pk), recurring_label(r)) for r in recurring]
            if not recurring:
                del self.fields["recurring"]
        if not notice_sent:
            del self.fields["reason"]
            del self.fields["send_for_past_date"]
        else:
            self.fields["reason"].required = True

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get("date")
        if self.notice_sent and day and day < timezone.localdate() and not cleaned.get("send_for_past_date"):
            self.add_error(
                "date",
                _("The date has passed. Saving sends the members a new notice: tick the box below to send it anyway."),
            )
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The meeting must end after it starts."))
        if self.meeting is not None and day and start and "date" not in self.errors:
            from ..services.meetings import check_approval_chain

            moved = Meeting(pk=self.meeting.pk, body=self.meeting.body, date=day, start_time=start)
            check_as_service(self, check_approval_chain, moved)
        no_errors = "place" not in self.errors and "video_link" not in self.errors
        if no_errors and not (cleaned.get("place") or "").strip() and not cleaned.get("video_link"):
            self.add_error("place", _("Give a place, a video link or both."))
        return cleaned


def recurring_label(recurring) -> str:
    months = ", ".join(str(MONTHS[m]) for m in sorted(recurring.months) if m in MONTHS)
    return f"{recurring.title} ({months})" if months else recurring.title


class NoticeForm(DesignsystemetMixin, forms.Form):
    """Sending the notice e-mails every member, so it takes two steps: the form, then a confirmation showing how many
    get it (`confirmed` is set by the confirmation's button). A meeting whose date has passed needs an explicit tick."""

    reason = forms.CharField(label=_("Why a new version is sent"), widget=text_area(3), max_length=2000)
    send_for_past_date = forms.BooleanField(
        label=_("Send the notice although the meeting date has passed"),
        required=False,
        help_text=_("Only when the meeting really took place on that date (for example when recording it afterwards)."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, first: bool, meeting_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.past = meeting_date is not None and meeting_date < timezone.localdate()
        if first:
            del self.fields["reason"]
        if not self.past:
            del self.fields["send_for_past_date"]

    def clean(self):
        cleaned = super().clean()
        if self.past and not cleaned.get("send_for_past_date"):
            self.add_error(
                "send_for_past_date", _("The meeting date has passed: tick the box to send the notice anyway.")
            )
        return cleaned


class MinutesCorrectionForm(DesignsystemetMixin, forms.Form):
    """Correcting approved minutes: one conclusion per item, prefilled with the text in force, and the reason."""

    reason = forms.CharField(
        label=_("Why the approved minutes are corrected"),
        widget=text_area(3),
        max_length=2000,
        help_text=_("Shown with the new version of the minutes."),
    )

    def __init__(self, *args, items, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[self.field_name(item)] = forms.CharField(
                label=f"{item.number} {item.title}" if item.number else item.title,
                help_text=(
                    _("Recorded outcome: %(outcome)s") % {"outcome": item.get_outcome_display()}
                    if item.outcome
                    else _("No outcome was recorded.")
                ),
                required=False,
                initial=item.conclusion,
                # Added after the mixin styled the declared fields, so the class is set here.
                widget=forms.Textarea(attrs={"rows": 3, "class": "ds-input"}),
                max_length=8000,
            )
        # What is corrected comes first, why last, next to the button.
        self.order_fields([name for name in self.fields if name != "reason"] + ["reason"])

    @staticmethod
    def field_name(item) -> str:
        return f"conclusion_{item.pk}"

    def changed_conclusions(self) -> dict[int, str]:
        """{item pk: new text} for the conclusions that differ from what is in force."""
        changed = {}
        for item in self.items:
            text = (self.cleaned_data.get(self.field_name(item)) or "").strip()
            if self.field_name(item) in self.cleaned_data and text != item.conclusion.strip():
                changed[item.pk] = text
        return changed

    def clean(self):
        cleaned = super().clean()
        if not self.changed_conclusions():
            raise forms.ValidationError(_("Nothing was changed. Change the conclusion of at least one item."))
        return cleaned


class AttendanceRowForm(DesignsystemetMixin, forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Attendance"), choices=AttendanceStatus.choices)
    substitute_name = forms.CharField(label=_("Substitute"), max_length=200, required=False)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == AttendanceStatus.SUBSTITUTE and not (cleaned.get("substitute_name") or "").strip():
            self.add_error("substitute_name", _("Write who attended instead."))
        return cleaned


class OutcomeForm(DesignsystemetMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[c for c in Outcome.choices if c[0]])
    conclusion = forms.CharField(
        label=_("Decision or conclusion"), required=False, widget=text_area(3), max_length=8000
    )
    discussion = forms.CharField(
        label=_("Summary of the discussion"), required=False, widget=text_area(3), max_length=8000
    )
    forward_to = BodyChoiceField(label=_("Forward to"), queryset=None, required=False)
    forward_note = forms.CharField(
        label=_("Note to the receiving body"), required=False, widget=text_area(2), max_length=4000
    )

    def __init__(self, *args, forward_bodies=None, prepare: bool = False, item=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if prepare:
            # Preparing the minutes before the meeting: only the texts, the outcome is chosen on the day.
            self.fields["outcome"].required = False
        if forward_bodies is not None and forward_bodies.exists() and not prepare:
            self.fields["forward_to"].queryset = forward_bodies
        else:
            del self.fields["forward_to"]
            del self.fields["forward_note"]

    MORE = ("discussion", "forward_to", "forward_note")

    @property
    def main(self) -> "OutcomeForm":
        """The form rendered without the folded fields (ui/form.html renders `visible_fields`)."""
        return _FieldSubset(self, [name for name in self.fields if name not in self.MORE])

    @property
    def more(self) -> list:
        return [self[name] for name in self.MORE if name in self.fields]

    @property
    def more_errors(self) -> bool:
        return any(name in self.errors for name in self.MORE)

    def clean(self):
        cleaned = super().clean()
        outcome = cleaned.get("outcome")
        if outcome == Outcome.DECIDED and not (cleaned.get("conclusion") or "").strip():
            self.add_error("conclusion", _("Write the decision."))
        if outcome == Outcome.FORWARDED and not cleaned.get("forward_to") and "forward_to" in self.fields:
            self.add_error("forward_to", _("Choose the body the item is forwarded to."))
        if outcome == Outcome.FORWARDED and "forward_to" not in self.fields:
            self.add_error("outcome", _("This body may not forward items to any other body."))
        if outcome and self.item is not None:
            from ..services.agenda import check_outcome

            check_as_service(self, check_outcome, self.item, outcome)
        return cleaned


class _FieldSubset:
    """A view of some of a form's fields for `ui/form.html` (non-field errors and the chosen visible fields)."""

    def __init__(self, form: forms.Form, names: list[str]):
        self.form, self.names = form, names

    def non_field_errors(self):
        return self.form.non_field_errors()

    def hidden_fields(self):
        return []

    def visible_fields(self):
        return [self.form[name] for name in self.names]


class ActionPointForm(DesignsystemetMixin, forms.Form):
    """The owner is a user ("u12") or a member of the body without an account ("m7"), in one list."""

    description = forms.CharField(label=_("Action point"), widget=text_area(2), max_length=4000)
    owner = forms.ChoiceField(label=_("Owner"))
    due_date = forms.DateField(label=_("Due date"), widget=DATE, required=False)

    def __init__(self, *args, users=None, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.users = {f"u{user.pk}": user for user in (users if users is not None else [])}
        self.members = {f"m{member.pk}": member for member in (members or []) if not member.user_id}
        choices = [("", "---------")]
        choices += [(key, person_label(user)) for key, user in self.users.items()]
        if self.members:
            named = [
                (key, f"{member.display_name} ({member.get_role_display()})") for key, member in self.members.items()
            ]
            choices.append((_("Members without a user account"), named))
        self.fields["owner"].choices = choices

    def clean(self):
        cleaned = super().clean()
        key = cleaned.pop("owner", None)
        if key:
            cleaned["owner"] = self.users.get(key)
            cleaned["owner_member"] = self.members.get(key)
        return cleaned

    def clean_due_date(self):
        due = self.cleaned_data.get("due_date")
        if due and due < timezone.localdate():
            raise forms.ValidationError(_("The due date cannot be in the past."))
        return due


class DeviationReportForm(DesignsystemetMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    half = forms.TypedChoiceField(
        label=_("Half-year"),
        coerce=int,
        choices=[(1, _("1st half (1 January – 30 June)")), (2, _("2nd half (1 July – 31 December)"))],
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].choices = [(year, str(year)) for year in range(this_year, this_year - 4, -1)]
