"""The state of the service at a glance: per source, the queue, the workers, the tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.liveness import WORKER_GONE_AFTER_SECONDS
from worker.storage import heartbeats, syncs
from worker.storage.models import Heartbeat, Outlet, Source, Url

# A worker not heard from in this long is shown as gone (it died or lost the database).
WORKER_GONE_AFTER = timedelta(seconds=WORKER_GONE_AFTER_SECONDS)


@dataclass(frozen=True)
class SourceStatus:
    outlet: str
    source: str
    kind: str
    enabled: bool
    every_seconds: int
    last_polled_at: datetime | None
    last_success_at: datetime | None
    next_poll_at: datetime
    failure_streak: int
    backing_off: bool  # the next poll is later than the interval because of failures
    last_error: str | None
    stored_24h: int
    pending: int


@dataclass(frozen=True)
class WorkerSeen:
    name: str
    last_seen_at: datetime
    started_at: datetime
    state: str  # running | stopped | gone
    pid: int | None
    concurrency: int | None


@dataclass(frozen=True)
class SourcesFileState:
    """A sources file's last good sync and, when a later edit was refused, when and why."""

    path: str
    synced_at: datetime | None
    refused_at: datetime | None
    error: str | None


@dataclass(frozen=True)
class ServiceStatus:
    now: datetime
    sources: list[SourceStatus]
    workers: list[WorkerSeen]
    last_tick_at: datetime | None
    beats: list[WorkerSeen]  # each beat, by the ticks it sent (concurrency None)
    sources_files: list[SourcesFileState]


def service_status(
    session: Session, now: datetime, beat_gone_after: timedelta = WORKER_GONE_AFTER
) -> ServiceStatus:
    """``beat_gone_after``: a beat writes its row after each tick it sends, so one not heard
    from in longer than the health check's tick age is gone."""
    day_ago = now - timedelta(hours=24)
    stored_since = select(Url.source_id, func.count()).where(
        Url.state == "stored", Url.last_attempt_at >= day_ago
    )
    stored = dict(session.execute(stored_since.group_by(Url.source_id)).all())
    waiting = select(Url.source_id, func.count()).where(Url.state == "pending")
    pending = dict(session.execute(waiting.group_by(Url.source_id)).all())
    sources = [
        SourceStatus(
            outlet=s.outlet.key,
            source=s.key,
            kind=s.kind,
            enabled=s.enabled,
            every_seconds=s.interval_seconds,
            last_polled_at=s.last_polled_at,
            last_success_at=s.last_success_at,
            next_poll_at=s.next_poll_at,
            failure_streak=s.failure_count,
            backing_off=s.failure_count > 0
            and s.last_polled_at is not None
            and s.next_poll_at > s.last_polled_at + timedelta(seconds=s.interval_seconds),
            last_error=s.last_error,
            stored_24h=stored.get(s.id, 0),
            pending=pending.get(s.id, 0),
        )
        for s in session.scalars(select(Source).join(Outlet).order_by(Outlet.key, Source.key))
    ]
    workers: list[WorkerSeen] = []
    beats: list[WorkerSeen] = []
    last_tick: datetime | None = None
    for row in heartbeats.all_heartbeats(session):
        if row.kind == "tick":
            last_tick = row.last_seen_at
        elif row.kind in ("worker", "beat"):
            gone_after = WORKER_GONE_AFTER if row.kind == "worker" else beat_gone_after
            seen = workers if row.kind == "worker" else beats
            seen.append(_seen(row, now, gone_after))
    return ServiceStatus(now, sources, workers, last_tick, beats, sources_file_states(session))


def running_workers(session: Session, now: datetime) -> list[WorkerSeen]:
    """The workers alive at ``now``: heard from lately, and not stopped."""
    seen = [
        _seen(row, now, WORKER_GONE_AFTER)
        for row in heartbeats.all_heartbeats(session)
        if row.kind == "worker"
    ]
    return [worker for worker in seen if worker.state == "running"]


def sources_file_states(session: Session) -> list[SourcesFileState]:
    return [
        SourcesFileState(row.path, row.synced_at, row.refused_at, row.error)
        for row in syncs.all_syncs(session)
    ]


def _seen(row: Heartbeat, now: datetime, gone_after: timedelta) -> WorkerSeen:
    """A process's row as shown: ``gone`` when a running one fell silent."""
    state = str(row.detail.get("state", "running"))
    if state == "running" and now - row.last_seen_at > gone_after:
        state = "gone"
    return WorkerSeen(
        row.name.split(":", 1)[-1],
        row.last_seen_at,
        row.started_at,
        state,
        row.detail.get("pid"),
        row.detail.get("concurrency"),
    )
