"""Copies of wire stories crawled by two worker processes at once end in the expected stories.

Six outlets carry overlapping wire stories; two ``newsworker worker`` processes (four pool
children) store them concurrently through Redis into PostgreSQL or SQLite. Whatever order the
copies arrive in and however they interleave, the story groups are those a single worker makes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import truncate_postgres
from tests.e2e.processes import run_cli, service_env, two_workers
from tests.localweb.wire import (
    BUDGET,
    DRILLS,
    EXPECTED_GROUPS,
    PAGES,
    PMI,
    Page,
    stored_groups,
    wire_web,
)
from worker.storage.db import make_engine
from worker.storage.models import Article, Story, Url

pytestmark = pytest.mark.slow

# Three more outlets, each with copies of the same three wire stories, so that copies of one
# story are stored at the same moment by different workers.
EXTRA = [
    Page(outlet, path, title, paragraphs, published)
    for n, outlet in enumerate(("ledger", "courier", "tribune"))
    for path, title, paragraphs, published in (
        ("/a/drills", f"Drills copy {n}", DRILLS[: 6 + n], "2024-03-03T12:30:00+09:00"),
        ("/a/budget", f"Budget copy {n}", BUDGET, "2024-03-03T13:30:00+09:00"),
        ("/a/pmi", f"PMI copy {n}", PMI[: 5 + n % 2], "2024-03-03T14:30:00+09:00"),
    )
]


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_two_workers_storing_copies_at_once_give_the_expected_story_groups(
    backend: str, redis_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "postgresql":
        database_url: str = request.getfixturevalue("pg_url")
        truncate_postgres(database_url)
    else:
        database_url = f"sqlite:///{tmp_path / 'stories.sqlite'}"
    with wire_web(tmp_path, order_seed=7, pages=[*PAGES, *EXTRA]) as web:
        env = service_env(
            tmp_path, database_url=database_url, broker_url=redis_url,
            sources_file=str(web.sources_file), host_delay_seconds="0",
        )  # fmt: skip
        with two_workers(env, tmp_path) as logs:
            result = run_cli(["crawl", "--timeout", "120"], env, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr
        extra = {
            "/a/drills": ("herald", "/news/drills"),
            "/a/budget": ("herald", "/news/budget"),
            "/a/pmi": ("times", "/2024/03/03/china-pmi"),
        }
        expected = {frozenset(web.url(o, p) for o, p in group) for group in EXPECTED_GROUPS}
        for path, member in extra.items():
            group = next(g for g in expected if web.url(*member) in g)
            expected.remove(group)
            copies = {web.url(outlet, path) for outlet in ("ledger", "courier", "tribune")}
            expected.add(group | copies)
        assert stored_groups(database_url, web) == expected

    engine = make_engine(database_url)
    with Session(engine) as session:
        states = {row.url: (row.state, row.reason) for row in session.scalars(select(Url))}
        stories = session.scalars(select(Story)).all()
        articles = session.scalars(select(Article)).all()
    engine.dispose()
    assert sorted(states.values()).count(("duplicate", "near_copy")) == 1
    assert [s for s in states.values() if s[0] != "stored"] == [("duplicate", "near_copy")]
    assert len(stories) == len(expected), "no empty or orphan story is left behind"
    assert sum(s.article_count for s in stories) == len(articles)
    for log in logs:
        assert '"event": "url.done"' in log.read_text(), f"{log.name} stored nothing"
