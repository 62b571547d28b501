"""The HTTP client: one pooled httpx client per process, explicit limits, errors mapped here.

Everything httpx can raise is turned into a TransientFetchError (worth retrying) or a
PermanentFetchError (not worth it) with a short reason code, so the pipeline decides on our
types only.
"""

from __future__ import annotations

import time
from contextlib import closing
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import TYPE_CHECKING, Literal
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from worker.errors import FetchError, NotModified, PermanentFetchError, TransientFetchError
from worker.fetching.decompress import ACCEPT_ENCODING, CappedDecoder
from worker.fetching.hostgate import HostGate, HostLimits, NoGate, host_key
from worker.fetching.network import AddressPolicy, GuardedBackend, request_deadline
from worker.settings import Settings
from worker.storable import MAX_URL_CHARS

if TYPE_CHECKING:
    from worker.fetching.robots import RobotsCache

Accept = Literal["html", "feed", "robots"]

HTML_TYPES = {"text/html", "application/xhtml+xml"}
_BINARY_PREFIXES = ("image/", "audio/", "video/", "font/")
_BINARY_TYPES = {"application/pdf", "application/zip", "application/msword", "application/json"}
_ACCEPT_HEADERS = {
    "html": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1",
    "feed": (
        "application/rss+xml,application/atom+xml,application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.1"
    ),
    "robots": "text/plain,*/*;q=0.1",
}
# What of a robots.txt is read: RFC 9309 asks crawlers to parse at least 500 KiB of it. A
# longer one is cut there, not refused: refusing it would read as "no robots.txt".
ROBOTS_MAX_BYTES = 512_000


@dataclass(frozen=True)
class FetchedPage:
    """A successful response, read in full within the size cap."""

    url: str
    final_url: str
    status: int
    content: bytes
    content_type: str
    charset: str | None
    headers: dict[str, str] = field(default_factory=dict)
    elapsed_ms: int = 0


def build_http_client(settings: Settings) -> httpx.Client:
    """The pooled client shared by one process (thread-safe), on the guarded network backend.

    Redirects are followed by ``Fetcher`` itself (robots.txt, rate limit and address checks on
    every hop), and proxies from the environment are ignored: a proxy would connect on our
    behalf to addresses the guard never sees.
    """
    limits = httpx.Limits(max_connections=50, max_keepalive_connections=20)
    transport = httpx.HTTPTransport(limits=limits, trust_env=False)
    # httpx offers no public hook for httpcore's network backend: the pool is rebuilt with ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(),
        max_connections=limits.max_connections,
        max_keepalive_connections=limits.max_keepalive_connections,
        keepalive_expiry=limits.keepalive_expiry,
        network_backend=GuardedBackend(AddressPolicy(settings.allowed_networks)),
    )
    return httpx.Client(
        transport=transport,
        # No cookie outlives its redirect chain (Fetcher keeps those): one jar for the process
        # sent every site's cookies back on every later fetch, so a metered paywall counted
        # the crawler and served "subscribe" stubs, a page depended on the fetches before it,
        # and the jar grew without end.
        cookies=CookieJar(DefaultCookiePolicy(allowed_domains=[])),
        timeout=httpx.Timeout(
            connect=settings.connect_timeout,
            read=settings.read_timeout,
            write=settings.read_timeout,
            pool=settings.connect_timeout,
        ),
        follow_redirects=False,
        trust_env=False,
        headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
    )


def build_fetcher(settings: Settings) -> Fetcher:
    """The process's fetcher: one pooled client, robots.txt honoured, shared host limits."""
    from worker.fetching.hoststores import build_gate
    from worker.fetching.robots import RobotsCache

    fetcher = Fetcher(build_http_client(settings), settings, gate=build_gate(settings))
    fetcher.robots = RobotsCache(fetcher, settings.user_agent, settings.robots_ttl_seconds)
    return fetcher


