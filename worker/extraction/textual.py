"""Bylines and datelines in the visible text, for pages that mark them up with nothing
recognisable ("By Yonhap" in a plain <div>, "Published : Apr 6, 2021 - 09:18  Updated : ...").

Only the lines between the headline and the start of the article body are read: that is where
CMSs print them, and reading further would pick up the bylines of teasers for other articles.
"""

from __future__ import annotations

import re

from worker.extraction.hints import Hints

# How far above the body a byline or dateline may sit when the headline is not found.
_WINDOW = 25
_MAX_LINE_CHARS = 200

BYLINE = re.compile(
    r"^(?:(?:written|posted|reported|words|story|text)\s+by|by|von|par|por|door"
    r"|eine?\s+(?:artikel|beitrag|gastbeitrag|bericht|kommentar)\s+von)\s*:?\s+\S",
    re.IGNORECASE,
)
# A labelled byline after other words on its line ("Datum: 03.11.2021 Autor: Peter Maahn"), or
# the "by" of a WordPress "Posted on June 3, 2020 by Jane Doe" line.
INNER_BYLINE = re.compile(
    r"\b(?:autor|autorin|autoren|author|verfasser|redaktion)\s*:\s*(?=\w)"
    r"|(?<=\bposted\b)[^|]{0,80}?\sby\s+(?=\w)",
    re.IGNORECASE,
)
PUBLISHED_LABEL = re.compile(
    r"\b(?:first\s+published|published|posted|released|created|erstellt|veröffentlicht"
    r"|publié|publicado|pubblicato|gepubliceerd|date)\b(?:\s+(?:on|at|am))?\s*:?",
    re.IGNORECASE,
)
UPDATED_LABEL = re.compile(
    r"\b(?:last\s+updated|updated|last\s+modified|modified|aktualisiert|geändert"
    r"|mis\s+à\s+jour|actualizado|aggiornato|bijgewerkt)\b(?:\s+(?:on|at|am))?\s*:?",
    re.IGNORECASE,
)


_NOT_WORD = re.compile(r"\W+")


def _key(text: str) -> str:
    return _NOT_WORD.sub("", text.casefold())


def find_line(lines: list[str], text: str, start: int = 0) -> int | None:
    """Index of the first line from ``start`` that begins like ``text`` (loosely compared)."""
    probe = _key(text)[:60]
    size = len(probe)
    if size < 8:
        return None
    for index in range(start, len(lines)):
        line = lines[index]
        head = _key(line[: 2 * size])  # a page has hundreds of lines: key only their start
        if len(head) < size:
            head = _key(line)
        if head[:size] == probe:
            return index
    return None


def header_lines(lines: list[str], title: str | None, first_paragraph: str | None) -> list[str]:
    """The visible lines between the headline and the first body paragraph: those just below
    the headline and those just above the body, where a page puts a teaser, a picture and
    its credits between the headline and the text."""
    top = find_line(lines, title) if title else None
    body = find_line(lines, first_paragraph, top or 0) if first_paragraph else None
    if top is None:
        return lines[max(0, body - _WINDOW) : body] if body is not None else []
    if body is None or body <= top:
        return lines[top + 1 : top + 1 + _WINDOW]
    between = lines[top + 1 : body]
    return between if len(between) <= 2 * _WINDOW else between[:_WINDOW] + between[-_WINDOW:]


def collect(lines: list[str]) -> Hints:
    """Byline and dateline candidates, provenance "heuristic"."""
    hints = Hints()
    for line in lines:
        if len(line) > _MAX_LINE_CHARS:
            continue
        byline = BYLINE.match(line)
        # a name starts with a capital: "Von der Fahrbahn abgekommen" is a teaser's headline
        if byline is not None and not line[byline.end() - 1].islower():
            hints.add("authors", line, "heuristic")
        elif (inner := INNER_BYLINE.search(line)) is not None:
            hints.add("authors", "by " + line[inner.end() :], "heuristic")
        updated = UPDATED_LABEL.search(line)
        published = PUBLISHED_LABEL.search(line)
        if published is not None:
            end = updated.start() if updated and updated.start() > published.end() else None
            hints.add("published", line[published.end() : end], "heuristic")
        if updated is not None:
            end = published.start() if published and published.start() > updated.end() else None
            hints.add("updated", line[updated.end() : end], "heuristic")
    return hints
