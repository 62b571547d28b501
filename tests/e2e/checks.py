"""Assertions on the stored rows after a crawl of the test web, shared by every e2e test."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.localweb.sites import TestWeb
from worker.dedup.urls import frontier_key
from worker.storage.db import make_engine
from worker.storage.models import Article, Outlet, RawPage, Source, Url


def table_counts(database_url: str) -> dict[str, int]:
    engine = make_engine(database_url)
    with Session(engine) as session:
        counts = {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Outlet, Source, Article, Url, RawPage)
        }
    engine.dispose()
    return counts


def assert_crawl_stored_everything(database_url: str, web: TestWeb) -> None:
    """Every URL in a final state with the expected outcome; every article exactly right."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        urls = {row.url: row for row in session.scalars(select(Url))}
        articles = {row.id: row for row in session.scalars(select(Article))}
        outlets = {row.id: row.key for row in session.scalars(select(Outlet))}
        expected_keys = {frontier_key(url): url for url in web.expected}
        assert set(urls) == set(expected_keys), (
            "the frontier holds exactly the URLs the sources offer"
        )
        assert all(row.state != "pending" for row in urls.values())
        stored_ids = []
        for key, original in expected_keys.items():
            want = web.expected[original]
            row = urls[key]
            where = f"{original}: {row.state} {row.reason} {row.detail}"
            assert row.state == want.state, where
            if want.reason:
                assert row.reason == want.reason, where
            if want.http_status:
                assert row.http_status == want.http_status, where
            if want.attempts:
                assert row.attempts == want.attempts, where
            if want.state == "duplicate" and want.duplicate_of:
                assert row.article_id == urls[frontier_key(want.duplicate_of)].article_id, where
            if want.state != "stored":
                continue
            article = articles[row.article_id]  # type: ignore[index]
            stored_ids.append(article.id)
            assert outlets[article.outlet_id] == want.outlet
            assert article.title == want.title, where
            assert article.authors == want.authors, where
            assert article.published_at == want.published_at, where
            if want.updated_at:
                assert article.updated_at == want.updated_at, where
            if want.section:
                assert article.section == want.section, where
            assert article.language == want.language, where
            if want.canonical_url:
                assert article.canonical_url == frontier_key(want.canonical_url), where
            assert want.paragraphs is not None
            assert article.body.split("\n\n") == want.paragraphs, where
            for chrome in want.chrome:
                assert chrome not in article.body, f"{original}: chrome {chrome!r} left in the body"
            if want.same_story_as:
                other = articles[urls[frontier_key(want.same_story_as)].article_id]  # type: ignore[index]
                assert other.id != article.id and other.content_hash == article.content_hash
        assert sorted(stored_ids) == sorted(articles), "no article row beyond the stored URLs"
        raw_count = session.scalar(select(func.count()).select_from(RawPage))
        read_pages = [
            row
            for row in urls.values()
            if row.state in ("stored", "duplicate") or row.reason == "not_article"
        ]
        assert raw_count == len(read_pages), "the raw response of every page read is kept"
    engine.dispose()


def article_hits(web: TestWeb) -> dict[str, int]:
    """GET requests per article page so far (to prove a second crawl fetches nothing again)."""
    return {url: web.site_of(url).get_hits[web.path_of(url)] for url in web.expected}
