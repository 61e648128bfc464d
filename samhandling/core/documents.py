"""Shared pieces of generated documents (PDF with WeasyPrint, DOCX with python-docx): a network-free URL fetcher,
the translated "Page x of y" footer and Word fields, so every module's documents behave the same."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.utils.translation import gettext as _


def local_only_fetcher():
    """A WeasyPrint URL fetcher that fetches data: URLs and files inside the project, and refuses anything else
    (WeasyPrint then leaves the resource out), so rendering a report never touches the network."""
    from weasyprint import URLFetcher

    root = Path(settings.BASE_DIR).resolve()

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            scheme = url.split(":", 1)[0].lower()
            if scheme == "file":
                path = Path(unquote(urlparse(url).path)).resolve()
                if path.is_relative_to(root):
                    return super().fetch(url, headers)
            elif scheme == "data":
                return super().fetch(url, headers)
            raise ValueError(f"Refused to fetch {url[:100]}: reports use local files only.")

    return LocalOnlyFetcher(allowed_protocols={"data", "file"})


def css_string(text: str) -> str:
    """`text` as a quoted CSS string (safe inside a <style> element)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ").replace("<", "\\3c ")
    return f'"{escaped}"'


def page_counter_words() -> tuple[str, str, str]:
    """The translated words before, between and after the numbers of "Page 2 of 5"."""
    before, _sep, rest = _("Page %(page)s of %(pages)s").partition("%(page)s")
    middle, _sep, after = rest.partition("%(pages)s")
    return before, middle, after


def page_counter() -> str:
    """The footer's "Page 2 of 5" as CSS `content`, with the translated words around the counters."""
    before, middle, after = page_counter_words()
    parts = [css_string(before) if before else "", "counter(page)", css_string(middle), "counter(pages)"]
    if after:
        parts.append(css_string(after))
    return " ".join(part for part in parts if part)


def docx_page_number_field(paragraph, instruction: str) -> None:
    """A Word field (PAGE or NUMPAGES) that Word fills in when it lays out the document."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def docx_repeat_header(row) -> None:
    """Repeat a table's first row at the top of every page in Word."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def docx_page_counter(paragraph, text_before: str = ""):
    """Append `text_before` and the translated "Page x of y" with Word's PAGE and NUMPAGES fields; returns the
    paragraph so the caller can style its runs."""
    before, middle, after = page_counter_words()
    paragraph.add_run(f"{text_before}{before}")
    docx_page_number_field(paragraph, "PAGE")
    paragraph.add_run(middle)
    docx_page_number_field(paragraph, "NUMPAGES")
    paragraph.add_run(after)
    return paragraph
