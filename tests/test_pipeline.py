"""The pipeline's decisions on real HTTP and real databases: retries, variants, duplicates."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import redis
from prometheus_client import REGISTRY
from sqlalchemy import select, update
from structlog.testing import capture_logs

from tests.conftest import truncate_postgres
from tests.localweb.server import LocalSite, Response
from tests.localweb.wire import local_story
from worker.broker import REDIS_VISIBILITY_TIMEOUT_SECONDS
from worker.discovery import DiscoveredLink
from worker.extraction import EXTRACTOR_VERSION
from worker.pipeline import RetryLater, poll, poll_source, process, process_url, sweep_lost_urls
from worker.pipeline.crawl import crawl_inline, process_inline
from worker.pipeline.decisions import retry_delay
from worker.pipeline.poll import PollResult
from worker.reporting.urls import trace_url
from worker.runtime import Runtime
from worker.storage import repository
from worker.storage.models import Article, ArticleVersion, RawPage, Source, Story, Url
from worker.syncing import sync_from_file

RuntimeFactory = Callable[..., Runtime]

PARAGRAPHS = [
    "Seoul and Washington agreed on Tuesday to expand their joint cyber defence drills, officials "
    "said, in a move aimed at countering a growing number of attacks on critical infrastructure.",
    "The agreement was reached during a two-day meeting of senior defence officials, who said the "
    "drills would take place twice a year starting next spring and include private companies.",
    "Officials said the exercises would focus on power grids, hospitals and financial networks, "
    "which have been targeted by hacking groups in recent months according to government data.",
]

AMP_ONLY = "Shorter AMP edition of the story, with fewer details than the full page offers readers."
UPDATE = (
    "Update: the first drill was moved to March after a request from the private companies "
    "taking part."
)


def article_page(
    url: str, title: str, paragraphs: list[str], *, canonical: str | None = None, amp: bool = False
) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!doctype html><html {"amp " if amp else ""}lang="en">'
        f"<head><title>{title} | Daily</title>{link}"
        f'<meta property="og:title" content="{title}">'
        f'<meta property="article:published_time" content="2024-05-01T08:00:00+09:00">'
        f'<meta name="author" content="Jane Roe"></head><body><nav><a href="/">Home</a></nav>'
        f"<article><h1>{title}</h1>{body}</article><footer>© Daily</footer></body></html>"
    )


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as local:
        yield local


def _rss(items: str, **headers: str) -> Response:
    """A feed of ``items`` (``<item>`` elements)."""
    feed = f'<rss version="2.0"><channel><title>D</title>{items}</channel></rss>'
    return Response(feed, content_type="application/rss+xml", headers=headers)


def _synced(
    tmp_path: Path,
    factory: RuntimeFactory,
    database_url: str,
    sources: dict[str, tuple[str, str]],
    **settings: object,
) -> Runtime:
    """A runtime whose sources file is outlet "daily" (zone Asia/Seoul) with ``sources``: key
    -> (kind, URL); synced."""
    listed = "".join(
        f'[[outlets.daily.sources]]\nkey = "{key}"\nkind = "{kind}"\nurl = "{url}"\n'
        for key, (kind, url) in sources.items()
    )
    path = tmp_path / "sources.toml"
    path.write_text(f'[outlets.daily]\nname = "Daily"\ntimezone = "Asia/Seoul"\n{listed}')
    runtime = factory(database_url, sources_file=path, **settings)
    sync_from_file(runtime)
    return runtime


def _runtime(
    site: LocalSite,
    tmp_path: Path,
    factory: RuntimeFactory,
    database_url: str,
    links: list[str],
    **settings: object,
) -> Runtime:
    items = "".join(f"<item><title>x</title><link>{link}</link></item>" for link in links)
    site.add("/feed.xml", _rss(items))
    feed = {"daily/feed": ("feed", site.url("/feed.xml"))}
    return _synced(tmp_path, factory, database_url, feed, **settings)


def _source_id(runtime: Runtime) -> int:
    """The id of the one source the test's sources file defines."""
    with runtime.sessions() as session:
        return session.scalars(select(Source.id)).one()


def _poll(runtime: Runtime) -> list[int]:
    return poll_source(runtime, _source_id(runtime)).url_ids


def _url(runtime: Runtime, url_id: int) -> Url:
    with runtime.sessions() as session:
        return session.get_one(Url, url_id)


def test_a_queued_poll_of_a_source_disabled_meanwhile_fetches_nothing(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """The operator removed the feed from the sources file after the tick had queued its
    poll: the poll ran anyway, fetched the feed and queued its links."""
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    with runtime.sessions() as session:
        assert repository.claim_due_sources(session, datetime.now(UTC)) == [_source_id(runtime)]
    with runtime.sessions.begin() as session:
        session.execute(update(Source).values(enabled=False))  # what the next sync does
    result = poll_source(runtime, _source_id(runtime))
    assert result.url_ids == [] and result.error == "source daily/feed is disabled"
    assert site.get_hits["/feed.xml"] == 0
    with runtime.sessions() as session:
        assert session.scalars(select(Source.claimed_at)).one() is None, "the claim ended"


def test_transient_failures_retry_then_fail_with_reason_status_and_attempts(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/down", Response("busy", status=503, headers={"Retry-After": "1"}))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/down"], max_attempts=3)
    (url_id,) = _poll(runtime)
    for attempt in (1, 2):
        with pytest.raises(RetryLater) as retry:
            process_url(runtime, url_id)
        assert retry.value.delay >= 1, "Retry-After is honoured"
        row = _url(runtime, url_id)
        assert (row.state, row.reason, row.attempts) == ("pending", "http_503", attempt)
    outcome = process_url(runtime, url_id)
    assert outcome.state == "failed"
    row = _url(runtime, url_id)
    assert (row.state, row.reason, row.http_status, row.attempts) == ("failed", "http_503", 503, 3)
    assert process_url(runtime, url_id).state == "failed", "a final URL is left alone"
    assert site.get_hits["/down"] == 3


