"""Norwegian national identity numbers (fødselsnummer and D-nummer), validated with python-stdnum.

Only these two kinds are accepted; H-numbers and FH-numbers are not identities a partner organisation can look up.
Gender is never derived from the number (it will carry none from 2032).
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import fodselsnummer


def normalise(value: str) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


def is_d_number(number: str) -> bool:
    return number[0] in "4567"


def validate_national_id(value: str) -> str:
    """Return the 11 digits, or raise a ValidationError with a message for the field."""
    number = normalise(value)
    if len(number) != 11 or len(str(value).replace(" ", "")) != 11:
        raise ValidationError(_("A fødselsnummer or D-nummer has 11 digits."), code="length")
    if int(number[2]) >= 4:  # H-number (third digit + 4): a help number, not an identity
        raise ValidationError(_("Enter a fødselsnummer or D-nummer."), code="kind")
    try:
        fodselsnummer.validate(number)
    except StdnumError:
        raise ValidationError(
            _("This is not a valid fødselsnummer or D-nummer. Check the digits."), code="invalid"
        ) from None
    return number


def looks_like_national_id(value: str) -> bool:
    """True when `value` validates as a fødselsnummer or D-nummer (used to refuse them where they do not belong)."""
    try:
        validate_national_id(value)
    except ValidationError:
        return False
    return True


# Eleven digits, optionally written 6 + 5 with one space, full stop or hyphen between, not inside a longer number.
_CANDIDATE = re.compile(r"(?<![\d.,-])(\d{6})[ .-]?(\d{5})(?![\d,]|\.\d)")


def find_national_id(text: str) -> bool:
    """True when free text holds something that validates as a fødselsnummer or D-nummer."""
    if not text or sum(ch.isdigit() for ch in text) < 11:
        return False
    return any(looks_like_national_id(first + last) for first, last in _CANDIDATE.findall(str(text)))


def reject_national_id_in_free_text(value: str) -> None:
    """Validator for every free-text field: a patient's number belongs in the encrypted identity field only."""
    if isinstance(value, str) and find_national_id(value):
        raise ValidationError(
            _("Do not write a fødselsnummer in free text – use the field for the patient's identity."),
            code="national_id_in_text",
        )
