"""Choosing among the times a page states: trust order, the page's offset, stale structured
data outvoted by the printed date and another structured source."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from worker.extraction.datechoice import choose_date, structured_day_first
from worker.extraction.hints import Hint, Source


def hints(*pairs: tuple[Source, str]) -> list[Hint]:
    return [Hint(value, source) for source, value in pairs]


def test_the_most_trusted_candidate_that_parses_wins() -> None:
    chosen = choose_date(
        hints(("json-ld", "not a date"), ("meta", "2021-04-06T09:18:00+09:00")), None, False
    )
    assert chosen == (datetime(2021, 4, 6, 0, 18, tzinfo=UTC), "meta")
    assert choose_date(hints(("markup", "soon")), None, False) is None


def test_a_utc_time_takes_the_offset_of_the_local_time_the_page_prints() -> None:
    """03:37 UTC is 23:37 the day before where the outlet is: the moment stays, the day shown
    is the page's."""
    chosen = choose_date(
        hints(("json-ld", "2022-05-04T03:37:37+00:00"), ("markup", "3 May, 2022, 11:37 pm")),
        None,
        False,
    )
    assert chosen is not None
    moment, source = chosen
    assert (moment, source) == (datetime(2022, 5, 4, 3, 37, 37, tzinfo=UTC), "json-ld")
    assert moment.utcoffset() == timedelta(hours=-4)
    assert moment.date().isoformat() == "2022-05-03"


def test_a_utc_time_takes_the_offset_another_source_states_for_the_same_moment() -> None:
    chosen = choose_date(
        hints(("json-ld", "2019-10-18T22:04:00Z"), ("meta", "Sat, 19 Oct 2019 00:04:00 +0200")),
        None,
        False,
    )
    assert chosen is not None
    assert chosen[0] == datetime(2019, 10, 18, 22, 4, tzinfo=UTC)
    assert chosen[0].date().isoformat() == "2019-10-19"


def test_a_printed_time_that_is_not_the_same_minute_is_another_moment() -> None:
    for printed in ("3 May, 2022, 11:12 pm", "3 May, 2022"):  # other minute; no time at all
        chosen = choose_date(
            hints(("json-ld", "2022-05-04T03:37:37+00:00"), ("markup", printed)), None, False
        )
        assert chosen is not None
        assert chosen[0].utcoffset() == timedelta(0)
        assert chosen[0].date().isoformat() == "2022-05-04"


def test_a_utc_time_that_starts_the_printed_day_somewhere_east_is_that_days_midnight() -> None:
    """A CMS storing "5. November 2021" as midnight in Berlin writes 23:00 UTC the day
    before: the moment stays, the day shown is the page's. A time that starts no printed day
    (a minute past, some seconds past, the printed day itself) tells nothing."""
    stated = hints(("meta", "2021-11-04T23:00Z"), ("markup", "5. November 2021"))
    chosen = choose_date(stated, None, True)
    assert chosen is not None
    moment, source = chosen
    assert (moment, source) == (datetime(2021, 11, 4, 23, 0, tzinfo=UTC), "meta")
    assert moment.utcoffset() == timedelta(hours=1)
    assert moment.date().isoformat() == "2021-11-05"
    for structured, printed in [
        ("2021-11-04T23:00:30Z", "5. November 2021"),
        ("2021-11-04T23:07:00Z", "5. November 2021"),
        ("2021-11-04T23:00:00Z", "4. November 2021"),
        ("2021-11-03T23:00:00Z", "5. November 2021"),  # a day and more apart
    ]:
        chosen = choose_date(hints(("meta", structured), ("markup", printed)), None, True)
        assert chosen is not None
        assert chosen[0].utcoffset() == timedelta(0)


def test_a_stale_json_ld_date_is_outvoted_by_meta_and_the_printed_date() -> None:
    chosen = choose_date(
        hints(
            ("json-ld", "2023-11-03T10:25:56+00:00"),
            ("meta", "2023-11-06T14:25:00+00:00"),
            ("markup", "6. November 2023, 15:25 Uhr"),
        ),
        None,
        False,
    )
    assert chosen == (datetime(2023, 11, 6, 14, 25, tzinfo=UTC), "meta")


