"""The web layer's words for what the engine reports as codes: data set errors and import progress, in the language
of whoever reads them (bokmål or nynorsk). The engine holds the English msgids; this module translates them."""

from contextlib import suppress

from django.utils.translation import get_language, gettext

from .engine.catalogue import get
from .engine.dataset.errors import MESSAGES
from .engine.messages import PROGRESS, render


def dataset_error_text(error) -> str:
    """A `DatasetError` (or a stored error dict with code and params) as a sentence in the active language."""
    if isinstance(error, dict):
        code, params = error.get("code", ""), error.get("params") or {}
    else:
        code, params = error.code, error.params
    return render(MESSAGES, code, params, gettext)


def progress_text(message: str) -> str:
    """An engine progress `Step` as a sentence (an indicator by its name); anything else as it came."""
    code = getattr(message, "code", None)
    if code not in PROGRESS:
        return str(message)
    params = dict(message.params)
    if "indicator" in params:
        with suppress(KeyError):
            params["indicator"] = get(params["indicator"]).name(get_language())
    return render(PROGRESS, code, params, gettext)
