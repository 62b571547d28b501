"""Operator repairs on real databases and a local web: rerun, reprocess, backfill, reports."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

from tests.localweb.server import LocalSite, Response
from tests.localweb.wire import DRILLS, Page, local_story, page_html, wire_web
from tests.localweb.wire import TWO_OUTLETS as PAGES
from worker.dedup.content import FINGERPRINT_VERSION
from worker.pipeline import backfill, crawl_inline, prune_raw_pages, tick
from worker.pipeline import reprocess as reprocess_module
from worker.pipeline import rerun as rerun_module
from worker.pipeline.backfill import count_missing, dated_until, plan_backfill, record_backfill
from worker.pipeline.crawl import process_inline
from worker.pipeline.process import process_url
from worker.pipeline.reprocess import ReprocessSelection, count_reprocess, reprocess
from worker.pipeline.rerun import (
    UrlSelection,
    mark_for_rerun,
    select_urls,
    states_of,
    unknown_keys,
    wait_until_final,
)
from worker.reporting.failures import failing_sources, failure_groups
from worker.reporting.status import service_status
from worker.runtime import Runtime
from worker.storage import heartbeats
from worker.storage.models import Article, ArticleVersion, RawPage, Source, Url
from worker.storage.repository import requeue_lost_urls
from worker.syncing import sync_from_file
from worker.timespec import parse_since

RuntimeFactory = Callable[..., Runtime]


def _crawl(runtime: Runtime) -> None:
    sync_from_file(runtime)
    with runtime.sessions() as session:
        source_ids = list(session.scalars(select(Source.id).order_by(Source.id)))
    crawl_inline(runtime, source_ids)


def _count(runtime: Runtime, model: type) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_a_rerun_of_failed_urls_stores_them_once_the_outlet_recovers(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    with wire_web(tmp_path, pages=PAGES) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file, max_attempts=2)
        herald = web.sites["herald"]
        for page in PAGES[1:3]:  # the outlet is down for two of its pages
            herald.add(page.path, Response("down", status=503, headers={"Retry-After": "0"}))
        _crawl(runtime)
        with runtime.sessions() as session:
            groups = failure_groups(session, datetime.now(UTC) - timedelta(hours=1))
        assert [(g.outlet, g.reason, g.count) for g in groups] == [("herald", "http_503", 2)]
        assert {e.url for e in groups[0].examples} == {web.url("herald", p.path)
                                                       for p in PAGES[1:3]}  # fmt: skip
        assert all(e.attempts == 2 and e.http_status == 503 for e in groups[0].examples)

        for page in PAGES[1:3]:  # back up
            herald.add(page.path, page_html(page, herald))
        selection = UrlSelection(outlets=["herald"], states=["failed"], reasons=["http_503"])
        url_ids = select_urls(runtime, selection)
        assert len(url_ids) == 2
        mark_for_rerun(runtime, url_ids)
        assert states_of(runtime, url_ids) == {"pending": 2}
        process_inline(runtime, url_ids)
        assert states_of(runtime, url_ids) == {"stored": 2}
        assert _count(runtime, Article) == 5

        hits = sum(herald.hits.values())
        assert select_urls(runtime, selection) == [], "a second rerun finds nothing to do"
        everything = select_urls(runtime, UrlSelection(outlets=["herald"], states=["stored"]))
        mark_for_rerun(runtime, everything)
        process_inline(runtime, everything)
        assert sum(herald.hits.values()) > hits, "a rerun of stored URLs fetches them again"
        assert _count(runtime, Article) == 5, "and stores nothing twice"
        with runtime.sessions() as session:
            assert failure_groups(session, datetime.now(UTC) - timedelta(hours=1)) == []


def test_a_url_marked_by_two_reruns_is_fetched_by_the_later_ones_task_alone(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """Two reruns queued while no worker ran: both tasks fetched the page once one started."""
    with wire_web(tmp_path, pages=PAGES) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        herald = web.sites["herald"]
        (url_id,) = select_urls(runtime, UrlSelection(urls=[web.url("herald", PAGES[1].path)]))
        first = mark_for_rerun(runtime, [url_id])
        second = mark_for_rerun(runtime, [url_id])
        hits = sum(herald.hits.values())
        assert process_url(runtime, url_id, rerun_at=first).state == "pending"
        assert sum(herald.hits.values()) == hits, "the first rerun's task fetched nothing"
        assert process_url(runtime, url_id, rerun_at=second).state == "stored"
        assert process_url(runtime, url_id, rerun_at=first).state == "stored"
        assert sum(herald.hits.values()) == hits + 1

        third = mark_for_rerun(runtime, [url_id])  # and the sweep took its task for lost
        later = third + timedelta(seconds=runtime.settings.pending_timeout_seconds + 1)
        with runtime.sessions.begin() as session:
            assert requeue_lost_urls(session, later, timedelta(0)) == [url_id]
        assert process_url(runtime, url_id, rerun_at=third).state == "pending"
        assert process_url(runtime, url_id).state == "stored", "the sweep's task fetches it"
        assert sum(herald.hits.values()) == hits + 2


def test_each_failure_group_shows_its_newest_examples(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """Read in one query for all groups (one each took 0.8 s for 40 groups)."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        "".join(
            f'[outlets.{o}]\nname = "{o}"\n[[outlets.{o}.sources]]\nkind = "feed"\n'
            f'url = "https://{o}.example/feed"\n'
            for o in ("herald", "post")
        )
    )
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_from_file(runtime)
    now = datetime.now(UTC)
    failed = [("herald", "http_503", 0), ("herald", "http_503", 1), ("herald", "http_503", 2),
              ("herald", "timeout", 3), ("post", "http_503", 4)]  # fmt: skip
    with runtime.sessions.begin() as session:
        source_of = {s.outlet.key: s.id for s in session.scalars(select(Source))}
        for outlet, reason, age in failed:
            session.add(
                Url(url=f"https://{outlet}.example/{reason}/{age}", source_id=source_of[outlet],
                    state="failed", reason=reason, last_attempt_at=now - timedelta(minutes=age))
            )  # fmt: skip
    with runtime.sessions() as session:
        groups = failure_groups(session, now - timedelta(hours=1), examples=2)
    shown = {(g.outlet, g.reason): (g.count, [e.url for e in g.examples]) for g in groups}
    assert shown == {
        ("herald", "http_503"): (3, ["https://herald.example/http_503/0",
                                     "https://herald.example/http_503/1"]),
        ("herald", "timeout"): (1, ["https://herald.example/timeout/3"]),
        ("post", "http_503"): (1, ["https://post.example/http_503/4"]),
    }  # fmt: skip
    assert (groups[0].outlet, groups[0].reason) == ("herald", "http_503"), "the largest first"


