"""Alembic environment: the URL comes from the config (tests, CLI) or the worker's settings."""

from __future__ import annotations

import sqlite3

from alembic import context
from sqlalchemy import Connection, exc

from worker.settings import get_settings
from worker.storage.db import make_engine
from worker.storage.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)  # fmt: skip
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    sqlite = engine.dialect.name == "sqlite"
    # The whole upgrade in one transaction of ours. Left to itself, Alembic commits SQLite after
    # every step (no transactional DDL there), so a second worker starting on the embedded
    # database read the version between two steps and ran the next one again ("table heartbeats
    # already exists"). Begun here (SQLite: BEGIN IMMEDIATE), the write lock is held from reading
    # the version to the last step: the others wait, then find the schema at head.
    with engine.connect() as connection:
        if sqlite:
            _sqlite_foreign_keys(connection, enforce=False)
        try:
            with connection.begin():
                context.configure(
                    connection=connection, target_metadata=target_metadata, render_as_batch=True
                )
                with context.begin_transaction():
                    context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
        finally:
            if sqlite:
                _sqlite_foreign_keys(connection, enforce=True)
    engine.dispose()


def _sqlite_foreign_keys(connection: Connection, *, enforce: bool) -> None:
    """Foreign keys off for the upgrade, as SQLite's own recipe for altering a table says.

    Batch migrations rebuild a table (copy, drop, rename); with foreign keys on, dropping
    ``articles`` while ``urls`` pointed into it failed ("FOREIGN KEY constraint failed"), so a
    database with stored articles could not be upgraded. The pragma is a no-op inside a
    transaction, so it goes straight to the driver's connection, which is in autocommit."""
    dbapi_connection = connection.connection.driver_connection
    assert dbapi_connection is not None
    dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if enforce else 'OFF'}")


def _check_foreign_keys(connection: Connection) -> None:
    """What foreign keys on would have refused, checked once before commit: a migration that
    leaves a row pointing at nothing rolls back instead."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        shown = ", ".join(f"{row[0]} rowid {row[1]} -> {row[2]}" for row in broken[:5])
        message = (
            f"the upgrade would leave {len(broken)} row(s) pointing at rows that do not exist "
            f"({shown}); nothing was changed"
        )
        raise exc.IntegrityError("PRAGMA foreign_key_check", None, sqlite3.IntegrityError(message))


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
