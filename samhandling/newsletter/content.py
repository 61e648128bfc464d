"""Text handling for the newsletter: rich text is sanitised with nh3 before it is stored, plain text typed in a box
becomes paragraphs, and HTML becomes the plain-text part of the e-mail."""

from __future__ import annotations

import html
import re

import nh3
from django.utils.html import escape, linebreaks

ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "h3", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Text counts as HTML when it holds one of the allowed tags; anything else in angle brackets is text ("<avsnitt>").
_TAG = re.compile(r"</?(?:" + "|".join(sorted(ALLOWED_TAGS)) + r")\b[^>]*>", re.IGNORECASE)


def sanitise(text: str) -> str:
    """Safe HTML from what an author typed: HTML is cleaned to a small set of tags; text without tags becomes
    paragraphs."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        text = linebreaks(escape(text))
    return nh3.clean(
        text, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES, link_rel="noopener noreferrer"
    ).strip()


_LINK = re.compile(r'<a\s+[^>]*href="([^"]*)"[^>]*>(.*?)</a>', re.IGNORECASE | re.DOTALL)


def to_text(markup: str) -> str:
    """The plain-text form of sanitised HTML: paragraphs as blank lines, list items as dashes, links as
    "text (address)"."""

    def link(match: re.Match) -> str:
        href, label = html.unescape(match.group(1)), match.group(2)
        return f"{label} ({href})" if href and href not in label else label

    text = _LINK.sub(link, markup or "")
    text = re.sub(r"<br\s*/?>", "\n", text, flags=re.IGNORECASE)
    text = re.sub(r"</(p|h3|blockquote|ul|ol)>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<li[^>]*>", "- ", text, flags=re.IGNORECASE)
    text = re.sub(r"</li>", "\n", text, flags=re.IGNORECASE)
    text = html.unescape(nh3.clean(text, tags=set()))
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
