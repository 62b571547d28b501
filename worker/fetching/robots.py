"""robots.txt: fetched once per host, cached with a TTL, our user agent's rules applied.

RFC 9309's reading of an unreadable robots.txt: a 4xx answer (no robots.txt), or more
redirects than we follow, allows everything; a 5xx answer, a timeout, a connection error or a
body that cannot be read (a corrupt gzip stream) means "not now", so the caller retries later
instead of fetching. A robots.txt longer than 500 KiB is read up to there. Parsing is
protego's (the parser Scrapy uses).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from protego import Protego

from worker.errors import FetchError, TransientFetchError
from worker.fetching.client import ROBOTS_MAX_BYTES, Fetcher
from worker.fetching.hostgate import HostBusy, HostLimits, host_key

# A robots.txt that answered but cannot be read (a corrupt gzip stream) is a server error,
# not a missing file: it allows nothing until it can be read
_UNREADABLE = frozenset({"bad_encoding"})
# A host asking for more is read as asking for one request per six hours
MAX_CRAWL_DELAY_SECONDS = 6 * 3600.0


@dataclass(frozen=True)
class _Entry:
    rules: Protego | None  # None: no robots.txt, everything allowed
    expires: float


class RobotsCache:
    """Per-process cache of parsed robots.txt files, safe to share between threads."""

    def __init__(self, fetcher: Fetcher, user_agent: str, ttl_seconds: float) -> None:
        self.fetcher = fetcher
        self.user_agent = user_agent
        self.ttl = ttl_seconds
        self._entries: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def allowed(self, url: str, limits: HostLimits | None = None, *, own: bool = True) -> bool:
        """Whether our user agent may fetch ``url``; TransientFetchError if robots.txt is down.

        ``limits`` (``own``: the host's own) are the host limits of the request that asks
        (robots.txt is fetched under the same rate limit as the page)."""
        rules = self._rules(url, limits, own)
        return rules is None or bool(rules.can_fetch(url, self.user_agent))

    def crawl_delay(self, url: str) -> float | None:
        """The host's Crawl-delay for our user agent, in seconds, if it sets one."""
        return self._crawl_delay(self._rules(url))

    def _crawl_delay(self, rules: Protego | None) -> float | None:
        """At most ``MAX_CRAWL_DELAY_SECONDS``: a "Crawl-delay: 1e14" overflowed the time
        arithmetic of every wait on the host (its URLs crashed, its source's poll raised)."""
        delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        if delay is None or math.isnan(delay):
            return None
        return min(max(float(delay), 0.0), MAX_CRAWL_DELAY_SECONDS)

    def _rules(
        self, url: str, limits: HostLimits | None = None, own: bool = True
    ) -> Protego | None:
        key = robots_url(url)
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and entry.expires > now:
            return entry.rules
        rules = self._fetch(key, limits, own)
        with self._lock:
            self._entries[key] = _Entry(rules, now + self.ttl)
        return rules

    def _fetch(self, robots: str, limits: HostLimits | None, own: bool) -> Protego | None:
        try:
            page = self.fetcher.get(robots, accept="robots", limits=limits, own_limits=own)
        except HostBusy:
            raise  # the host is not down, only busy: the caller comes back later
        except FetchError as exc:
            if not isinstance(exc, TransientFetchError) and exc.reason not in _UNREADABLE:
                # 404 and other 4xx, too many redirects: no robots.txt, no restrictions. (A
                # refused address or URL refuses the page as well, for that reason.)
                return None
            raise TransientFetchError(
                f"robots.txt unavailable ({exc}): not fetching until it answers",
                reason="robots_unavailable",
                http_status=exc.http_status,
                retry_after=exc.retry_after,
            ) from exc
        # utf-8-sig: a byte-order mark (files saved on Windows) would otherwise stick to the
        # first "User-agent" line, and protego would ignore that group
        text = page.content[:ROBOTS_MAX_BYTES].decode("utf-8-sig", errors="replace")
        rules = Protego.parse(text)
        delay = self._crawl_delay(rules)
        if delay and delay > (limits or self.fetcher.default_limits).delay:
            # robots.txt itself took a slot at the request delay: the page after it would
            # follow a request delay later, not a Crawl-delay
            self.fetcher.gate.push_back(host_key(robots), delay)
        return rules


def robots_url(url: str) -> str:
    """``https://host:port/any/path?q`` -> ``https://host:port/robots.txt``."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
