"""Every string a user reads exists in bokmål and nynorsk: the catalogues are complete and compiled."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "samhandling" / "locale"
PLACEHOLDER = r"%\((\w+)\)[sd]"


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_catalogue_is_complete_and_nothing_is_fuzzy(language):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    missing = [entry.msgid for entry in catalogue if not entry.translated() or "fuzzy" in entry.flags]
    assert not missing, f"{len(missing)} untranslated in {language}: {missing[:10]}"
    assert len(catalogue) > 100


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_placeholders_survive_translation(language):
    import re

    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    for entry in catalogue:
        expected = set(re.findall(PLACEHOLDER, entry.msgid + entry.msgid_plural))
        texts = [entry.msgstr] if not entry.msgid_plural else list(entry.msgstr_plural.values())
        for text in texts:
            assert set(re.findall(PLACEHOLDER, text)) <= expected | set(), entry.msgid
            if not entry.msgid_plural:
                assert set(re.findall(PLACEHOLDER, text)) == expected, entry.msgid


@pytest.mark.parametrize("language", ["nb", "nn"])
def test_the_compiled_catalogue_matches_the_source(language):
    source = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))
    # The same msgid may appear with different contexts ("Change" the verb and "Change" between two periods).
    compiled_by_id = {(entry.msgctxt, entry.msgid): entry for entry in compiled}
    for entry in source:
        if entry.obsolete or not entry.msgid:
            continue
        key = (entry.msgctxt, entry.msgid)
        assert key in compiled_by_id, f"run `make messages`: {entry.msgid!r} is not compiled"
        if not entry.msgid_plural:
            assert compiled_by_id[key].msgstr == entry.msgstr, entry.msgid
