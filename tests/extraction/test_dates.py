"""Date parsing as pages print dates: formats, zones, rejection of placeholders."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from worker.errors import ExtractionError
from worker.extraction.dates import (
    date_from_page,
    date_from_url,
    date_opening,
    day_first,
    in_page_order,
    load_zone,
    parse_date,
    states_the_day,
)

SEOUL = ZoneInfo("Asia/Seoul")
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("Apr 6, 2021 - 09:18", SEOUL, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
        (" : Apr 6, 2021 - 09:18       ", SEOUL, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
        ("2018-06-14T13:25:37+00:00", SEOUL, datetime(2018, 6, 14, 13, 25, 37, tzinfo=UTC)),
        ("2021-03-02T07:30:00+01:00", None, datetime(2021, 3, 2, 6, 30, tzinfo=UTC)),
        ("2019-11-18T15:02:41.000Z", None, datetime(2019, 11, 18, 15, 2, 41, tzinfo=UTC)),
        ("2021-04-06 09:18:00+0900", None, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
        ("2021-04-06", SEOUL, datetime(2021, 4, 5, 15, 0, tzinfo=UTC)),
        ("2021-04-06", None, datetime(2021, 4, 6, tzinfo=UTC)),
        ("Thursday , June 14 2018", None, datetime(2018, 6, 14, tzinfo=UTC)),
        ("Nov 18 2019 8:27 PM EST", SEOUL, datetime(2019, 11, 19, 1, 27, tzinfo=UTC)),
        ("Sept. 3, 2020, 10:15 am ET", None, datetime(2020, 9, 3, 14, 15, tzinfo=UTC)),
        ("April 6, 2021 at 9:18 a.m. (UTC+9)", None, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
        ("Tue 6 Apr 2021 09.18 BST", None, datetime(2021, 4, 6, 8, 18, tzinfo=UTC)),
        ("14. Juni 2018, 10:05 Uhr", BERLIN, datetime(2018, 6, 14, 8, 5, tzinfo=UTC)),
        ("Von Jane Doe 4. 2. 2022.", None, datetime(2022, 2, 4, tzinfo=UTC)),
        ("06.04.2021 09:18", BERLIN, datetime(2021, 4, 6, 7, 18, tzinfo=UTC)),
        ("6 de abril de 2021", None, datetime(2021, 4, 6, tzinfo=UTC)),
        ("6 avril 2021 à 09h18", None, datetime(2021, 4, 6, 9, 18, tzinfo=UTC)),
        ("2021년 4월 6일 09:18", SEOUL, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
        ("2021.04.06 09:18", SEOUL, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
        ("04/06/2021", None, datetime(2021, 4, 6, tzinfo=UTC)),
        ("13/04/2021", None, datetime(2021, 4, 13, tzinfo=UTC)),
        ("Posted on June 14, 2018 by Amina", None, datetime(2018, 6, 14, tzinfo=UTC)),
        ("1617668280", None, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
        ("1617668280000", None, datetime(2021, 4, 6, 0, 18, tzinfo=UTC)),
    ],
)
def test_parse_date(text: str, zone: ZoneInfo | None, expected: datetime) -> None:
    parsed = parse_date(text, zone, now=NOW)
    assert parsed == expected  # the same instant
    assert parsed is not None
    assert parsed.utcoffset() is not None


def test_a_stated_offset_is_kept_so_the_local_day_stays_the_pages() -> None:
    """Just after midnight in Berlin is still the day before in UTC: the page's day is kept
    (storage converts to UTC)."""
    parsed = parse_date("2022-01-28T00:30:00+01:00", now=NOW.replace(year=2025))
    assert parsed is not None
    assert parsed.date().isoformat() == "2022-01-28"
    assert parsed == datetime(2022, 1, 27, 23, 30, tzinfo=UTC)
    in_berlin = parse_date("28.01.2022, 00:30 Uhr", BERLIN, now=NOW.replace(year=2025))
    assert in_berlin is not None
    assert (in_berlin.date().isoformat(), in_berlin) == ("2022-01-28", parsed)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Updated at 1:23 p.m.",
        "June 2018",
        "0000-00-00T00:00:00",
        "1970-01-01T00:00:00Z",
        "2099-01-01",
        "99999-99-99",
        "yesterday",
        "Mars 2020 mission",
    ],
)
def test_no_date(text: str) -> None:
    assert parse_date(text, None, now=NOW) is None


@pytest.mark.parametrize(
    ("language", "stated", "expected"),
    [
        ("en", ["en-GB"], True),
        ("en", ["en_AU"], True),
        ("en", ["en-US"], False),
        ("en", ["en"], False),
        ("en", [], False),
        ("en", ["de", "en-IE"], True),  # the first English tag gives the region
        ("de", [], True),
        ("es", ["es-VE"], True),
        (None, ["en-GB"], False),  # no language known: the common reading of slashes
    ],
)
def test_day_first_everywhere_but_in_us_style_english(
    language: str | None, stated: list[str], expected: bool
) -> None:
    assert day_first(language, stated) is expected


def test_a_slashed_date_is_read_in_the_pages_order() -> None:
    assert parse_date("02/10/2020", now=NOW) == datetime(2020, 2, 10, tzinfo=UTC)
    assert parse_date("02/10/2020", day_first=True, now=NOW) == datetime(2020, 10, 2, tzinfo=UTC)
    # d.m.Y is day first in any case, and 13/04 has only one reading
    assert parse_date("02.10.2020", now=NOW) == datetime(2020, 10, 2, tzinfo=UTC)
    assert parse_date("13/04/2021", now=NOW) == datetime(2021, 4, 13, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("29.11.2022 – Mehrfach und vehement hatte die Branche", datetime(2022, 11, 29)),
        ("1. Februar 2022 , Daniel Dillenburg", datetime(2022, 2, 1)),
        ("Bern, 17.08.2007 - Rede von Moritz Leuenberger", datetime(2007, 8, 17)),
        ("(21. November 2022) Energieverbraucher erhalten", datetime(2022, 11, 21)),
        ("Dienstag, 29.11.2022 14:05 Uhr", datetime(2022, 11, 29, 14, 5)),
        ("February 3, 2022 by Jane Doe", datetime(2022, 2, 3)),
        ("Am 22. Oktober 2019 erscheint die Platinum Edition", None),
        ("12 people died on 3 May 2022", None),
        ("Stand: 29.11.2022", None),
    ],
)
def test_a_date_that_opens_a_line(line: str, expected: datetime | None) -> None:
    """A dateline's date opens its line, after a place or a weekday at most; a date further
    in tells of something else."""
    found = date_opening(line, day_first=True)
    assert found == (expected.replace(tzinfo=UTC) if expected else None)


def test_a_time_ahead_of_now_is_kept_only_within_what_its_zone_can_explain() -> None:
    """A time stated with its zone may be ahead by clock drift only (a CMS writing local time
    with "Z" puts a fresh article hours ahead); one read in an assumed zone by up to UTC+14."""
    ahead = NOW + timedelta(minutes=30)
    assert parse_date(ahead.isoformat(), None, now=NOW) == ahead
    assert parse_date((NOW + timedelta(hours=3)).isoformat(), None, now=NOW) is None
    local = (NOW + timedelta(hours=9)).replace(tzinfo=None).isoformat()  # no zone: assumed
    assert parse_date(local, None, now=NOW) == NOW + timedelta(hours=9)
    assert parse_date((NOW + timedelta(hours=16)).replace(tzinfo=None).isoformat(), now=NOW) is None


def test_a_first_of_the_month_at_midnight_must_be_stated_on_the_page() -> None:
    """What htmldate gives for "May 2022" or "© 2016" is not a day the page states."""
    new_year = datetime(2016, 1, 1, tzinfo=UTC)
    assert not states_the_day(new_year, ["© 2016 Example News", "Archive: May 2016"])
    assert states_the_day(new_year, ["Posted 01.01.2016", "Happy new year"])
    assert states_the_day(datetime(2016, 3, 5, tzinfo=UTC), [])  # any other day passes
    assert states_the_day(datetime(2016, 3, 1, 9, 30, tzinfo=UTC), [])  # a time was found


def test_htmldates_find_keeps_the_offset_the_page_states() -> None:
    """A time htmldate finds with its offset is that moment, not the same clock time in UTC
    (or in the outlet's zone)."""
    html = (
        '<html><head><meta property="og:updated_time" content="2022-12-16T17:30:38+0100">'
        "</head><body><p>Text</p></body></html>"
    )
    found = date_from_page(html, extensive=False)
    assert found == datetime(2022, 12, 16, 16, 30, 38, tzinfo=UTC)
    assert found is not None and found.utcoffset() == timedelta(hours=1)


def test_date_from_url() -> None:
    assert date_from_url("https://example.com/2013/06/14/a-story/") == datetime(
        2013, 6, 14, tzinfo=UTC
    )
    assert date_from_url("https://example.com/2013-06-14-a-story") == datetime(
        2013, 6, 14, tzinfo=UTC
    )
    assert date_from_url("https://example.com/story-20130614") is None
    assert date_from_url("https://example.com/2013/13/40/x") is None


def test_load_zone() -> None:
    assert load_zone(None) is None
    assert load_zone("Asia/Seoul") == SEOUL
    with pytest.raises(ExtractionError):
        load_zone("Not/AZone")


def test_a_date_found_month_first_is_read_in_the_order_the_page_prints_it() -> None:
    """dateparser read "4. 2. 2022" as 2 April; the page's own order says 4 February."""
    april = datetime(2022, 4, 2, tzinfo=UTC)
    lines = ["Von Jane Doe 4. 2. 2022.", "Team nominated for 2022"]
    assert in_page_order(april, lines, day_first=True) == datetime(2022, 2, 4, tzinfo=UTC)
    # the page states the found day too, or no day at all: it stands
    assert in_page_order(april, [*lines, "Updated 02.04.2022"], day_first=True) == april
    assert in_page_order(april, ["Team nominated for 2022"], day_first=True) == april
    assert in_page_order(datetime(2022, 2, 14, tzinfo=UTC), lines, day_first=True).day == 14
