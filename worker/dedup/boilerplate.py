"""Per-outlet boilerplate: a paragraph an outlet repeats across many of its articles is chrome.

A newsletter plug, an "About us" box or a standard disclaimer that slipped past the extractor
would make two unrelated articles of one outlet look alike, and fills the body with noise. The
store counts, per outlet, in how many articles each paragraph appears; once a paragraph reaches
``MIN_ARTICLES`` it is removed from the bodies stored after that (and by reprocessing).
"""

from __future__ import annotations

import re

from worker.dedup.content import normalize_text, signed_key

MIN_ARTICLES = 5
# A paragraph an outlet printed once and not again in this many days is forgotten: its count
# could start over if it came back, but kept, every article's text was stored twice for good.
FORGET_AFTER_DAYS = 30
_SPLIT = re.compile(r"\n\s*\n")


def paragraphs(body: str) -> list[str]:
    return [p.strip() for p in _SPLIT.split(body) if p.strip()]


def paragraph_key(paragraph: str) -> int:
    """A signed 64-bit key of the normalised paragraph (typography and case folded)."""
    return signed_key(normalize_text(paragraph).encode("utf-8"), b"para")


def paragraph_keys(body: str) -> dict[int, str]:
    """Each distinct paragraph of ``body`` by its key (the first spelling seen)."""
    keys: dict[int, str] = {}
    for paragraph in paragraphs(body):
        keys.setdefault(paragraph_key(paragraph), paragraph)
    return keys


def strip_paragraphs(body: str, boilerplate: set[int]) -> str:
    """``body`` without the paragraphs whose key is in ``boilerplate``; never empties a body."""
    if not boilerplate:
        return body
    kept = [p for p in paragraphs(body) if paragraph_key(p) not in boilerplate]
    return "\n\n".join(kept) if kept else body
