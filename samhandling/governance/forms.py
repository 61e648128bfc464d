"""Forms of the meeting module: bodies and members, meetings, agenda items and their case papers, attachments,
forwarding, the notice, the minutes (attendance, outcomes, action points, corrections), search and the deviation report
item.

Not ModelForms: services own every write. Every field renders through `ui/field.html` (errors at the field)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _

from samhandling.core.forms import DesignsystemetMixin

from .models import (
    CASE_NUMBER_FORMATS,
    AttendanceStatus,
    Body,
    BodyKind,
    ExemptionBasis,
    ItemKind,
    Meeting,
    MemberRole,
    Outcome,
    Visibility,
)

CHECKBOX_GROUP = "governance/_checkbox_group.html"
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def text_area(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


def person_label(user) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.title})" if getattr(user, "title", "") else name


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        return person_label(obj)


class ItemChoiceField(forms.ModelChoiceField):
    """An earlier item, named with its body so that "2026.4" of the SSU and of an FSU are told apart."""

    def label_from_instance(self, obj) -> str:
        body = obj.body.short_name or obj.body.name
        return f"{body} {obj.number} {obj.title}" if obj.number else f"{body}: {obj.title}"


class BodyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Body) -> str:
        return f"{obj.name} ({obj.short_name})" if obj.short_name and obj.short_name != obj.name else obj.name


class BodyMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Body) -> str:
        return BodyChoiceField.label_from_instance(self, obj)


def check_as_service(form: forms.Form, check, *args) -> None:
    """Run a service's own check inside the form's validation, so the user sees every error at once (the field
    errors and the service's, such as a taken name), not the service's only after fixing the others. Fields that
    already have an error keep only theirs."""
    try:
        check(*args)
    except ValidationError as error:
        errors = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
        for field, messages in errors.items():
            if field in form.errors:
                continue
            form.add_error(field if field in form.fields else None, messages)


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
        from .services.bodies import check_body

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
            from .services.meetings import check_approval_chain

            moved = Meeting(pk=self.meeting.pk, body=self.meeting.body, date=day, start_time=start)
            check_as_service(self, check_approval_chain, moved)
        no_errors = "place" not in self.errors and "video_link" not in self.errors
        if no_errors and not (cleaned.get("place") or "").strip() and not cleaned.get("video_link"):
            self.add_error("place", _("Give a place, a video link or both."))
        return cleaned


def recurring_label(recurring) -> str:
    months = ", ".join(str(MONTHS[m]) for m in sorted(recurring.months) if m in MONTHS)
    return f"{recurring.title} ({months})" if months else recurring.title


def months_of(recurring_items, month: int) -> list[str]:
    """The recurring items proposed for a month (ticked in the meeting form)."""
    return [str(r.pk) for r in recurring_items if month in (r.months or [])]


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

    def __init__(self, *args, forward_bodies=None, prepare: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
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
