"""Per-host politeness shared by every worker: a request rate and a concurrency cap per host.

Each request to a host first takes a *slot*: a start time at least ``delay`` seconds after the
previous request to that host by any worker, and one of ``concurrency`` leases on the host. The
bookkeeping is one atomic step in a store all workers share: Redis (every machine) or a SQLite
file (the embedded default: every process of one machine). A Retry-After from the host pushes
its next slot back for everyone, a worker already granted a slot and waiting for it too.

A host's own limits are those of the outlet whose URLs are on it. A redirect to another host
(an aggregator's link to a wire service's page) is held to the stricter of the limits it
came with and the target's own, which the store remembers from the target's own requests
for a day: else the aggregator's pace applied to the wire service's host.

A worker waits for its slot only up to ``max_wait`` seconds; beyond that ``HostBusy`` tells the
caller when to come back, so a busy host never holds a worker process for long. Leases expire
on their own, so a killed worker cannot block a host for more than ``lease_seconds``.
"""

from __future__ import annotations

import time
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from urllib.parse import urlsplit

from worker import metrics
from worker.errors import TransientFetchError

BUSY_POLL_SECONDS = 0.05
MIN_BUSY_RETRY_SECONDS = 1.0
# A holder that reaches its slot later than this share of the delay (its process stalled:
# CPU contention, a long pause) gives the slot up and takes a later one; less than the floor
# is a round trip to the store and the scheduler's ordinary lag.
LATE_SHARE = 0.1
LATE_FLOOR_SECONDS = 0.01
# How long the store remembers a host's own limits for requests redirected to it
OWN_LIMITS_SECONDS = 24 * 3600


@dataclass(frozen=True)
class HostLimits:
    """How hard one host may be hit: seconds between request starts, requests in flight."""

    delay: float
    concurrency: int

    def at_least(self, delay: float | None) -> HostLimits:
        """These limits, slowed to a robots.txt Crawl-delay when it asks for more."""
        if delay is None or delay <= self.delay:
            return self
        return HostLimits(delay, self.concurrency)


@dataclass(frozen=True)
class Grant:
    """The store's answer: a slot ``wait`` seconds from now, or busy for about ``wait``."""

    granted: bool
    wait: float


class HostBusy(TransientFetchError):  # noqa: N818 - a state of the host, not a failure
    """The host's next free slot is further away than a worker should sleep."""

    def __init__(self, host: str, wait: float) -> None:
        super().__init__(
            f"{host} has no free slot for {wait:.1f}s (rate limit, concurrency cap or Retry-After)",
            reason="host_busy",
            retry_after=max(wait, MIN_BUSY_RETRY_SECONDS),
        )


def host_key(url: str) -> str:
    """The rate-limited unit: host and port, lower case (``example.com``, ``127.0.0.1:8001``),
    one key for every spelling of a host: in punycode (a redirect's Location names an IDN host
    so, the frontier in Unicode), without a trailing dot or the scheme's default port. Else
    each spelling had a slot and a concurrency cap of its own."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    with suppress(UnicodeError):  # a label IDNA refuses (empty, too long): as written
        host = host.encode("idna").decode("ascii")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None or port == _DEFAULT_PORTS.get(parts.scheme.lower()):
        return host
    return f"{host}:{port}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


class HostGate(ABC):
    """Slots and push-backs for hosts, kept in a store shared by the workers."""

    def __init__(self, max_wait: float, lease_seconds: float) -> None:
        self.max_wait = max_wait
        self.lease_seconds = lease_seconds

    @contextmanager
    def slot(self, host: str, limits: HostLimits, *, own: bool = True) -> Iterator[float]:
        """Hold a slot on ``host`` for one request; yields the seconds waited for it.

        ``own``: ``limits`` are the host's own (its outlet's), remembered for requests
        redirected to it; else the request was redirected there, and the stricter of
        ``limits`` and the host's own apply."""
        token = uuid.uuid4().hex
        started = time.monotonic()
        while True:
            asked = time.monotonic()
            left = self.max_wait - (asked - started)
            grant = self._reserve(host, limits, token, max(0.0, left), own)
            if grant.granted:
                time.sleep(grant.wait)
                late = time.monotonic() - asked - grant.wait
                on_time = late <= max(LATE_SHARE * limits.delay, LATE_FLOOR_SECONDS)
                # Pushed back while it waited (a Retry-After another worker read): not now.
                held_back = grant.wait > 0 and self._held_back(host)
                if (limits.delay <= 0 or on_time) and not held_back:
                    break
                # Late, its start now falls close to the next holder's slot, which is due on
                # time: the two requests would reach the host almost together. A later slot.
                self._release(host, token)
                continue
            if grant.wait > left:
                metrics.host_waited(host, time.monotonic() - started)
                raise HostBusy(host, grant.wait)
            time.sleep(min(grant.wait, BUSY_POLL_SECONDS))
        waited = time.monotonic() - started
        try:
            yield waited
        finally:
            self._release(host, token)
            # Observed after the request: nothing may sit between the granted slot and it.
            metrics.host_waited(host, waited)

    @abstractmethod
    def _reserve(
        self, host: str, limits: HostLimits, token: str, max_wait: float, own: bool = True
    ) -> Grant:
        """Atomically: drop expired leases; if a lease is free and the next start is within
        ``max_wait``, take both (the next start moves ``limits.delay`` on) and grant it.
        ``own``: remember ``limits`` as the host's own; else apply the stricter of both."""

    @abstractmethod
    def _held_back(self, host: str) -> bool:
        """Whether a push-back holds the host back now."""

    @abstractmethod
    def _release(self, host: str, token: str) -> None:
        """Give the lease back (the rate slot stays taken)."""

    @abstractmethod
    def push_back(self, host: str, seconds: float) -> None:
        """No request to ``host`` by any worker for ``seconds`` (a Retry-After)."""

    def close(self) -> None:  # noqa: B027 - optional: only stores with connections override it
        """Release the store's connections."""


class NoGate(HostGate):
    """Limits off (benchmarks, one-off tools): every slot is granted at once."""

    def __init__(self) -> None:
        super().__init__(max_wait=0.0, lease_seconds=0.0)

    def _reserve(
        self, host: str, limits: HostLimits, token: str, max_wait: float, own: bool = True
    ) -> Grant:
        return Grant(True, 0.0)

    def _held_back(self, host: str) -> bool:
        return False

    def _release(self, host: str, token: str) -> None:
        pass

    def push_back(self, host: str, seconds: float) -> None:
        pass
