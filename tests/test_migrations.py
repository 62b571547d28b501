"""Migrations: head matches the models on both backends, down/up round-trips, and processes
starting together on the embedded default (database and broker) do not trip over each other."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import warnings
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from celery import Celery
from sqlalchemy import Column, MetaData, create_engine, inspect, text
from sqlalchemy.exc import IntegrityError

from tests.conftest import truncate_postgres
from worker.celery_app import prepare_embedded_broker
from worker.storage.db import make_engine
from worker.storage.migrations import downgrade, head_revision, upgrade
from worker.storage.models import Base

# tables the worker keeps for itself: named in docs/schema.md, not described column by column
INTERNAL = {
    "story_keys", "story_signatures", "outlet_paragraphs", "raw_pages", "heartbeats",
    "listing_canonicals", "sources_file_syncs", "sitemap_validators",
}  # fmt: skip


def _diff(url: str) -> list[object]:
    """What the migrated database lacks or has more than the models. SQLite cannot reflect an
    expression index, so neither can it be compared there (PostgreSQL compares it): those are
    checked by name in ``_expression_indexes``."""
    engine = create_engine(url)
    with engine.connect() as connection, warnings.catch_warnings():
        if engine.dialect.name == "sqlite":
            warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        if engine.dialect.name == "sqlite":
            assert _expression_indexes(Base.metadata) <= set(
                connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'index'"))
            )
    engine.dispose()
    return list(diff)


def _expression_indexes(metadata: MetaData) -> set[str]:
    return {
        str(index.name)
        for table in metadata.tables.values()
        for index in table.indexes
        if any(not isinstance(e, Column) for e in index.expressions)
    }


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_matches_models_and_round_trips(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'm.sqlite'}"
        upgrade(url)
    else:
        url = request.getfixturevalue("pg_url")
        truncate_postgres(url)
    contract = {"outlets", "sources", "articles", "urls", "raw_pages", "alembic_version"}
    assert contract <= _tables(url)
    assert _diff(url) == []
    downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    upgrade(url)
    assert _diff(url) == []


@pytest.mark.parametrize(
    ("query", "index"),
    [
        ("SELECT id FROM articles WHERE changed_at > now() - interval '5 minutes'",
         "ix_articles_changed_at"),
        ("SELECT id FROM articles WHERE changed_at >= now() - interval '1 day' AND (changed_at "
         "> now() - interval '1 day' OR id > 7) AND changed_at <= now() - interval '1 minute' "
         "ORDER BY changed_at, id LIMIT 1000", "ix_articles_changed_at"),
        ("SELECT id FROM stories WHERE updated_at > now() - interval '1 day'",
         "ix_stories_updated_at"),
        ("SELECT article_id FROM latest_articles ORDER BY published_at DESC NULLS LAST LIMIT 50",
         "ix_articles_article_time"),
        ("SELECT paragraph_key FROM outlet_paragraphs WHERE article_count = 1 "
         "AND last_seen_at < now() ORDER BY last_seen_at LIMIT 5000",
         "ix_outlet_paragraphs_seen_once"),
    ],
)  # fmt: skip
def test_the_queries_readers_sync_by_can_use_an_index(pg_url: str, query: str, index: str) -> None:
    """docs/schema.md's sync and story queries: each poll by a reader read the whole table."""
    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("SET enable_seqscan = off"))  # a few rows: seq scans win
            plan = "\n".join(row[0] for row in connection.execute(text(f"EXPLAIN {query}")))
    finally:
        engine.dispose()
    assert index in plan, plan


def test_schema_doc_describes_every_column_downstream_services_read() -> None:
    doc = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text()
    head = max(
        p.name.split("_")[1]
        for p in (Path(__file__).parents[1] / "alembic" / "versions").glob("*.py")
    )
    assert f"This page describes revision `{head}`" in doc
    for table in Base.metadata.sorted_tables:
        if table.name in INTERNAL:
            assert f"`{table.name}`" in doc
            continue
        section = doc.split(f"## `{table.name}`", 1)
        assert len(section) == 2, f"no section for {table.name}"
        body = section[1].split("\n## ", 1)[0]
        for column in table.columns:
            assert f"`{column.name}`" in body, f"{table.name}.{column.name} is not documented"


def test_every_column_downstream_services_read_carries_a_comment() -> None:
    # readers see the comments in psql's \d+; on PostgreSQL the round trip above checks that
    # the migrations set the models' comments
    silent = [
        f"{table.name}.{column.name}"
        for table in Base.metadata.sorted_tables
        if table.name not in INTERNAL
        for column in table.columns
        if not column.comment
    ]
    assert silent == []


def _upgrade_at(database_url: str, start: Any) -> None:
    start.wait()
    upgrade(database_url)


