"""Parsing publication dates as pages print them, into timezone-aware datetimes.

Pages state dates in ISO 8601 (structured data), as epoch numbers (some analytics tags) or as
free text in many languages ("Published : Apr 6, 2021 - 09:18", "14. Juni 2018, 10:05 Uhr").
Free text is first narrowed to the date-and-time span by a pattern (so surrounding words never
reach the parser), foreign month names are translated, and only then is dateutil used. A time
printed without a zone is the outlet's local time.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import htmldate
from dateutil import parser as dateutil_parser
from dateutil.tz import tzoffset
from lxml.html import HtmlElement

from worker.errors import ExtractionError

# A news worker handles the web era; an earlier date is a parsing accident or a placeholder.
EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
# A time stated with its zone further ahead of now than clocks drift is wrong, not early (a
# CMS writing local time with a "Z": a fresh article 9 h ahead, first in every "newest"
# query); one without a zone was read in an assumed one, which can be off by the widest
# offset, UTC+14.
FUTURE_SLACK = timedelta(hours=1)
ASSUMED_ZONE_SLACK = timedelta(hours=15)

_MONTH_WORDS: dict[str, tuple[str, ...]] = {
    "January": ("januar", "jänner", "janvier", "enero", "gennaio", "janeiro", "januari"),
    "February": ("februar", "février", "fevrier", "febrero", "febbraio", "fevereiro", "februari"),
    "March": ("märz", "maerz", "mrz", "mär", "mars", "marzo", "março", "marco", "maart"),
    "April": ("avril", "abril", "aprile"),
    "May": ("mai", "mayo", "maggio", "maio", "mei"),
    "June": ("juni", "juin", "junio", "giugno", "junho"),
    "July": ("juli", "juillet", "julio", "luglio", "julho"),
    "August": ("août", "aout", "agosto", "augustus"),
    "September": ("septembre", "septiembre", "setiembre", "settembre", "setembro"),
    "October": ("oktober", "okt", "octobre", "octubre", "ottobre", "outubro"),
    "November": ("novembre", "noviembre", "novembro"),
    "December": ("dezember", "dez", "décembre", "decembre", "diciembre", "dicembre", "dezembro"),
}
_FOREIGN_MONTH = re.compile(
    r"(?<!\w)(" + "|".join(w for words in _MONTH_WORDS.values() for w in words) + r")\.?(?!\w)",
    re.IGNORECASE,
)
_FOREIGN_TO_ENGLISH = {w: month for month, words in _MONTH_WORDS.items() for w in words}
_MONTH_AND_YEAR = re.compile(
    r"(?<!\w)(?:"
    + "|".join(sorted({*map(str.lower, _MONTH_WORDS), *_FOREIGN_TO_ENGLISH}, key=len, reverse=True))
    + r")\.?\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY = r"\d{1,2}(?:st|nd|rd|th)?\.?"
_TIME = (
    r"(?:\s*(?:,|-|–|—|\||/|at|um|à|a las|às|alle|om|kl\.?)?\s*"
    r"\d{1,2}(?:[:.h]\d{2}){1,2}(?!\d)(?:\s*[ap]\.?\s?m\.?)?"
    r"(?:\s*\(?(?:(?:utc|gmt)\s*[+-]\s*\d{1,2}(?::?\d{2})?|[+-]\d{2}:?\d{2}|[a-z]{2,5}\b|z\b)\)?)?)?"
)
_DATE = re.compile(
    r"(?P<iso>\d{4}-\d{1,2}-\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
    r"(?:\s?Z|\s?[+-]\d{2}(?::?\d{2})?)?)?)"
    rf"|(?P<mdy>{_MONTH}\s+{_DAY},?\s+\d{{4}}{_TIME})"
    rf"|(?P<dmy>{_DAY}\s+(?:de\s+)?{_MONTH},?\s+(?:de\s+)?\d{{4}}{_TIME})"
    rf"|(?P<ymd>\d{{4}}[./]\d{{1,2}}[./]\d{{1,2}}\.?{_TIME})"
    rf"|(?P<num>(?:\d{{1,2}}(?P<sep>[./-])\d{{1,2}}(?P=sep)|\d{{1,2}}\.\s\d{{1,2}}\.\s)\d{{4}}{_TIME})"
    r"|(?P<cjk>\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2}\s*[日일]?"
    r"(?:\s*\d{1,2}[:시]\s*\d{2}분?)?)",
    re.IGNORECASE,
)
_EPOCH = re.compile(r"\d{10}(?:\d{3})?")
_ZONE_OFFSET = re.compile(r"\(?(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\)?", re.IGNORECASE)

# Abbreviations that news sites print after times; ambiguous ones map to their usual news sense.
_ZONE_NAMES: dict[str, str] = {
    "ET": "America/New_York", "EST": "America/New_York", "EDT": "America/New_York",
    "CT": "America/Chicago", "CST": "America/Chicago", "CDT": "America/Chicago",
    "MT": "America/Denver", "MST": "America/Denver", "MDT": "America/Denver",
    "PT": "America/Los_Angeles", "PST": "America/Los_Angeles", "PDT": "America/Los_Angeles",
    "BST": "Europe/London", "CET": "Europe/Berlin", "CEST": "Europe/Berlin",
    "MEZ": "Europe/Berlin", "MESZ": "Europe/Berlin", "EET": "Europe/Athens",
    "EEST": "Europe/Athens", "MSK": "Europe/Moscow", "IST": "Asia/Kolkata",
    "KST": "Asia/Seoul", "JST": "Asia/Tokyo", "HKT": "Asia/Hong_Kong", "SGT": "Asia/Singapore",
    "PHT": "Asia/Manila", "WIB": "Asia/Jakarta", "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney", "NZST": "Pacific/Auckland", "NZDT": "Pacific/Auckland",
}  # fmt: skip


def _tzinfos(name: str | None, offset: int | None) -> tzinfo | None:
    """dateutil callback: resolve zone abbreviations (fixed offsets stay fixed)."""
    if offset is not None:
        return tzoffset(name, offset)
    if not name:
        return None
    if name.upper() in ("UTC", "GMT", "Z", "UT"):
        return UTC
    zone = _ZONE_NAMES.get(name.upper())
    return ZoneInfo(zone) if zone else None


def load_zone(name: str | None) -> tzinfo | None:
    """The outlet's IANA zone; an unknown name is a configuration mistake worth failing on."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ExtractionError(f"unknown timezone {name!r}") from exc


