"""Keeping ``outlets``/``sources`` in step with the sources file, on start and on change."""

from __future__ import annotations

import hashlib

import structlog
from sqlalchemy.exc import SQLAlchemyError

from worker.errors import ConfigError
from worker.runtime import Runtime
from worker.sources import load_sources
from worker.storage.repository import SyncReport, sync_sources

log = structlog.get_logger(__name__)

_last_synced: dict[str, str] = {}


def sync_from_file(runtime: Runtime) -> SyncReport:
    """Load, validate and sync the sources file; ConfigError if it is malformed."""
    path = runtime.settings.sources_file
    outlets = load_sources(path)
    with runtime.sessions.begin() as session:
        report = sync_sources(session, outlets)
    _last_synced[str(path)] = _digest(path.read_bytes())
    log.info("sources.synced", file=str(path), outlets=report.outlets, sources=report.sources,
             disabled=report.disabled)  # fmt: skip
    return report


def sync_if_changed(runtime: Runtime) -> None:
    """Sync when the file differs from what this process synced last; a bad edit, or a sync
    the database refuses, is logged and leaves the last good sync in place (tried again next
    tick when the database refused it: that may pass)."""
    path = runtime.settings.sources_file
    try:
        digest = _digest(path.read_bytes())
    except OSError as exc:
        log.error("sources.unreadable", file=str(path), error=str(exc))
        return
    if _last_synced.get(str(path)) == digest:
        return
    try:
        sync_from_file(runtime)
    except ConfigError as exc:
        _last_synced[str(path)] = digest  # do not log the same bad edit every tick
        log.error("sources.invalid", file=str(path), error=str(exc))
    except SQLAlchemyError as exc:  # rolled back: the last good sync stays, the tick polls on
        log.error("sources.sync_failed", file=str(path), error=str(exc).splitlines()[0])


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
