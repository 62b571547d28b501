"""Bylines and datelines in the visible text, for pages that mark them up with nothing
recognisable ("By Yonhap" in a plain <div>, "Published : Apr 6, 2021 - 09:18  Updated : ...").

Only the lines around the headline, between it and the start of the article body, between
the body's lead and its text, and right after the body are read: that is where CMSs print
them, and reading further would pick up the bylines of teasers for other articles.
"""

from __future__ import annotations

import re
from datetime import datetime, tzinfo

from worker.extraction.authors import personal_shape
from worker.extraction.dates import date_opening
from worker.extraction.hints import Hints
from worker.extraction.textkeys import loose_key

# How far above the body a byline or dateline may sit when the headline is not found.
_WINDOW = 25
# Lines above the headline that may still be its dateline and byline ("05.02.2020 - Redaktion:
# Jane Doe" over the headline); further up are the menus.
_ABOVE_HEADLINE = 2
_MAX_LINE_CHARS = 200

BYLINE = re.compile(
    r"^(?:(?:written|posted|reported|submitted|words|story|text)\s+by|by|von|par|por|door"
    r"|text(?:\s*(?:&|und|and|\+)\s*(?:fotos?|bilder?|photos?))?(?=\s*:)"  # "Text & Fotos:"
    r"|text\s+von|autoren|thread\s+starter|themenstarter"
    r"|(?:geschrieben|erstellt|gespeichert|verfasst|eingestellt|publiziert|veröffentlicht)\s+von"
    r"|(?:eine?\s+|blog\s*)?(?:artikel|beitrag|gastbeitrag|bericht|kommentar|kolumne)\s+von)"
    r"\s*:?\s+\S",
    re.IGNORECASE,
)
# A labelled byline after other words on its line ("Datum: 03.11.2021 Autor: Peter Maahn"), or
# the "by" of a WordPress "Posted on June 3, 2020 by Jane Doe" line.
INNER_BYLINE = re.compile(
    r"\b(?:autor|autorin|autoren|author|auteur|verfasser|redaktion)\s*:\s*(?=\w)"
    r"|(?<=\bposted\b)[^|]{0,80}?\sby\s+(?=\w)"
    r"|(?<=\|)\s*(?:by|von|par|por)\s+(?=\w)",  # "Lifestyle | By Jane Doe | April 13, 2020"
    re.IGNORECASE,
)
# A first paragraph this short may be the byline: "Lifestyle | By Jane Doe | April 13, 2020".
_SHORT_LINE = 100
# A numeric date (and time) beside a name, the whole line: "11.12.2019 - Jane Doe",
# "04.02.2022 | 13:10 Uhr | Jane Doe", "Jane Doe | 06.11.23".
_NUMERIC_DATE = r"\d{1,2}[./]\d{1,2}[./]\d{2,4}(?:\s*[|,-]?\s*\d{1,2}:\d{2}(?:\s*uhr)?)?"
_DATED_NAME = re.compile(
    rf"(?:{_NUMERIC_DATE})\s+[-|–]\s+(?P<after>.+)|(?P<before>.+?)\s+[-|–]\s+(?:{_NUMERIC_DATE})",
    re.IGNORECASE,
)
# German WordPress themes: "<title> wurde am 19. Mai 2010 um 23:03 Uhr gepostet".
_POSTED_ON = re.compile(
    r"\bwurde\s+am\s+(.{6,60}?)\s+(?:gepostet|veröffentlicht|publiziert|geschrieben|verfasst)\b",
    re.IGNORECASE,
)
# How much longer than the headline its line must be to say more than the headline.
_MORE_THAN_HEADLINE = 20
# A time of day in a line: with a date, it may tell the outlet's offset (see datechoice).
_CLOCK_TIME = re.compile(r"\b\d{1,2}:\d{2}(?!\d)|\b\d{1,2}\.\d{2}\s?(?:uhr|h)\b", re.IGNORECASE)
# Lines between the body's first two paragraphs that may be its byline.
_IN_LEAD_GAP = 3
# The body's paragraphs whose opening date may be the article's: a lead, then the text.
_OPENING_PARAGRAPHS = 2
# Lines after the body that may still credit its author, not counting up to _MAX_CREDITS
# picture or source credits (a copyright sign, a "Quelle:" or "Foto:" label) between them.
_AFTER_BODY = 2
_MAX_CREDITS = 2
_CREDIT = re.compile(
    r"©|\(c\)|^\W*(?:quelle|source|fotos?|photos?|bild|symbol\w*|credits?|bildnachweis)\s*:",
    re.IGNORECASE,
)
# A paragraph the text extractor cut into at most this many pieces is still found.
_CUT_PIECES = 3
_COMMENTS = re.compile(r"comment|kommentar|comentario|reacties|reactions|antwort", re.IGNORECASE)
_PUBLISHED_WORDS = (
    r"first\s+published|published|posted|released|created|erstellt|veröffentlicht"
    r"|erschienen|publié|publicado|pubblicato|gepubliceerd|verschenen|date|datum|fecha"
)
_UPDATED_WORDS = (
    r"last\s+updated|updated|last\s+modified|modified|aktualisiert|geändert|letzte\s+änderung"
    r"|mis\s+à\s+jour|actualizado|aggiornato|bijgewerkt"
)
# A label alone on its line, its value on the next: <h5>Autor:</h5>Peter Maahn, <label>Letzte
# Änderung:</label><div>14.01.2022</div>, or a "By" without a colon (a widget's "Autor"
# heading without one is not read).
LABEL_ONLY = re.compile(
    r"(?:autor|autorin|autoren|author|authors|auteur|verfasser|redaktion|text|von|by"
    rf"|{_PUBLISHED_WORDS}|{_UPDATED_WORDS})\s*:|by|von|par|por",
    re.IGNORECASE,
)
PUBLISHED_LABEL = re.compile(
    rf"\b(?:{_PUBLISHED_WORDS})\b(?:\s+(?:on|at|am|op))?\s*:?", re.IGNORECASE
)
UPDATED_LABEL = re.compile(rf"\b(?:{_UPDATED_WORDS})\b(?:\s+(?:on|at|am))?\s*:?", re.IGNORECASE)


