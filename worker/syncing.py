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
    log.info("sources.synced", file=str(path), outlets=report.outlets, sources=report.sources,
             disabled=report.disabled)  # fmt: skip
    return report


def sync_if_changed(runtime: Runtime) -> None:
    """Sync when the file differs from what the database last synced from it; a bad edit, or
    a sync the database refuses, is logged and leaves the last good sync in place (tried again
    next tick when the database refused it: that may pass).

    The database's record decides, not this process's memory: a pool process forked from
    the worker knew the file as it was at start, so an edit that brought it back to that (an
    outlet added, then removed) looked unchanged to every process started since, and was
    never applied until a restart."""
    path = runtime.settings.sources_file
    unreadable: ConfigError | None = None
    try:
        content = read_sources_file(path)
    except ConfigError as exc:  # gone, a directory, no permission
        content, unreadable = b"", exc
    digest = _UNREADABLE if unreadable else _digest(content)
    try:
        with runtime.sessions() as session:
            synced, refused = syncs.recorded_digests(session, str(path))
    except SQLAlchemyError as exc:  # the tick polls on with what the database holds
        log.error("sources.sync_failed", file=str(path), error=str(exc).splitlines()[0])
        return
    if digest == refused or (digest == synced and refused is None):
        return  # synced, or its refusal already said and shown
    try:
        if unreadable:
            raise unreadable
        sync_from_file(runtime, content)
    except ConfigError as exc:
        keep_last_good_sync(runtime, exc, digest)
    except SQLAlchemyError as exc:  # rolled back: the last good sync stays, the tick polls on
        log.error("sources.sync_failed", file=str(path), error=str(exc).splitlines()[0])


# recorded as a refused digest: the file could not be read at all
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
