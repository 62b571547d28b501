"""Polling: the tick that claims due sources, and one poll of one source."""

from __future__ import annotations

import re
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

import structlog
from sqlalchemy.exc import SQLAlchemyError

from worker import metrics
from worker.dedup import boilerplate
from worker.dedup.urls import frontier_key
from worker.discovery import (
    Discovered,
    DiscoveredLink,
    parse_feed,
    parse_listing,
    parse_sitemap,
)
from worker.discovery.links import MAX_LINKS
from worker.errors import DiscoveryError, FetchError, NotModified, TransientFetchError
from worker.fetching import FetchedPage
from worker.fetching.hostgate import HostBusy, HostLimits
from worker.pipeline.decisions import outlet_limits, outlet_zone
from worker.pipeline.process import STORE_ERRORS
from worker.runtime import Runtime
from worker.sources import compile_article_urls
from worker.storable import MAX_URL_CHARS
from worker.storage import heartbeats, repository, stories
from worker.storage.models import Source
from worker.storage.repository import FrontierLink

log = structlog.get_logger(__name__)

# A sitemap walk stops after this long, or once it holds MAX_LINKS links; the next poll (due
# at once) reads the children left
WALK_SECONDS = 300.0
# An announced publication time further ahead of now than this is a feed's mistake (a zone
# read wrong: "18:00 KST" taken as UTC is 9 h ahead for a fresh item; a year 2100): not kept
ANNOUNCED_AHEAD = timedelta(hours=1)


@dataclass
class PollResult:
    source_id: int
    url_ids: list[int] = field(default_factory=list)
    links: int = 0
    not_modified: bool = False
    error: str | None = None
    refused: list[tuple[str, str]] = field(default_factory=list)
    # child sitemaps left for the next poll (the host busy, the walk's time or links spent),
    # due in ``resume_after`` seconds
    sitemaps_left: int = 0
    resume_after: float = 0.0
    # the host was busy (a Crawl-delay, a Retry-After): the poll is due again in this many seconds
    busy_for: float = 0.0
    # stored articles the source says changed, queued to be fetched again (among url_ids)
    refreshed: int = 0


@dataclass
class SitemapWalk:
    """How far a walk of a sitemap index got."""

    complete: bool = True  # False: a child failed for now, the index must be read whole again
    left: list[str] = field(default_factory=list)  # not read: for the next poll
    resume_after: float = 0.0
    # children read or found unchanged: their ETag and Last-Modified, for the next walk
    validators: repository.Validators = field(default_factory=dict)


def tick(runtime: Runtime, now: datetime | None = None) -> list[int]:
    """Claim the sources that are due; the caller queues one poll for each. The tick's
    heartbeat tells `health` that beat, broker and a worker all work. Times are the database's
    (``now`` for tests): whichever worker runs the tick, one clock decides what is due."""
    lost_after = timedelta(seconds=runtime.settings.pending_timeout_seconds)
    with runtime.sessions() as session:
        now = now or repository.database_now(session)
        ids = repository.claim_due_sources(session, now, lost_after=lost_after)
    with runtime.sessions.begin() as session:
        heartbeats.record(session, heartbeats.TICK, "tick", now, {"claimed": len(ids)})
    return ids


def prune_raw_pages(runtime: Runtime, now: datetime | None = None) -> int:
    """Delete raw responses older than the retention (a bounded batch per tick)."""
    days = runtime.settings.raw_retention_days
    if days <= 0:
        return 0
    before = (now or datetime.now(UTC)) - timedelta(days=days)
    with runtime.sessions.begin() as session:
        deleted = repository.delete_raw_pages_before(session, before)
    if deleted:
        log.info("retention.raw_pages_deleted", pages=deleted, before=before.isoformat())
    return deleted


def forget_unrepeated_paragraphs(runtime: Runtime, now: datetime | None = None) -> int:
    """Forget the paragraphs an outlet printed once and not again for
    ``boilerplate.FORGET_AFTER_DAYS`` (a bounded batch per tick): only repeated ones are ever
    its boilerplate, and the others kept most of every article's text a second time."""
    before = (now or datetime.now(UTC)) - timedelta(days=boilerplate.FORGET_AFTER_DAYS)
    with runtime.sessions.begin() as session:
        forgotten = stories.forget_unrepeated_paragraphs(session, before)
    if forgotten:
        log.info("boilerplate.paragraphs_forgotten", paragraphs=forgotten)
    return forgotten


