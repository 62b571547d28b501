"""Choosing a page's publication (or update) time among the candidates it states.

The most trusted candidate wins (an operator's rule, then JSON-LD, meta tags, markup, text), with
two corrections drawn from the page's own evidence:

- **The day readers see.** Structured data often states the time in UTC while the page prints
  the outlet's local time: 03:37 UTC in JSON-LD, "3 May, 2022, 11:37 pm" on the page. When a
  printed time is the same minute a whole number of quarter hours away (at most 14 hours), it is
  the same moment; it is kept in that offset, so its local day is the one the page shows. The
  first such time in page order decides (a teaser further down may share a round minute). Dates
  with a time that no label names count too ("Jane Doe 3/5/2022 22:41"), for this only. A
  printed date without a time tells the offset when the UTC time starts that day somewhere
  east of UTC ("2021-11-04T23:00Z" beside "5. November 2021": midnight in Berlin). The
  moment itself, and so what storage keeps in UTC, does not change.
- **A CMS that writes the day first.** Meta tags and JSON-LD mostly write "11/01/2023" in the
  US order whatever the page's language (1 November on a Swiss page that prints "01.11.2023"),
  but some write the page's order ("10/05/2022 05:22 pm" for 10 May beside a modification time
  of "2022/05/10 17:36"). The page's other dates, those that read one way only, tell which.
- **A stale structured date.** When the date printed nearest the headline disagrees with the
  trusted candidate and another kind of structured data (meta tags against JSON-LD) agrees with
  the printed one, two sources outvote one: the agreeing structured candidate wins. When the
  trusted candidate states no time of day and the printed date has one, the printed date wins
  alone: it says more (a daily's meta tags giving the print edition's day).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone, tzinfo

from worker.extraction.dates import parse_date
from worker.extraction.hints import Hint, Source

Candidate = tuple[datetime, Source]

_STRUCTURED: frozenset[Source] = frozenset({"json-ld", "meta"})
_PRINTED: frozenset[Source] = frozenset({"markup", "heuristic"})
_MAX_OFFSET = timedelta(hours=14)
_QUARTER_HOUR = 900
_UTC = timedelta(0)
# A date with two readings: "10/05/2022" (d.m.Y and ISO dates have one).
_SLASHED = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")
_TIME_OF_DAY = re.compile(r"\d:\d\d")


def choose_date(
    hints: list[Hint],
    zone: tzinfo | None,
    dmy: bool,
    clocks: list[Hint] | None = None,
    *,
    structured_dmy: bool = False,
) -> Candidate | None:
    """The time a page states for a field, with its source; None if no candidate parses.

    ``zone``: the outlet's, for times printed without one. ``dmy``: the page's language writes
    "02/10/2020" for 2 October (see ``dates.day_first``); it applies to printed dates only, as
    CMSs write meta tags and JSON-LD in the US (invariant) order whatever the language, unless
    ``structured_dmy`` (see ``structured_day_first``).
    ``clocks``: dates with a time printed near the article that no label names ("February 24,
    2020 | 9:25pm"); never a candidate themselves, they only tell a UTC moment's local offset.
    """
    candidates = _parsed(hints, zone, dmy, structured_dmy)
    head = next(candidates, None)
    if head is None:
        return None
    first, first_has_time = head
    if first[1] not in _STRUCTURED and first[0].utcoffset() != _UTC:
        return first  # nothing to correct
    # Structured candidates come before printed ones (SOURCE_ORDER): the vote needs them and
    # the first printed one; a time in UTC needs every printed one. The rest stay unparsed.
    rest: list[Candidate] = []
    for candidate, _ in candidates:
        rest.append(candidate)
        if candidate[1] in _PRINTED and first[0].utcoffset() != _UTC:
            break
    local = _in_local_offset(first, rest)
    if local is None and first[0].utcoffset() == _UTC and clocks:
        clock_times = [clock for clock, _ in _parsed(clocks, zone, dmy, structured_dmy)]
        local = _in_local_offset(first, clock_times)
    chosen = local or _outvoted(first, rest)
    if chosen is None and not first_has_time:
        chosen = _printed_to_the_minute(first, rest)
    return chosen or first


def _parsed(
    hints: list[Hint], zone: tzinfo | None, dmy: bool, structured_dmy: bool
) -> Iterator[tuple[Candidate, bool]]:
    """The hints that parse, each with whether it states a time of day."""
    for hint in hints:
        day_first = structured_dmy if hint.source in _STRUCTURED else dmy
        value = parse_date(hint.value, zone, day_first=day_first)
        if value is not None:
            yield (value, hint.source), _TIME_OF_DAY.search(hint.value) is not None


def structured_day_first(hints: list[Hint]) -> bool:
    """Whether this page's meta tags and JSON-LD write "10/05/2022" for 10 May: when more of
    the page's dates that read one way only (of any field and source) fall on the day-first
    reading's day of its ambiguous structured dates than on the US reading's. A CMS writes all
    its dates alike."""
    if not any(h.source in _STRUCTURED and _SLASHED.search(h.value) for h in hints):
        return False  # nothing to tell apart (most pages: ISO dates)
    readings: list[tuple[datetime, datetime]] = []  # (US, day first) of the ambiguous ones
    days: set[date] = set()
    for hint in hints:
        month_first = parse_date(hint.value, day_first=False)
        day_first = parse_date(hint.value, day_first=True)
        if month_first is None or day_first is None:
            continue
        if month_first == day_first:
            days.add(month_first.date())
        elif hint.source in _STRUCTURED:
            readings.append((month_first, day_first))
    votes = sum(
        (day_first.date() in days) - (month_first.date() in days)
        for month_first, day_first in readings
    )
    return votes > 0


def _in_local_offset(first: Candidate, rest: list[Candidate]) -> Candidate | None:
    """``first`` in the outlet's offset, when it is in UTC and the page states or prints the
    same moment in local time."""
    moment, source = first
    if moment.utcoffset() != _UTC:
        return None
    for value, _ in rest:
        if value == moment and value.utcoffset() != _UTC:
            return value, source  # the same moment with its offset stated
    minute = moment.replace(second=0, microsecond=0)
    for value, value_source in rest:
        if value_source not in _PRINTED or value.utcoffset() != _UTC:
            continue  # a zone was stated or configured: a different moment, not a local reading
        if (value.hour, value.minute) == (0, 0):
            if (local := _local_midnight(moment, value)) is not None:
                return local, source
            continue  # a date without a time
        shift = value.replace(second=0, microsecond=0, tzinfo=None) - minute.replace(tzinfo=None)
        if not shift:
            continue  # the same reading: it tells no offset
        if abs(shift) <= _MAX_OFFSET and shift.total_seconds() % _QUARTER_HOUR == 0:
            return moment.astimezone(timezone(shift)), source
    return None


def _local_midnight(moment: datetime, printed: datetime) -> datetime | None:
    """``moment`` as the start of the day that the page prints (``printed``, a date without a
    time), when that day starts in a zone ahead of UTC at ``moment``: a CMS that stores "5
    November" as midnight in Berlin writes "2021-11-04T23:00Z" in its meta tags."""
    shift = printed.replace(tzinfo=None) - moment.replace(tzinfo=None)
    if moment.second or not timedelta(0) < shift <= _MAX_OFFSET:
        return None
    if shift.total_seconds() % _QUARTER_HOUR:
        return None
    return moment.astimezone(timezone(shift))


def _printed_to_the_minute(first: Candidate, rest: list[Candidate]) -> Candidate | None:
    """The date and time printed nearest the headline when ``first``, structured data, states
    another day and no time: a daily's meta tags giving the print edition's day
    ("2020-04-30") under an article printed "29.04.2020, 12:01 Uhr". The printed time says
    more, and it is what readers see."""
    if first[1] not in _STRUCTURED:
        return None
    printed = next((c for c in rest if c[1] in _PRINTED), None)
    if printed is None or printed[0].date() == first[0].date():
        return None
    return printed if (printed[0].hour, printed[0].minute) != (0, 0) else None


def _outvoted(first: Candidate, rest: list[Candidate]) -> Candidate | None:
    """The structured candidate that agrees with the printed date when ``first`` does not."""
    if first[1] not in _STRUCTURED:
        return None
    printed = next((c for c in rest if c[1] in _PRINTED), None)
    if printed is None or printed[0].date() == first[0].date():
        return None
    return next(
        (
            c
            for c in rest
            if c[1] in _STRUCTURED and c[1] != first[1] and c[0].date() == printed[0].date()
        ),
        None,
    )