def test_an_embedded_upgrade_is_one_step_for_everyone_else(tmp_path: Path) -> None:
    """Every worker on the embedded default migrates it at start. Committed migration by
    migration, a second worker read the version between two of them and ran the next one again
    ("table heartbeats already exists" killed it): a reader beside one upgrade must see no
    version but the head."""
    path = tmp_path / "embedded.sqlite"
    runner = multiprocessing.get_context("fork").Process(
        target=upgrade, args=(f"sqlite:///{path}",)
    )
    seen: set[str | None] = set()
    runner.start()
    while runner.is_alive():
        try:
            with closing(sqlite3.connect(path, timeout=0.01)) as reader:
                row = reader.execute("SELECT version_num FROM alembic_version").fetchone()
            seen.add(row[0] if row else None)
        except sqlite3.OperationalError:  # no such table yet, or the file is being set up
            continue
    runner.join()
    assert runner.exitcode == 0
    assert seen <= {None, head_revision()}


def _exit_codes_of_processes_started_together(
    target: Any, argument: str, processes: int
) -> list[int | None]:
    """``target(argument, start)`` in forked processes that all wait for ``start``, released at
    once: processes starting together, as a worker and beat do."""
    context = multiprocessing.get_context("fork")
    start = context.Event()
    started = [context.Process(target=target, args=(argument, start)) for _ in range(processes)]
    for process in started:
        process.start()
    start.set()
    for process in started:
        process.join(120)
    return [process.exitcode for process in started]


def test_workers_starting_together_migrate_the_embedded_database(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'embedded.sqlite'}"
    assert _exit_codes_of_processes_started_together(_upgrade_at, database_url, 3) == [0, 0, 0]
    engine = create_engine(database_url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_new_connection_waits_while_another_holds_a_new_embedded_database(
    tmp_path: Path,
) -> None:
    """Switching a new database to WAL needs it to itself, and SQLite refuses at once instead of
    waiting: the second worker to start on a new embedded database died of it."""
    path = tmp_path / "new.sqlite"
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE first_writer (x INTEGER)")
    release = threading.Timer(0.5, holder.execute, args=("COMMIT",))
    release.start()
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    finally:
        release.join()
        engine.dispose()
        holder.close()


def _declare_at(broker_url: str, start: Any) -> None:
    celery = Celery("embedded", broker=broker_url, set_as_current=False)
    celery.conf.task_default_queue = "newsworker"
    start.wait()
    prepare_embedded_broker(celery)


def test_workers_starting_together_declare_the_embedded_broker(tmp_path: Path) -> None:
    """A worker and beat each declare the embedded broker's queue at start; on a new broker
    file kombu creates its tables first, and the loser of that race died ("table kombu_queue
    already exists")."""
    for attempt in range(5):
        broker_url = f"sqla+sqlite:///{tmp_path / f'broker-{attempt}.sqlite'}"
        assert _exit_codes_of_processes_started_together(_declare_at, broker_url, 4) == [0] * 4


def _database_at_0002_with_a_stored_article(path: Path, *, url_article_id: int = 1) -> str:
    """An embedded database as 0002 left it, holding one stored article and its url."""
    database_url = f"sqlite:///{path}"
    upgrade(database_url, "0002")
    now = "2026-01-01 00:00:00"
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(
            f"""
            INSERT INTO outlets (id, key, name, created_at) VALUES (1, 'o', 'O', '{now}');
            INSERT INTO sources (id, outlet_id, key, kind, url, interval_seconds, enabled,
                next_poll_at, failure_count, created_at)
                VALUES (1, 1, 'o/feed', 'feed', 'http://x/f', 600, 1, '{now}', 0, '{now}');
            INSERT INTO articles (id, outlet_id, url, canonical_url, authors, body, content_hash,
                fingerprint_version, provenance, extractor_version, fetched_at, created_at,
                changed_at)
                VALUES (1, 1, 'http://x/a', 'http://x/a', '[]', 'text', 'h', 1, '{{}}', '1',
                '{now}', '{now}', '{now}');
            INSERT INTO urls (id, url, source_id, state, attempts, first_seen_at, last_seen_at,
                article_id)
                VALUES (1, 'http://x/a', 1, 'stored', 1, '{now}', '{now}', {url_article_id});
            """
        )
    return database_url


def test_an_embedded_database_with_stored_articles_upgrades_to_head(tmp_path: Path) -> None:
    """0003 and 0004 rebuild ``articles`` on SQLite (copy, drop, rename); with foreign keys on,
    dropping it while ``urls`` pointed into it failed, and a database holding any article could
    not be upgraded past 0002."""
    path = tmp_path / "embedded.sqlite"
    upgrade(_database_at_0002_with_a_stored_article(path))
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            (head_revision(),)
        ]
        linked = connection.execute(
            "SELECT urls.url, articles.body, stories.id FROM urls "
            "JOIN articles ON articles.id = urls.article_id "
            "JOIN stories ON stories.id = articles.story_id"
        ).fetchall()
        assert linked == [("http://x/a", "text", 1)]
        assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:  # the worker's connections still enforce them
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        engine.dispose()


def test_an_upgrade_leaving_a_dangling_reference_changes_nothing(tmp_path: Path) -> None:
    """Foreign keys are off while migrations rebuild tables, so they are checked before commit:
    a row pointing at nothing stops the upgrade with the row named, at the old revision."""
    path = tmp_path / "embedded.sqlite"
    database_url = _database_at_0002_with_a_stored_article(path, url_article_id=99)
    with pytest.raises(IntegrityError, match=r"1 row\(s\) pointing at rows that do not exist"):
        upgrade(database_url)
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0002",)
        ]
