"""Fødselsnummer/D-nummer validation (python-stdnum) and field encryption."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from samhandling.core import crypto
from samhandling.core.identity import looks_like_national_id, validate_national_id

W1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
W2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def _with_check_digits(first_nine: str) -> str | None:
    k1 = (11 - sum(int(d) * w for d, w in zip(first_nine, W1, strict=True)) % 11) % 11
    if k1 == 10:
        return None
    ten = first_nine + str(k1)
    k2 = (11 - sum(int(d) * w for d, w in zip(ten, W2, strict=True)) % 11) % 11
    return None if k2 == 10 else ten + str(k2)


BIRTH_DATES = st.dates(min_value=date(1940, 1, 1), max_value=date.today() - timedelta(days=1))


def _individual_range(born: date) -> range:
    return range(0, 500) if born.year < 2000 else range(500, 1000)


@st.composite
def national_ids(draw, d_number=False):
    born = draw(BIRTH_DATES)
    individual = draw(st.sampled_from(_individual_range(born)))
    day = born.day + (40 if d_number else 0)
    number = _with_check_digits(f"{day:02d}{born.month:02d}{born.year % 100:02d}{individual:03d}")
    if number is None:
        return draw(st.nothing())
    return number


@given(national_ids())
def test_every_well_formed_fodselsnummer_is_accepted(number):
    assert validate_national_id(number) == number


@given(national_ids(d_number=True))
def test_every_well_formed_d_number_is_accepted(number):
    assert validate_national_id(number) == number


@given(national_ids(), st.integers(min_value=0, max_value=10), st.integers(min_value=1, max_value=9))
def test_changing_one_digit_is_caught(number, position, delta):
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    assert not looks_like_national_id(changed)


def test_known_examples():
    assert looks_like_national_id("15108695088")
    assert not looks_like_national_id("15108695089")  # wrong second check digit (the localflavor bug lets it pass)


@pytest.mark.parametrize("value", ["1510869508", "151086950888", "abcdefghijk", "", "15-10-86-95088"])
def test_malformed_values_get_a_message(value):
    with pytest.raises(ValidationError):
        validate_national_id(value)


def test_a_birth_date_in_the_future_is_refused():
    tomorrow = date.today() + timedelta(days=400)
    number = None
    for individual in range(500, 999):
        number = _with_check_digits(f"{tomorrow:%d%m%y}{individual:03d}")
        if number:
            break
    assert number and not looks_like_national_id(number)


@given(st.text(min_size=1, max_size=200))
def test_encryption_round_trips_and_hides_the_text(text):
    token = crypto.encrypt(text)
    assert crypto.decrypt(token) == text
    assert text not in token or len(text) < 3


def test_rotation_keeps_old_data_readable(settings):
    from cryptography.fernet import Fernet

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = crypto.encrypt("15108695088")
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert crypto.decrypt(token) == "15108695088"
    rotated = crypto.rotate(token)
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert crypto.decrypt(rotated) == "15108695088"
    with pytest.raises(ValueError):
        crypto.decrypt(token)
