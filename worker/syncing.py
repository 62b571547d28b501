"""Keeping ``outlets``/``sources`` in step with the sources file, on start and on change."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import structlog
from sqlalchemy import exists, select
from sqlalchemy.exc import SQLAlchemyError

from worker.errors import ConfigError
from worker.runtime import Runtime
from worker.sources import load_sources, read_sources_file
from worker.storage import syncs
from worker.storage.models import Source
from worker.storage.repository import SyncReport, sync_sources

log = structlog.get_logger(__name__)

_last_synced: dict[str, str] = {}


def sync_from_file(runtime: Runtime, content: bytes | None = None) -> SyncReport:
    """Load, validate and sync the sources file (``content``: its bytes, when the caller read
    them); ConfigError if it is malformed.

    The file is read once: the digest recorded as synced is that of the content applied."""
    path = runtime.settings.sources_file
    if content is None:
        content = read_sources_file(path)
    digest = _digest(content)
    outlets = load_sources(path, content)
    with runtime.sessions.begin() as session:
        report = sync_sources(session, outlets)
        syncs.record_synced(session, str(path), digest, datetime.now(UTC))
    _last_synced[str(path)] = digest
    log.info("sources.synced", file=str(path), outlets=report.outlets, sources=report.sources,
             disabled=report.disabled)  # fmt: skip
    return report


def sync_if_changed(runtime: Runtime) -> None:
    """Sync when the file differs from what this process synced last; a bad edit, or a sync
    the database refuses, is logged and leaves the last good sync in place (tried again next
    tick when the database refused it: that may pass)."""
    path = runtime.settings.sources_file
    try:
        content = read_sources_file(path)
    except ConfigError as exc:  # gone, a directory, no permission
        digest = _UNREADABLE
        if _last_synced.get(str(path)) != digest:  # said once, not at every tick
            _last_synced[str(path)] = digest
            keep_last_good_sync(runtime, exc, None)
        return
    digest = _digest(content)
    if _last_synced.get(str(path)) == digest:
        return
    try:
        sync_from_file(runtime, content)
    except ConfigError as exc:
        _last_synced[str(path)] = digest  # do not log the same bad edit every tick
        keep_last_good_sync(runtime, exc, digest)
    except SQLAlchemyError as exc:  # rolled back: the last good sync stays, the tick polls on
        log.error("sources.sync_failed", file=str(path), error=str(exc).splitlines()[0])


_UNREADABLE = "unreadable"


def keep_last_good_sync(runtime: Runtime, error: ConfigError, digest: str | None) -> bool:
    """A bad edit (content ``digest``; None: not known): logged and recorded for `status`
    and `sources` to show, while polling goes on with the sources synced last. False when
    none ever was (nothing to go on with)."""
    path = runtime.settings.sources_file
    try:
        with runtime.sessions.begin() as session:
            synced_before = bool(session.scalar(select(exists().where(Source.id.is_not(None)))))
            syncs.record_refused(session, str(path), digest, str(error), datetime.now(UTC))
    except SQLAlchemyError as exc:  # the log line is all there is
        log.error("sources.refusal_not_recorded", file=str(path), error=str(exc).splitlines()[0])
        synced_before = True
    log.error("sources.invalid", file=str(path), error=str(error),
              kept="the sources synced last" if synced_before else "nothing")  # fmt: skip
    return synced_before


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