def sweep_lost_urls(
    runtime: Runtime, now: datetime | None = None, queued: int | None = None
) -> list[int]:
    """URLs whose task was lost (pending past the timeout, beyond the ``queued`` messages the
    broker still holds, when known); the caller queues them again."""
    timeout = timedelta(seconds=runtime.settings.pending_timeout_seconds)
    with runtime.sessions.begin() as session:
        ids = repository.requeue_lost_urls(
            session, now or repository.database_now(session), timeout, queued=queued
        )
    if ids:
        log.warning("sweep.requeued", urls=len(ids), queue_depth=queued)
    return ids


@dataclass(frozen=True)
class Backlog:
    """The URLs waiting for a fetch: how many, and since when the longest-waiting one has."""

    pending: int
    oldest_queued_at: datetime | None


def measure_backlog(runtime: Runtime) -> Backlog:
    """The frontier's backlog, for the metrics the tick publishes: a backlog that only grows, or
    a URL waiting for hours, is what an operator wants an alert on."""
    with runtime.sessions() as session:
        return Backlog(*repository.pending_backlog(session))


def poll_source(runtime: Runtime, source_id: int, now: datetime | None = None) -> PollResult:
    """Fetch and parse one feed, sitemap or listing page, record its links; return the URL ids
    to fetch.

    A failing source never raises: its error is recorded on the row (and backs it off), so one
    broken outlet never stops a tick or a crawl. A bug a document trips is recorded the same
    way (``crashed``, the exception as the cause): it failed the task, the row said nothing
    and an inline crawl stopped. A store that does not answer still raises, for the task to
    retry.
    """
    now = now or datetime.now(UTC)
    try:
        return _poll_source(runtime, source_id, now)
    except STORE_ERRORS:
        raise
    except Exception as exc:
        log.error("poll.crashed", exc_info=exc, **_source_fields(runtime, source_id))
        return record_poll_stopped(
            runtime, source_id, "crashed", f"{type(exc).__name__}: {exc}", now
        )


def _source_fields(runtime: Runtime, source_id: int) -> dict[str, Any]:
    """The source's key, outlet and URL, as every other poll line names them."""
    fields: dict[str, Any] = {"source_id": source_id}
    try:
        with runtime.sessions() as session:
            source = session.get(Source, source_id)
            if source is not None:
                fields.update(source=source.key, outlet=source.outlet.key, url=source.url)
    except SQLAlchemyError:
        pass
    return fields


def record_poll_stopped(
    runtime: Runtime, source_id: int, reason: str, detail: str, now: datetime | None = None
) -> PollResult:
    """A poll that could not finish (``reason`` "crashed": a bug it tripped; "time_limit": its
    task's), recorded as the source's error "<reason>: <detail>" and backed off like any failed
    poll: `newsworker sources` shows why, and a `crawl` waiting for the poll ends instead of
    waiting out its timeout."""
    error = f"{reason}: {detail}"
    with runtime.sessions.begin() as session:
        source = session.get(Source, source_id)
        if source is not None:
            repository.record_poll_failure(session, source, now or datetime.now(UTC), error)
            metrics.polled(source.outlet.key, source.key, reason)
    return PollResult(source_id, error=error)


