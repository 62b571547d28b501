"""Backfills: walk a sitemap index back to a date and record the article URLs still missing.

Child sitemaps are skipped when they cannot hold anything recent enough: their ``lastmod`` is
older than the start, or their name dates them (``sitemap-2026-10.xml``, ``/2026/10/01/``) to a
period that ended before it. Links with a date outside the window are left out; links without
one are kept (the page's own date is only known after fetching it). A source with
``article_urls`` keeps only the links that match it, as its polls do.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog
from sqlalchemy import select

from worker.discovery import DiscoveredLink, parse_sitemap
from worker.errors import DiscoveryError, FetchError
from worker.fetching import FetchedPage
from worker.fetching.hostgate import HostBusy, HostLimits
from worker.pipeline.decisions import outlet_limits, outlet_zone
from worker.pipeline.poll import frontier_links
from worker.runtime import Runtime
from worker.sources import compile_article_urls
from worker.storage import repository
from worker.storage.models import FINAL_URL_STATES, Source, Url
from worker.storage.repository import FrontierLink

log = structlog.get_logger(__name__)

# A backfill waits for a busy host up to this long at a time; a longer wait (a Retry-After of
# hours) fails the sitemap, which the summary lists
MAX_HOST_WAIT_SECONDS = 600.0

_DATED = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})[-_/.]?(?P<m>0[1-9]|1[0-2])(?:[-_/.]?(?P<d>0[1-9]|[12]\d|3[01]))?(?!\d)"
)


@dataclass
class BackfillPlan:
    """What a walk found: URLs in the window, and what was skipped or broken on the way."""

    source_key: str
    since: datetime
    until: datetime | None
    sitemaps_read: int = 0
    sitemaps_skipped: int = 0
    sitemaps_left: int = 0  # not read: the walk's budget was spent
    links: list[FrontierLink] = field(default_factory=list)  # in the window, one per URL
    outside_window: int = 0
    not_articles: int = 0  # links that the source's article_urls does not match
    errors: list[tuple[str, str]] = field(default_factory=list)  # sitemaps that failed
    refused: list[tuple[str, str]] = field(default_factory=list)  # links refused, and why


def dated_until(url: str) -> datetime | None:
    """The end of the period a dated sitemap name covers (``2026-10`` -> 2026-11-01), or None."""
    # The last date in the URL names the sitemap; earlier ones may be in the host or the path.
    matches = list(_DATED.finditer(url))
    if not matches:
        return None
    match = matches[-1]
    year, month = int(match["y"]), int(match["m"])
    if match["d"]:
        day = min(int(match["d"]), calendar.monthrange(year, month)[1])
        return datetime(year, month, day, tzinfo=UTC) + timedelta(days=1)
    return datetime(year, month, calendar.monthrange(year, month)[1], tzinfo=UTC) + timedelta(
        days=1
    )


def plan_backfill(
    runtime: Runtime,
    source_key: str,
    since: datetime,
    until: datetime | None = None,
    max_sitemaps: int = 2000,
) -> BackfillPlan:
    """Walk the source's sitemap (index) breadth first; raises ValueError for a bad source."""
    with runtime.sessions() as session:
        source = session.scalar(select(Source).where(Source.key == source_key))
        if source is None:
            raise ValueError(f"no source with key {source_key!r}; see `newsworker sources`")
        if source.kind != "sitemap":
            raise ValueError(
                f"source {source_key!r} is a {source.kind}: backfills walk sitemaps, which reach "
                "back in time; feeds and listing pages only show their latest items"
            )
        root_url = source.url
        article_urls = compile_article_urls(source.article_urls) if source.article_urls else None
        limits = outlet_limits(source.outlet, runtime.settings)
        zone = outlet_zone(source.outlet)
    plan = BackfillPlan(source_key, since, until)
    queue, seen = [root_url], set()
    in_window: list[DiscoveredLink] = []
    while queue:
        sitemap_url = queue.pop(0)
        if sitemap_url in seen:
            continue
        seen.add(sitemap_url)
        if plan.sitemaps_read >= max_sitemaps:
            plan.sitemaps_left = len(queue) + 1
            break
        plan.sitemaps_read += 1
        try:
            page = _fetch_sitemap(runtime, sitemap_url, limits)
            found = parse_sitemap(page.content, page.final_url, zone)
        except (FetchError, DiscoveryError) as exc:
            plan.errors.append((sitemap_url, f"{exc.reason}: {exc}"))
            log.warning(
                "backfill.sitemap_failed",
                source=source_key,
                sitemap=sitemap_url,
                reason=exc.reason,
                error=str(exc),
            )
            continue
        plan.refused.extend(found.refused)
        for child in found.sitemaps:
            if _too_old(child, found.sitemap_lastmod.get(child), since):
                plan.sitemaps_skipped += 1
            else:
                queue.append(child)
        if article_urls is not None:
            plan.not_articles += found.keep_matching(article_urls)
        for link in found.links:
            when = link.dated
            if when is not None and (when < since or (until is not None and when >= until)):
                plan.outside_window += 1
            else:
                in_window.append(link)
    plan.links = frontier_links(in_window, plan.refused)
    return plan


