"""Inline crawls through the plain pipeline functions, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select

from tests.e2e.checks import article_hits, assert_crawl_stored_everything, table_counts
from tests.localweb.sites import TestWeb
from worker.pipeline import crawl_inline
from worker.runtime import Runtime
from worker.storage.models import Source
from worker.syncing import sync_from_file

RuntimeFactory = Callable[..., Runtime]


def _all_sources(runtime: Runtime) -> list[int]:
    with runtime.sessions() as session:
        return list(session.scalars(select(Source.id).order_by(Source.id)))


def test_inline_crawl_stores_every_article_once(
    web: TestWeb, database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url, sources_file=web.sources_file)
    sync_from_file(runtime)
    source_ids = _all_sources(runtime)

    report = crawl_inline(runtime, source_ids)

    assert_crawl_stored_everything(database_url, web)
    assert report.discovered == len(web.expected)
    assert report.counts.get("failed") == 1 and report.exit_code == 1  # the 404
    assert [f.reason for f in report.failures if f.state == "failed"] == ["http_404"]
    assert report.known == 0

    before_counts, before_hits = table_counts(database_url), article_hits(web)
    again = crawl_inline(runtime, source_ids)
    assert table_counts(database_url) == before_counts, "a second crawl stores nothing twice"
    assert article_hits(web) == before_hits, "a URL seen before is not fetched again"
    # Feeds that send validators answer 304 now; what the others yield is all known.
    assert again.counts == {}
    assert again.known == again.discovered
    assert again.exit_code == 0
    assert_crawl_stored_everything(database_url, web)
