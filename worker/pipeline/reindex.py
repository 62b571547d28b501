"""Index stored articles whose story fingerprint is missing or older than this release's.

Articles stored before stories existed (migration 0003), or under an earlier
``STORY_FINGERPRINT_VERSION``, are regrouped one by one, each in its own transaction: a crash
or Ctrl-C loses nothing, and running it again continues where it stopped.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from worker.dedup.fingerprint import STORY_FINGERPRINT_VERSION
from worker.pipeline import grouping
from worker.pipeline.process import STORE_ERRORS
from worker.runtime import Runtime
from worker.storage.models import Article

log = structlog.get_logger(__name__)


def _stale(session: Session, after_id: int, limit: int) -> list[int]:
    return list(
        session.scalars(
            select(Article.id)
            .where(Article.id > after_id, _needs_index())
            .order_by(Article.id)
            .limit(limit)
        )
    )


def _needs_index() -> ColumnElement[bool]:
    return or_(
        Article.story_fingerprint_version.is_(None),
        Article.story_fingerprint_version != STORY_FINGERPRINT_VERSION,
    )


def count_unindexed(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).where(_needs_index())) or 0


def reindex_stories(
    runtime: Runtime, on_article: Callable[[int], None] | None = None, batch: int = 200
) -> int:
    """Regroup every article not indexed under the current version; returns how many. An
    article whose regroup crashes is logged (``reindex.crashed``) and left for the next run."""
    done = last_id = 0
    while True:
        with runtime.sessions() as session:
            ids = _stale(session, last_id, batch)
        if not ids:
            return done
        for article_id in ids:
            last_id = article_id
            try:
                with runtime.sessions.begin() as session:
                    article = session.get(Article, article_id)
                    if article is not None:
                        grouping.regroup(session, article, datetime.now(UTC))
            except STORE_ERRORS:
                raise  # the database, not the article: the run cannot go on
            except Exception:  # a bug one article trips must not end the run; it stays stale
                log.exception("reindex.crashed", article=article_id)
                continue
            done += 1
            if on_article is not None:
                on_article(article_id)
