"""Slugs for file names of the meeting module: Norwegian letters transliterated (æ → ae, ø → o, å → a) rather than
dropped, so "Møteplan" becomes "moteplan" and not "mteplan"."""

from django.utils.text import slugify

_NORWEGIAN = str.maketrans({"æ": "ae", "Æ": "Ae", "ø": "o", "Ø": "O", "å": "a", "Å": "A"})


def slug(text: str) -> str:
    return slugify(str(text).translate(_NORWEGIAN))
