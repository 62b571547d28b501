"""The state of the service at a glance: per source, the queue, the workers, the tick."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from worker.liveness import WORKER_GONE_AFTER_SECONDS
from worker.storage import heartbeats
from worker.storage.models import Outlet, Source, Url

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
class ServiceStatus:
    now: datetime
    sources: list[SourceStatus]
    workers: list[WorkerSeen]
    last_tick_at: datetime | None


def service_status(session: Session, now: datetime) -> ServiceStatus:
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
    last_tick: datetime | None = None
    for beat in heartbeats.all_heartbeats(session):
        if beat.kind == "tick":
            last_tick = beat.last_seen_at
        if beat.kind != "worker":  # the tick, and beats (for `health --beat`)
            continue
        state = str(beat.detail.get("state", "running"))
        if state == "running" and now - beat.last_seen_at > WORKER_GONE_AFTER:
            state = "gone"
        workers.append(
            WorkerSeen(
                beat.name.removeprefix("worker:"),
                beat.last_seen_at,
                beat.started_at,
                state,
                beat.detail.get("pid"),
                beat.detail.get("concurrency"),
            )
        )
    return ServiceStatus(now, sources, workers, last_tick)