# English-speaking places that write 10/02/2020 for October 2 (all others write the day first).
_MONTH_FIRST_REGIONS = frozenset({"", "us", "ph", "ca"})


def day_first(language: str | None, stated: list[str]) -> bool:
    """Whether "02/10/2020" on this page is 2 October: everywhere but in US-style English.

    ``language``: the page's language code ("en"), None when unknown (then the US reading, the
    common one with slashes); ``stated``: the tags the page states ("en-GB", "en_AU"), whose
    first English one gives the region.
    """
    if language is None:
        return False
    if language != "en":
        return True
    for tag in stated:
        parts = re.split(r"[-_]", tag.strip().lower())
        if parts[0] == "en":
            return (parts[1] if len(parts) > 1 else "") not in _MONTH_FIRST_REGIONS
    return False


def parse_date(
    value: str,
    zone: tzinfo | None = None,
    *,
    day_first: bool = False,
    now: datetime | None = None,
) -> datetime | None:
    """The first date (with its time when printed) in ``value``, timezone-aware in the offset
    the page states (its local day stays readable; storage converts to UTC); None if none.

    A date without a zone is taken in ``zone`` (the outlet's), or UTC when that is unknown.
    ``day_first``: "02/10/2020" is 2 October (see ``day_first()``); d.m.Y is always day first.
    Dates before 1995 or in the future are rejected as placeholders and parsing accidents.
    """
    text = " ".join(value.split())[:300]
    if not text:
        return None
    parsed = _parse_epoch(text) or _parse_iso(text) or _parse_free(text, day_first)
    if parsed is None:
        return None
    try:
        offset = parsed.utcoffset()
    except ValueError:  # "+25:00": dateutil builds the zone, datetime refuses to use it
        return None
    slack = FUTURE_SLACK
    if offset is None:
        parsed = parsed.replace(tzinfo=zone or UTC)
        slack = ASSUMED_ZONE_SLACK
    elif abs(offset) > MAX_OFFSET:
        return None  # "UTC+15", "-99:99": no clock shows it, the time is not to be trusted
    return parsed if plausible(parsed, now, slack) else None


