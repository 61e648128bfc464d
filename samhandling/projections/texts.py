"""What the SSB reader's error codes say to a person, in their language."""

from django.utils.translation import gettext as _


def read_error_text(error) -> str:
    code = error.code if hasattr(error, "code") else error.get("code")
    params = dict(error.params if hasattr(error, "params") else error.get("params") or {})
    texts = {
        "not_jsonstat": _("The file is neither JSON-stat 2.0 nor a CSV file from SSB."),
        "jsonstat_size": _("The file's dimensions and number of values do not match."),
        "jsonstat_dimension": _("A dimension in the file has no categories."),
        "missing_dimension": _("The file lacks the dimension “%(dimension)s” (region, sex, age or year)."),
        "missing_column": _("The file lacks the column “%(column)s” (region, sex, age or year)."),
        "unknown_region": _("“%(value)s” is not a municipality or city district code."),
        "bad_sex": _("“%(value)s” is not a sex code (1 = men, 2 = women)."),
        "bad_age": _("“%(value)s” is not an age."),
        "bad_year": _("“%(value)s” is not a year."),
        "missing_value": _("The value is missing."),
        "bad_value": _("“%(value)s” is not a number of persons."),
        "bad_row": _("The row has %(count)s cells; the header has %(expected)s."),
        "choose_alternative": _("The file has several alternatives (%(alternatives)s). Say which one to import."),
        "unknown_alternative": _("The file has no alternative “%(value)s”; it has %(alternatives)s."),
        "empty": _("The file has no population values."),
        "incomplete": _(
            "Area %(area)s lacks %(count)s combinations of sex, age 0–105 and year, for example %(example)s."
        ),
    }
    text = texts.get(code, code)
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        return text
