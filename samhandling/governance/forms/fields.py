"""Widgets, choice fields and helpers every form of the meeting module shares, and `check_as_service`, which runs
a service's own check inside a form's validation so every error shows at once."""

from django import forms
from django.core.exceptions import ValidationError

from ..models import (
    Body,
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
