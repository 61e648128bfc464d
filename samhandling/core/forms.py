"""Forms for log-in, account and administration, rendered with Designsystemet markup.

Every form renders through `ui/field.html`: label, help text and the error message sit at the field, the input
carries `aria-invalid` and `aria-describedby`, and what the user typed is kept when the form comes back.
"""

from datetime import date

from django import forms
from django.contrib.auth import forms as auth_forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.forms.renderers import TemplatesSetting
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .identity import reject_national_id_in_free_text
from .models import (
    ADDABLE_TOP_LEVEL_TYPES,
    UNIT_PARENT_TYPES,
    Language,
    Organisation,
    OrganisationType,
    Role,
    User,
)


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on the form) so the user sees it where it belongs."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class DesignsystemetFormRenderer(TemplatesSetting):
    form_template_name = "ui/form.html"
    field_template_name = "ui/field.html"


SELECT_TEMPLATE = "ui/widgets/select.html"

# Every date a user can type lies in this range; outside it is a typing error (and beyond what databases store).
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def check_date_range(value) -> None:
    """Validator: a date (or date and time) within the platform's range, with the message in the user's language."""
    if value is not None and not (EARLIEST_DATE.year <= value.year <= LATEST_DATE.year):
        raise ValidationError(
            _("Enter a date between %(first)s and %(last)s.")
            % {
                "first": date_format(EARLIEST_DATE, "SHORT_DATE_FORMAT"),
                "last": date_format(LATEST_DATE, "SHORT_DATE_FORMAT"),
            },
            code="date_range",
        )


class DesignsystemetMixin:
    """Adds Designsystemet classes and accessible error wiring to every widget, and the platform's rules for what
    may be typed: no fødselsnummer in free text (only in the fields named in `national_id_fields`, which are stored
    encrypted) and dates within a sensible range."""

    national_id_fields: tuple[str, ...] = ()

    input_class = {
        forms.Select: "ds-input",
        forms.SelectMultiple: "ds-input",
        forms.Textarea: "ds-input",
        forms.CheckboxInput: "ds-input",
        forms.RadioSelect: "",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            css = self.input_class.get(type(field.widget), "ds-input")
            if css:
                field.widget.attrs.setdefault("class", css)
            if type(field.widget).template_name == forms.Select.template_name == field.widget.template_name:
                field.widget.template_name = SELECT_TEMPLATE  # same markup, options rendered without an include each
            if isinstance(field, forms.CharField) and name not in self.national_id_fields:
                field.validators.append(reject_national_id_in_free_text)
            if isinstance(field, forms.DateField | forms.DateTimeField) and check_date_range not in field.validators:
                field.validators.append(check_date_range)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self._mark_invalid(name)

    def add_error(self, field, error):
        super().add_error(field, error)
        if field and field in self.fields:
            self._mark_invalid(field)

    def _mark_invalid(self, name: str) -> None:
        """aria-invalid plus aria-describedby pointing at the message, so screen readers read it with the field."""
        attrs = self.fields[name].widget.attrs
        attrs["aria-invalid"] = "true"
        bound = self[name]
        described = [f"{bound.auto_id}_error"]
        if self.fields[name].help_text:
            described.append(f"{bound.auto_id}_helptext")
        attrs["aria-describedby"] = " ".join(described)


class LoginForm(DesignsystemetMixin, auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Wrong username or password. Note that the password is case-sensitive. After %(limit)s failed "
            "attempts the account is locked for a while."
        ),
        "inactive": _("This account is deactivated. Contact the secretariat of your health community."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Username")
        self.fields["password"].label = _("Password")
        # AuthenticationForm sets max_length after the field is built, so nothing checks it; without this a long
        # username reaches authenticate() and django-axes' 255-character column (a 500 on PostgreSQL).
        self.fields["username"].validators.append(MaxLengthValidator(self.fields["username"].max_length or 150))

    def get_invalid_login_error(self):
        from django.conf import settings

        return forms.ValidationError(
            self.error_messages["invalid_login"] % {"limit": settings.AXES_FAILURE_LIMIT}, code="invalid_login"
        )


class TwoFactorCodeForm(DesignsystemetMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=20,
        help_text=_("Six digits from the app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off", "spellcheck": "false"}),
    )


class PasswordChangeForm(DesignsystemetMixin, auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(DesignsystemetMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(DesignsystemetMixin, auth_forms.SetPasswordForm):
    pass


class LanguageForm(forms.Form):
    language = forms.ChoiceField(choices=Language.choices)
    next = forms.CharField(required=False)


class OrganisationForm(DesignsystemetMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    short_name = forms.CharField(
        label=_("Short name"), max_length=80, required=False, help_text=_("Used in lists where space is short.")
    )
    type = forms.ChoiceField(label=_("Type"))
    org_number = forms.RegexField(
        label=_("Organisation number"),
        regex=r"^\d{9}$",
        required=False,
        help_text=_("Nine digits, from the Central Coordinating Register for Legal Entities."),
        error_messages={"invalid": _("The organisation number must be exactly nine digits.")},
    )

    def __init__(self, *args, parent: Organisation | None = None, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if parent is None:
            allowed = ADDABLE_TOP_LEVEL_TYPES
        else:
            allowed = [t for t, parents in UNIT_PARENT_TYPES.items() if parent.type in parents]
        labels = dict(OrganisationType.choices)
        self.fields["type"].choices = [(t, labels[t]) for t in OrganisationType.values if t in allowed]
        if editing:
            del self.fields["type"]


class UserCreateForm(DesignsystemetMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    username = forms.RegexField(
        label=_("Username"),
        max_length=150,
        regex=r"^[a-zA-Z0-9._-]+$",
        help_text=_("Letters a–z, digits, full stop, hyphen and underscore."),
        error_messages={"invalid": _("Use only letters a–z, digits, full stop, hyphen and underscore.")},
    )
    email = forms.EmailField(
        label=_("E-mail"), help_text=_("The user gets an e-mail with a link to choose a password.")
    )
    title = forms.CharField(label=_("Job title"), max_length=120, required=False)
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices, initial=Language.BOKMAL)
    organisation = forms.ModelChoiceField(label=_("Organisation or unit"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class UserUpdateForm(DesignsystemetMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "title", "phone", "hpr_number", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True


class MembershipForm(DesignsystemetMixin, forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation or unit"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, organisations=None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisations is not None:
            self.fields["organisation"].queryset = organisations


class AuditFilterForm(DesignsystemetMixin, forms.Form):
    actor = forms.ModelChoiceField(label=_("Who"), queryset=User.objects.none(), required=False)
    action = forms.ChoiceField(label=_("What"), required=False)
    target_type = forms.CharField(label=_("Object type"), required=False, max_length=100)
    target_id = forms.CharField(label=_("Object id"), required=False, max_length=64)
    date_from = forms.DateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, actors=None, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        if actors is not None:
            self.fields["actor"].queryset = actors
        self.fields["action"].choices = [("", _("All actions")), *actions]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The to date must be on or after the from date."))
        return cleaned
