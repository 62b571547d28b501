"""Stories in the database: copies across outlets grouped, variants and edits, merges, chrome."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.localweb.wire import wire_web, stored_groups
from worker.pipeline import crawl_inline
from worker.runtime import Runtime
from worker.storage.models import Article, Source, Story, StoryMerge, Url
from worker.syncing import sync_from_file

RuntimeFactory = Callable[..., Runtime]


def _crawl(runtime: Runtime) -> None:
    sync_from_file(runtime)
    with runtime.sessions() as session:
        source_ids = list(session.scalars(select(Source.id).order_by(Source.id)))
    report = crawl_inline(runtime, source_ids)
    assert report.exit_code == 0, report


@pytest.mark.parametrize("order_seed", [0, 1])
def test_a_crawl_of_syndicated_outlets_gives_the_expected_stories(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path, order_seed: int
) -> None:
    with wire_web(tmp_path, order_seed) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        assert stored_groups(database_url, web) == web.expected_groups()
        with runtime.sessions() as session:
            urls = {row.url: row for row in session.scalars(select(Url))}
            articles = {row.id: row for row in session.scalars(select(Article))}
            stories = {row.id: row for row in session.scalars(select(Story))}
        for variant, original in web.variants().items():
            pair = sorted([urls[variant], urls[original]], key=lambda row: row.state)
            assert [(row.state, row.reason) for row in pair] == [
                ("duplicate", "near_copy"), ("stored", None),
            ], "one of two URLs of an article is stored, the other is its duplicate"
            assert pair[0].article_id == pair[1].article_id
        pairs = set(web.variants()) | set(web.variants().values())
        assert {row.state for url, row in urls.items() if url not in pairs} == {"stored"}
        for story in stories.values():
            copies = [a for a in articles.values() if a.story_id == story.id]
            assert story.article_count == len(copies)
            first = min(copies, key=lambda a: (a.published_at, a.id))
            assert (story.first_article_id, story.first_published_at) == (
                first.id, first.published_at,
            )  # fmt: skip
        assert len(stories) == len(web.expected_groups()), "no story left without copies"