class Fetcher:
    """GETs one URL within the limits of the settings and the politeness owed to its host."""

    def __init__(
        self, client: httpx.Client, settings: Settings, gate: HostGate | None = None
    ) -> None:
        self.client = client
        self.max_bytes = settings.max_response_bytes
        self.max_redirects = settings.max_redirects
        self.total_timeout = settings.total_timeout
        self.default_limits = HostLimits(settings.host_delay_seconds, settings.host_concurrency)
        self.gate: HostGate = gate or NoGate()
        self.robots: RobotsCache | None = None  # set by build_fetcher; None: ignore robots.txt

    def close(self) -> None:
        self.client.close()
        self.gate.close()

    def get(
        self,
        url: str,
        *,
        accept: Accept = "html",
        etag: str | None = None,
        last_modified: str | None = None,
        limits: HostLimits | None = None,
        own_limits: bool = True,
    ) -> FetchedPage:
        """Fetch ``url``; raise a FetchError subclass for anything but a usable response.

        Every hop of a redirect chain is checked on its own: its scheme, the host's robots.txt
        (unless ``accept`` is "robots"; disallowed: reason "robots", unreadable: a transient
        "robots_unavailable"), the host's shared rate limit (``limits``, slowed to the host's
        Crawl-delay; HostBusy when the wait is too long) and, on connecting, its address.
        ``limits`` are the own limits of ``url``'s host (``own_limits``): a hop to another host
        is held to the stricter of them and that host's own (see ``HostGate.slot``).
        """
        limits = limits or self.default_limits
        first_host = host_key(url)
        headers = {"Accept": _ACCEPT_HEADERS[accept]}
        # A validator is sent back only in ASCII: HTTP allows other bytes in an ETag, which
        # httpx reads but cannot send, and the poll failed before any request, at every poll.
        if etag and etag.isascii():
            headers["If-None-Match"] = etag
        if last_modified and last_modified.isascii():
            headers["If-Modified-Since"] = last_modified
        current, seen = url, {url}
        cookies = httpx.Cookies()  # this chain's only (see build_http_client)
        for _ in range(self.max_redirects + 1):
            if urlsplit(current).scheme.lower() not in ("http", "https"):
                raise PermanentFetchError(f"not an http(s) URL: {current[:200]}", reason="bad_url")
            if len(_as_requested(current)) > MAX_URL_CHARS:  # no URL column could hold it
                raise PermanentFetchError(
                    f"URL longer than {MAX_URL_CHARS} characters as requested: {current[:200]}...",
                    reason="bad_url",
                )
            host = host_key(current)
            own = own_limits and host == first_host
            host_limits = limits
            if accept != "robots" and self.robots is not None:
                if not self.robots.allowed(current, limits, own=own):
                    raise PermanentFetchError(
                        f"disallowed by robots.txt: {current}", reason="robots"
                    )
                host_limits = limits.at_least(self.robots.crawl_delay(current))
            with self.gate.slot(host, host_limits, own=own):
                try:
                    with request_deadline(self.total_timeout):
                        answer = self._request(current, headers, accept, cookies)
                except TransientFetchError as exc:
                    if exc.http_status in (429, 503):
                        # without a usable Retry-After too: else every worker went on sending
                        # the host's other URLs into its 429s, each using up an attempt
                        wait = exc.retry_after
                        self.gate.push_back(
                            host, UNSTATED_RETRY_AFTER_SECONDS if wait is None else wait
                        )
                    raise
            if isinstance(answer, FetchedPage):
                return replace(answer, url=url)
            try:
                target = urljoin(current, answer)
            except ValueError as exc:  # "//[": urljoin parses it, and refuses it
                raise PermanentFetchError(
                    f"unusable redirect from {current} to {answer[:200]!r}: {exc}",
                    reason="bad_url",
                ) from exc
            if target in seen:
                raise PermanentFetchError(
                    f"redirect loop: {current} -> {target}", reason="redirect_loop"
                )
            seen.add(target)
            current = target
        raise PermanentFetchError(
            f"more than {self.max_redirects} redirects from {url}", reason="too_many_redirects"
        )

    def _request(
        self, url: str, headers: dict[str, str], accept: Accept, cookies: httpx.Cookies
    ) -> FetchedPage | str:
        """One GET: the page, or the Location of a redirect (its cookies kept in ``cookies``
        for the next hop)."""
        started = time.monotonic()
        try:
            request = self.client.build_request("GET", url, headers=headers)
            cookies.set_cookie_header(request)
            with closing(self.client.send(request, stream=True)) as response:
                cookies.extract_cookies(response)
                location: str | None = response.headers.get("location")
                if response.is_redirect and location:
                    return location
                _check_status(response)
                content_type, charset = _content_type(response)
                _check_type(content_type, accept, response.status_code)
                declared = response.headers.get("content-length")
                if (
                    accept != "robots"  # read up to ROBOTS_MAX_BYTES, whatever its size
                    and declared
                    and _is_number(declared)
                    and int(declared) > self.max_bytes
                ):
                    raise PermanentFetchError(
                        f"Content-Length {declared} exceeds the cap of {self.max_bytes} bytes",
                        reason="too_large",
                        http_status=response.status_code,
                    )
                content = (
                    self._read_capped(response, ROBOTS_MAX_BYTES, truncate=True)
                    if accept == "robots"
                    else self._read_capped(response, self.max_bytes)
                )
                return FetchedPage(
                    url=url,
                    final_url=str(response.url),
                    status=response.status_code,
                    content=content,
                    content_type=content_type or "",
                    charset=charset,
                    headers={k.lower(): v for k, v in response.headers.items()},
                    elapsed_ms=int((time.monotonic() - started) * 1000),
                )
        except FetchError:
            raise
        except httpx.TimeoutException as exc:
            raise TransientFetchError(
                f"timed out ({type(exc).__name__}): {exc}", reason="timeout"
            ) from exc
        except httpx.ConnectError as exc:
            raise TransientFetchError(f"cannot connect: {exc}", reason="connect_error") from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise PermanentFetchError(f"unusable URL: {exc}", reason="bad_url") from exc
        except httpx.RemoteProtocolError as exc:
            if "location header" in str(exc).lower():
                # httpx reads a redirect's Location even when we follow it ourselves: a
                # Location no URL parser takes ("http://[::1") is the server's, never fixed by
                # asking again
                raise PermanentFetchError(
                    f"unusable redirect from {url}: {exc}", reason="bad_url"
                ) from exc
            raise TransientFetchError(
                f"network error: {type(exc).__name__}: {exc}", reason="network_error"
            ) from exc
        except httpx.TransportError as exc:
            raise TransientFetchError(
                f"network error: {type(exc).__name__}: {exc}", reason="network_error"
            ) from exc

    def _read_capped(
        self, response: httpx.Response, limit: int, *, truncate: bool = False
    ) -> bytes:
        """The body, decoded from its Content-Encoding, never holding more than ``limit``
        bytes: past it, too_large, or with ``truncate`` its first ``limit`` bytes."""
        decoder = CappedDecoder(response.headers.get("content-encoding"), limit, truncate=truncate)
        parts: list[bytes] = []
        try:
            for chunk in response.iter_raw():
                parts.append(decoder.feed(chunk))
                if decoder.full or decoder.ended:
                    return b"".join(parts)
            parts.append(decoder.finish())
        except PermanentFetchError as exc:
            exc.http_status = response.status_code
            raise
        return b"".join(parts)


