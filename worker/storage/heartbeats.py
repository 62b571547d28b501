"""Signs of life: the tick and each worker write a row; `status` and `health` read them.

A row per name, upserted, so the table stays as small as the fleet. Workers that stopped say so
(``detail.state``); workers that died just stop updating, and readers judge them by age.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.storage.models import Heartbeat
from worker.storage.repository import dialect_insert

TICK = "tick"


def record(
    session: Session, name: str, kind: str, now: datetime, detail: dict[str, Any] | None = None
) -> None:
    """Upsert ``name``'s heartbeat; ``started_at`` is kept from the first one."""
    values = {
        "name": name,
        "kind": kind,
        "started_at": now,
        "last_seen_at": now,
        "detail": detail or {},
    }
    stmt = dialect_insert(session, Heartbeat).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"last_seen_at": stmt.excluded.last_seen_at, "detail": stmt.excluded.detail},
        )
    )


def restart(
    session: Session, name: str, kind: str, now: datetime, detail: dict[str, Any] | None = None
) -> None:
    """A process (re)starting under ``name``: its ``started_at`` is now."""
    record(session, name, kind, now, detail)
    row = session.get_one(Heartbeat, name)
    row.started_at = now


def all_heartbeats(session: Session) -> list[Heartbeat]:
    return list(session.scalars(select(Heartbeat).order_by(Heartbeat.name)))
