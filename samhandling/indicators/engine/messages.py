"""What the engine says, as codes with parameters rather than sentences in a language: progress steps here, data
set errors in `dataset.errors`. The English templates are the msgids the web layer translates (`indicators.texts`);
`gettext_noop` only marks them for makemessages, so the engine imports nothing from Django."""

from __future__ import annotations

from typing import Any


def gettext_noop(text: str) -> str:
    """Marks a msgid for extraction; translated later by the web layer."""
    return text


# Progress steps of an import and of a run, as codes with parameters like the errors.
PROGRESS: dict[str, str] = {
    "checking": gettext_noop("Checking %(table)s …"),
    "writing": gettext_noop("Writing %(table)s …"),
    "version": gettext_noop("Computing the version …"),
    "stored": gettext_noop("The data set is stored."),
    "preparing": gettext_noop("Preparing the data set …"),
    "computing": gettext_noop("Computing %(indicator)s …"),
    "computed": gettext_noop("The indicators are computed."),
}


def render(templates: dict[str, str], code: str, params: dict[str, Any], translate=lambda text: text) -> str:
    """The sentence for `code` (English unless `translate` is a gettext), with the parameters filled in."""
    template = templates.get(code)
    if template is None:
        return code
    text = translate(template)
    try:
        return text % params if "%(" in text else text
    except (KeyError, TypeError, ValueError):
        return text


class Step(str):
    """A progress message: English text for the command line, with its `code` and `params` for translation."""

    code: str
    params: dict[str, Any]

    def __new__(cls, code: str, params: dict[str, Any] | None = None) -> Step:
        params = params or {}
        step = super().__new__(cls, render(PROGRESS, code, params))
        step.code, step.params = code, params
        return step
