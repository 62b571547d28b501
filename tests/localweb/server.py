"""A tiny, thread-safe HTTP server on 127.0.0.1 for end-to-end tests.

One :class:`LocalSite` plays one web host (its own random port). Routes are registered with
:meth:`LocalSite.add` (one fixed response) or :meth:`LocalSite.add_sequence` (successive
responses, the last one repeats). Every request is counted in :attr:`LocalSite.hits` and recorded
with its headers in :attr:`LocalSite.requests`.

Routing: the request target is matched on the exact path plus query string first
(``/view.php?ud=1``), then on the path alone (``/view.php``). Anything else answers 404 with a
small HTML page. GET and HEAD are supported (HEAD sends the same headers, no body). A response
that carries an ``ETag`` or ``Last-Modified`` header answers 304 to a matching conditional GET.

    with LocalSite() as site:
        site.add("/feed.xml", Response(body=xml, content_type="application/rss+xml"))
        site.add_sequence("/flaky", [Response(status=503, headers={"Retry-After": "1"}), "ok"])
        httpx.get(site.url("/feed.xml"))
        assert site.hits["/feed.xml"] == 1
"""

from __future__ import annotations

import collections
import contextlib
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

__all__ = ["LocalSite", "Response"]

NOT_FOUND_BODY = (
    "<!DOCTYPE html>\n<html><head><title>404 Not Found</title></head>\n"
    "<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>\n"
)


@dataclass
class Response:
    """One canned HTTP response."""

    body: bytes | str = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"  # "" sends no Content-Type header at all
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (for timeout tests)
    drip: float = 0.0  # send the whole answer one byte at a time, this many seconds apart
    endless: bool = False  # repeat the body with no Content-Length until the client hangs up

    def body_bytes(self) -> bytes:
        """The body as bytes; a str body is encoded with the charset of ``content_type``."""
        if isinstance(self.body, bytes):
            return self.body
        charset = "utf-8"
        for param in self.content_type.split(";")[1:]:
            key, _, value = param.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"'")
        return self.body.encode(charset)


def _as_response(response: Response | str | bytes) -> Response:
    return response if isinstance(response, Response) else Response(body=response)


class _Route:
    """Successive responses for one path; the last one repeats."""

    def __init__(self, responses: list[Response]) -> None:
        if not responses:
            raise ValueError("a route needs at least one response")
        self._responses = responses
        self._next = 0

    def take(self) -> Response:
        response = self._responses[min(self._next, len(self._responses) - 1)]
        self._next += 1
        return response