def _check_status(response: httpx.Response) -> None:
    status = response.status_code
    if 200 <= status < 300:
        return
    if status == 304:
        raise NotModified("not modified since the last poll", http_status=304)
    reason = f"http_{status}"
    message = f"HTTP {status} {response.reason_phrase}".strip()
    if status in (429, 503) or status == 408 or status >= 500:
        raise TransientFetchError(
            message,
            reason=reason,
            http_status=status,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )
    raise PermanentFetchError(message, reason=reason, http_status=status)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), at most
    ``MAX_RETRY_AFTER_SECONDS``: the host's shared slot, the URL's retry and the source's next
    poll all wait this long, and a server asking for years would stop them for good."""
    if not value:
        return None
    value = value.strip()
    if _is_number(value):
        return min(float(value), MAX_RETRY_AFTER_SECONDS)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    wait = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(0.0, wait), MAX_RETRY_AFTER_SECONDS)


# The longest Retry-After honoured, as long as a failing source's back-off can grow: a server
# that asks for more is asked again after six hours.
MAX_RETRY_AFTER_SECONDS = 6 * 3600.0
# How long a host that answers 429 or 503 without a usable Retry-After is left alone
UNSTATED_RETRY_AFTER_SECONDS = 60.0


def _as_requested(url: str) -> str:
    """``url`` as httpx requests it, and as the page's final URL is recorded: percent-encoded,
    so a redirect to 1,000 "é" fits the URL columns as written and not as fetched (6,000
    characters). A URL httpx cannot read is left to the request to refuse."""
    try:
        return str(httpx.URL(url))
    except (httpx.InvalidURL, ValueError):
        return url


def _is_number(value: str) -> bool:
    """ASCII digits only: str.isdigit() also takes "²" and "৩", which float() and int() refuse."""
    return value.isascii() and value.isdigit()


def _content_type(response: httpx.Response) -> tuple[str | None, str | None]:
    raw = response.headers.get("content-type")
    if not raw:
        return None, None
    mime, _, params = raw.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.strip().partition("=")
        if name.strip().lower() == "charset" and value:
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def _check_type(content_type: str | None, accept: Accept, status: int) -> None:
    if content_type is None:
        return  # sniffed by the parser
    binary = content_type.startswith(_BINARY_PREFIXES) or content_type in _BINARY_TYPES
    if accept == "html" and content_type not in HTML_TYPES:
        raise PermanentFetchError(
            f"content type {content_type} is not a web page",
            reason="unsupported_type",
            http_status=status,
        )
    if accept == "feed" and binary:
        raise PermanentFetchError(
            f"content type {content_type} is not a feed or sitemap",
            reason="unsupported_type",
            http_status=status,
        )