def _poll_source(runtime: Runtime, source_id: int, now: datetime) -> PollResult:
    result = PollResult(source_id)
    with runtime.sessions() as session:
        source = session.get(Source, source_id)
        if source is None:
            result.error = f"source {source_id} does not exist"
            return result
        enabled = source.enabled
        kind, url, etag, last_modified = source.kind, source.url, source.etag, source.last_modified
        source_key = source.key
        pending = list(source.pending_sitemaps or [])
        article_urls = source.article_urls
        outlet_key = source.outlet.key
        limits = outlet_limits(source.outlet, runtime.settings)
        zone = outlet_zone(source.outlet)  # for a feed's or sitemap's times given without one
        children = repository.sitemap_validators(session, source_id) if kind == "sitemap" else {}
    bound = log.bind(source=source_key, source_id=source_id, outlet=outlet_key, url=url)
    if not enabled:  # disabled after its poll was queued: not fetched again
        result.error = f"source {source_key} is disabled"
        with runtime.sessions.begin() as session:
            repository.release_claims(session, [source_id])
        bound.info("poll.skipped_disabled")
        return result
    try:
        pattern = _article_pattern(article_urls)
        page: FetchedPage | None = None
        if pending:  # the rest of a walk the host's rate limit cut short; the index can wait
            found = Discovered(sitemaps=pending)
            bound.info("poll.sitemap_walk_resumed", sitemaps=len(pending))
        else:
            page = runtime.fetcher.get(
                url,
                accept="html" if kind == "listing" else "feed",
                etag=etag,
                last_modified=last_modified,
                limits=limits,
            )
            found = _parse(kind, page, pattern, zone)
        walk = (
            _follow_sitemaps(runtime, found, limits, zone, bound, children)
            if found.sitemaps
            else SitemapWalk()
        )
        if found.beyond_limit:
            bound.warning("poll.links_beyond_limit", links=found.beyond_limit, limit=MAX_LINKS)
        # a listing's parser applies the rule itself, instead of its guess
        dropped = found.keep_matching(pattern) if pattern and kind != "listing" else 0
        if dropped:
            bound.info("poll.links_not_articles", links=dropped, article_urls=article_urls)
    except HostBusy as exc:
        result.error = f"{exc.reason}: {exc}"
        with runtime.sessions.begin() as session:
            source = session.get_one(Source, source_id)
            result.busy_for = exc.retry_after or 1.0
            until = now + timedelta(seconds=result.busy_for)
            repository.postpone_poll(session, source, until)
        bound.info("poll.host_busy", until=until.isoformat())
        metrics.polled(outlet_key, source_key, "host_busy")
        return result
    except NotModified:
        result.not_modified = True
        with runtime.sessions.begin() as session:
            source = session.get_one(Source, source_id)
            repository.record_poll_success(session, source, now, etag, last_modified)
        bound.info("poll.not_modified")
        metrics.polled(outlet_key, source_key, "not_modified")
        return result
    except (FetchError, DiscoveryError) as exc:
        result.error = f"{exc.reason}: {exc}"
        with runtime.sessions.begin() as session:
            source = session.get_one(Source, source_id)
            repository.record_poll_failure(
                session, source, now, result.error, retry_after=getattr(exc, "retry_after", None)
            )
        bound.warning("poll.failed", reason=exc.reason, error=str(exc))
        metrics.polled(outlet_key, source_key, exc.reason)
        return result

    links = frontier_links(found.links, found.refused)
    result.links = len(links)
    result.refused = found.refused
    timeout = timedelta(seconds=runtime.settings.pending_timeout_seconds)
    refresh_within = timedelta(hours=runtime.settings.refresh_within_hours)
    with runtime.sessions.begin() as session:
        recorded = repository.record_links(session, source_id, links, now, timeout, refresh_within)
        result.url_ids, result.refreshed = recorded.url_ids, recorded.refreshed
        source = session.get_one(Source, source_id)
        # validators kept while children are pending: the next poll reads those, not the index
        repository.record_poll_success(
            session,
            source,
            now,
            page.headers.get("etag") if page else None,
            page.headers.get("last-modified") if page else None,
            complete=walk.complete,
        )
        resume_at = now + timedelta(seconds=walk.resume_after)
        repository.record_pending_sitemaps(session, source, walk.left, resume_at)
        if walk.validators:
            repository.record_sitemap_validators(session, source_id, walk.validators, now)
    for raw, why in found.refused:
        bound.info("poll.link_refused", link=raw, reason=why)
    if recorded.refresh_refused:
        bound.warning(
            "poll.change_times_ignored", links=recorded.refresh_refused,
            why="most stored links changed since fetched: times of the file, not the pages",
        )  # fmt: skip
    if walk.left:
        result.sitemaps_left, result.resume_after = len(walk.left), walk.resume_after
        bound.info(
            "poll.sitemap_walk_paused", sitemaps_left=len(walk.left), until=resume_at.isoformat()
        )
    bound.info(
        "poll.done", links=result.links, queued=len(result.url_ids), refreshed=result.refreshed
    )
    metrics.polled(outlet_key, source_key, "ok")
    return result


def frontier_links(
    links: Iterable[DiscoveredLink], refused: list[tuple[str, str]]
) -> list[FrontierLink]:
    """One frontier link per cleaned URL, with the first title and publication time any of its
    links announced (a sitemap may list a URL twice, once with a tracking parameter), and the
    latest change time.

    A URL whose cleaned form outgrows the URL columns (percent-encoding triples a non-ASCII
    character) goes to ``refused``: on PostgreSQL it failed the whole poll."""
    merged: dict[str, FrontierLink] = {}
    latest = datetime.now(UTC) + ANNOUNCED_AHEAD
    for link in links:
        key = frontier_key(link.url)
        if len(key) > MAX_URL_CHARS:
            refused.append((link.url[:300], f"longer than {MAX_URL_CHARS} characters once cleaned"))
            continue
        seen = merged.get(key)
        published_at = link.published_at if (link.published_at or latest) <= latest else None
        modified_at = link.modified_at if (link.modified_at or latest) <= latest else None
        merged[key] = FrontierLink(
            key,
            (seen.title if seen else None) or link.title,
            (seen.published_at if seen else None) or published_at,
            max(filter(None, (seen.modified_at if seen else None, modified_at)), default=None),
        )
    return list(merged.values())


