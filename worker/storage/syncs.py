"""What each sync of the sources file applied or refused, for `status` and `sources` to show.

A bad edit leaves the last good sync in place (the tick polls on with it); without a record
the operator who made the edit saw nothing of the refusal but a log line.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.storage.models import SourcesFileSync
from worker.storage.repository import dialect_insert

_MAX_ERROR_CHARS = 2000
_MAX_PATH_CHARS = 1024


def record_synced(session: Session, path: str, digest: str, now: datetime) -> None:
    """``path``'s content ``digest`` is what the database now holds: no refusal stands."""
    _upsert(
        session,
        path,
        {"synced_digest": digest, "synced_at": now, "refused_digest": None,
         "refused_at": None, "error": None},
    )  # fmt: skip


def record_refused(
    session: Session, path: str, digest: str | None, error: str, now: datetime
) -> None:
    """``path``'s content ``digest`` (None: not known, the file unreadable) was refused; the
    last good sync stays recorded."""
    _upsert(
        session,
        path,
        {"refused_digest": digest, "refused_at": now, "error": error[:_MAX_ERROR_CHARS]},
    )


def recorded_digests(session: Session, path: str) -> tuple[str | None, str | None]:
    """The digests of ``path``'s content last synced and last refused (None: none)."""
    row = session.get(SourcesFileSync, path[:_MAX_PATH_CHARS])
    return (row.synced_digest, row.refused_digest) if row is not None else (None, None)


def all_syncs(session: Session) -> list[SourcesFileSync]:
    return list(session.scalars(select(SourcesFileSync).order_by(SourcesFileSync.path)))


def _upsert(session: Session, path: str, values: dict[str, object]) -> None:
    stmt = dialect_insert(session, SourcesFileSync).values(path=path[:_MAX_PATH_CHARS], **values)
    session.execute(stmt.on_conflict_do_update(index_elements=["path"], set_=values))