def test_the_printed_date_alone_does_not_outvote_structured_data() -> None:
    """Meta tags that contradict each other are one source, not two votes."""
    for stated in (
        hints(("json-ld", "2021-11-19"), ("markup", "16. November 2021")),
        hints(("meta", "2021-11-19"), ("meta", "2021-11-16"), ("markup", "16. November 2021")),
    ):
        chosen = choose_date(stated, None, False)
        assert chosen is not None
        assert chosen[0].date().isoformat() == "2021-11-19"


def test_a_printed_date_and_time_wins_over_structured_data_giving_another_day_only() -> None:
    """A daily's meta tags give the print edition's day; the page prints when it went
    online. Structured data with a time, or a printed date without one, keeps its say."""
    chosen = choose_date(
        hints(("meta", "2020-04-30"), ("markup", "29.04.2020, 12:01 Uhr")), None, True
    )
    assert chosen == (datetime(2020, 4, 29, 12, 1, tzinfo=UTC), "markup")
    for stated in (
        hints(("meta", "2020-04-30T06:00:00+02:00"), ("markup", "29.04.2020, 12:01 Uhr")),
        hints(("meta", "2020-04-30"), ("markup", "29.04.2020")),
    ):
        chosen = choose_date(stated, None, True)
        assert chosen is not None
        assert (chosen[0].date().isoformat(), chosen[1]) == ("2020-04-30", "meta")


def test_day_first_applies_to_printed_dates_not_to_what_the_cms_writes() -> None:
    printed = choose_date(hints(("markup", "02/10/2020")), None, True)
    assert printed == (datetime(2020, 10, 2, tzinfo=UTC), "markup")
    written = choose_date(hints(("meta", "11/01/2023 12:43:42")), None, True)
    assert written == (datetime(2023, 11, 1, 12, 43, 42, tzinfo=UTC), "meta")


def test_a_cms_writes_the_day_first_when_the_pages_unambiguous_dates_say_so() -> None:
    """ "10/05/2022 05:22 pm" beside a modification time of "2022/05/10 17:36": 10 May."""
    stated = hints(("meta", "10/05/2022 05:22 pm"), ("json-ld", "2022/05/10 17:36:11"))
    assert structured_day_first(stated)
    chosen = choose_date(stated[:1], None, True, structured_dmy=True)
    assert chosen == (datetime(2022, 5, 10, 17, 22, tzinfo=UTC), "meta")


def test_a_cms_writes_the_us_order_unless_the_page_says_otherwise() -> None:
    """ "11/01/2023" printed as "01.11.2023" is 1 November; with no other date, the US order
    stays; an ambiguous printed date is no evidence."""
    assert not structured_day_first(hints(("meta", "11/01/2023 12:43"), ("markup", "01.11.2023")))
    assert not structured_day_first(hints(("meta", "11/01/2023 12:43")))
    assert not structured_day_first(hints(("meta", "11/01/2023"), ("markup", "11/01/2023")))


def test_a_time_printed_without_a_label_tells_the_offset_but_is_no_candidate() -> None:
    """JSON-LD's 02:25 UTC is the "9:25pm" printed beside the byline: the day readers see is
    the 24th. Alone, such a line states no publication time."""
    clock = hints(("heuristic", "February 24, 2020 | 9:25pm"))
    chosen = choose_date(hints(("json-ld", "2020-02-25T02:25:54Z")), None, False, clock)
    assert chosen is not None
    assert chosen[0] == datetime(2020, 2, 25, 2, 25, 54, tzinfo=UTC)
    assert chosen[0].date().isoformat() == "2020-02-24"
    assert choose_date([], None, False, clock) is None


def test_the_first_printed_time_of_the_same_minute_decides() -> None:
    """A teaser further down shares the round minute seven hours away: the article's own line,
    first on the page, says two hours ahead, the same day."""
    clock = hints(
        ("heuristic", "Jane Doe 19.10.2019, 05:00 Uhr"),
        ("heuristic", "John Roe 18.10.2019, 20:00 Uhr"),
    )
    chosen = choose_date(hints(("json-ld", "2019-10-19T03:00:00.000Z")), None, True, clock)
    assert chosen is not None
    assert chosen[0].utcoffset() == timedelta(hours=2)
    assert chosen[0].date().isoformat() == "2019-10-19"