def test_waiting_for_a_rerun_reads_only_what_is_still_pending(
    database_url: str,
    runtime_factory: RuntimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every URL was counted twice a second however many had ended (50,000: 100 queries a
    read); only those still pending are read again."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[outlets.herald]\nname = "Herald"\n[[outlets.herald.sources]]\nkind = "feed"\n'
        'url = "https://herald.example/feed"\n'
    )
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_from_file(runtime)
    with runtime.sessions.begin() as session:
        source_id = session.scalars(select(Source.id)).one()
        urls = [Url(url=f"https://herald.example/{n}", source_id=source_id) for n in range(4)]
        session.add_all(urls)
        session.flush()
        url_ids = [url.id for url in urls]
    read: list[int] = []
    done: list[int] = []
    among = rerun_module._pending_among

    def pending_among(runtime: Runtime, ids: Sequence[int]) -> list[int]:
        read.append(len(ids))
        with runtime.sessions.begin() as session:  # the workers end one URL per read
            session.execute(
                update(Url).where(Url.id == url_ids[len(read) - 1]).values(state="stored")
            )
        return among(runtime, ids)

    monkeypatch.setattr(rerun_module, "_pending_among", pending_among)
    counts = wait_until_final(
        runtime, url_ids, timeout=30, poll_interval=0.01, progress=done.append
    )
    assert counts == {"stored": 4}
    assert read == [4, 3, 2, 1], "each read only the URLs still pending"
    assert done == [1, 2, 3, 4]


