"""One health verdict for container health checks: database, broker, tick, polls.

Unhealthy (exit 1) when the database or the broker does not answer, the schema is not the one
this release expects, or no tick ran recently (beat, broker or every worker is down). The last
successful poll is reported but does not fail the check: outlets failing is the outlets'
problem, and ``status``/``failures`` show it.
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
from worker.settings import Settings
from worker.storage import heartbeats
from worker.storage.db import make_engine
from worker.storage.migrations import head_revision, known_revision, newer_schema
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
            expected = head_revision()
            if schema != expected and schema and not known_revision(schema):
                # migrated by a newer release: upgrading this one's schema cannot help
                health.problems.append(newer_schema(schema))
            elif schema != expected:
                health.problems.append(
                    f"database schema at {schema}, this release needs {expected}: "
                    "run `newsworker db upgrade`"
                )
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


def _ago(age: timedelta) -> str:
    seconds = int(age.total_seconds())
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"
