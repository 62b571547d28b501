"""What one process needs to run the pipeline: settings, a session factory and a fetcher.

Made once per process (the engine pool and the HTTP connection pool are expensive and must not
cross a fork): Celery's ``worker_process_init`` calls ``reset_runtime`` in each child.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from worker.fetching import Fetcher, build_fetcher
from worker.settings import Settings, get_settings
from worker.storage.db import make_engine, make_sessionmaker


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    fetcher: Fetcher

    def close(self) -> None:
        self.fetcher.close()
        self.engine.dispose()


def build_runtime(settings: Settings) -> Runtime:
    engine = make_engine(settings.database_url)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=make_sessionmaker(engine),
        fetcher=build_fetcher(settings),
    )


_runtime: Runtime | None = None


def get_runtime() -> Runtime:
    """The process's runtime, built on first use."""
    global _runtime
    if _runtime is None:
        _runtime = build_runtime(get_settings())
    return _runtime


def reset_runtime() -> None:
    """Forget the inherited runtime (after a fork) so the child builds its own."""
    global _runtime
    if _runtime is not None:
        _runtime.engine.dispose(close=False)
    _runtime = None
