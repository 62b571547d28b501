"""Heartbeats of the processes in a container: a worker's and a beat's.

A worker's is a thread in the main worker process that writes its row every interval. It runs
in the main process, not in pool children, so a worker that is alive but whose children are all
busy on slow pages still shows as seen. Beat's is written each time beat has sent a tick, from
beat's own loop: a beat that hangs, or cannot reach the broker, stops writing it. Both say
``stopped`` on the way out of their command (``worker.celery_app.mark_stopped``), whichever
shutdown it was; a process killed outright (SIGKILL) just stops writing. The engines
have no pool (``NullPool``): pool children are forked from the worker's process, and a pooled
connection inherited across a fork would be shared with them.

The rows are named after the process's Celery node name, which ``newsworker health --worker``
or ``--beat`` in the same container computes the same way (``celery@<host>`` and
``celerybeat@<host>`` by default), so a container's health check reads its own process's row.
"""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from typing import Any

import structlog
from celery.utils.nodenames import gethostname, host_format, nodename, nodesplit
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from worker.storage import heartbeats
from worker.storage.db import make_engine

log = structlog.get_logger(__name__)

HEARTBEAT_SECONDS = 30.0
# A worker not heard from in this long is gone (it died, hangs or lost the database).
WORKER_GONE_AFTER_SECONDS = 3 * HEARTBEAT_SECONDS
# How long a stopping worker waits for its heartbeat thread's write in progress
STOP_JOIN_SECONDS = 10.0

WORKER_NAME = "celery"  # Celery's name half of a worker's default node name
BEAT_NAME = "celerybeat"  # and of beat's


def node_name(hostname: str | None, default_name: str = WORKER_NAME) -> str:
    """The node name Celery gives a process started with ``--hostname hostname`` (or none).

    Celery's own resolution (``w1@%h`` expands, a bare host gets the default name), so a
    health check in the same container arrives at the name the worker wrote its row under."""
    name, host = nodesplit(hostname or "")
    return str(host_format(nodename(name or default_name, host or gethostname())))


def worker_row(node: str) -> str:
    return f"worker:{node}"


def beat_row(node: str) -> str:
    return f"beat:{node}"


class _Row:
    """One process's heartbeat row, written through an engine of its own."""

    def __init__(self, database_url: str, name: str, kind: str, detail: dict[str, Any]) -> None:
        self.name = name
        self.kind = kind
        self.detail = {"pid": os.getpid(), **detail}
        self._engine = make_engine(database_url, poolclass=NullPool)

    def write(self, restart: bool = False) -> None:
        """One heartbeat; a database outage is logged and the next beat tries again."""
        self.detail.setdefault("state", "running")
        write = heartbeats.restart if restart else heartbeats.record
        try:
            with Session(self._engine) as session, session.begin():
                write(session, self.name, self.kind, datetime.now(UTC), dict(self.detail))
        except SQLAlchemyError as exc:
            log.warning("heartbeat.failed", process=self.name, error=str(exc).splitlines()[0])

    def stopped(self) -> None:
        """The last write: the process stopped."""
        self.detail["state"] = "stopped"
        self.write()
        self._engine.dispose()


class WorkerHeartbeat:
    def __init__(self, database_url: str, node: str, detail: dict[str, Any]) -> None:
        self._row = _Row(database_url, worker_row(node), "worker", detail)
        self.name = self._row.name
        self.detail = self._row.detail
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def start(self) -> None:
        self._row.write(restart=True)
        self._thread.start()

    def stop(self) -> None:
        """Say this worker stopped (a reader then does not wait for it to age out). Once, and
        only from the process that started it (a pool child forked later holds a copy)."""
        if self._stop.is_set() or os.getpid() != self.detail["pid"]:
            return
        self._stop.set()
        if self._thread.is_alive():  # a beat it is writing would otherwise land after ours
            self._thread.join(timeout=STOP_JOIN_SECONDS)
        self._row.stopped()

    def _run(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            self._row.write()


class BeatHeartbeat:
    """Beat's row, written when it starts and after each tick it sent: no thread, so a beat
    whose loop hangs goes stale instead of looking alive."""

    def __init__(self, database_url: str, node: str) -> None:
        self._row = _Row(database_url, beat_row(node), "beat", {})
        self.name = self._row.name

    def start(self) -> None:
        self._row.write(restart=True)

    def tick_sent(self) -> None:
        self._row.write()

    def stop(self) -> None:
        """Say this beat stopped: `health --beat` then says so at once, not once its last
        tick is older than the limit."""
        detail = self._row.detail
        if detail.get("state") != "stopped" and os.getpid() == detail["pid"]:
            self._row.stopped()
