"""The first hardening: control characters answer 400 before any view sees them, a fødselsnummer cannot be typed
into free text, dates outside 1900–2100 are refused at the field, and the log gets one line per refused request and
never a whole request's input."""

import logging

import pytest
from django.test import Client
from stdnum.no import fodselsnummer

from samhandling.core.forms import OrganisationForm, UserCreateForm
from samhandling.core.logging import MAX_LOGGED_CHARS, RequestLogFilter
from samhandling.core.models import Organisation
from tests.core.error_urls import LONG_INPUT


def synthetic_fnr(first_nine: str = "150388123") -> str:
    """A fødselsnummer with valid check digits (for an invented person born 15.03.1988)."""
    first = fodselsnummer.calc_check_digit1(first_nine)
    return first_nine + first + fodselsnummer.calc_check_digit2(first_nine + first)


FNR = synthetic_fnr()
FNR_MESSAGE_NB = "Ikke skriv fødselsnummer i fritekst"


@pytest.fixture
def signed_in(demo):
    def client_for(username: str) -> Client:
        client = Client(HTTP_ACCEPT_LANGUAGE="nb")
        client.force_login(getattr(demo, username))
        return client

    return client_for


# --- control characters ------------------------------------------------------------------------------------------

PROBE_URLS = [
    "/styringsinformasjon/offentlig/kommuner/%00/",
    "/styringsinformasjon/offentlig/bydeler/a%00b/",
    "/kommuner/%00/",
    "/bydeler/%00/",
]


@pytest.mark.parametrize("url", PROBE_URLS)
def test_a_nul_in_the_path_answers_400_to_anonymous_visitors(db, url):
    response = Client().get(url)
    assert response.status_code == 400
    assert b"Traceback" not in response.content


@pytest.mark.parametrize("url", [*PROBE_URLS, "/administrasjon/brukere/?q=%00", "/helsefellesskap/?x=%07"])
def test_a_control_character_answers_400_to_a_signed_in_user(signed_in, url):
    assert signed_in("sigrid").get(url).status_code == 400


@pytest.mark.parametrize("value", ["navn\x00", "bjelle\x07", "\x1b[31m"])
def test_a_posted_control_character_answers_400(signed_in, value):
    before = Organisation.objects.count()
    response = signed_in("sigrid").post("/administrasjon/organisasjoner/", {"name": value, "type": "gp_office"})
    assert response.status_code == 400
    assert Organisation.objects.count() == before  # (PostgreSQL cannot even be asked about a NUL)


def test_tab_and_newline_are_text(signed_in):
    client = signed_in("sigrid")
    assert client.get("/administrasjon/brukere/?q=a%09b%0Ac%0D").status_code == 200
    response = client.post("/administrasjon/organisasjoner/", {"name": "Lege\tkontoret\n", "type": "gp_office"})
    assert response.status_code == 302


def test_the_400_page_is_the_products_own_in_norwegian(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="nn").get("/kommuner/%00/")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert b"<html" in response.content


# --- fødselsnummer in free text ----------------------------------------------------------------------------------


def test_the_synthetic_number_is_a_valid_fodselsnummer():
    assert fodselsnummer.is_valid(FNR)


@pytest.mark.parametrize("written", [FNR, f"{FNR[:6]} {FNR[6:]}", f"Pasient {FNR[:6]}-{FNR[6:]} ble sendt hjem"])
def test_a_fodselsnummer_in_a_name_is_refused_at_the_field(written):
    form = OrganisationForm({"name": written, "type": "gp_office"})
    assert not form.is_valid()
    assert list(form.errors) == ["name"]
    assert form.errors.as_data()["name"][0].code == "national_id_in_text"
    assert form["name"].value() == written


@pytest.mark.parametrize(
    "written",
    [
        FNR[:-1] + str((int(FNR[-1]) + 1) % 10),  # wrong check digit
        "12345678901",
        "+47 33 34 10 00",  # a phone number
        "4733341000",
        "974 633 752",  # an organisation number
        "974633752",
        "Konto 1503.88.12345",
        "0,15038812316",  # a number inside a longer number
    ],
)
def test_numbers_that_are_no_fodselsnummer_pass(written):
    form = OrganisationForm({"name": written, "type": "gp_office"})
    assert form.is_valid(), form.errors


