"""The article's lead, printed between its headline and its text, where the body lacks it.

News pages print a lead paragraph (a standfirst, a dek) under the headline, often in the
article's header rather than in its text's box (<p class="a-lead">, <div class="summary">, an
<h2> under the <h1>), and trafilatura's precision mode leaves it out. The page's description
(meta or JSON-LD) is commonly that lead word for word: a printed element whose text begins like
the description, standing above the body's first paragraph, is the lead.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from worker.extraction.body import Block
from worker.extraction.parsing import (
    INVISIBLE_TAGS,
    SUBHEADINGS,
    in_chrome,
    tag_text,
    texts_containing,
)
from worker.extraction.textkeys import loose_key

# A shorter description is a tagline or a list of keywords, not a lead.
_MIN_DESCRIPTION_CHARS = 60
# How much of the description is looked for on the page (a CMS may cut it anywhere after),
# and how much of it the lead must begin with (loosely compared).
_NEEDLE_CHARS = 40
_KEY_CHARS = 60
_MAX_LEAD_CHARS = 1000
# The body's paragraphs a description may repeat as they stand (the body then has its lead).
_OPENING_PARAGRAPHS = 3
_LEAD_TAGS = SUBHEADINGS | {"p", "div", "li"}
# Containers a text's block is never looked for beyond: the lead is an element of its own.
_CONTAINERS = frozenset({"header", "section", "article", "main", "body", "html"})


def printed_lead(
    root: HtmlElement,
    descriptions: list[str],
    headline: str | None,
    body: list[Block],
    page_lines: list[str],
) -> Block | None:
    """The lead the page prints above ``body`` and the body does not hold, if a description
    gives it away; a description that starts with the ``headline`` (the title glued to the
    text) gives nothing. ``page_lines``, the page's ``visible_lines``, spare the search of the
    tree on pages that do not print the description."""
    if not body:
        return None
    headline_key = loose_key(headline or "")[:_NEEDLE_CHARS]
    shown: str | None = None
    opening: str | None = None
    whole: str | None = None
    for description in dict.fromkeys(" ".join(d.split()) for d in descriptions):
        key = loose_key(description)[:_KEY_CHARS]
        needle = description[:_NEEDLE_CHARS]
        if len(description) < _MIN_DESCRIPTION_CHARS or (
            headline_key and key.startswith(headline_key)
        ):
            continue
        if shown is None:
            shown = "\n".join(page_lines)
        if needle not in shown:
            continue
        if opening is None:  # the body's first paragraphs first: a whole body's key is slow
            opening = loose_key(" ".join(p.text for p in body[:_OPENING_PARAGRAPHS]))
        if key in opening:
            continue
        for element in texts_containing(root, needle):
            block = _block(element)
            if block is None or in_chrome(block, include_self=True):
                continue
            lead = tag_text(block, _MAX_LEAD_CHARS + 1)
            if len(lead) <= _MAX_LEAD_CHARS and loose_key(lead).startswith(key):
                if whole is None:
                    whole = loose_key(" ".join(paragraph.text for paragraph in body))
                if key in whole or _below(block, root, body[0].text):
                    break  # it repeats a part of the text: the next description may not
                return Block(lead)
    return None


def _block(element: HtmlElement) -> HtmlElement | None:
    """The paragraph-like element a visible text stands in; None for a script's or the
    head's text, or a text loose in a container."""
    if any(tag.tag in INVISIBLE_TAGS for tag in (element, *element.iterancestors())):
        return None
    block: HtmlElement | None = element
    while block is not None and block.tag not in _LEAD_TAGS:
        if block.tag in _CONTAINERS:
            return None
        block = block.getparent()
    if block is None or next(block.iter("h1"), None) is not None:
        return None
    return block


def _below(block: HtmlElement, root: HtmlElement, first_paragraph: str) -> bool:
    """Whether the body's first paragraph stands above ``block``: then the description
    repeats a later part of the text (a pull quote, a summary box), not a lead."""
    starts = set(texts_containing(root, first_paragraph[:_NEEDLE_CHARS]))
    for element in root.iter():
        if element is block:
            return False
        if element in starts and element.tag not in INVISIBLE_TAGS:
            return True
    return False