def find_line(lines: list[str], text: str, start: int, heads: list[str | None]) -> int | None:
    """Index of the first line from ``start`` that begins like ``text`` (loosely compared).
    ``heads``, as long as ``lines``, keeps the keys of the lines' starts between calls."""
    probe = loose_key(text)[:_PROBE_CHARS]
    size = len(probe)
    if size < 8:
        return None
    for index in range(start, len(lines)):
        head = heads[index]
        if head is None:
            # a page has hundreds of lines: key only their start (a key's start is the key of
            # the line's start, so one key serves every probe)
            head = heads[index] = loose_key(lines[index][: 2 * _PROBE_CHARS])
        if len(head) < size:
            head = loose_key(lines[index])
        if head[:size] == probe:
            return index
    return None


# The characters of a text's key that find its line.
_PROBE_CHARS = 60


def article_lines(
    lines: list[str], title: str | None, paragraphs: list[str]
) -> tuple[list[list[str]], list[str]]:
    """The groups of visible lines where pages print the article's byline and dateline: around
    the headline and down to the body's first paragraph, the headline's own line when it goes on
    past the headline, a short first paragraph, the few the body skips between its lead and its
    text; then, apart, those right after its last paragraph (where a reader's comment may
    follow). Each anchor is looked for after the one before it, so every line is keyed once at
    most."""
    heads: list[str | None] = [None] * len(lines)
    top = find_line(lines, title, 0, heads) if title else None
    first = find_line(lines, paragraphs[0], top or 0, heads) if paragraphs else None
    groups = [_header_lines(lines, top, first)]
    if top is not None and title and len(lines[top]) > len(title) + _MORE_THAN_HEADLINE:
        groups.append([lines[top]])  # "<headline> wurde am 19. Mai 2010 gepostet": one line
    if first is not None and len(lines[first]) <= _SHORT_LINE:
        groups.append([lines[first]])  # a byline the text extractor took for the first paragraph
    if first is None and top:
        first = find_line(lines, paragraphs[0], 0, heads)  # the text starts above the headline
    if first is None:
        return groups, []
    second = find_line(lines, paragraphs[1], first + 1, heads) if len(paragraphs) > 1 else None
    if second is not None:
        groups.append(lines[first + 1 : min(second, first + 1 + _IN_LEAD_GAP)])
    end = first if len(paragraphs) == 1 else _last_line(lines, paragraphs, second or first, heads)
    if end is None:
        return groups, []
    return groups, _closing_lines(lines[end + 1 : end + 1 + _AFTER_BODY + _MAX_CREDITS])


def opening_date(
    groups: list[list[str]],
    paragraphs: list[str],
    zone: tzinfo | None,
    *,
    day_first: bool,
    skip: frozenset[str] = frozenset(),
) -> datetime | None:
    """The first date that opens a line above the text where the article is dated
    (``groups``, the first of ``article_lines``) or one of the body's first two paragraphs:
    "1. Februar 2022, Daniel Dillenburg" under the headline, "29.11.2022 – Mehrfach und
    vehement ..." opening a press release's text after its lead. For pages that label no date
    and mark none up. Lines in ``skip`` (the site's chrome) date no article."""
    for lines in [*groups, paragraphs[:_OPENING_PARAGRAPHS]]:
        for line in lines:
            if line in skip:
                continue
            if (found := date_opening(line, zone, day_first=day_first)) is not None:
                return found
    return None