# the widest offsets in use: UTC-12 and UTC+14
MAX_OFFSET = timedelta(hours=14)


def plausible(
    moment: datetime, now: datetime | None = None, slack: timedelta = FUTURE_SLACK
) -> bool:
    """Not before 1995 nor in the future (by more than ``slack``): anything else is a
    placeholder or an accident."""
    return EARLIEST <= moment <= (now or datetime.now(UTC)) + slack


def _parse_epoch(text: str) -> datetime | None:
    if not _EPOCH.fullmatch(text):
        return None
    seconds = int(text) / (1000 if len(text) == 13 else 1)
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_iso(text: str) -> datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _parse_free(text: str, day_first: bool) -> datetime | None:
    text = _FOREIGN_MONTH.sub(lambda m: _FOREIGN_TO_ENGLISH[m.group(1).lower()], text)
    match = _DATE.search(text)
    if match is None:
        return None
    span = match.group(0)
    numbers = re.findall(r"\d+", span)
    if match.group("cjk"):
        span = "-".join(numbers[:3]) + (" " + ":".join(numbers[3:5]) if len(numbers) >= 5 else "")
    elif match.group("ymd"):
        span = "-".join(numbers[:3]) + " " + _after(span, 3)
    elif match.group("num"):
        day, month = int(numbers[0]), int(numbers[1])
        # d.m.Y and d-m-Y are day-first everywhere; with "/" unless the page is in US-style
        # English and the first number can be a month.
        if match.group("sep") == "/" and day <= 12 and not day_first:
            day, month = month, day
        span = f"{numbers[2]}-{month}-{day} " + _after(span, 3)
    return _dateutil(_clean_span(span))


# A place or a weekday before a dateline's date: "Bern, 17.08.2007 - ", "Dienstag, 29.11.2022".
_PLACE_LEAD = re.compile(r"[^\W\d_][\w.'’-]*(?: [\w.'’-]+){0,2},\s+")


def date_opening(
    line: str, zone: tzinfo | None = None, *, day_first: bool = False
) -> datetime | None:
    """The date that opens ``line``, in parentheses ("(21. November 2022) Energieverbraucher
    ...") or after a place or a weekday and a comma at most; None when the line starts
    otherwise ("Am 22. Oktober 2019 erscheint ..." tells of another day)."""
    text = " ".join(line.split())[:80]
    text = _FOREIGN_MONTH.sub(lambda m: _FOREIGN_TO_ENGLISH[m.group(1).lower()], text)
    match = _DATE.match(text, 1 if text.startswith("(") else 0)
    if match is None and (lead := _PLACE_LEAD.match(text)) is not None:
        match = _DATE.match(text, lead.end())
    return parse_date(match.group(0), zone, day_first=day_first) if match else None


def _after(span: str, count: int) -> str:
    """What follows the first ``count`` numbers of a span (the time part)."""
    parts = re.split(r"(\d+)", span, maxsplit=count)
    return parts[-1] if len(parts) > 2 * count else ""


def _clean_span(span: str) -> str:
    """Reduce a matched date/time span to something dateutil reads unambiguously."""
    span = _ZONE_OFFSET.sub(
        lambda m: f" {m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}", span
    )
    span = re.sub(r"(?<=\d)(st|nd|rd|th)\b", "", span, flags=re.IGNORECASE)
    span = re.sub(r"\b(de|at|um|à|a las|às|alle|om|kl)\b\.?", " ", span, flags=re.IGNORECASE)
    span = re.sub(r"(?<=\d)\.(?=\s)", "", span)  # "14. June" -> "14 June"
    span = re.sub(r"(?<=\d)\s*[,|/–—]\s*(?=\d{1,2}[:.h]\d{2})", " ", span)
    span = re.sub(r"(?<=\d{4})\s*-\s*(?=\d{1,2}[:.h]\d{2})", " ", span)
    span = re.sub(r"(?<=\s\d)[.h](?=\d{2}\b)|(?<=\s\d\d)[.h](?=\d{2}\b)", ":", span)
    span = re.sub(r"\b([ap])\.?\s?m\.?(?=\W|$)", r"\1m", span, flags=re.IGNORECASE)
    return span.replace("(", " ").replace(")", " ").strip(" ,")


