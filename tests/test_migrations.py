"""Migrations: head matches the models on both backends, down/up round-trips, and processes
starting together on the embedded default (database and broker) do not trip over each other."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from celery import Celery
from sqlalchemy import create_engine, inspect

from tests.conftest import truncate_postgres
from worker.celery_app import prepare_embedded_broker
from worker.storage.db import make_engine
from worker.storage.migrations import downgrade, head_revision, upgrade
from worker.storage.models import Base

# tables the worker keeps for itself: named in docs/schema.md, not described column by column
INTERNAL = {"story_keys", "story_signatures", "outlet_paragraphs", "raw_pages", "heartbeats"}


def _diff(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    return list(diff)


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
