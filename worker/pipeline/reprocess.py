"""Reprocessing: kept raw pages through the current extractor and duplicate detection again.

No request is made: the page is the one fetched then (``raw_pages``). Each URL is its own
transaction, so an interrupted run loses nothing and running it again continues: by default only
pages read by an older extractor are selected, and a page read again is marked with the current
version. A page the new extractor cannot read leaves a stored article as it was.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Select, func, or_, select

from worker.errors import ExtractionError
from worker.extraction import EXTRACTOR_VERSION
from worker.fetching import FetchedPage, decode_html
from worker.pipeline.decisions import final_state_for
from worker.pipeline.process import STORE_ERRORS, UrlOutcome, context_for, extract, store
from worker.runtime import Runtime
from worker.storage import repository
from worker.storage.models import Outlet, RawPage, Source, Url

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ReprocessSelection:
    """Which kept pages to read again. Empty lists mean all."""

    outlets: Sequence[str] = ()
    sources: Sequence[str] = ()
    since: datetime | None = None
    until: datetime | None = None
    every_version: bool = False  # False: only pages read by an older extractor

    def query(self) -> Select[Any]:
        query = (
            select(Url.id)
            .join(RawPage, RawPage.url_id == Url.id)
            .where(Url.state != "pending")  # a fetch in flight will read it with this extractor
            .order_by(Url.id)
        )
        if self.outlets or self.sources:
            query = query.join(Source, Source.id == Url.source_id).join(Outlet)
        if self.outlets:
            query = query.where(Outlet.key.in_(self.outlets))
        if self.sources:  # a source's key, or an outlet's for all its sources
            query = query.where(or_(Source.key.in_(self.sources), Outlet.key.in_(self.sources)))
        if self.since:
            query = query.where(RawPage.fetched_at >= self.since)
        if self.until:
            query = query.where(RawPage.fetched_at < self.until)
        if not self.every_version:
            query = query.where(RawPage.extractor_version != EXTRACTOR_VERSION)
        return query


def count_reprocess(runtime: Runtime, selection: ReprocessSelection) -> int:
    with runtime.sessions() as session:
        subquery = selection.query().subquery()
        return session.scalar(select(func.count()).select_from(subquery)) or 0


def reprocess(
    runtime: Runtime,
    selection: ReprocessSelection,
    on_url: Callable[[UrlOutcome], None] | None = None,
    batch: int = 200,
) -> dict[str, int]:
    """Read every selected page again; returns counts by outcome (state, or ``kept``)."""
    counts: dict[str, int] = {}
    last_id = 0
    while True:
        with runtime.sessions() as session:
            ids: list[int] = list(
                session.scalars(selection.query().where(Url.id > last_id).limit(batch))
            )
        if not ids:
            return counts
        for url_id in ids:
            try:
                outcome = reprocess_url(runtime, url_id)
            except STORE_ERRORS:
                raise  # the database, not the page: the run cannot go on
            except Exception as exc:  # a bug one page trips must not end the run
                log.exception("reprocess.crashed", url_id=url_id)
                outcome = UrlOutcome(url_id, "crashed", f"{type(exc).__name__}: {exc}")
            counts[outcome.state] = counts.get(outcome.state, 0) + 1
            last_id = url_id
            if on_url is not None:
                on_url(outcome)


def reprocess_url(runtime: Runtime, url_id: int) -> UrlOutcome:
    """Extract one kept raw page again and store the result as a fetch would."""
    with runtime.sessions() as session:
        url = session.get(Url, url_id)
        raw = session.scalar(select(RawPage).where(RawPage.url_id == url_id))
        if url is None or raw is None:
            return UrlOutcome(url_id, "missing", "no kept raw page")
        context = context_for(session, url, runtime.settings)
        if context is None:
            return UrlOutcome(url_id, "kept", "no_outlet")
        was_stored = url.state == "stored"
        page = FetchedPage(
            url=url.url,
            final_url=raw.final_url,
            status=raw.http_status,
            content=gzip.decompress(raw.body_gzip),
            content_type=raw.content_type or "",
            charset=raw.encoding,
            headers=dict(raw.headers or {}),
        )
        fetched_at = raw.fetched_at
    bound = log.bind(url_id=url_id, url=context.url, outlet=context.outlet_key)
    text, encoding = decode_html(page.content, page.charset)
    try:
        article = extract(text, page.final_url, context)
    except ExtractionError as exc:
        with runtime.sessions.begin() as session:
            repository.mark_raw_page_read(session, url_id, EXTRACTOR_VERSION)
            if not was_stored:
                repository.finish_url(
                    session,
                    url_id,
                    final_state_for(exc),
                    reason=exc.reason,
                    detail=str(exc),
                    http_status=page.status,
                    article_id=None,
                )
        if was_stored:
            bound.warning("reprocess.kept_article", reason=exc.reason, error=str(exc))
            return UrlOutcome(url_id, "kept", exc.reason)
        return UrlOutcome(url_id, final_state_for(exc), exc.reason)
    outcome = store(
        runtime, url_id, context, page, encoding, text, article, fetched_at, reextracted=True
    )
    bound.info("reprocess.done", state=outcome.state, reason=outcome.reason)
    return outcome
