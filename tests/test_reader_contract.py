"""docs/schema.md's recipe for syncing articles, run as a downstream reader runs it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select, text, update

from tests.localweb.wire import Page, local_story, wire_web
from worker.pipeline import crawl_inline
from worker.runtime import Runtime
from worker.storage.models import Article, Source
from worker.syncing import sync_from_file

RuntimeFactory = Callable[..., Runtime]
DOC = Path(__file__).resolve().parents[1] / "docs" / "schema.md"


def sync_queries() -> dict[str, str]:
    """The section's two SQL blocks: PostgreSQL's, then SQLite's."""
    section = DOC.read_text().split("## Syncing articles", 1)[1].split("\n## ", 1)[0]
    postgresql, sqlite = re.findall(r"```sql\n(.*?)```", section, re.DOTALL)
    return {"postgresql": postgresql, "sqlite": sqlite}


def read_changes(runtime: Runtime, watermark: tuple[object, int], page_size: int) -> tuple[
    list[int], tuple[object, int]
]:  # fmt: skip
    """Every page of rows changed after ``watermark``, as the doc says to read them."""
    query = text(sync_queries()[runtime.engine.dialect.name].replace("LIMIT 1000", "LIMIT :n"))
    seen: list[int] = []
    with runtime.engine.connect() as connection:
        while True:
            changed_at, last_id = watermark
            rows = connection.execute(
                query, {"changed_at": changed_at, "id": last_id, "n": page_size}
            ).mappings().all()  # fmt: skip
            if not rows:
                return seen, watermark
            seen += [row["id"] for row in rows]
            watermark = (rows[-1]["changed_at"], rows[-1]["id"])


def test_a_reader_paging_by_the_docs_recipe_sees_every_change_once_ties_and_all(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    pages = [
        Page("herald", f"/news/{n}", f"Story {n}", local_story(n), "2024-03-03T10:00:00+09:00")
        for n in range(7)
    ]
    with wire_web(tmp_path, pages=pages) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        sync_from_file(runtime)
        with runtime.sessions() as session:
            source_ids = list(session.scalars(select(Source.id)))
        assert crawl_inline(runtime, source_ids).exit_code == 0
    hour_ago = datetime.now(UTC) - timedelta(hours=1)
    # a merge stamps all the copies it moves with one time: ties of five, two and one
    stamps = [hour_ago] * 5 + [hour_ago + timedelta(seconds=1)] * 2
    with runtime.sessions.begin() as session:
        ids = list(session.scalars(select(Article.id).order_by(Article.id)))
        for article_id, stamp in zip(ids, stamps, strict=True):
            stamped = update(Article).where(Article.id == article_id)
            session.execute(stamped.values(changed_at=stamp))
    start = ("1970-01-01 00:00:00", 0)
    for page_size in (1, 2, 3, 1000):
        seen, watermark = read_changes(runtime, start, page_size)
        assert sorted(seen) == ids and len(seen) == len(ids), f"page size {page_size}: {seen}"
    with runtime.sessions.begin() as session:  # two rows change again, a minute later
        moved = update(Article).where(Article.id.in_(ids[1:3]))
        session.execute(moved.values(changed_at=hour_ago + timedelta(minutes=1)))
    again, _ = read_changes(runtime, watermark, 1)
    assert again == ids[1:3]
    with runtime.sessions.begin() as session:  # a change this instant waits for the lag
        session.execute(update(Article).where(Article.id == ids[0]).values(
            changed_at=datetime.now(UTC)))  # fmt: skip
    assert read_changes(runtime, watermark, 1)[0] == ids[1:3]
