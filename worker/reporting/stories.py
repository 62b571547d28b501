"""Stories as operators look at them: the largest first, and one story with the evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.dedup.fingerprint import fingerprint
from worker.dedup.verify import Verdict, compare
from worker.storage.models import Article, Outlet, Story, StoryMerge
from worker.storage.stories import ARTICLE_TIME


@dataclass(frozen=True)
class CopyRow:
    article_id: int
    outlet: str
    title: str | None
    published_at: datetime | None
    url: str


@dataclass(frozen=True)
class StorySummary:
    story_id: int
    article_count: int
    first_published_at: datetime | None
    updated_at: datetime
    copies: list[CopyRow]


@dataclass(frozen=True)
class CopyEvidence:
    copy: CopyRow
    verdict: Verdict | None  # None for the first copy itself
    shared_paragraphs: int
    paragraphs: int


@dataclass(frozen=True)
class StoryDetail:
    summary: StorySummary
    asked_id: int  # the id asked for: a story merged into this one, or this one
    merged_from: list[int]


def list_stories(
    session: Session, since: datetime, *, min_copies: int = 1, limit: int = 50
) -> list[StorySummary]:
    """Stories with a copy published (or fetched) since ``since``, the most copies first."""
    recent = select(Article.story_id).where(since <= ARTICLE_TIME).distinct().subquery()
    stories = session.scalars(
        select(Story)
        .where(Story.id.in_(select(recent.c.story_id)), Story.article_count >= min_copies)
        .order_by(Story.article_count.desc(), Story.first_published_at.desc(), Story.id)
        .limit(limit)
    ).all()
    copies = _copies(session, [story.id for story in stories])
    return [_summary(story, copies.get(story.id, [])) for story in stories]


def story_detail(session: Session, story_id: int) -> StoryDetail | None:
    """One story with what each copy shares with the first; a merged id leads to its story."""
    asked = story_id
    for _ in range(100):  # follow merges: a -> b -> c
        target = session.scalar(
            select(StoryMerge.into_story_id).where(StoryMerge.from_story_id == story_id)
        )
        if target is None:
            break
        story_id = target
    story = session.get(Story, story_id)
    if story is None:
        return None
    merged = session.scalars(
        select(StoryMerge.from_story_id)
        .where(StoryMerge.into_story_id == story_id)
        .order_by(StoryMerge.id)
    ).all()
    rows = _copies(session, [story_id]).get(story_id, [])
    return StoryDetail(_summary(story, rows), asked, list(merged))


def evidence(session: Session, detail: StoryDetail) -> list[CopyEvidence]:
    """Each copy compared with the first: the verdict and the first's paragraphs it repeats."""
    copies = detail.summary.copies
    if not copies:
        return []
    bodies = dict(
        session.execute(
            select(Article.id, Article.body).where(Article.id.in_([c.article_id for c in copies]))
        ).all()
    )
    first = copies[0]
    first_fp = fingerprint(bodies[first.article_id])
    first_paragraphs = set(first_fp.paragraphs)
    result = []
    for copy in copies:
        fp = fingerprint(bodies[copy.article_id])
        verdict = None if copy is first else compare(first_fp, fp)
        shared = sum(1 for p in fp.paragraphs if p in first_paragraphs)
        result.append(CopyEvidence(copy, verdict, shared, len(fp.paragraphs)))
    return result


def _copies(session: Session, story_ids: list[int]) -> dict[int, list[CopyRow]]:
    if not story_ids:
        return {}
    rows = session.execute(
        select(Article.story_id, Article.id, Outlet.key, Article.title, ARTICLE_TIME, Article.url)
        .join(Outlet, Outlet.id == Article.outlet_id)
        .where(Article.story_id.in_(story_ids))
        .order_by(ARTICLE_TIME, Article.id)
    ).all()
    copies: dict[int, list[CopyRow]] = {}
    for story_id, article_id, outlet, title, published, url in rows:
        copies.setdefault(story_id, []).append(CopyRow(article_id, outlet, title, published, url))
    return copies


def _summary(story: Story, copies: list[CopyRow]) -> StorySummary:
    return StorySummary(
        story.id, story.article_count, story.first_published_at, story.updated_at, copies
    )