class _Server(ThreadingHTTPServer):
    # Non-daemon handler threads, joined by server_close(): stop() leaves nothing running.
    daemon_threads = False
    block_on_close = True

    def __init__(self, site: LocalSite) -> None:
        self.site = site
        self.active: set[socket.socket] = set()
        self.active_lock = threading.Lock()
        super().__init__((site.address, 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        with self.active_lock:
            self.active.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self.active_lock:
                self.active.discard(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout tests) or a connection cut by stop(): not an error.
        if isinstance(sys.exc_info()[1], OSError):  # ConnectionError, TimeoutError, ...
            return
        super().handle_error(request, client_address)

    def drop_connections(self) -> None:
        """Cut idle keep-alive connections so their handler threads end."""
        with self.active_lock:
            sockets = list(self.active)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "localweb/1.0"
    # Headers and body go out in two writes: with Nagle's algorithm the body waits for the
    # client's delayed ACK, 40 ms on every response.
    disable_nagle_algorithm = True
    timeout = 30  # an idle keep-alive connection is closed after this many seconds

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._answer(send_body=True)

    def do_HEAD(self) -> None:
        self._answer(send_body=False)

    def _answer(self, *, send_body: bool) -> None:
        site = self.server.site
        headers = {key: value for key, value in self.headers.items()}
        response = site._record_and_route(self.path, headers, self.command)
        if response.delay > 0 and site._stopping.wait(response.delay):
            self.close_connection = True  # stopped while sleeping: hang up without answering
            return

        status = response.status
        body = response.body_bytes()
        extra = dict(response.headers)
        lower = {key.lower(): value for key, value in extra.items()}
        if status == 200 and _not_modified(self.headers, lower):
            status, body = 304, b""
        if status in (204, 304) or status < 200:
            body = b""

        if response.drip > 0:
            self._drip(status, response, body, extra)
            return
        if response.endless:
            self._endless(status, response, body, extra)
            return
        self.send_response(status)
        if response.content_type and "content-type" not in lower and status != 304:
            self.send_header("Content-Type", response.content_type)
        if "content-length" not in lower and status not in (204, 304):
            self.send_header("Content-Length", str(len(body)))
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        if send_body and body:
            self.wfile.write(body)

    def _drip(self, status: int, response: Response, body: bytes, extra: dict[str, str]) -> None:
        head = f"HTTP/1.1 {status} OK\r\nContent-Type: {response.content_type}\r\n"
        head += "".join(f"{key}: {value}\r\n" for key, value in extra.items())
        head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        self.close_connection = True
        for byte in head.encode() + body:
            if self.server.site._stopping.wait(response.drip):
                return
            self.wfile.write(bytes([byte]))
            self.wfile.flush()

    def _endless(self, status: int, response: Response, body: bytes, extra: dict[str, str]) -> None:
        self.close_connection = True
        self.send_response(status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Connection", "close")
        for key, value in extra.items():
            self.send_header(key, value)
        self.end_headers()
        sent, limit = 0, 200_000_000
        path = self.path
        try:
            while sent < limit and not self.server.site._stopping.is_set():
                self.wfile.write(body)
                sent += len(body)
        finally:
            with self.server.site._lock:
                self.server.site.bytes_sent[path] = sent


def _not_modified(request_headers: Any, response_headers: dict[str, str]) -> bool:
    etag = response_headers.get("etag")
    if etag is not None and request_headers.get("If-None-Match") is not None:
        candidates = [tag.strip() for tag in request_headers["If-None-Match"].split(",")]
        return etag in candidates or "*" in candidates
    last_modified = response_headers.get("last-modified")
    return last_modified is not None and request_headers.get("If-Modified-Since") == last_modified


class LocalSite:
    """One fake web host on ``http://<address>:<random port>`` (127.0.0.1 unless told)."""

    def __init__(self, name: str = "site", address: str = "127.0.0.1") -> None:
        self.name = name
        self.address = address
        self.bytes_sent: dict[str, int] = {}  # path -> body bytes written by an endless response
        self.times: list[tuple[float, str]] = []  # (time.time() on arrival, path+query)
        self.hits: collections.Counter[str] = collections.Counter()  # path+query -> requests
        self.get_hits: collections.Counter[str] = collections.Counter()  # GET requests only
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path+query, headers), in order
        self._routes: dict[str, _Route] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- configuration -------------------------------------------------------------------------

    def add(self, path: str, response: Response | str | bytes) -> None:
        """Serve ``response`` at ``path`` (a path, optionally with a query string)."""
        self.add_sequence(path, [_as_response(response)])

    def add_sequence(self, path: str, responses: list[Response]) -> None:
        """Answer successive requests (any method) with successive responses; the last repeats."""
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/': {path!r}")
        with self._lock:
            self._routes[path] = _Route([_as_response(r) for r in responses])

    # -- addresses -----------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"LocalSite {self.name!r} is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT`` (no trailing slash); only once started."""
        return f"http://{self.netloc}"

    @property
    def netloc(self) -> str:
        return f"{self.address}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of ``path`` on this site."""
        if not path.startswith("/"):
            path = "/" + path
        return self.base_url + path

    # -- lifecycle -----------------------------------------------------------------------------

    def start(self) -> LocalSite:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = _Server(self)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"localweb-{self.name}-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on a delay
        server.shutdown()
        server.drop_connections()
        server.server_close()  # joins the handler threads
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    @property
    def running(self) -> bool:
        return self._server is not None

    def __enter__(self) -> LocalSite:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.base_url if self._server is not None else "stopped"
        return f"<LocalSite {self.name} {where}>"

    # -- inspection ----------------------------------------------------------------------------

    def user_agents(self) -> list[str]:
        """The User-Agent of every request so far (empty string when absent)."""
        with self._lock:
            return [_header(headers, "user-agent") for _, headers in self.requests]

    def reset_counts(self) -> None:
        with self._lock:
            self.hits.clear()
            self.get_hits.clear()
            self.requests.clear()
            self.times.clear()

    # -- used by the handler -------------------------------------------------------------------

    def _record_and_route(self, target: str, headers: dict[str, str], method: str) -> Response:
        with self._lock:
            self.hits[target] += 1
            if method == "GET":
                self.get_hits[target] += 1
            self.requests.append((target, headers))
            self.times.append((time.time(), target))
            route = self._routes.get(target) or self._routes.get(urlsplit(target).path)
            if route is None:
                return Response(body=NOT_FOUND_BODY, status=404)
            return route.take()


def _header(headers: dict[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return ""
