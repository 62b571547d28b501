"""Health verdicts: the service's, for operators, and one process's, for its container.

The service (``check_health``) is unhealthy (exit 1) when the database or the broker does not
answer, the schema is not the one this release expects, or no tick ran recently (beat, broker
or every worker is down). The last successful poll is reported but does not fail the check:
outlets failing is the outlets' problem, and ``status``/``failures`` show it.

That verdict is the same in every container: a hung worker beside a live one stays healthy, so
nothing replaces it. A container's check reads its own process's heartbeat row instead
(``check_worker``, ``check_beat``): one database read, no broker.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from celery import Celery
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from worker.broker import ping_broker
from worker.liveness import WORKER_GONE_AFTER_SECONDS, beat_row, worker_row
from worker.settings import Settings
from worker.storage import heartbeats
from worker.storage.db import make_engine
from worker.storage.migrations import schema_problem
from worker.storage.models import Heartbeat, Source


@dataclass
class Health:
    problems: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def line(self) -> str:
        verdict = "ok" if self.ok else "unhealthy"
        return f"{verdict}: " + "; ".join([*self.problems, *self.facts])


def check_health(settings: Settings, celery: Celery, now: datetime | None = None) -> Health:
    now = now or datetime.now(UTC)
    health = Health()
    try:
        _check_database(settings, health, now)
    except SQLAlchemyError as exc:
        first = str(exc).splitlines()[0]
        if "alembic_version" in first:
            first = f"no schema: run `newsworker db upgrade` ({first})"
        health.problems.append(f"database: {first}")
    try:
        ping_broker(celery)
        health.facts.append("broker ok")
    except Exception as exc:  # kombu raises many kinds; all mean "broker unusable"
        health.problems.append(f"broker: {exc}")
    return health


def _check_database(settings: Settings, health: Health, now: datetime) -> None:
    engine = make_engine(settings.database_url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            schema = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
            if problem := schema_problem(schema):
                health.problems.append(problem)
            else:
                health.facts.append(f"database ok (schema {schema})")
            tick = session.get(Heartbeat, heartbeats.TICK)
            max_age = timedelta(seconds=settings.health_max_tick_age_seconds)
            if tick is None:
                health.problems.append("no tick yet: is beat running, and a worker?")
            else:
                age = now - tick.last_seen_at
                said = f"last tick {_ago(age)} ago"
                if age > max_age:
                    health.problems.append(f"{said} (limit {_ago(max_age)}): beat or workers down")
                else:
                    health.facts.append(said)
            last_poll = session.scalar(
                select(func.max(Source.last_success_at)).where(Source.enabled.is_(True))
            )
            health.facts.append(
                f"last successful poll {_ago(now - last_poll)} ago"
                if last_poll
                else "no successful poll yet"
            )
    finally:
        engine.dispose()


def check_worker(settings: Settings, node: str, now: datetime | None = None) -> Health:
    """Whether the worker ``node`` wrote its heartbeat lately (a thread, every 30 s)."""
    max_age = timedelta(seconds=WORKER_GONE_AFTER_SECONDS)
    hint = "hung, or cut off from the database"
    return _check_process(settings, worker_row(node), f"worker {node}", max_age, hint, now)


def check_beat(settings: Settings, node: str, now: datetime | None = None) -> Health:
    """Whether the beat ``node`` sent a tick lately: it writes its row after each one."""
    max_age = timedelta(seconds=settings.health_max_tick_age_seconds)
    hint = "no tick sent: hung, or cut off from the broker"
    return _check_process(settings, beat_row(node), f"beat {node}", max_age, hint, now)


def _check_process(
    settings: Settings,
    row: str,
    who: str,
    max_age: timedelta,
    stale_hint: str,
    now: datetime | None,
) -> Health:
    now = now or datetime.now(UTC)
    health = Health()
    engine = make_engine(settings.database_url, poolclass=NullPool)
    try:
        with Session(engine) as session:
            beat = session.get(Heartbeat, row)
    except SQLAlchemyError as exc:
        health.problems.append(f"database: {str(exc).splitlines()[0]}")
        return health
    finally:
        engine.dispose()
    if beat is None:
        health.problems.append(f"{who} has no heartbeat: not started yet, or named otherwise")
        return health
    said = f"{who} last seen {_ago(now - beat.last_seen_at)} ago"
    if beat.detail.get("state") == "stopped":
        health.problems.append(f"{who} stopped ({said})")
    elif now - beat.last_seen_at > max_age:
        health.problems.append(f"{said} (limit {_ago(max_age)}): {stale_hint}")
    else:
        health.facts.append(f"{said} (pid {beat.detail.get('pid')})")
    return health


def _ago(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"
