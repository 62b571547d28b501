"""Shared fixtures: real databases (SQLite file, PostgreSQL) and a Redis index.

PostgreSQL tests use a database of their own (``newsworker_test``, or ``NEWSWORKER_TEST_PG_DB``),
migrated once per session and truncated before each test. Redis tests use index 15 (or
``NEWSWORKER_TEST_REDIS_URL``), flushed before each test. Two test runs side by side need their
own of each. When a server is
down the tests that need it are skipped with a message, except under CI (``CI=true``), where
``.ci/run`` has started them and a missing server is an error.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from worker.runtime import Runtime, build_runtime
from worker.settings import Settings
from worker.storage.migrations import upgrade
from worker.storage.models import Base

PG_ADMIN_URL = os.environ.get(
    "NEWSWORKER_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
PG_TEST_DB = os.environ.get("NEWSWORKER_TEST_PG_DB", "newsworker_test")
REDIS_TEST_URL = os.environ.get("NEWSWORKER_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _unavailable(what: str, exc: Exception) -> None:
    message = f"{what} is not available: {exc}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def pg_url() -> str:
    """A freshly created, migrated PostgreSQL database for this test session."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{PG_TEST_DB}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{PG_TEST_DB}"'))
    except Exception as exc:  # any failure to reach the server
        admin.dispose()
        _unavailable("PostgreSQL", exc)
    admin.dispose()
    url = make_url(PG_ADMIN_URL).set(database=PG_TEST_DB).render_as_string(hide_password=False)
    upgrade(url)
    return url


def truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test using this runs on a migrated SQLite file and on a clean PostgreSQL database."""
    if request.param == "sqlite":
        sqlite_url = f"sqlite:///{tmp_path / 'test.sqlite'}"
        upgrade(sqlite_url)
        return sqlite_url
    pg_url: str = request.getfixturevalue("pg_url")
    truncate_postgres(pg_url)
    return pg_url


@pytest.fixture
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.flushdb()
    except redis.RedisError as exc:
        _unavailable("Redis", exc)
    finally:
        client.close()
    return REDIS_TEST_URL


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": database_url,
        "broker_url": f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}",
        "sources_file": tmp_path / "sources.toml",
        "var_dir": tmp_path / "var",
        "retry_backoff_seconds": 0.1,
        "connect_timeout": 5.0,
        "read_timeout": 5.0,
        "total_timeout": 10.0,
        # The local test web; every other private address stays refused.
        "allow_networks": "127.0.0.1/32",
        "host_delay_seconds": 0.0,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def runtime_factory(tmp_path: Path) -> Iterator[object]:
    """Build runtimes for a test and close them afterwards."""
    made: list[Runtime] = []

    def factory(database_url: str, **overrides: object) -> Runtime:
        runtime = build_runtime(make_settings(tmp_path, database_url, **overrides))
        made.append(runtime)
        return runtime

    yield factory
    for runtime in made:
        runtime.close()
