"""What the feed, news sitemap or listing said of a URL fills what the page leaves empty, and
nothing the page states."""

from __future__ import annotations

from datetime import UTC, datetime

from worker.extraction import Announced, extract_article

URL = "https://daily.example/news/council-budget"
TEXT = (
    "<p>The city council approved the new budget on Monday after a long debate about road "
    "repairs, school funding and the cost of running the public library for another year.</p>"
    "<p>Council members said the plan keeps property taxes flat while adding two bus routes and "
    "a summer programme for teenagers, paid for by a one-off transfer from the reserve.</p>"
    "<p>The library will open on Sundays from March, a change that readers had asked for "
    "in a petition signed by more than four thousand residents of the town last year.</p>"
)
BARE = f"<html><head></head><body><main><div>{TEXT}</div></main></body></html>"
STATED = (
    "<html><head><title>Council passes budget | Daily</title>"
    '<meta property="article:published_time" content="2026-03-02T08:30:00+01:00"></head>'
    f"<body><article><h1>Council passes budget</h1>{TEXT}</article></body></html>"
)
FEED_TIME = datetime(2026, 3, 2, 7, 45, tzinfo=UTC)
FEED = Announced("Council passes the budget, buses and all | Daily", FEED_TIME)


def test_a_page_without_title_or_date_takes_those_its_feed_announced() -> None:
    bare = extract_article(BARE, URL, outlet_name="Daily")
    assert (bare.title, bare.published_at) == (None, None), "the page itself says neither"

    article = extract_article(BARE, URL, outlet_name="Daily", announced=FEED)
    assert article.title == "Council passes the budget, buses and all", "the outlet's suffix goes"
    assert article.published_at == FEED_TIME
    assert article.provenance["title"] == article.provenance["published_at"] == "announced"
    assert article.body == bare.body


def test_what_the_page_states_wins_over_the_announcement() -> None:
    article = extract_article(STATED, URL, outlet_name="Daily", announced=FEED)
    assert article.title == "Council passes budget"
    assert article.published_at == datetime(2026, 3, 2, 7, 30, tzinfo=UTC)
    assert "announced" not in article.provenance.values()


def test_a_placeholder_or_future_time_in_a_feed_dates_nothing() -> None:
    for placeholder in (datetime(1970, 1, 1, tzinfo=UTC), datetime(2999, 1, 1, tzinfo=UTC)):
        announced = Announced(None, placeholder)
        assert extract_article(BARE, URL, announced=announced).published_at is None
