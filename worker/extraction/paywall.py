"""Is the article behind a paywall? What the page declares, else the truncation notice it shows.

Publishers declare paid content to search engines with schema.org ``isAccessibleForFree``
(on the article or on a ``hasPart`` element) or ``article:content_tier``; pages that declare
nothing still show a notice where the free part ends ("Subscribe to continue reading"). When
the flag is set the stored body is the free part only.
"""

from __future__ import annotations

import re

_FALSE = frozenset({"false", "0", "no", "locked"})
_TRUE = frozenset({"true", "1", "yes", "free"})

# Notices that replace the rest of an article for readers without a subscription; matched on
# whole visible lines (short ones), so an article that merely mentions subscriptions is not hit.
_NOTICES = re.compile(
    r"(?:subscribe|sign up|log ?in|register|become a (?:member|subscriber)) to (?:continue|keep)"
    r" reading|(?:to )?continue reading,? (?:please )?(?:subscribe|log ?in|sign in)"
    r"|this (?:article|story|content) is (?:for|only available to|exclusive to|reserved for)"
    r" (?:paid )?(?:subscribers|members)"
    r"|the rest of this (?:article|story) is (?:for|only|available)"
    r"|dieser (?:artikel|beitrag|inhalt) ist (?:exklusiv |nur )?für (?:abonnent|abo)"
    r"|(?:jetzt|hier) weiterlesen mit|weiterlesen mit \w+\+"
    r"|lesen sie jetzt weiter"
    r"|cet article est réservé aux abonnés|la suite est réservée"
    r"|contenido exclusivo para suscriptores|questo articolo è riservato agli abbonati",
    re.IGNORECASE,
)
# Labels that an ordinary sentence says too ("the pool will be open to members only"): a
# notice only as a line of a few words of its own ("Subscribers only", "Réservé aux abonnés").
_LABELS = re.compile(
    r"(?:subscribers|members) only|nur für abonnenten|réservé aux abonnés", re.IGNORECASE
)
_MAX_LABEL_LINE_WORDS = 6
_MAX_NOTICE_CHARS = 200
# The notice follows the free part: only lines this close after the body's last paragraph count
# (a "subscribers only" menu entry in the header says nothing about this article).
_NOTICE_WINDOW = 15


def declared_free(value: str | None) -> bool | None:
    """``isAccessibleForFree``/``content_tier`` as a boolean (schema.org's own spelling too,
    "https://schema.org/False"); None for anything else."""
    if value is None:
        return None
    word = re.sub(r"^https?://schema\.org/", "", value.strip(), flags=re.IGNORECASE).lower()
    if word in _FALSE:
        return False
    if word in _TRUE:
        return True
    return None


def notice_index(paragraphs: list[str]) -> int | None:
    """Where a subscribers-only notice starts inside an extracted body (never the first
    paragraph: a body that is only a notice is not an article)."""
    for index, text in enumerate(paragraphs[1:], start=1):
        if is_notice(text):
            return index
    return None


def is_notice(text: str) -> bool:
    """A short line announcing that the rest is for subscribers."""
    if len(text) > _MAX_NOTICE_CHARS:
        return False
    if _NOTICES.search(text):
        return True
    return len(text.split()) <= _MAX_LABEL_LINE_WORDS and _LABELS.search(text) is not None


def notice_box_start(paragraphs: list[str], notice: int) -> int:
    """Where the box holding the notice at ``notice`` starts: at the label it may print above
    the notice ("OK+", "SZ Plus": a few words, no sentence), which is no part of the article
    either; the first paragraph always stays."""
    if notice > 1:
        label = paragraphs[notice - 1].strip()
        if len(label.split()) <= _MAX_LABEL_WORDS and not label.endswith(_SENTENCE_ENDS):
            return notice - 1
    return notice


_MAX_LABEL_WORDS = 3
_SENTENCE_ENDS = (".", "!", "?", "\u2026", '"', "\u201c", "\u201d", "\u00bb", "\u00ab")


def truncation_notice(lines: list[str], last_paragraph: str) -> str | None:
    """A short visible line just after the body's last paragraph announcing that the rest is
    for subscribers; None when there is none or the paragraph is not found among the lines."""
    start = last_paragraph[:60]
    end = next((i for i, line in enumerate(lines) if start and start in line), None)
    if end is None:
        return None
    for line in lines[end + 1 : end + 1 + _NOTICE_WINDOW]:
        if is_notice(line):
            return line
    return None
