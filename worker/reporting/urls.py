"""One URL's whole record: where it came from, where it ended and why, and what it became.

The question behind it comes from downstream ("why is this story not in the database?"): the
answer is in four tables, which an operator should not have to join by hand at 3 a.m.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.dedup.urls import UnusableURL, frontier_key, resolve
from worker.storage.models import Article, Outlet, RawPage, Source, Url


@dataclass(frozen=True)
class ArticleFacts:
    """The article a URL is stored as, or the one it duplicates."""

    article_id: int
    url: str
    canonical_url: str
    title: str | None
    published_at: datetime | None
    story_id: int
    extractor_version: str
    provenance: dict[str, str]


@dataclass(frozen=True)
class RawFacts:
    """The kept raw page: what was fetched, and which extractor last read it."""

    fetched_at: datetime
    http_status: int
    size: int
    extractor_version: str


@dataclass(frozen=True)
class UrlTrace:
    url_id: int
    url: str
    state: str
    reason: str | None
    detail: str | None
    attempts: int
    http_status: int | None
    final_url: str | None
    source: str | None
    outlet: str | None
    announced_title: str | None
    announced_at: datetime | None
    first_seen_at: datetime
    last_seen_at: datetime
    last_attempt_at: datetime | None
    article: ArticleFacts | None
    raw_page: RawFacts | None


def trace_url(session: Session, address: str) -> list[UrlTrace]:
    """Every frontier row ``address`` may name: the URL as a source yields it (cleaned as the
    frontier cleans it), the address it redirected to, or the canonical URL of its article.
    Empty when no source ever yielded it; ValueError when it is no fetchable URL."""
    address = address.strip()
    try:
        key = frontier_key(resolve(address, address))
    except UnusableURL as exc:
        raise ValueError(f"not a URL the worker could fetch: {exc}") from exc
    addresses = sorted({key, address})  # as cleaned, and as given
    ids = set(session.scalars(select(Url.id).where(Url.url == key)))
    ids.update(
        session.scalars(
            select(Url.id)
            .join(Article, Article.id == Url.article_id)
            .where(Article.canonical_url.in_(addresses))
        )
    )
    if not ids:  # the address a URL was redirected to: not indexed, so read only as a last resort
        ids.update(session.scalars(select(Url.id).where(Url.final_url.in_(addresses))))
    rows = session.execute(
        select(Url, Source.key, Outlet.key)
        .outerjoin(Source, Source.id == Url.source_id)
        .outerjoin(Outlet, Outlet.id == Source.outlet_id)
        .where(Url.id.in_(ids))
        .order_by(Url.id)
    ).all()
    return [_trace(session, url, source, outlet) for url, source, outlet in rows]


def _trace(session: Session, url: Url, source: str | None, outlet: str | None) -> UrlTrace:
    article = session.get(Article, url.article_id) if url.article_id else None
    raw = session.execute(
        select(
            RawPage.fetched_at, RawPage.http_status, RawPage.size, RawPage.extractor_version
        ).where(RawPage.url_id == url.id)
    ).first()
    return UrlTrace(
        url_id=url.id,
        url=url.url,
        state=url.state,
        reason=url.reason,
        detail=url.detail,
        attempts=url.attempts,
        http_status=url.http_status,
        final_url=url.final_url,
        source=source,
        outlet=outlet,
        announced_title=url.announced_title,
        announced_at=url.announced_at,
        first_seen_at=url.first_seen_at,
        last_seen_at=url.last_seen_at,
        last_attempt_at=url.last_attempt_at,
        article=_article_facts(article) if article else None,
        raw_page=RawFacts(*raw) if raw else None,
    )


def _article_facts(article: Article) -> ArticleFacts:
    return ArticleFacts(
        article_id=article.id,
        url=article.url,
        canonical_url=article.canonical_url,
        title=article.title,
        published_at=article.published_at,
        story_id=article.story_id,
        extractor_version=article.extractor_version,
        provenance=dict(article.provenance or {}),
    )