def test_a_fodselsnummer_in_a_job_title_is_refused_through_the_page_and_the_text_is_kept(signed_in, demo):
    hospital = Organisation.objects.get(reference_key="hospital:Vestfold")
    title = f"Sykepleier {FNR}"
    response = signed_in("sigrid").post(
        "/administrasjon/brukere/ny/",
        {
            "first_name": "Ny",
            "last_name": "Person",
            "username": "ny.person",
            "email": "ny@example.invalid",
            "title": title,
            "language": "nb",
            "organisation": hospital.pk,
            "role": "reporter",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["title"]
    assert FNR_MESSAGE_NB in response.content.decode()
    assert f'value="{title}"' in response.content.decode()
    assert isinstance(form, UserCreateForm)
    assert not type(demo.kari).objects.filter(username="ny.person").exists()


# --- dates -------------------------------------------------------------------------------------------------------


def test_a_date_in_year_9999_is_refused_at_the_field_in_norwegian(signed_in):
    response = signed_in("sigrid").get("/administrasjon/logg/?date_from=9999-12-31")
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["date_from"]
    assert "Skriv en dato mellom 01.01.1900 og 31.12.2100." in response.content.decode()


def test_a_date_in_year_0_does_not_break_the_page(signed_in):
    response = signed_in("sigrid").get("/administrasjon/logg/?date_from=0000-01-01&date_to=1899-12-31")
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"date_from", "date_to"}


# --- log hygiene -------------------------------------------------------------------------------------------------


def _console_handler() -> logging.Handler:
    """The handler settings.LOGGING configures (its filter and formatter are what production writes)."""
    for handler in logging.getLogger().handlers:
        if any(isinstance(f, RequestLogFilter) for f in handler.filters):
            return handler
    raise AssertionError("no handler with the RequestLogFilter: settings.LOGGING changed")


def _written(caplog, name: str) -> list[str]:
    """What the configured handler would write for the records of logger `name`."""
    handler = _console_handler()
    return [handler.format(r) for r in caplog.records if r.name == name and handler.filter(r)]


def test_a_403_writes_one_line_without_a_traceback(signed_in, caplog):
    caplog.set_level(logging.WARNING, logger="django.request")
    response = signed_in("kari").get("/administrasjon/logg/")
    assert response.status_code == 403
    lines = _written(caplog, "django.request")
    assert len(lines) == 1
    assert "\n" not in lines[0]
    assert "Traceback" not in lines[0]


@pytest.mark.urls("tests.core.error_urls")
def test_a_500_is_logged_with_its_traceback_but_the_input_clipped(db, caplog):
    caplog.set_level(logging.ERROR, logger="django.request")
    client = Client(raise_request_exception=False)
    response = client.get("/test-feil/")
    assert response.status_code == 500
    assert b"pasient pasient" not in response.content
    (written,) = _written(caplog, "django.request")
    assert "Traceback" in written  # a 500 keeps the trace developers need
    assert "ValueError" in written
    assert "END-OF-INPUT" not in written
    assert "characters left out" in written
    assert len(written) < len(LONG_INPUT) // 2 + MAX_LOGGED_CHARS + 5000


# --- ids from forms (found by tests/test_fuzz.py) ----------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "\U00044669", "9" * 30, "-1", ""])
def test_a_garbage_id_in_a_form_answers_404_not_500(signed_in, demo, value):
    client = signed_in("tove")
    assert (
        client.post(f"/administrasjon/brukere/{demo.kari.pk}/", {"form": "revoke", "membership": value}).status_code
        == 404
    )
    assert client.post("/fellesskap/velg/", {"helsefellesskap": value}).status_code == 404


def test_a_username_longer_than_any_account_is_refused_before_the_lockout_bookkeeping(db):
    """django-axes stores the typed username (255 characters at most) when a log-in fails; a longer one broke the
    log-in page on PostgreSQL (found by tests/test_fuzz.py)."""
    response = Client().post("/konto/logg-inn/", {"username": "ø" * 300, "password": "x"})
    assert response.status_code == 200
    assert "username" in response.context["form"].errors


def test_the_fast_select_partial_writes_the_same_markup_as_djangos(db):
    """Selects render their options without a template include each (the inbox filters spent half their time
    there); the HTML must stay exactly Django's, optgroups, multiple and escaping included."""
    import re

    from django import forms as django_forms

    from samhandling.core.forms import SELECT_TEMPLATE, DesignsystemetMixin

    class Choices(DesignsystemetMixin, django_forms.Form):
        one = django_forms.ChoiceField(choices=[("1", "Én & to"), ("2", "<b>")], initial="2")
        many = django_forms.MultipleChoiceField(
            choices=[("Gruppe", [("x", "X"), ("y", "Y")]), ("z", "Z")], initial=["x", "z"], required=False
        )
        maybe = django_forms.NullBooleanField()

    fast, plain = Choices(), Choices()
    for name, field in plain.fields.items():
        assert fast.fields[name].widget.template_name == SELECT_TEMPLATE
        field.widget.template_name = type(field.widget).template_name

    def normalised(html: str) -> str:
        return re.sub(r">\s+<", "><", html).strip()

    for name in fast.fields:
        assert normalised(str(fast[name])) == normalised(str(plain[name]))
    assert "&lt;b&gt;" in str(fast["one"]) and " multiple" in str(fast["many"])
