"""Text that a page states in a meta tag or in JSON-LD, as a reader would see it.

CMSs write such values from their rich-text fields and escape them once too often: a
description whose source reads ``&amp;bdquo;Härting&amp;rdquo;`` or ``&lt;p&gt;Die Situation
...`` holds "&bdquo;" and "<p>" once parsed, and a theme's excerpt can end in its own "Read
more" link. On the 1,081 corpus pages, 14 descriptions kept such entities or tags.
"""

from __future__ import annotations

import html
import re

# A character reference: named ("&nbsp;"), decimal ("&#8217;") or hexadecimal ("&#x2019;").
_REFERENCE = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
# Tags of rich text only: a value may put a title in angle brackets ("<The Palace Tale>").
_RICH_TEXT_TAG = re.compile(
    r"</?(?:a|abbr|b|br|cite|div|em|font|h[1-6]|i|li|ol|p|small|span|strong|sub|sup|u|ul)"
    r"(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_READ_MORE = (
    r"(?:read more|read on|more|continue reading|weiterlesen|mehr|mehr lesen|lire la suite"
    r"|lire plus|leer más|seguir leyendo|leggi tutto|czytaj dalej)"
)
# A theme's link to the article at the end of its excerpt, with the link's text.
_READ_MORE_LINK = re.compile(rf"<a\s[^<>]*>\s*{_READ_MORE}\W*</a>\W*$", re.IGNORECASE)
# The same link's text left after the excerpt's ellipsis once a theme dropped its tag
# ("die Firma bereits kennen,...Read More"); the ellipsis stays.
_READ_MORE_TEXT = re.compile(rf"(\.\.\.|…)\s*{_READ_MORE}\W*$", re.IGNORECASE)
# Decoding passes at most: a value escaped twice needs two; the bound keeps hostile input cheap.
_MAX_DECODES = 3


def as_read(value: str) -> str:
    """``value`` with the character references left in it decoded and its rich-text tags
    removed (a line break's or a paragraph's tag becomes a space, a closing "Read more" link
    goes with its text); unchanged if it holds neither."""
    value = decoded(value)
    if "<" in value:
        value = _RICH_TEXT_TAG.sub(" ", _READ_MORE_LINK.sub("", value))
    return value


def without_read_more(excerpt: str) -> str:
    """An excerpt without the "Read more" label a theme left after its ellipsis. For
    excerpts only: a headline may end "Less…More"."""
    return _READ_MORE_TEXT.sub(r"\1", excerpt)


def decoded(value: str) -> str:
    """``value`` with the character references left in it decoded, escaped up to three
    times."""
    for _ in range(_MAX_DECODES):
        if "&" not in value or not _REFERENCE.search(value):
            break
        value = html.unescape(value)
    return value
