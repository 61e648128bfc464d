"""Request helpers: ids from the request are parsed once (garbage is "no id", never a 500), and `save_with` keeps
what the user typed and puts a service's complaints at the fields they are about."""

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory

from samhandling.core.forms import OrganisationForm
from samhandling.core.http import MAX_ID, id_or_404, parse_id, save_with

HUGE = [str(MAX_ID + 1), "9" * 400]


@pytest.mark.parametrize(
    "value",
    ["abc", "", " ", "0", "-1", "+1", "1e3", "1.0", "0x10", "1_000", "٣", "１２", "²", "%00", "\x00", None, *HUGE],
)
def test_parse_id_says_no_to_anything_but_a_positive_ascii_number(value):
    assert parse_id(value) is None
    with pytest.raises(Http404):
        id_or_404(value)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), (" 42 ", 42), (17, 17), ("007", 7), (str(MAX_ID), MAX_ID)])
def test_parse_id_reads_real_ids(value, expected):
    assert parse_id(value) == expected
    assert id_or_404(value) == expected


def _request():
    request = RequestFactory().post("/")
    request._messages = CookieStorage(request)
    return request


def test_save_with_keeps_the_input_and_puts_service_errors_at_the_field():
    form = OrganisationForm({"name": "Legekontoret", "type": "gp_office", "org_number": ""})

    def service(data):
        raise ValidationError({"name": "Det finst alt ein med det namnet."})

    assert save_with(_request(), form, service) is None
    assert form.errors["name"] == ["Det finst alt ein med det namnet."]
    assert form["name"].value() == "Legekontoret"
    assert form.fields["name"].widget.attrs["aria-invalid"] == "true"


def test_save_with_puts_an_error_about_no_field_on_the_form():
    form = OrganisationForm({"name": "Legekontoret", "type": "gp_office"})

    def service(data):
        raise ValidationError("Not now.")

    assert save_with(_request(), form, service) is None
    assert form.non_field_errors() == ["Not now."]


def test_save_with_does_not_call_the_service_for_an_invalid_form():
    calls = []
    form = OrganisationForm({"name": "", "type": "gp_office"})
    assert save_with(_request(), form, calls.append) is None
    assert calls == []
    assert "name" in form.errors


def test_save_with_redirects_with_the_message_after_the_service():
    request = _request()
    form = OrganisationForm({"name": "Legekontoret", "type": "gp_office"})
    response = save_with(
        request, form, lambda data: data["name"], success=lambda name: f"{name} lagt til", redirect_to="/ferdig/"
    )
    assert response.status_code == 302
    assert response["Location"] == "/ferdig/"
    assert [str(m) for m in get_messages(request)] == ["Legekontoret lagt til"]