def _dateutil(span: str) -> datetime | None:
    """Parse with dateutil, refusing results whose year, month or day were filled in."""
    results = []
    # naive on purpose: an aware default would hide whether the text named a zone
    for default in (datetime(2000, 1, 1), datetime(2001, 2, 2)):  # noqa: DTZ001
        try:
            with warnings.catch_warnings():
                # unknown zone names only mean "no zone": the outlet's zone applies
                warnings.simplefilter("ignore")
                results.append(
                    dateutil_parser.parse(span, default=default, tzinfos=_tzinfos, fuzzy=True)
                )
        except (ValueError, OverflowError, TypeError, dateutil_parser.ParserError):
            return None
    first, second = results
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None
    return first


_URL_DATE = re.compile(r"/((?:19|20)\d{2})[/-](\d{1,2})[/-](\d{1,2})(?:/|-|\.|$)")


def names_a_month(text: str) -> bool:
    """Whether ``text`` names a month of a year in any language read here ("Dezember 2021",
    "Nachrichten Februar 2022"): a breadcrumb's crumb of the archive, not a section."""
    return _MONTH_AND_YEAR.search(text) is not None


def date_from_url(url: str, zone: tzinfo | None = None) -> datetime | None:
    """A /YYYY/MM/DD/ date in the URL path: the last resort when the page states none."""
    match = _URL_DATE.search(url)
    if match is None:
        return None
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None
    return parse_date(day.isoformat(), zone)


def date_from_page(
    html: str | HtmlElement, zone: tzinfo | None = None, *, extensive: bool = True
) -> datetime | None:
    """htmldate's search of the page (headers, scripts, elements, free text), without the URL.

    Given the parsed tree, htmldate searches a copy of it rather than parsing the page again.

    A fallback for pages where structured data, markup and bylines gave nothing; the URL is
    kept out (``url=""``) so that a date the page prints always wins over the address. Its
    time comes with the offset the page states ("%z"): without it, "17:30:38+0100" was read
    as 17:30 in UTC or in the outlet's zone, and an hour off.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = htmldate.find_date(
                html,
                url="",
                original_date=True,
                extensive_search=extensive,
                outputformat="%Y-%m-%dT%H:%M:%S%z",
            )
    except Exception:  # htmldate internals; a missing date is not an extraction failure
        return None
    return parse_date(found, zone) if isinstance(found, str) else None


def in_page_order(found: datetime, lines: list[str], *, day_first: bool) -> datetime:
    """``found`` with day and month swapped when the page prints it the other way round.

    htmldate hands free text such as "4. 2. 2022" to dateparser, which may read it month
    first; a line that our parser, in the page's order, reads as the swapped day (and none as
    ``found``) says which it is.
    """
    if found.day > 12 or found.day == found.month:
        return found
    swapped = found.replace(day=found.month, month=found.day)
    year = str(found.year)
    stated = {
        day.date()
        for line in lines
        if year in line and (day := parse_date(line, found.tzinfo, day_first=day_first))
    }
    return swapped if swapped.date() in stated and found.date() not in stated else found


def states_the_day(found: datetime, lines: list[str]) -> bool:
    """Whether a date htmldate found in the free text names a day the page states.

    Its last resorts, a month or a year alone ("May 2022", "© 2016"), come back as the first of
    the month or of January at midnight, a day no line states; any other date passes.
    """
    if found.day != 1 or found.time() != time(0):
        return True
    year = str(found.year)
    return any(
        (stated := parse_date(line, found.tzinfo)) is not None and stated.date() == found.date()
        for line in lines
        if year in line
    )
