"""The web layer's words for what the engine reports as codes: data set errors and import progress, in the language
of whoever reads them (bokmål or nynorsk). The engine holds the English msgids; this module translates them."""

from django.utils.translation import gettext

from .engine.dataset.errors import MESSAGES, PROGRESS, render


def dataset_error_text(error) -> str:
    """A `DatasetError` (or a stored error dict with code and params) as a sentence in the active language."""
    if isinstance(error, dict):
        code, params = error.get("code", ""), error.get("params") or {}
    else:
        code, params = error.code, error.params
    return render(MESSAGES, code, params, gettext)


def progress_text(message: str) -> str:
    """An engine progress `Step` as a sentence; anything else (an indicator id, a test's text) as it came."""
    code = getattr(message, "code", None)
    return render(PROGRESS, code, message.params, gettext) if code in PROGRESS else str(message)
