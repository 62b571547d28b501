"""Pure decisions of the pipeline: no I/O, the clock passed in. Tested without a network."""

from __future__ import annotations

import re
from datetime import tzinfo

from worker.dedup.urls import article_key, frontier_key, same_site
from worker.errors import ExtractionError, NewsworkerError
from worker.extraction.dates import load_zone
from worker.fetching.hostgate import HostLimits
from worker.settings import Settings
from worker.storable import MAX_URL_CHARS
from worker.storage.models import Outlet

MAX_RETRY_DELAY_SECONDS = 3600.0

# Permanent fetch outcomes that are a property of the page, not a failure to get it.
SKIP_REASONS = frozenset(
    {"unsupported_type", "too_large", "not_article", "off_domain", "robots", "private_address"}
)

# What a page its outlet took down answers: its stored article is marked withdrawn (gone_at).
GONE_STATUSES = frozenset({404, 410})

_AMP_HTML = re.compile(r"<html[^>]*?\s(?:amp|\u26a1)(?:[\s=>/])", re.IGNORECASE)


def retry_delay(attempt: int, base_seconds: float, retry_after: float | None) -> float:
    """Exponential back-off from ``base_seconds``, never sooner than the server's Retry-After."""
    backoff = base_seconds * 2.0 ** max(0, attempt - 1)
    return min(MAX_RETRY_DELAY_SECONDS, max(backoff, retry_after or 0.0))


def final_state_for(error: NewsworkerError) -> str:
    """``skipped`` for pages we choose not to read, ``failed`` for pages we could not get."""
    return "skipped" if error.reason in SKIP_REASONS else "failed"


def choose_canonical(final_url: str, stated: str | None, html_head: str) -> str:
    """The article's canonical URL: a same-site rel=canonical, else the fetched URL's key.

    A canonical pointing at another site (a syndicated copy naming the original) is ignored:
    each outlet's copy is an article of its own. An AMP page without a usable canonical folds
    onto its regular page.
    """
    if stated and same_site(stated, final_url):
        try:
            key = frontier_key(stated)
        except ValueError:
            key = ""
        if 0 < len(key) <= MAX_URL_CHARS:
            return key
    if _AMP_HTML.search(html_head[:4096]):
        key = article_key(final_url)
        return key if len(key) <= MAX_URL_CHARS else final_url
    return fetched_key(final_url)


def fetched_key(final_url: str) -> str:
    """The fetched URL's key; the URL as fetched when its cleaned form outgrows the URL
    columns (the fetcher refuses a URL longer as requested, but cleaning may lengthen it)."""
    key = frontier_key(final_url)
    return key if len(key) <= MAX_URL_CHARS else final_url


def outlet_limits(outlet: Outlet, settings: Settings) -> HostLimits:
    """The outlet's own host limits (sources.toml), or the defaults of the settings."""
    delay = outlet.request_delay_seconds
    return HostLimits(
        delay=settings.host_delay_seconds if delay is None else delay,
        concurrency=outlet.max_connections or settings.host_concurrency,
    )


def outlet_zone(outlet: Outlet) -> tzinfo | None:
    """The outlet's zone, for the times a sitemap gives without one. The sources file's
    names are checked when it is read; a row edited by hand to a name no zone has is UTC here
    rather than a failed poll."""
    try:
        return load_zone(outlet.timezone)
    except ExtractionError:
        return None
