"""Tags and keywords: a clean, de-duplicated list from whatever list syntax a page uses.

``keywords`` and ``news_keywords`` are comma-separated strings, ``article:tag`` is one tag per
meta tag, JSON-LD ``keywords`` is either. Some CMSs put internal markers there ("tag:foo",
"_system", "@post-id:1913719") or whole sentences, or repeat the headline, a title or the
description; those are not tags.
"""

from __future__ import annotations

import re

MAX_TAGS = 30
MAX_TAG_CHARS = 60
_SEPARATORS = re.compile(r"\s*[,;|]\s*")
_SENTENCE_WORDS = 4
_INTERNAL = re.compile(r"^(?:_|@|[\w-]+:|\d+$)")


def split_tags(value: str) -> list[str]:
    """The tags in one stated value ("a, b; c" -> ["a", "b", "c"])."""
    return [part for part in _SEPARATORS.split(value) if part]


def clean_tags(
    values: list[str], repeats: list[str] | None = None, *, split: bool = True
) -> list[str]:
    """Tags in page order, first spelling kept, without duplicates, markers, sentences or a
    value that ``repeats`` one of the page's other texts (its headline, another title, its
    description: a CMS that fills the keywords with them) when that text is a sentence (a one-
    or two-word headline, "Penny" on a wiki, is what the page is about: its tag too).

    ``split``: each value is a list ("a, b; c"); not a tag link's text, which is one tag
    however many commas it holds."""
    tags: list[str] = []
    seen = {
        key
        for text in repeats or []
        if len((key := " ".join(text.split()).casefold()).split()) >= _SENTENCE_WORDS
    }
    for value in values:
        if " ".join(value.split()).casefold() in seen:
            continue  # the description stated again as keywords, commas and all
        for tag in split_tags(value) if split else [value]:
            tag = " ".join(tag.split()).strip(" #\"'»«›‹•·")  # "Kultur»": a link's arrow
            key = tag.casefold()
            if not tag or key in seen or len(tag) > MAX_TAG_CHARS or _INTERNAL.match(tag):
                continue
            if "://" in tag or not any(c.isalpha() for c in tag):
                continue
            seen.add(key)
            tags.append(tag)
            if len(tags) == MAX_TAGS:
                return tags
    return tags
