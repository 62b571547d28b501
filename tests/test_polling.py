"""Polling state in the database: due sources are claimed once, even by concurrent ticks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

from worker.runtime import Runtime
from worker.sources import parse_sources
from worker.storage import repository
from worker.storage.models import Source
from worker.syncing import sync_if_changed

RuntimeFactory = Callable[..., Runtime]

SOURCES: dict[str, Any] = {"outlets": {f"o{i}": {"name": f"O{i}", "sources": [
    {"kind": "feed", "url": f"https://o{i}.example/feed", "every": "10m"}
]} for i in range(40)}}  # fmt: skip


def _setup(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        repository.sync_sources(session, parse_sources(SOURCES))


def test_concurrent_ticks_claim_each_due_source_exactly_once(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now = datetime.now(UTC) + timedelta(seconds=1)
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def tick() -> None:
        barrier.wait()
        with runtime.sessions() as session:
            claimed.append(repository.claim_due_sources(session, now))

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [source_id for ids in claimed for source_id in ids]
    assert len(flat) == 40 and len(set(flat)) == 40
    with runtime.sessions() as session:
        assert repository.claim_due_sources(session, now) == []


def test_a_source_missed_for_hours_is_polled_once_then_back_on_its_interval(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        session.execute(update(Source).values(next_poll_at=now - timedelta(hours=6)))
    with runtime.sessions() as session:
        assert len(repository.claim_due_sources(session, now)) == 40
    with runtime.sessions() as session:
        assert repository.claim_due_sources(session, now + timedelta(minutes=9)) == []
        assert len(repository.claim_due_sources(session, now + timedelta(minutes=10))) == 40


def test_sync_is_idempotent_and_disables_removed_sources(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    _setup(runtime)
    smaller: dict[str, object] = {
        "outlets": {k: v for k, v in SOURCES["outlets"].items() if k != "o0"}
    }
    with runtime.sessions.begin() as session:
        report = repository.sync_sources(session, parse_sources(smaller))
    assert report.disabled == 1
    with runtime.sessions() as session:
        rows = session.scalars(select(Source)).all()
    assert len(rows) == 40
    assert [row.key for row in rows if not row.enabled] == ["o0/feed"]


def test_edits_to_the_sources_file_reach_the_database_at_the_next_tick(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    sources = tmp_path / "edited.toml"
    sources.write_text(
        '[outlets.a]\nname = "A"\n[[outlets.a.sources]]\nkind = "feed"\nurl = "https://a.example/f"\n'
    )
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_if_changed(runtime)
    sources.write_text(sources.read_text().replace('"A"', '"A News"') + 'every = "2h"\n')
    sync_if_changed(runtime)
    with runtime.sessions() as session:
        source = session.scalars(select(Source)).one()
        assert (source.outlet.name, source.interval_seconds) == ("A News", 7200)
    sources.write_text(
        "[outlets.a]\nname = 1\n"
    )  # a bad edit is logged, the last good config stays
    sync_if_changed(runtime)
    with runtime.sessions() as session:
        assert session.scalars(select(Source)).one().enabled