def _article_pattern(article_urls: str | None) -> re.Pattern[str] | None:
    """The source's rule, checked when the file was read; a row edited by hand is the
    source's recorded error, not a failed task."""
    if not article_urls:
        return None
    try:
        return compile_article_urls(article_urls)
    except ValueError as exc:
        raise DiscoveryError(f"article_urls: {exc}", reason="bad_article_urls") from exc


def _parse(
    kind: str,
    page: FetchedPage,
    article_urls: re.Pattern[str] | None,
    zone: tzinfo | None = None,
) -> Discovered:
    """The document's links; an unexpected crash of a parser on a hostile document is the
    source's recorded error, like any other unreadable document, not a failed task."""
    try:
        if kind == "listing":
            return parse_listing(
                page.content, page.final_url, charset=page.charset, article_urls=article_urls
            )
        if kind == "sitemap":
            return parse_sitemap(page.content, page.final_url, zone)
        return parse_feed(page.content, page.final_url, zone)
    except DiscoveryError:
        raise
    except Exception as exc:
        log.exception("poll.parser_crashed", url=page.final_url, kind=kind)
        raise DiscoveryError(
            f"{kind} parser crashed: {type(exc).__name__}: {exc}", reason="parser_crashed"
        ) from exc


def _follow_sitemaps(
    runtime: Runtime,
    found: Discovered,
    limits: HostLimits,
    zone: tzinfo | None,
    bound: structlog.BoundLogger,
    known: repository.Validators,
) -> SitemapWalk:
    """Walk a sitemap index (breadth first, capped); a broken child is logged and skipped.

    Each child is asked for conditionally, with the validators ``known`` from the last walk: a
    news site's index changes daily, and every child was downloaded whole again each time. A
    child answering 304 is unchanged: its links were recorded when it was read.

    Not complete when a child failed for now (a 503, a timeout): the index's validators are
    then not kept, or the next poll's 304 would never read that child again. A busy host
    (a Crawl-delay longer than a worker waits) pauses the walk instead: the children not read
    are left for the next poll, due when the host is free, which reads them before the index;
    else each poll's index took the slot and its children never found one."""
    queue = list(found.sitemaps)
    seen: set[str] = set()
    found.sitemaps = []
    budget = runtime.settings.max_sitemap_children
    walk = SitemapWalk()
    started = time.monotonic()
    while queue and budget > 0:
        if len(found.links) >= MAX_LINKS or time.monotonic() - started > WALK_SECONDS:
            # enough for one poll (links to record, a worker process held): the rest is the
            # next poll's, due at once
            walk.left = list(dict.fromkeys(u for u in queue if u not in seen))[:budget]
            return walk
        child_url = queue.pop(0)
        if child_url in seen:
            continue
        seen.add(child_url)
        etag, last_modified = known.get(child_url, (None, None))
        try:
            page = runtime.fetcher.get(
                child_url, accept="feed", limits=limits, etag=etag, last_modified=last_modified
            )
            child = _parse("sitemap", page, None, zone)
        except NotModified:
            walk.validators[child_url] = (etag, last_modified)
        except HostBusy as busy:
            unread = [child_url, *(u for u in queue if u not in seen)]
            walk.left = list(dict.fromkeys(unread))[:budget]
            walk.resume_after = busy.retry_after or 1.0
            return walk
        except (FetchError, DiscoveryError) as exc:
            bound.warning(
                "poll.sitemap_failed", sitemap=child_url, reason=exc.reason, error=str(exc)
            )
            walk.complete = walk.complete and not isinstance(exc, TransientFetchError)
        else:
            found.links.extend(child.links)
            found.refused.extend(child.refused)
            found.beyond_limit += child.beyond_limit
            queue.extend(child.sitemaps)
            headers = page.headers
            walk.validators[child_url] = (headers.get("etag"), headers.get("last-modified"))
        budget -= 1
    if queue:
        bound.warning("poll.sitemap_budget_spent", left=len(queue))
    return walk