def _fetch_sitemap(runtime: Runtime, url: str, limits: HostLimits) -> FetchedPage:
    """A backfill is an operator's command, not a worker's task: it waits out a busy host (a
    Crawl-delay longer than a worker waits) rather than count every sitemap after the first
    failed."""
    while True:
        try:
            return runtime.fetcher.get(url, accept="feed", limits=limits)
        except HostBusy as busy:
            wait = busy.retry_after or 1.0
            if wait > MAX_HOST_WAIT_SECONDS:
                raise
            log.info("backfill.host_busy", sitemap=url, wait_seconds=round(wait, 1))
            time.sleep(wait)


def _too_old(sitemap_url: str, lastmod: datetime | None, since: datetime) -> bool:
    if lastmod is not None:
        return lastmod < since
    covered_until = dated_until(sitemap_url)
    return covered_until is not None and covered_until <= since


def count_missing(runtime: Runtime, links: list[FrontierLink]) -> int:
    """How many of ``links`` are not in a final state yet (new, or pending)."""
    keys = [link.url for link in links]
    done = 0
    with runtime.sessions() as session:
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            done += len(
                session.scalars(
                    select(Url.id).where(Url.url.in_(chunk), Url.state.in_(FINAL_URL_STATES))
                ).all()
            )
    return len(keys) - done


# Links recorded per transaction: a backfill of 120,000 links held every row it touched for
# 42 s in one, and a poll listing some of the same URLs waited all that time.
RECORD_CHUNK = 1000


def record_backfill(
    runtime: Runtime,
    plan: BackfillPlan,
    now: datetime | None = None,
    *,
    inline: bool = False,
    on_progress: Callable[[int], None] | None = None,
) -> list[int]:
    """Record the plan's links in the frontier, a chunk per transaction (``on_progress`` is
    told how many links each chunk recorded); the ids still to fetch: new or stale pending, or with
    ``inline`` (fetched here, now) every one not final yet. A pending URL queued recently (a
    backfill queued while no worker ran, an inline run interrupted) is not queued again
    through the broker, but an inline run that skipped it fetched nothing, said the window was
    done and exited 0, however often it was run again. Interrupted, a backfill keeps the chunks
    recorded; run again, it records the rest (recording is idempotent)."""
    now = now or datetime.now(UTC)
    timeout = timedelta(seconds=runtime.settings.pending_timeout_seconds)
    with runtime.sessions() as session:
        source_id = session.scalar(select(Source.id).where(Source.key == plan.source_key))
    assert source_id is not None
    ids: set[int] = set()
    for start in range(0, len(plan.links), RECORD_CHUNK):
        chunk = plan.links[start : start + RECORD_CHUNK]
        with runtime.sessions.begin() as session:
            ids.update(repository.record_links(session, source_id, chunk, now, timeout).url_ids)
            if inline:
                keys = [link.url for link in chunk]
                pending = select(Url.id).where(Url.url.in_(keys), Url.state == "pending")
                ids.update(session.scalars(pending))
        if on_progress is not None:
            on_progress(len(chunk))
    return sorted(ids)