def test_amp_variant_first_then_canonical_page_ends_the_same_as_the_other_order(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    main, amp = site.url("/news/cyber-drills"), site.url("/amp/news/cyber-drills")
    site.add(
        "/news/cyber-drills",
        article_page(main, "Allies expand cyber drills", PARAGRAPHS, canonical=main),
    )
    site.add(
        "/amp/news/cyber-drills",
        article_page(
            amp,
            "Allies expand cyber drills",
            [*PARAGRAPHS[:2], AMP_ONLY],
            canonical=main,
            amp=True,
        ),
    )
    runtime = _runtime(
        site,
        tmp_path,
        runtime_factory,
        database_url,
        ["/amp/news/cyber-drills", "/news/cyber-drills"],
    )
    amp_id, main_id = _poll(runtime)
    assert process_url(runtime, amp_id).state == "stored"  # nothing better known yet
    assert process_url(runtime, main_id).state == "stored"
    with runtime.sessions() as session:
        (article,) = session.scalars(select(Article)).all()
        assert article.url == main and article.canonical_url == main
        assert article.body.split("\n\n") == PARAGRAPHS, "the canonical page's text wins"
        amp_row = session.get_one(Url, amp_id)
        assert (amp_row.state, amp_row.reason, amp_row.article_id) == (
            "duplicate",
            "canonical",
            article.id,
        )
        assert session.scalar(select(RawPage.size).where(RawPage.url_id == main_id))


OTHER_STORY = [
    "The city council approved a new budget on Monday after a long debate about road repairs, "
    "school funding and the cost of running the public library for another year.",
    "Council members said the plan keeps property taxes flat while adding two bus routes and a "
    "summer programme for teenagers, paid for by a one-off transfer from the reserve fund.",
]
THIRD_STORY = [
    "The harbour bridge reopened to traffic on Friday, two weeks ahead of schedule, after crews "
    "finished replacing the expansion joints that had closed it to cars since early spring.",
    "Engineers said the new joints should last thirty years, and the city thanked commuters for "
    "their patience while ferries carried twice their usual number of passengers each morning.",
]


@pytest.mark.parametrize(
    ("named", "refused_when_read"),
    [
        ("/", True),
        ("/?utm_source=homepage", True),
        ("/?ref=logo", True),
        ("/news/", True),
        ("/latest/", False),
    ],
)
def test_a_listing_canonical_on_every_article_makes_none_of_them_a_duplicate(
    named: str,
    refused_when_read: bool,
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
) -> None:
    """A misconfigured CMS names its home page, or a listing, canonical on every article: each
    article is still one of its own, not a variant of the first one stored, and none keeps the
    listing's address as its canonical URL."""
    listing = site.url(named)
    stories = {
        "/news/allies-expand-cyber-drills": PARAGRAPHS,
        "/news/council-approves-new-budget": OTHER_STORY,
        "/news/harbour-bridge-reopens-early": THIRD_STORY,
    }
    for path, paragraphs in stories.items():
        site.add(path, article_page(site.url(path), "Story", paragraphs, canonical=listing))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, list(stories))
    url_ids = _poll(runtime)
    first, second, third = (_url(runtime, url_id).url for url_id in url_ids)
    assert process_url(runtime, url_ids[0]).state == "stored"
    # the home page, or a section the article's address goes on from, is refused as soon as it
    # is read; another listing only once a second article that shares no text names it
    assert _canonical_keys(runtime)[first] == (first if refused_when_read else listing)
    assert [process_url(runtime, url_id).state for url_id in url_ids[1:]] == ["stored"] * 2
    # the first is keyed by its own address then, and the listing is remembered: the third
    # never takes it (it would hold it until a fourth arrived)
    assert _canonical_keys(runtime) == {first: first, second: second, third: third}


def _canonical_keys(runtime: Runtime) -> dict[str, str]:
    with runtime.sessions() as session:
        rows = session.execute(select(Article.url, Article.canonical_url))
        return {url: key for url, key in rows}


def test_two_articles_naming_one_listing_canonical_and_sharing_a_line_are_both_stored(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """A wire service's background line closes both articles, which a CMS both gives its
    "/latest/" listing as canonical: one shared paragraph does not make the second a variant
    of the first, never stored."""
    background = (
        "Russia launched its full-scale invasion of Ukraine on February 24, 2022, and the war "
        "has since killed tens of thousands of people on both sides, according to estimates."
    )
    listing = site.url("/latest/")
    stories = {
        "/2024/05/01/allies-expand-cyber-drills": [*PARAGRAPHS[:2], background],
        "/2024/05/01/council-approves-new-budget": [*OTHER_STORY, background],
    }
    for path, paragraphs in stories.items():
        site.add(path, article_page(site.url(path), path[12:], paragraphs, canonical=listing))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, list(stories))
    url_ids = _poll(runtime)
    assert [process_url(runtime, url_id).state for url_id in url_ids] == ["stored", "stored"]
    with runtime.sessions() as session:
        bodies = session.scalars(select(Article.body)).all()
    assert sorted(body.split("\n\n")[0] for body in bodies) == [PARAGRAPHS[0], OTHER_STORY[0]]


