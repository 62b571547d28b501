"""A worker's heartbeat: a thread in the main worker process writes its row every interval.

It runs in the main process, not in pool children, so a worker that is alive but whose children
are all busy on slow pages still shows as seen. The engine has no pool (``NullPool``): pool
children are forked from this process, and a pooled connection inherited across a fork would be
shared with them.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from worker.storage import heartbeats
from worker.storage.db import make_engine

log = structlog.get_logger(__name__)

HEARTBEAT_SECONDS = 30.0


class WorkerHeartbeat:
    def __init__(self, database_url: str, node: str, detail: dict[str, Any]) -> None:
        self.name = f"worker:{node}"
        self.detail = {"pid": os.getpid(), **detail}
        self._engine = make_engine(database_url, poolclass=NullPool)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._write(restart=True)
        self._thread.start()

    def stop(self) -> None:
        """Say this worker stopped (a reader then does not wait for it to age out)."""
        self._stop.set()
        self.detail["state"] = "stopped"
        self._write()
        self._engine.dispose()

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self._write()

    def _write(self, restart: bool = False) -> None:
        """One heartbeat; a database outage is logged and the next beat tries again."""
        self.detail.setdefault("state", "running")
        write = heartbeats.restart if restart else heartbeats.record
        try:
            with Session(self._engine) as session, session.begin():
                write(session, self.name, "worker", datetime.now(UTC), dict(self.detail))
        except SQLAlchemyError as exc:
            log.warning("heartbeat.failed", worker=self.name, error=str(exc).splitlines()[0])