def test_a_refetched_article_hashed_by_an_older_release_is_no_edit(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """A new normalisation behind ``content_hash`` must not turn every article fetched again
    into an edit with a stored earlier version: the stored body is hashed again to compare."""
    with wire_web(tmp_path, pages=PAGES[:2]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        with runtime.sessions.begin() as session:
            session.execute(update(Article).values(content_hash="0" * 64, fingerprint_version=1))
        stored = select_urls(runtime, UrlSelection(states=["stored"]))
        mark_for_rerun(runtime, stored)
        process_inline(runtime, stored)
        assert states_of(runtime, stored) == {"stored": 2}
        assert _count(runtime, ArticleVersion) == 0
        with runtime.sessions() as session:
            rows = session.execute(select(Article.content_hash, Article.fingerprint_version))
            assert {(h == "0" * 64, v) for h, v in rows} == {(False, FINGERPRINT_VERSION)}


def test_selection_by_url_ignores_tracking_parameters_and_refuses_unknown_states(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    with wire_web(tmp_path, pages=PAGES[:2]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        link = web.url("herald", "/news/local-1") + "?utm_source=newsletter#top"
        assert len(select_urls(runtime, UrlSelection(urls=[link]))) == 1
        later = datetime.now(UTC) + timedelta(hours=1)
        assert select_urls(runtime, UrlSelection(urls=[link], since=later)) == []
    with pytest.raises(ValueError, match="unknown state 'broken'"):
        UrlSelection(states=["broken"])


def test_a_source_key_may_name_an_outlet_and_an_unknown_key_is_named(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    # `--source herald` selected nothing, and so did a typo: both read as "nothing to repair"
    with wire_web(tmp_path, pages=PAGES[:2]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
    by_outlet = select_urls(runtime, UrlSelection(sources=["herald"]))
    assert by_outlet == select_urls(runtime, UrlSelection(sources=["herald/feed"])) != []
    assert count_reprocess(runtime, ReprocessSelection(sources=["herald"], every_version=True))
    assert unknown_keys(runtime, ["herald", "herald/feed"], ["herald"]) is None
    assert unknown_keys(runtime, ["heral"], []) == (
        "no source or outlet with key 'heral'; see `newsworker sources`"
    )
    assert unknown_keys(runtime, [], ["herald/feed"]) == (
        "no outlet with key 'herald/feed'; see `newsworker sources`"
    )


def test_a_time_given_with_its_zone_is_taken_and_shown_in_utc() -> None:
    # the commands print it as UTC: "13:00+09:00" was headed "13:00 UTC", nine hours off
    assert parse_since("2026-12-05T13:00+09:00") == datetime(2026, 12, 5, 4, 0, tzinfo=UTC)
    assert parse_since("2026-12-05").tzinfo is UTC


def _set_old_extraction(runtime: Runtime, outlet_key: str) -> list[int]:
    """As if an older extractor had stored ``outlet_key``'s articles: stale bodies."""
    with runtime.sessions.begin() as session:
        ids = list(
            session.scalars(select(Url.id).join(Source).where(Source.key == f"{outlet_key}/feed"))
        )
        session.execute(update(RawPage).where(RawPage.url_id.in_(ids))
                        .values(extractor_version="1"))  # fmt: skip
        article_ids = session.scalars(select(Url.article_id).where(Url.id.in_(ids))).all()
        session.execute(update(Article).where(Article.id.in_(article_ids))
                        .values(body="Menu\n\nSubscribe now", content_hash="0" * 64))  # fmt: skip
    return ids


def test_reprocess_rereads_kept_pages_without_any_request(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    with wire_web(tmp_path, pages=PAGES) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        with runtime.sessions() as session:
            bodies = dict(session.execute(select(Article.url, Article.body)).all())
        _set_old_extraction(runtime, "herald")
        requests = {name: sum(site.hits.values()) for name, site in web.sites.items()}

        default = ReprocessSelection()
        assert count_reprocess(runtime, default) == 3, "only the pages an older extractor read"
        assert count_reprocess(runtime, ReprocessSelection(outlets=["post"])) == 0
        counts = reprocess(runtime, default)
        assert counts == {"stored": 3}
        with runtime.sessions() as session:
            assert dict(session.execute(select(Article.url, Article.body)).all()) == bodies
            assert session.scalar(select(func.count()).select_from(ArticleVersion)) == 0, (
                "a body read again is not an edit of the article"
            )
        assert count_reprocess(runtime, default) == 0, "a second run has nothing left"

        # An operator adds a rule to drop the post's second paragraph, then reprocesses it all.
        rules = '\n[outlets.post.extraction]\ndrop = ["article p:nth-of-type(3)"]\n'
        web.sources_file.write_text(web.sources_file.read_text() + rules)
        sync_from_file(runtime)
        assert (
            count_reprocess(runtime, ReprocessSelection(outlets=["post"], every_version=True)) == 2
        )
        reprocess(runtime, ReprocessSelection(outlets=["post"], every_version=True))
        with runtime.sessions() as session:
            post_body = session.scalar(
                select(Article.body).where(Article.url == web.url("post", "/local/3"))
            )
        assert post_body is not None and local_story(3)[1] not in post_body
        assert local_story(3)[0] in post_body and local_story(3)[2] in post_body
        assert {n: sum(s.hits.values()) for n, s in web.sites.items()} == requests, (
            "reprocessing made no HTTP request"
        )
        assert _count(runtime, Article) == 5


def test_a_page_that_crashes_reprocess_is_counted_and_the_run_goes_on(
    database_url: str,
    runtime_factory: RuntimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with wire_web(tmp_path, pages=PAGES[:2]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        with runtime.sessions.begin() as session:
            session.execute(update(RawPage).values(extractor_version="1"))
            first = min(session.scalars(select(RawPage.url_id)))
        read_again = reprocess_module.reprocess_url

        def crash_on_first(runtime: Runtime, url_id: int) -> object:
            if url_id == first:
                raise ValueError("Port out of range 0-65535")
            return read_again(runtime, url_id)

        monkeypatch.setattr(reprocess_module, "reprocess_url", crash_on_first)
        counts = reprocess(runtime, ReprocessSelection())
        assert counts.pop("crashed") == 1
        assert sum(counts.values()) == 1, "the other page was read again"


def test_reprocess_stores_a_page_skipped_before_and_keeps_an_article_it_cannot_read(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    with wire_web(tmp_path, pages=PAGES[:2]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        good = web.url("herald", "/news/local-1")
        drills = web.url("herald", "/news/drills")
        with runtime.sessions.begin() as session:
            rows = {u.url: u for u in session.scalars(select(Url))}
            rows[good].state, rows[good].reason = "skipped", "not_article"  # an old mistake
            session.execute(update(RawPage).values(extractor_version="1"))
            raw = session.scalar(select(RawPage).where(RawPage.url_id == rows[drills].id))
            assert raw is not None
            raw.body_gzip = gzip.compress(b"<html><body><p>Gone.</p></body></html>")
        counts = reprocess(runtime, ReprocessSelection())
        assert counts == {"stored": 1, "kept": 1}
        with runtime.sessions() as session:
            states = dict(session.execute(select(Url.url, Url.state)).all())
            assert states == {good: "stored", drills: "stored"}
            body = session.scalar(select(Article.body).where(Article.url == drills))
        assert body is not None and DRILLS[0] in body, "the unreadable page kept its article"


def _sitemap(site: LocalSite, path: str, entries: list[tuple[str, str | None]]) -> None:
    urls = "".join(
        f"<url><loc>{site.url(p)}</loc>" + (f"<lastmod>{d}</lastmod>" if d else "") + "</url>"
        for p, d in entries
    )
    site.add(path, Response(
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
        content_type="application/xml"))  # fmt: skip


def test_a_backfill_walks_the_index_back_to_the_date_and_ingests_what_is_missing(
    database_url: str,
    runtime_factory: RuntimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with LocalSite("archive") as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n")
        pages = {f"/a/{n}": Page("archive", f"/a/{n}", f"Story {n}", local_story(10 + n),
                                 "2026-10-20T09:00:00+00:00") for n in range(6)}  # fmt: skip
        for path, page in pages.items():
            site.add(path, page_html(page, site))
        children = [
            ("/sitemap-2026-09.xml", None),  # dated by its name, before the window
            ("/sitemap-2026-10.xml", None),
            ("/news-old.xml", "2026-09-30T00:00:00Z"),  # its lastmod is before the window
            ("/sitemap-2026-11.xml", "2026-11-20T00:00:00Z"),
            ("/sitemap-broken.xml", None),  # 404: reported, the walk goes on
        ]
        index = "".join(
            f"<sitemap><loc>{site.url(p)}</loc>" + (f"<lastmod>{d}</lastmod>" if d else "")
            + "</sitemap>" for p, d in children
        )  # fmt: skip
        site.add("/sitemap-index.xml", Response(
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{index}'
            "</sitemapindex>", content_type="application/xml"))  # fmt: skip
        _sitemap(site, "/sitemap-2026-09.xml", [("/a/0", "2026-09-10")])
        _sitemap(site, "/news-old.xml", [("/a/0", "2026-09-10")])
        _sitemap(
            site,
            "/sitemap-2026-10.xml",
            [("/a/1", "2026-10-02"), ("/a/2", "2026-10-20"), ("/a/3", None)],
        )
        overlong = "/a/" + "\u00e9" * 1000  # fits as given, not once percent-encoded
        november: list[tuple[str, str | None]] = [
            ("/a/4", "2026-11-03"),
            ("/a/5", "2026-11-19"),
            (overlong, "2026-11-19"),
        ]
        _sitemap(site, "/sitemap-2026-11.xml", november)
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[outlets.archive]\nname = "The Archive"\n[[outlets.archive.sources]]\n'
            f'kind = "sitemap"\nurl = "{site.url("/sitemap-index.xml")}"\n'
        )
        runtime = runtime_factory(database_url, sources_file=sources)
        sync_from_file(runtime)
        since = datetime(2026, 10, 15, tzinfo=UTC)
        plan = plan_backfill(runtime, "archive/sitemap", since)
        assert (plan.sitemaps_read, plan.sitemaps_skipped) == (4, 2)
        assert site.hits["/sitemap-2026-09.xml"] == site.hits["/news-old.xml"] == 0
        assert [url for url, _ in plan.errors] == [site.url("/sitemap-broken.xml")]
        assert sorted(link.url for link in plan.links) == [
            site.url(f"/a/{n}") for n in (2, 3, 4, 5)
        ]
        assert plan.outside_window == 1
        assert [why for _, why in plan.refused] == ["longer than 2048 characters once cleaned"]
        assert count_missing(runtime, plan.links) == 4

        until = plan_backfill(runtime, "archive/sitemap", since, datetime(2026, 11, 1, tzinfo=UTC))
        assert sorted(link.url for link in until.links) == [site.url(f"/a/{n}") for n in (2, 3)]

        monkeypatch.setattr(backfill, "RECORD_CHUNK", 3)
        committed: list[int] = []

        def recorded(links: int) -> None:  # seen by another session: each chunk committed
            with runtime.sessions() as session:
                committed.append(session.scalar(select(func.count()).select_from(Url)) or 0)

        queued = record_backfill(runtime, plan, on_progress=recorded)  # no worker reads it
        assert committed == [3, 4], "a poll of the same URLs waits for a chunk, not the walk"
        assert record_backfill(runtime, plan) == [], "queued once through the broker"
        url_ids = record_backfill(runtime, plan, inline=True)  # then the operator runs it here
        assert url_ids == sorted(queued) and len(url_ids) == 4
        process_inline(runtime, url_ids)
        assert states_of(runtime, url_ids) == {"stored": 4}
        again = plan_backfill(runtime, "archive/sitemap", since)
        assert count_missing(runtime, again.links) == 0
        assert record_backfill(runtime, again) == [], "a second backfill fetches nothing"
        with pytest.raises(ValueError, match="no source with key 'nope'"):
            plan_backfill(runtime, "nope", since)


def test_a_backfill_keeps_only_the_links_the_sources_article_urls_match(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    with LocalSite("archive") as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n")
        _sitemap(site, "/sitemap.xml", [("/a/1", "2026-10-20"), ("/video/2", "2026-10-20"),
                                        ("/a/3", None)])  # fmt: skip
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[outlets.archive]\nname = "The Archive"\n[[outlets.archive.sources]]\n'
            f'kind = "sitemap"\nurl = "{site.url("/sitemap.xml")}"\narticle_urls = "/a/"\n'
        )
        runtime = runtime_factory(database_url, sources_file=sources)
        sync_from_file(runtime)
        plan = plan_backfill(runtime, "archive/sitemap", datetime(2026, 10, 1, tzinfo=UTC))
        assert sorted(link.url for link in plan.links) == [site.url("/a/1"), site.url("/a/3")]
        assert plan.not_articles == 1


def test_a_backfill_waits_for_a_host_whose_crawl_delay_is_longer_than_a_worker_waits(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    # every sitemap after the first found the host busy and was reported failed
    with LocalSite("archive") as site:
        site.add("/robots.txt", "User-agent: *\nCrawl-delay: 1\n")
        children = "".join(
            f"<sitemap><loc>{site.url(f'/s{n}.xml')}</loc></sitemap>" for n in (1, 2)
        )
        site.add("/index.xml", Response(
            f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{children}'
            "</sitemapindex>", content_type="application/xml"))  # fmt: skip
        for n in (1, 2):
            _sitemap(site, f"/s{n}.xml", [(f"/a/{n}", "2026-10-20")])
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[outlets.archive]\nname = "The Archive"\n[[outlets.archive.sources]]\n'
            f'kind = "sitemap"\nurl = "{site.url("/index.xml")}"\n'
        )
        runtime = runtime_factory(database_url, sources_file=sources, host_max_wait_seconds=0.3)
        sync_from_file(runtime)
        plan = plan_backfill(runtime, "archive/sitemap", datetime(2026, 10, 1, tzinfo=UTC))
        assert (plan.sitemaps_read, plan.errors) == (3, [])
        assert sorted(link.url for link in plan.links) == [site.url("/a/1"), site.url("/a/2")]


def test_dated_sitemap_names() -> None:
    assert dated_until("https://x.example/sitemap-2026-10.xml") == datetime(2026, 11, 1, tzinfo=UTC)
    assert dated_until("https://x.example/2026/02/28/sitemap.xml") == datetime(
        2026, 3, 1, tzinfo=UTC
    )
    assert dated_until("https://x.example/sitemap_20261231.xml") == datetime(2027, 1, 1, tzinfo=UTC)
    assert dated_until("https://x.example/sitemap-news.xml") is None
    assert dated_until("https://x.example/sitemap-1234.xml") is None


def test_status_and_failures_show_what_the_data_says(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    with wire_web(tmp_path, pages=PAGES) as web:
        web.sites["post"].add("/feed.xml", Response("oops", status=500))
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        now = datetime.now(UTC)
        tick(runtime, now)
        with runtime.sessions.begin() as session:  # a beat, and one silent for 10 minutes
            heartbeats.record(session, "beat:celerybeat@a", "beat", now, {"pid": 7})
            heartbeats.record(session, "beat:celerybeat@b", "beat", now - timedelta(minutes=10))
        with runtime.sessions() as session:
            report = service_status(session, now, beat_gone_after=timedelta(minutes=2))
            broken = failing_sources(session)
        assert [(b.name, b.state, b.pid) for b in report.beats] == [
            ("celerybeat@a", "running", 7), ("celerybeat@b", "gone", None),
        ]  # fmt: skip
        assert report.workers == [], "a beat is no worker"
        by_source = {s.source: s for s in report.sources}
        assert by_source["herald/feed"].stored_24h == 3
        assert by_source["herald/feed"].failure_streak == 0
        post = by_source["post/feed"]
        assert (post.stored_24h, post.failure_streak) == (0, 1)
        assert post.last_error is not None and "500" in post.last_error
        assert report.last_tick_at == now
        assert [(s.source, s.failures) for s in broken] == [("post/feed", 1)]


def test_old_raw_pages_are_pruned_after_the_retention(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    with wire_web(tmp_path, pages=PAGES[:3]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file,
                                  raw_retention_days=10)  # fmt: skip
        _crawl(runtime)
        with runtime.sessions.begin() as session:
            first = session.scalars(select(RawPage).order_by(RawPage.id)).first()
            assert first is not None
            first.fetched_at = datetime.now(UTC) - timedelta(days=11)
        assert prune_raw_pages(runtime) == 1
        assert _count(runtime, RawPage) == 2
        assert _count(runtime, Article) == 3, "articles stay; only their raw pages go"


SCHEMA_DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"
NEWEST_FIRST = "ORDER BY published_at DESC NULLS LAST LIMIT 50"


def test_the_read_only_views_answer_the_common_questions(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    recent = [Page(p.outlet, p.path, p.title, p.paragraphs,
                   datetime.now(UTC).isoformat(timespec="seconds")) for p in PAGES]  # fmt: skip
    with wire_web(tmp_path, pages=recent) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        with runtime.engine.connect() as connection:
            latest = connection.execute(
                text("SELECT outlet, url, story_copies FROM latest_articles")
            )
            rows = {row.url: (row.outlet, row.story_copies) for row in latest}
            stories = connection.execute(
                text("SELECT story_id, article_count, outlets, urls FROM story_copies")
            ).all()
        with runtime.sessions.begin() as session:
            undated = session.scalars(select(Article).order_by(Article.id)).first()
            assert undated is not None
            undated.published_at = None  # in the view by its fetch time
            undated_url = undated.url
        with runtime.engine.connect() as connection:
            # the order docs/schema.md gives readers, the same on both engines
            newest = connection.execute(text(f"SELECT url FROM latest_articles {NEWEST_FIRST}"))
            newest_urls = [row.url for row in newest]
    assert newest_urls[-1] == undated_url and len(newest_urls) == 5
    assert NEWEST_FIRST in " ".join(SCHEMA_DOC.read_text(encoding="utf-8").split())
    assert len(rows) == 5
    assert rows[web.url("herald", "/news/drills")] == ("herald", 2)
    shared = [s for s in stories if s.article_count == 2]
    assert len(stories) == 4 and len(shared) == 1
    outlets, urls = shared[0].outlets, shared[0].urls
    if isinstance(outlets, str):  # SQLite returns the JSON text
        import json

        outlets, urls = json.loads(outlets), json.loads(urls)
    assert sorted(outlets) == ["herald", "post"]
    assert sorted(urls) == sorted(
        [web.url("herald", "/news/drills"), web.url("post", "/world/drills")]
    )
