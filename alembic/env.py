"""Alembic environment: the URL comes from the config (tests, CLI) or the worker's settings."""

from __future__ import annotations

from alembic import context

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
    # The whole upgrade in one transaction of ours. Left to itself, Alembic commits SQLite after
    # every step (no transactional DDL there), so a second worker starting on the embedded
    # database read the version between two steps and ran the next one again ("table heartbeats
    # already exists"). Begun here (SQLite: BEGIN IMMEDIATE), the write lock is held from reading
    # the version to the last step: the others wait, then find the schema at head.
    with engine.connect() as connection, connection.begin():
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