def test_an_article_keyed_by_its_own_address_fits_the_url_columns(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    # "|" is sent as written and percent-encoded by cleaning: a 1,025-character address became
    # a 3,025-character canonical URL, which PostgreSQL refused
    listing = site.url("/topics/defence")
    wide = "/news/" + "|" * 1000
    site.add("/news/a", article_page(site.url("/news/a"), "Story", PARAGRAPHS, canonical=listing))
    site.add("/r", Response(status=302, headers={"Location": wide}))
    site.add(wide, article_page(site.url(wide), "Other", OTHER_STORY, canonical=listing))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/news/a", "/r"])
    outcomes = [process_url(runtime, url_id).state for url_id in _poll(runtime)]
    assert outcomes == ["stored", "stored"]
    with runtime.sessions() as session:
        keys = {
            url: key for url, key in session.execute(select(Article.url, Article.canonical_url))
        }
    assert keys[site.url(wide)] == site.url(wide), "the URL as fetched, not cleaned past 2048"


def test_same_body_under_another_url_of_the_outlet_is_a_duplicate(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    for path in ("/a/story", "/b/story-print"):
        site.add(path, article_page(site.url(path), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(
        site, tmp_path, runtime_factory, database_url, ["/a/story", "/b/story-print"]
    )
    first, second = _poll(runtime)
    stored = process_url(runtime, first)
    duplicate = process_url(runtime, second)
    assert (duplicate.state, duplicate.reason, duplicate.article_id) == (
        "duplicate",
        "same_content",
        stored.article_id,
    )


def test_rerun_of_an_edited_article_updates_its_row(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    page = site.url("/story")
    edited = [*PARAGRAPHS, UPDATE]
    site.add_sequence(
        "/story",
        [
            Response(article_page(page, "Allies expand cyber drills", PARAGRAPHS)),
            Response(article_page(page, "Allies expand cyber drills (updated)", edited)),
        ],
    )
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    (url_id,) = _poll(runtime)
    first = process_url(runtime, url_id)
    again = process_url(runtime, url_id, force=True)
    assert again.article_id == first.article_id
    with runtime.sessions() as session:
        (article,) = session.scalars(select(Article)).all()
    assert article.title == "Allies expand cyber drills (updated)"
    assert article.body.endswith("taking part.")
    assert article.published_at is not None and article.published_at.utcoffset() is not None


def test_a_lost_task_is_queued_again_by_a_later_poll_but_a_fresh_one_is_not(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(
        site, tmp_path, runtime_factory, database_url, ["/story"], pending_timeout_seconds=0
    )
    assert len(_poll(runtime)) == 1
    assert len(_poll(runtime)) == 1, "still pending past the timeout: queued again"
    fresh = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    assert _poll(fresh) == [], "pending but recently queued: not queued twice"


def test_broken_source_records_its_error_and_backs_off(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    site.add(
        "/feed.xml", Response("<html><body>Maintenance</body></html>", content_type="text/html")
    )
    assert _poll(runtime) == []
    with runtime.sessions() as session:
        source = session.scalars(select(Source)).one()
    assert source.last_error is not None and source.last_error.startswith("bad_feed: not a")
    assert source.failure_count == 1


def test_retry_delay_grows_and_respects_retry_after() -> None:
    assert [retry_delay(n, 30, None) for n in (1, 2, 3)] == [30, 60, 120]
    assert retry_delay(1, 30, 300) == 300
    assert retry_delay(20, 30, None) == 3600


def test_a_crash_in_the_extractor_fails_the_page_not_the_batch(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    (url_id,) = _poll(runtime)

    def explode(*_: object, **__: object) -> None:
        raise KeyError("surprise")

    monkeypatch.setattr("worker.pipeline.process.extract_article", explode)
    outcome = process_url(runtime, url_id)
    assert (outcome.state, outcome.reason) == ("failed", "extractor_crashed")
    assert "KeyError" in (_url(runtime, url_id).detail or "")


def test_a_url_whose_attempts_never_finish_ends_failed(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"], max_attempts=2)
    (url_id,) = _poll(runtime)
    with runtime.sessions.begin() as session:  # two attempts whose worker died mid-page
        session.get_one(Url, url_id).attempts = 2
    counted = _finished("failed", "too_many_attempts")
    outcome = process_url(runtime, url_id)
    assert (outcome.state, outcome.reason) == ("failed", "too_many_attempts")
    assert site.get_hits["/story"] == 0
    assert _finished("failed", "too_many_attempts") == counted + 1, "a hung page is counted"


def _finished(state: str, reason: str) -> float:
    """newsworker_urls_finished_total of outlet "daily" (the test runtimes' outlet)."""
    labels = {"outlet": "daily", "state": state, "reason": reason}
    return REGISTRY.get_sample_value("newsworker_urls_finished_total", labels) or 0.0


def _polls(result: str) -> float:
    labels = {"outlet": "daily", "source": "daily/feed", "result": result}
    return REGISTRY.get_sample_value("newsworker_polls_total", labels) or 0.0


def test_every_poll_is_counted_with_its_result(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """A feed failing on every poll left no trace in the metrics: no alert could fire."""
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    ok, failed = _polls("ok"), _polls("http_500")
    poll_source(runtime, _source_id(runtime))
    site.add("/feed.xml", Response("oops", status=500))
    poll_source(runtime, _source_id(runtime), datetime.now(UTC) + timedelta(hours=1))
    assert (_polls("ok"), _polls("http_500")) == (ok + 1, failed + 1)


def test_a_rerun_of_a_url_whose_source_is_gone_ends_failed_not_pending(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """A rerun marks the loaded row pending before the outcome is written by a statement of its
    own: that pending change must not overwrite the outcome when the transaction commits."""
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    (url_id,) = _poll(runtime)
    assert process_url(runtime, url_id).state == "stored"
    with runtime.sessions.begin() as session:
        session.get_one(Url, url_id).source_id = None
    outcome = process_url(runtime, url_id, force=True)
    assert (outcome.state, outcome.reason) == ("failed", "no_outlet")
    row = _url(runtime, url_id)
    assert (row.state, row.reason, row.detail, row.attempts) == (
        "failed", "no_outlet", "source removed", 1,
    )  # fmt: skip
    assert site.get_hits["/story"] == 1


def test_a_page_disallowed_by_robots_txt_is_skipped_without_a_request(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add(
        "/robots.txt", Response("User-agent: *\nDisallow: /members/\n", content_type="text/plain")
    )
    site.add("/members/story", article_page(site.url("/members/story"), "Members only", PARAGRAPHS))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/members/story"])
    (url_id,) = _poll(runtime)
    outcome = process_url(runtime, url_id)
    assert (outcome.state, outcome.reason) == ("skipped", "robots")
    assert site.get_hits["/members/story"] == 0


def test_a_busy_host_postpones_the_url_without_using_an_attempt(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(
        site, tmp_path, runtime_factory, database_url, ["/story"], host_max_wait_seconds=0.2
    )
    (url_id,) = _poll(runtime)
    runtime.fetcher.gate.push_back(site.netloc, 30)  # another worker saw a Retry-After: 30
    started = datetime.now(UTC)
    with pytest.raises(RetryLater) as retry:
        process_url(runtime, url_id)
    assert 25 <= retry.value.delay <= 30
    row = _url(runtime, url_id)
    assert (row.state, row.attempts) == ("pending", 0), "waiting for the host is not an attempt"
    assert row.queued_at is not None and row.queued_at >= started + timedelta(seconds=25)
    assert site.get_hits["/story"] == 0


def test_a_host_busy_for_hours_postpones_a_url_an_hour_at_a_time(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """A countdown past the broker's visibility timeout (two hours on Redis) is handed to a
    second worker meanwhile: a host's six-hour Retry-After ran each task three times."""
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(
        site, tmp_path, runtime_factory, database_url, ["/story"], host_max_wait_seconds=0.2
    )
    (url_id,) = _poll(runtime)
    runtime.fetcher.gate.push_back(site.netloc, 6 * 3600)
    with pytest.raises(RetryLater) as retry:
        process_url(runtime, url_id)
    assert 3000 <= retry.value.delay <= REDIS_VISIBILITY_TIMEOUT_SECONDS / 2


def test_a_crawl_delay_beyond_reason_postpones_instead_of_crashing(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """'Crawl-delay: 1e14' overflowed every wait on the host: its URLs failed as crashed and
    its source's poll raised. It is read as six hours between requests."""
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    runtime = _runtime(
        site, tmp_path, runtime_factory, database_url, ["/story"], host_max_wait_seconds=0.2
    )
    (url_id,) = _poll(runtime)  # no robots.txt yet
    robots = Response("User-agent: *\nCrawl-delay: 1e14\n", content_type="text/plain")
    site.add("/robots.txt", robots)
    assert runtime.fetcher.robots is not None
    runtime.fetcher.robots._entries.clear()  # its time to live is over: read again
    with pytest.raises(RetryLater):  # robots.txt read, the page must wait six hours
        process_url(runtime, url_id)
    assert _url(runtime, url_id).state == "pending"
    result = poll_source(runtime, _source_id(runtime))
    assert result.error is not None and result.error.startswith("host_busy")
    assert 6 * 3600 - 60 <= result.busy_for <= 6 * 3600


def test_the_sweep_queues_again_only_urls_whose_task_was_lost(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/story", article_page(site.url("/story"), "Allies expand cyber drills", PARAGRAPHS))
    site.add("/other", article_page(site.url("/other"), "Ministers meet on trade", PARAGRAPHS[:2]))
    runtime = _runtime(
        site, tmp_path, runtime_factory, database_url, ["/story", "/other"],
        pending_timeout_seconds=600,
    )  # fmt: skip
    lost, done = _poll(runtime)
    process_url(runtime, done)
    now = datetime.now(UTC)
    assert sweep_lost_urls(runtime, now) == [], "queued moments ago: not lost yet"
    later = now + timedelta(seconds=601)
    # the broker's queue still holds a message: the URL may be waiting behind a backlog
    assert sweep_lost_urls(runtime, later, queued=1) == [], "as many stale as queued: none lost"
    assert sweep_lost_urls(runtime, later, queued=0) == [lost], "pending past the timeout"
    with runtime.sessions.begin() as session:
        session.execute(update(Url).where(Url.id == lost).values(queued_at=now))
    assert sweep_lost_urls(runtime, later) == [lost], "the queue unknown: taken for lost"
    assert sweep_lost_urls(runtime, later) == [], "queued again once, not at every tick"
    assert process_url(runtime, lost).state == "stored"
    assert sweep_lost_urls(runtime, later + timedelta(days=1)) == []


def test_a_source_throttled_with_retry_after_is_not_polled_before_it(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    site.add("/feed.xml", Response("later", status=503, headers={"Retry-After": "7200"}))
    before = datetime.now(UTC)
    assert _poll(runtime) == []
    with runtime.sessions() as session:
        source = session.scalars(select(Source)).one()
    assert source.last_error is not None and source.last_error.startswith("http_503")
    assert source.next_poll_at >= before + timedelta(seconds=7200), "not the 15-minute back-off"


def test_a_parser_crashing_on_a_document_is_the_sources_error_not_a_failed_task(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/a"])

    def crash(content: bytes, base_url: str, zone: object) -> None:
        raise RecursionError("maximum recursion depth exceeded")  # a hostile document's effect

    monkeypatch.setattr("worker.pipeline.poll.parse_feed", crash)
    result = poll_source(runtime, _source_id(runtime))
    assert result.url_ids == []
    expected = "parser_crashed: feed parser crashed: RecursionError: maximum recursion depth"
    assert result.error is not None and result.error.startswith(expected)
    with runtime.sessions() as session:
        source = session.scalars(select(Source)).one()
    assert source.failure_count == 1 and source.last_error == result.error


def test_a_bug_a_poll_trips_is_the_sources_recorded_error(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Outside the parsers, a bug failed the task: the source's row said nothing, the next
    poll came at the usual interval and tripped it again, and an inline crawl stopped."""
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/a"])

    def trip(*args: object, **kwargs: object) -> None:
        raise TypeError("'NoneType' object is not subscriptable")

    monkeypatch.setattr("worker.pipeline.poll.frontier_links", trip)
    before = datetime.now(UTC)
    with capture_logs() as logs:
        result = poll_source(runtime, _source_id(runtime))
    error = "crashed: TypeError: 'NoneType' object is not subscriptable"
    assert (result.error, result.url_ids) == (error, [])
    (crashed,) = [line for line in logs if line["event"] == "poll.crashed"]
    assert (crashed["log_level"], crashed["source"], crashed["outlet"]) == (
        "error",
        "daily/feed",
        "daily",
    )
    assert crashed["url"] == site.url("/feed.xml"), "the line names what an operator looks up"
    with runtime.sessions() as session:
        source = session.scalars(select(Source)).one()
        assert (source.last_error, source.failure_count) == (error, 1)
        assert source.next_poll_at >= before + timedelta(seconds=source.interval_seconds)


def test_a_source_on_a_busy_host_is_postponed_not_failed(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [], host_max_wait_seconds=0.2)
    runtime.fetcher.gate.push_back(site.netloc, 120)
    before = datetime.now(UTC)
    assert _poll(runtime) == []
    with runtime.sessions() as session:
        source = session.scalars(select(Source)).one()
    assert source.failure_count == 0 and source.last_error is None
    assert before + timedelta(seconds=100) <= source.next_poll_at <= before + timedelta(seconds=125)
    assert site.get_hits["/feed.xml"] == 0


def test_outlet_rules_tags_and_paywall_reach_the_stored_article(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """A template the generic extractor misreads (the story in a <div> full of promo text),
    fixed by the outlet's CSS rules in the sources file; tags and the paywall flag stored."""
    promo = "".join(
        f"<p>Promo {i}: read our other great stories about the city, the region and the "
        f"weather, every day of the week, only in the Daily.</p>"
        for i in range(8)
    )
    story = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    site.add(
        "/paid",
        '<!doctype html><html lang="en"><head><title>Drills | Daily</title>'
        '<meta name="news_keywords" content="defence, cyber, Seoul">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Drills",'
        ' "isAccessibleForFree": "False"}</script></head><body>'
        f'<div class="promo">{promo}</div><div class="story-text">{story}'
        '<p class="ad">Advertisement: buy a subscription today</p></div></body></html>',
    )
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/paid"])
    sources = tmp_path / "sources.toml"
    sources.write_text(
        sources.read_text().replace(
            "[[outlets.daily.sources]]",
            '[outlets.daily.extraction]\nbody = "div.story-text"\ndrop = ["p.ad"]\n'
            "[[outlets.daily.sources]]",
        )
    )
    sync_from_file(runtime)
    (url_id,) = _poll(runtime)
    assert process_url(runtime, url_id).state == "stored"
    with runtime.sessions() as session:
        article = session.scalars(select(Article)).one()
    assert article.body.split("\n\n") == PARAGRAPHS
    assert article.provenance["body"] == "rules"
    assert article.tags == ["defence", "cyber", "Seoul"]
    assert article.paywalled is True
    assert article.provenance["paywalled"] == "json-ld"


def test_a_claim_on_postgresql_counts_the_attempt_and_leaves_other_cases_to_the_general_path(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, pg_url: str
) -> None:
    truncate_postgres(pg_url)
    runtime = _runtime(site, tmp_path, runtime_factory, pg_url, ["/story"], max_attempts=2)
    (url_id,) = _poll(runtime)
    now = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)

    def claim() -> repository.Claim | None:
        with runtime.sessions() as session:
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            return repository.claim_attempt(session, url_id, now, max_attempts=2)

    first = claim()
    assert first is not None and first.url == site.url("/story") and first.attempts == 1
    assert (first.outlet.key, first.outlet.timezone) == ("daily", "Asia/Seoul")
    row = _url(runtime, url_id)
    assert (row.state, row.attempts, row.last_attempt_at) == ("pending", 1, now)
    assert claim() is not None
    assert claim() is None, "out of attempts: the general path fails it"
    assert _url(runtime, url_id).attempts == 2
    with runtime.sessions.begin() as session:
        url = session.get_one(Url, url_id)
        url.state, url.attempts = "stored", 0
    assert claim() is None, "a final URL is never claimed"
    assert _url(runtime, url_id).attempts == 0


def test_waiting_for_a_crawl_waits_for_a_poll_that_commits_between_its_reads(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The crawl command must not end before the URLs of the poll it waits for are fetched,
    however the poll's commit falls between its reads (seen under load: one URL left pending
    after `crawl` said all was done)."""
    from worker.pipeline import crawl

    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [site.url("/a")])
    source_id = _source_id(runtime)
    polled: list[int] = []

    def then_poll(read: Callable[..., object]) -> Callable[..., object]:
        def reading(*args: object, **kwargs: object) -> object:
            result = read(*args, **kwargs)
            if not polled:  # the worker's poll commits right after the first read
                polled.extend(poll_source(runtime, source_id).url_ids)
            return result

        return reading

    monkeypatch.setattr(crawl, "_polled_since", then_poll(crawl._polled_since))
    monkeypatch.setattr(crawl, "summarize_crawl", then_poll(crawl.summarize_crawl))
    started = datetime.now(UTC)
    report = crawl.wait_for_crawl(runtime, [source_id], started, timeout=1.0, poll_interval=0.05)
    assert len(polled) == 1
    assert (report.discovered, report.pending, report.exit_code) == (1, 1, 2)


def test_a_crawl_of_one_source_reports_and_fetches_that_sources_urls_only(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`crawl --source X` while beat polls the others: their URLs, seen during the crawl,
    were counted, fetched and failed in X's summary and exit code."""
    from worker.pipeline import crawl

    for name in ("a", "b"):
        site.add(f"/{name}.xml", _rss(f"<item><title>{name}</title><link>/{name}</link></item>"))
    site.add("/a", article_page(site.url("/a"), "Allies expand drills", PARAGRAPHS))
    site.add("/b", Response("gone", status=404))
    feeds = {name: ("feed", site.url(f"/{name}.xml")) for name in ("a", "b")}
    runtime = _synced(tmp_path, runtime_factory, database_url, feeds)
    with runtime.sessions() as session:
        ids = {key: id_ for key, id_ in session.execute(select(Source.key, Source.id))}
    polled_by_beat: list[int] = []

    def poll_with_beat(runtime: Runtime, source_id: int) -> object:
        polled_by_beat.extend(poll_source(runtime, ids["b"]).url_ids)  # at the same moment
        return poll_source(runtime, source_id)

    monkeypatch.setattr(crawl, "poll_source", poll_with_beat)
    report = crawl.crawl_inline(runtime, [ids["a"]])
    assert len(polled_by_beat) == 1
    assert (report.discovered, report.counts, report.exit_code) == (1, {"stored": 1}, 0)
    assert site.get_hits["/b"] == 0, "the other source's URL is its workers' to fetch"


def test_what_the_feed_announced_is_kept_and_fills_what_the_page_leaves_empty(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    items = (
        "<item><title>Allies expand cyber drills</title><link>{}</link>"
        "<pubDate>Wed, 01 May 2024 00:30:00 GMT</pubDate></item>"
        "<item><title>Drills set for spring | Daily</title><link>{}</link>"
        "<pubDate>Thu, 02 May 2024 15:15:00</pubDate></item>"  # no zone: the outlet's
        "<item><title>Gone before it was read</title><link>{}</link></item>"
    ).format(site.url("/stated"), site.url("/bare"), site.url("/gone"))
    site.add("/feed.xml", _rss(items))
    site.add("/stated", article_page(site.url("/stated"), "Allies expand drills", PARAGRAPHS))
    spring = (
        "<p>The first of the joint drills will be held in the spring, the defence ministry said "
        "on Thursday, with teams from both countries meeting at a training centre near the "
        "capital.</p><p>Private companies that run power grids and hospital networks have been "
        "invited to send their own security staff, who will defend copies of their systems.</p>"
    )
    site.add("/bare", f"<html><body><main><div>{spring}</div></main></body></html>")
    site.add("/gone", Response("gone", status=410))
    for url_id in _poll(runtime):
        process_url(runtime, url_id)
    with runtime.sessions() as session:
        urls = {u.url.rsplit("/", 1)[1]: u for u in session.scalars(select(Url))}
        articles = {a.url.rsplit("/", 1)[1]: a for a in session.scalars(select(Article))}
    assert urls["bare"].announced_title == "Drills set for spring | Daily"
    assert urls["bare"].announced_at == datetime(2024, 5, 2, 6, 15, tzinfo=UTC)
    assert (urls["gone"].state, urls["gone"].announced_title) == (
        "failed", "Gone before it was read",
    )  # fmt: skip
    assert urls["gone"].announced_at is None
    bare = articles["bare"]
    assert (bare.title, bare.published_at) == (
        "Drills set for spring", datetime(2024, 5, 2, 6, 15, tzinfo=UTC),
    )  # fmt: skip
    assert bare.provenance["title"] == bare.provenance["published_at"] == "announced"
    stated = articles["stated"]
    assert (stated.title, stated.published_at) == (
        "Allies expand drills", datetime(2024, 4, 30, 23, 0, tzinfo=UTC),
    ), "the page's own title and time win"  # fmt: skip


def test_a_later_source_fills_in_an_announcement_without_changing_the_first(
    database_url: str, runtime_factory: RuntimeFactory, site: LocalSite, tmp_path: Path
) -> None:
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    url, source_id = site.url("/a/1"), _source_id(runtime)
    first = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)
    timeout = timedelta(minutes=30)
    announcements = [
        repository.FrontierLink(url),  # a plain sitemap: nothing but the address
        repository.FrontierLink(url, "Allies expand drills"),  # a listing: no time
        repository.FrontierLink(url, "Allies expand cyber drills", first),  # a feed: the time
        repository.FrontierLink(url, "Allies expand cyber drills (updated)", first + timedelta(1)),
    ]
    for announced in announcements:
        with runtime.sessions.begin() as session:
            repository.record_links(session, source_id, [announced], first, timeout)
        with runtime.sessions() as session:
            row = session.scalars(select(Url)).one()
            seen = (row.announced_title, row.announced_at)
        if announced.title is None:
            assert seen == (None, None)
    assert seen == ("Allies expand drills", first)


def test_a_url_is_traced_by_any_of_its_addresses_to_where_it_ended_and_why(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    main, amp = site.url("/news/cyber-drills"), site.url("/amp/news/cyber-drills")
    site.add("/news/cyber-drills", article_page(main, "Allies expand cyber drills", PARAGRAPHS,
                                                canonical=main))  # fmt: skip
    site.add("/amp/news/cyber-drills", article_page(amp, "Allies expand cyber drills",
                                                    [*PARAGRAPHS[:2], AMP_ONLY], canonical=main,
                                                    amp=True))  # fmt: skip
    site.add("/gone", Response("gone", status=410))
    site.add("/moved", Response("", status=301, headers={"Location": "/about"}))
    site.add("/about", "<html><body><p>About us.</p></body></html>")
    links = ["/amp/news/cyber-drills?utm_source=rss", "/news/cyber-drills", "/gone", "/moved"]
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, links)
    for url_id in _poll(runtime):
        process_url(runtime, url_id)
    with runtime.sessions() as session:
        by_canonical = trace_url(session, main)
        by_yielded = trace_url(session, f"{amp}?utm_source=rss#top")
        gone = trace_url(session, site.url("/gone"))
        moved = trace_url(session, site.url("/about"))
        assert trace_url(session, site.url("/never-linked")) == []
        with pytest.raises(ValueError, match="not a URL"):
            trace_url(session, "javascript:alert(1)")
    assert [(t.url, t.state, t.reason) for t in by_canonical] == [
        (amp, "duplicate", "canonical"), (main, "stored", None),
    ], "the canonical URL leads to every copy of its page"  # fmt: skip
    assert by_yielded == by_canonical[:1], "tracking parameters and fragments are cleaned off"
    stored = by_canonical[1]
    assert stored.article is not None and stored.article == by_canonical[0].article
    assert (stored.article.title, stored.article.canonical_url) == (
        "Allies expand cyber drills", main,
    )  # fmt: skip
    assert stored.source == "daily/feed" and stored.announced_title == "x"
    assert stored.raw_page is not None and stored.raw_page.extractor_version == EXTRACTOR_VERSION
    (failed,) = gone
    assert (failed.state, failed.reason, failed.http_status, failed.attempts) == (
        "failed", "http_410", 410, 1,
    )  # fmt: skip
    assert failed.article is None and failed.raw_page is None
    (redirected,) = moved
    assert (redirected.url, redirected.state) == (site.url("/moved"), "skipped")
    assert redirected.final_url == site.url("/about")


def test_a_feed_title_with_a_nul_is_recorded_without_it(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    site.add("/feed.xml", _rss("<item><title>Drills\x00 begin</title><link>/story</link></item>"))
    result = poll_source(runtime, _source_id(runtime))
    assert result.error is None and len(result.url_ids) == 1, "PostgreSQL refuses a NUL in text"
    assert _url(runtime, result.url_ids[0]).announced_title == "Drills begin"


def _sitemap(site: LocalSite, paths: list[str], *, index: bool = False) -> Response:
    tag, item = ("sitemapindex", "sitemap") if index else ("urlset", "url")
    locs = "".join(f"<{item}><loc>{site.url(path)}</loc></{item}>" for path in paths)
    xml = f'<{tag} xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</{tag}>'
    return Response(xml, content_type="application/xml")


def _dated_sitemap(site: LocalSite, changed: dict[str, datetime]) -> Response:
    """A sitemap of ``changed``: path -> its lastmod."""
    urls = "".join(
        f"<url><loc>{site.url(path)}</loc><lastmod>{at.isoformat()}</lastmod></url>"
        for path, at in changed.items()
    )
    xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    return Response(xml, content_type="application/xml")


def _fetched_hours_ago(runtime: Runtime, hours: float, *, first_seen: float = 0.0) -> None:
    """Every URL last fetched ``hours`` ago (and first seen ``first_seen`` hours before that)."""
    then = datetime.now(UTC) - timedelta(hours=hours)
    with runtime.sessions.begin() as session:
        session.execute(
            update(Url).values(
                last_attempt_at=then, first_seen_at=then - timedelta(hours=first_seen)
            )
        )
        session.execute(update(Article).values(fetched_at=then))  # fmt: skip


def test_an_article_its_sitemap_says_changed_is_fetched_again_and_its_edit_kept(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """A URL seen before was never fetched again: an edit, a correction or a page taken down
    after the first fetch never reached the database, whatever the source said."""
    site.add("/news/a", article_page(site.url("/news/a"), "Drills", PARAGRAPHS))
    site.add("/news/b", article_page(site.url("/news/b"), "Other", OTHER_STORY))
    published = datetime.now(UTC) - timedelta(hours=3)
    site.add("/sitemap.xml", _dated_sitemap(site, {"/news/a": published, "/news/b": published}))
    sitemap = {"daily/sitemap": ("sitemap", site.url("/sitemap.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap)
    edited, other = _poll(runtime)
    for url_id in (edited, other):
        assert process_url(runtime, url_id).state == "stored"
    _fetched_hours_ago(runtime, 2)
    assert _poll(runtime) == [], "no change announced: nothing fetched again"
    correction = "Correction: the drills begin on Monday, not Sunday as first reported."
    site.add("/news/a", article_page(site.url("/news/a"), "Drills", [*PARAGRAPHS, correction]))
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    site.add("/sitemap.xml", _dated_sitemap(site, {"/news/a": an_hour_ago, "/news/b": published}))
    result = poll_source(runtime, _source_id(runtime))
    assert (result.url_ids, result.refreshed) == ([edited], 1)
    assert process_url(runtime, edited).state == "stored"
    with runtime.sessions() as session:
        article = session.get_one(Article, _url(runtime, edited).article_id)
        assert correction in article.body
        assert [v.version for v in session.scalars(select(ArticleVersion))] == [1]
    assert _poll(runtime) == [], "fetched since the change: not again"
    _fetched_hours_ago(runtime, 2, first_seen=48)  # an article two days old: left as it is
    site.add("/sitemap.xml", _dated_sitemap(site, {"/news/a": an_hour_ago, "/news/b": published}))
    assert _poll(runtime) == []


def test_change_times_a_sitemap_stamps_on_every_link_fetch_nothing_again(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """A sitemap stamped with the time it was generated says every page changed at every poll:
    taken for changes, every article of the last two days would be fetched hourly."""
    paths = [f"/news/{n}" for n in range(10)]
    for n, path in enumerate(paths):
        site.add(path, article_page(site.url(path), f"Story {n}", local_story(n)))
    generated = datetime.now(UTC) - timedelta(hours=3)
    site.add("/sitemap.xml", _dated_sitemap(site, dict.fromkeys(paths, generated)))
    sitemap = {"daily/sitemap": ("sitemap", site.url("/sitemap.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap)
    for url_id in _poll(runtime):
        assert process_url(runtime, url_id).state == "stored"
    _fetched_hours_ago(runtime, 2)
    regenerated = datetime.now(UTC) - timedelta(minutes=1)
    site.add("/sitemap.xml", _dated_sitemap(site, dict.fromkeys(paths, regenerated)))
    with capture_logs() as logs:
        result = poll_source(runtime, _source_id(runtime))
    assert (result.url_ids, result.refreshed) == ([], 0)
    (ignored,) = [line for line in logs if line["event"] == "poll.change_times_ignored"]
    assert ignored["links"] == 10


def _headers_asked(site: LocalSite) -> dict[str, dict[str, str]]:
    """The last request's headers for each path, names in lower case."""
    return {path: {k.lower(): v for k, v in headers.items()} for path, headers in site.requests}


def test_an_index_walked_again_asks_its_children_whether_they_changed(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """Only the index was asked conditionally: when it changed (a news site's adds a child a
    day), every child it lists was downloaded whole again."""
    stamp = "Sat, 05 Dec 2026 10:00:00 GMT"
    site.add("/index.xml", replace(_sitemap(site, ["/a.xml", "/b.xml"], index=True),
                                   headers={"ETag": '"i1"'}))  # fmt: skip
    site.add("/a.xml", replace(_sitemap(site, ["/news/a"]), headers={"ETag": '"a1"'}))
    site.add("/b.xml", replace(_sitemap(site, ["/news/b"]), headers={"Last-Modified": stamp}))
    sitemap = {"daily/sitemap": ("sitemap", site.url("/index.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap)
    assert len(_poll(runtime)) == 2
    site.add("/index.xml", replace(_sitemap(site, ["/a.xml", "/b.xml", "/c.xml"], index=True),
                                   headers={"ETag": '"i2"'}))  # fmt: skip
    site.add("/c.xml", _sitemap(site, ["/news/c"]))
    site.add("/a.xml", replace(_sitemap(site, ["/news/a", "/news/a2"]), headers={"ETag": '"a2"'}))
    site.reset_counts()
    found = sorted(_url(runtime, url_id).url for url_id in _poll(runtime))
    assert found == [site.url("/news/a2"), site.url("/news/c")]
    asked = _headers_asked(site)
    assert asked["/a.xml"].get("if-none-match") == '"a1"', "a changed child is read whole"
    assert asked["/b.xml"].get("if-modified-since") == stamp, "an unchanged one answers 304"
    assert "if-none-match" not in asked["/c.xml"], "a new one has nothing to send back"
    site.add("/index.xml", replace(_sitemap(site, ["/a.xml", "/b.xml", "/c.xml"], index=True),
                                   headers={"ETag": '"i3"'}))  # fmt: skip
    site.reset_counts()
    assert _poll(runtime) == []
    asked = _headers_asked(site)
    assert asked["/a.xml"].get("if-none-match") == '"a2"', "the validators of the last read"


def test_a_sitemap_a_poll_could_not_read_for_now_is_read_at_the_next_poll(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    # the index's ETag was kept: the next poll's 304 never read the child that had failed
    index = _sitemap(site, ["/a.xml", "/b.xml"], index=True)
    site.add("/index.xml", replace(index, headers={"ETag": '"i1"'}))
    down = Response("down", status=503, headers={"Retry-After": "0"})  # the host may go on
    site.add_sequence("/a.xml", [down, _sitemap(site, ["/news/a"])])
    site.add("/b.xml", _sitemap(site, ["/news/b"]))
    sitemap = {"daily/sitemap": ("sitemap", site.url("/index.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap)
    first = poll_source(runtime, _source_id(runtime))
    assert first.error is None and len(first.url_ids) == 1
    second = poll_source(runtime, _source_id(runtime))
    assert not second.not_modified and len(second.url_ids) == 1
    assert _url(runtime, second.url_ids[0]).url == site.url("/news/a")
    third = poll_source(runtime, _source_id(runtime))
    assert third.not_modified, "once every child was read, the index's ETag is kept"


@pytest.mark.parametrize("edited", [False, True], ids=["same-text", "edited"])
def test_a_page_that_names_a_new_canonical_when_read_again_keeps_its_one_article(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str,
    edited: bool,
) -> None:  # fmt: skip
    # it was taken for a duplicate of its own article, or stored as a second one
    site.add("/story", article_page(site.url("/story"), "Drills", PARAGRAPHS))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    (url_id,) = _poll(runtime)
    first = process_url(runtime, url_id)
    text = [*PARAGRAPHS, UPDATE] if edited else PARAGRAPHS
    canonical = site.url("/news/story")
    site.add("/story", article_page(site.url("/story"), "Drills", text, canonical=canonical))
    again = process_url(runtime, url_id, force=True)
    assert (again.state, again.article_id) == ("stored", first.article_id)
    with runtime.sessions() as session:
        (article,) = session.scalars(select(Article)).all()
    assert article.canonical_url == canonical


def test_a_canonical_with_a_port_out_of_range_is_no_canonical(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    # urlsplit's port raised ValueError in store(): the task failed at every attempt
    page = article_page(
        site.url("/story"), "Drills", PARAGRAPHS, canonical="https://x.example:99999/s"
    )
    site.add("/story", page)
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    (url_id,) = _poll(runtime)
    assert process_url(runtime, url_id).state == "stored"


def test_a_bug_one_page_trips_fails_that_url_with_its_cause_and_spares_the_others(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    site.add("/bad", article_page(site.url("/bad"), "Drills", PARAGRAPHS))
    site.add("/good", article_page(site.url("/good"), "Other", OTHER_STORY))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/bad", "/good"])
    bad, good = _poll(runtime)
    store = process.store

    def store_or_trip(runtime: Runtime, url_id: int, *args: object, **kwargs: object) -> object:
        if url_id == bad:
            raise ValueError("Port out of range 0-65535")  # as same_site once raised
        return store(runtime, url_id, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(process, "store", store_or_trip)
    crashes = _finished("failed", "crashed")
    with capture_logs() as logs:
        process_inline(runtime, [bad, good])
    assert _finished("failed", "crashed") == crashes + 1
    (crashed,) = [line for line in logs if line["event"] == "url.crashed"]
    assert (crashed["log_level"], crashed["url"]) == ("error", site.url("/bad"))
    assert (crashed["source"], crashed["outlet"]) == ("daily/feed", "daily")
    row = _url(runtime, bad)
    assert (row.state, row.reason, row.detail) == (
        "failed",
        "crashed",
        "ValueError: Port out of range 0-65535",
    )
    assert _url(runtime, good).state == "stored", "the batch went on"


def test_a_url_that_fails_for_good_is_a_warning_naming_it_and_a_skipped_page_is_not(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    """Operators alert on warnings: a final failure at info level passed unseen."""
    site.add("/gone", Response("gone", status=410))
    site.add("/index", "<html><body><ul><li><a href='/x'>x</a></li></ul></body></html>")
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/gone", "/index"])
    with capture_logs() as logs:
        process_inline(runtime, _poll(runtime))
    ended = {line["url"]: line for line in logs if line["event"] in ("url.failed", "url.skipped")}
    gone, index = ended[site.url("/gone")], ended[site.url("/index")]
    assert (gone["event"], gone["log_level"], gone["outlet"]) == ("url.failed", "warning", "daily")
    assert (index["event"], index["log_level"]) == ("url.skipped", "info")


def test_changed_at_is_the_time_the_row_is_written_not_when_its_fetch_began(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Readers sync by changed_at: a row stamped with its fetch's start commits after rows
    stamped later, behind a reader's watermark, and is never seen."""
    site.add("/slow", article_page(site.url("/slow"), "Drills", PARAGRAPHS))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/slow"])
    (url_id,) = _poll(runtime)
    store = process.store
    began = datetime.now(UTC) - timedelta(minutes=5)  # a fetch that took five minutes
    before_store: list[datetime] = []

    def store_late(*args: object, **kwargs: object) -> object:
        *head, _ = args
        before_store.append(datetime.now(UTC))
        return store(*head, began, **kwargs)  # type: ignore[arg-type, call-arg]

    monkeypatch.setattr(process, "store", store_late)
    assert process_url(runtime, url_id).state == "stored"
    with runtime.sessions() as session:
        article = session.scalars(select(Article)).one()
        story = session.get_one(Story, article.story_id)
    assert article.fetched_at == began
    assert article.changed_at >= before_store[0] and story.updated_at >= before_store[0]


def test_a_store_that_does_not_answer_is_no_pages_fault(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the host limits' Redis restarting: the task fails and the URL comes back, not "crashed"
    site.add("/story", article_page(site.url("/story"), "Drills", PARAGRAPHS))
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, ["/story"])
    (url_id,) = _poll(runtime)

    def refused(*args: object, **kwargs: object) -> object:
        raise redis.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(process, "store", refused)
    with pytest.raises(redis.ConnectionError):
        process_url(runtime, url_id)
    assert _url(runtime, url_id).state == "pending"


def test_a_poll_follows_no_more_child_sitemaps_than_the_setting_allows(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/index.xml", _sitemap(site, ["/a.xml", "/b.xml", "/c.xml"], index=True))
    for name in "abc":
        site.add(f"/{name}.xml", _sitemap(site, [f"/news/{name}"]))
    sitemap = {"daily/sitemap": ("sitemap", site.url("/index.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap, max_sitemap_children=2)
    result = poll_source(runtime, _source_id(runtime))
    assert sorted(_url(runtime, url_id).url for url_id in result.url_ids) == [
        site.url("/news/a"),
        site.url("/news/b"),
    ]
    assert site.get_hits["/c.xml"] == 0


def test_a_walk_that_has_run_its_time_leaves_the_rest_for_the_next_poll(
    site: LocalSite,
    tmp_path: Path,
    runtime_factory: RuntimeFactory,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 50 slow children held the poll's worker process for up to 50 minutes
    site.add("/index.xml", _sitemap(site, ["/a.xml", "/b.xml"], index=True))
    for name in "ab":
        site.add(f"/{name}.xml", _sitemap(site, [f"/news/{name}"]))
    sitemap = {"daily/sitemap": ("sitemap", site.url("/index.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap)
    monkeypatch.setattr(poll, "WALK_SECONDS", 0.0)
    first = poll_source(runtime, _source_id(runtime))
    assert (len(first.url_ids), first.sitemaps_left, first.resume_after) == (0, 2, 0.0)
    monkeypatch.setattr(poll, "WALK_SECONDS", 300.0)
    assert len(poll_source(runtime, _source_id(runtime)).url_ids) == 2
    assert site.get_hits["/index.xml"] == 1


def test_a_news_sitemaps_time_without_a_zone_is_in_the_outlets_zone(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    # it was read as UTC: 18:00 in Seoul stored as 18:00 UTC, nine hours late
    news = "http://www.google.com/schemas/sitemap-news/0.9"
    xml = (
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="{news}">'
        f"<url><loc>{site.url('/news/a')}</loc><news:news>"
        "<news:publication_date>2026-03-05T18:00:00</news:publication_date>"
        "</news:news></url></urlset>"
    )
    site.add("/news.xml", Response(xml, content_type="application/xml"))
    sitemap = {"daily/sitemap": ("sitemap", site.url("/news.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap)  # Asia/Seoul
    (url_id,) = poll_source(runtime, _source_id(runtime)).url_ids
    assert _url(runtime, url_id).announced_at == datetime(2026, 3, 5, 9, tzinfo=UTC)


def test_an_announced_time_ahead_of_now_is_no_publication_time() -> None:
    # "18:00 KST" that a feed parser takes for UTC is 9 hours ahead for a fresh item
    now = datetime.now(UTC)
    links = [
        DiscoveredLink("https://news.example/a", published_at=now + timedelta(hours=9)),
        DiscoveredLink("https://news.example/b", published_at=now - timedelta(minutes=5)),
    ]
    ahead, fresh = poll.frontier_links(links, [])
    assert (ahead.published_at, fresh.published_at) == (None, links[1].published_at)


def _slow_sitemap_host(site: LocalSite) -> dict[str, tuple[str, str]]:
    """An index of two child sitemaps, each of one article, on a host whose robots.txt asks
    for more time between requests (1 s) than the test's worker waits (0.3 s)."""
    site.add("/robots.txt", Response("User-agent: *\nCrawl-delay: 1\n", content_type="text/plain"))
    index = _sitemap(site, ["/a.xml", "/b.xml"], index=True)
    site.add("/index.xml", replace(index, headers={"ETag": '"i1"'}))
    site.add("/a.xml", _sitemap(site, ["/news/a"]))
    site.add("/b.xml", _sitemap(site, ["/news/b"]))
    return {"daily/sitemap": ("sitemap", site.url("/index.xml"))}


def _poll_after_robots(runtime: Runtime, source_id: int) -> PollResult:
    """The first poll reads robots.txt, and its Crawl-delay holds the host back from that
    request on: the index is read by the poll after, once the host is free."""
    first = poll_source(runtime, source_id)
    assert first.error is not None and first.error.startswith("host_busy"), first
    assert first.url_ids == [] and 0.5 <= first.busy_for <= 1.0
    time.sleep(first.busy_for)
    return poll_source(runtime, source_id)


def test_a_sitemap_walk_the_hosts_crawl_delay_cuts_short_goes_on_at_the_next_polls(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    # each poll read the index, which took the host's slot: its children never found one
    sitemap = _slow_sitemap_host(site)
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap, host_max_wait_seconds=0.3)
    source_id = _source_id(runtime)
    first = _poll_after_robots(runtime, source_id)
    started = datetime.now(UTC)
    assert (first.error, first.url_ids, first.sitemaps_left) == (None, [], 2)
    assert 0.5 <= first.resume_after <= 1.0
    with runtime.sessions() as session:
        source = session.get_one(Source, source_id)
        assert source.pending_sitemaps == [site.url("/a.xml"), site.url("/b.xml")]
        assert source.next_poll_at <= started + timedelta(seconds=2), "due when the host is"
    found: list[str] = []
    for _ in range(2):
        time.sleep(first.resume_after)
        later = poll_source(runtime, source_id)
        assert later.error is None
        found += [_url(runtime, url_id).url for url_id in later.url_ids]
    assert found == [site.url("/news/a"), site.url("/news/b")]
    assert later.sitemaps_left == 0
    assert site.get_hits["/index.xml"] == 1, "the children first, not the index again"
    with runtime.sessions() as session:
        source = session.get_one(Source, source_id)
        assert source.pending_sitemaps is None and source.etag == '"i1"'
    time.sleep(1.0)
    assert poll_source(runtime, source_id).not_modified, "the walk done, the index is asked anew"


def test_a_paused_walk_is_dropped_when_the_sources_file_points_the_source_elsewhere(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    sitemap = _slow_sitemap_host(site)
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap, host_max_wait_seconds=0.3)
    assert _poll_after_robots(runtime, _source_id(runtime)).sitemaps_left == 2
    moved = {"daily/sitemap": ("sitemap", site.url("/b.xml"))}
    runtime = _synced(tmp_path, runtime_factory, database_url, moved)
    with runtime.sessions() as session:
        assert session.get_one(Source, _source_id(runtime)).pending_sitemaps is None


def test_an_inline_crawl_waits_for_a_sitemap_walk_the_host_paused(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    sitemap = _slow_sitemap_host(site)
    site.add("/news/a", article_page(site.url("/news/a"), "Drills", PARAGRAPHS))
    site.add("/news/b", article_page(site.url("/news/b"), "Other", OTHER_STORY))
    runtime = _synced(tmp_path, runtime_factory, database_url, sitemap, host_max_wait_seconds=0.3)
    report = crawl_inline(runtime, [_source_id(runtime)])
    assert (report.counts, report.source_errors) == ({"stored": 2}, {})


def test_a_cause_with_unstorable_characters_is_recorded_without_them(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    # causes are exception messages, which may quote what a server sent
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    site.add("/feed.xml", _rss("<item><title>Drills</title><link>/story</link></item>"))
    source_id = _source_id(runtime)
    (url_id,) = poll_source(runtime, source_id).url_ids
    cause = "unparsable: \x00\ud83d" + "x" * 3000
    with runtime.sessions.begin() as session:
        repository.finish_url(session, url_id, "failed", reason="parse_error", detail=cause)
        source = session.get_one(Source, source_id)
        repository.record_poll_failure(session, source, datetime.now(UTC), cause)
    with runtime.sessions() as session:
        source = session.get_one(Source, source_id)
        assert source.last_error == ("unparsable: " + "x" * 3000)[:2000]
    assert _url(runtime, url_id).detail == ("unparsable: " + "x" * 3000)[:2000]


def test_values_a_server_chooses_never_outgrow_their_columns(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    # PostgreSQL refused each of these with an error that failed the whole poll or page
    runtime = _runtime(site, tmp_path, runtime_factory, database_url, [])
    overlong = site.url("/news/" + "\u00e9" * 1000)  # fits as given, not percent-encoded
    items = "".join(
        f"<item><title>{title}</title><link>{link}</link></item>"
        for title, link in (("Long", overlong), ("Story", site.url("/story")))
    )
    site.add("/feed.xml", _rss(items, ETag=f'"{"e" * 600}"'))
    extra = f'<meta property="og:image" content="https://cdn.example/{"i" * 2100}.jpg"></head>'
    page = article_page(site.url("/story"), "Allies expand drills", PARAGRAPHS)
    site.add("/story", page.replace("</head>", extra))
    result = poll_source(runtime, _source_id(runtime))
    assert result.error is None and len(result.url_ids) == 1
    assert [why for _, why in result.refused] == ["longer than 2048 characters once cleaned"]
    assert process_url(runtime, result.url_ids[0]).state == "stored"
    with runtime.sessions() as session:
        source = session.get_one(Source, _source_id(runtime))
        article = session.scalars(select(Article)).one()
    assert source.etag is not None and len(source.etag) == 512
    assert article.image_url is None, "an address no column holds is no lead image"