def _header_lines(lines: list[str], top: int | None, body: int | None) -> list[str]:
    """The visible lines between the headline (``top``) and the first body paragraph
    (``body``): those just below the headline and those just above the body, where a page puts
    a teaser, a picture and its credits between the headline and the text; and the two over
    the headline ("05.02.2020 - Redaktion: Jane Doe")."""
    if top is None:
        return lines[max(0, body - _WINDOW) : body] if body is not None else []
    above = lines[max(0, top - _ABOVE_HEADLINE) : top]
    if body is None or body <= top:
        return above + lines[top + 1 : top + 1 + _WINDOW]
    between = lines[top + 1 : body]
    if len(between) > 2 * _WINDOW:
        between = between[:_WINDOW] + between[-_WINDOW:]
    return above + between


def _last_line(
    lines: list[str], paragraphs: list[str], start: int, heads: list[str | None]
) -> int | None:
    """The line where the body ends: the one its last paragraph begins, or, where that
    paragraph is the end of a line the text extractor cut into pieces ("Der", "Kläger", "sei
    in einem Alter ..." around a glossary link), the line that begins one of the few before it
    and holds the rest."""
    for back in range(1, min(_CUT_PIECES, len(paragraphs)) + 1):
        found = find_line(lines, paragraphs[-back], start, heads)
        if found is not None:
            line = loose_key(lines[found])
            pieces = paragraphs[len(paragraphs) - back + 1 :]
            return found if all(loose_key(piece) in line for piece in pieces) else None
    return None


def _closing_lines(after: list[str]) -> list[str]:
    """The lines right after the body that may credit the text ("Text: Jane Doe", "Von R. R.
    am 07.08.2013"), up to a comments heading: further down come readers and teasers. The
    picture and source credits the clean-up took out of the text's end ("Symbolgrafik: ©
    ...") do not count."""
    closing: list[str] = []
    credits = 0
    for line in after:
        if _COMMENTS.search(line):
            break  # "Commentaires", then "par JPA le 7 mai": a reader, not the author
        if credits < _MAX_CREDITS and _CREDIT.search(line):
            credits += 1
            continue
        closing.append(line)
        if len(closing) == _AFTER_BODY:
            break
    return closing


def _joined_labels(lines: list[str]) -> list[str]:
    """The lines with each label that stands alone joined to the value on the next line."""
    joined: list[str] = []
    for line in lines:
        if joined and LABEL_ONLY.fullmatch(joined[-1]):
            joined[-1] = f"{joined[-1]} {line}"
        else:
            joined.append(line)
    return joined


def collect(lines: list[str], title: str | None = None) -> Hints:
    """Byline and dateline candidates, provenance "heuristic", and as "clock" the lines with a
    time that no label names, from which the outlet's offset may be read (see datechoice). A
    line that quotes the headline (``title``) names no author: "Text: <headline> @site" is a
    share button's text."""
    headline = loose_key(title or "")[:40]
    hints = Hints()
    for line in _joined_labels(lines):
        if len(line) > _MAX_LINE_CHARS:
            continue
        quotes_headline = len(headline) >= 12 and headline in loose_key(line)
        byline = None if quotes_headline else BYLINE.match(line)
        # a name starts with a capital: "Von der Fahrbahn abgekommen" is a teaser's headline;
        # a user name after a colon need not ("Verfasst von: jancak")
        if byline is not None and (":" in byline[0] or not line[byline.end() - 1].islower()):
            hints.add("authors", line, "heuristic")
        elif not quotes_headline and (inner := INNER_BYLINE.search(line)) is not None:
            hints.add("authors", "by " + line[inner.end() :], "heuristic")
        elif (dated := _DATED_NAME.fullmatch(line)) is not None:
            name = dated["after"] or dated["before"]
            if personal_shape(name):
                hints.add("authors", name, "heuristic")
        updated = UPDATED_LABEL.search(line)
        published = PUBLISHED_LABEL.search(line)
        if not (updated or published) and _CLOCK_TIME.search(line):
            hints.add("clock", line, "heuristic")  # "February 24, 2020 | 9:25pm"
        if published is not None:
            end = updated.start() if updated and updated.start() > published.end() else None
            hints.add("published", line[published.end() : end], "heuristic")
        elif (posted := _POSTED_ON.search(line)) is not None:
            hints.add("published", posted[1], "heuristic")
        if updated is not None:
            end = published.start() if published and published.start() > updated.end() else None
            hints.add("updated", line[updated.end() : end], "heuristic")
    return hints
