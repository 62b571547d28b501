"""The sockets under the HTTP client: SSRF guard and a total deadline per request.

Both are enforced where they cannot be bypassed, in httpcore's network backend:

- every connection resolves the host itself and connects only to an address that is public or
  inside ``NEWSWORKER_ALLOW_NETWORKS``, so a DNS name that resolves (or re-resolves, DNS
  rebinding) to a private, loopback, link-local or metadata address is refused on the address
  actually connected to, on every redirect hop and every pooled connection;
- every read and write is bounded by the deadline of the request in progress (a context
  variable set by the fetcher), so a server that drips one byte a second cannot hold a worker
  longer than ``NEWSWORKER_TOTAL_TIMEOUT``.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore

from worker.errors import PermanentFetchError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_deadline: ContextVar[float | None] = ContextVar("newsworker_request_deadline", default=None)


class PrivateAddressError(PermanentFetchError):
    """The host resolves only to addresses we refuse to connect to."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="private_address")


class AddressPolicy:
    """Which peer addresses may be connected to: public ones, plus the allowed networks."""

    def __init__(self, allowed: Sequence[IPNetwork] = ()) -> None:
        self.allowed = tuple(allowed)

    def permits(self, address: IPAddress) -> bool:
        if any(address in network for network in self.allowed):
            return True
        if isinstance(address, ipaddress.IPv6Address):
            if (carried := _carried_ipv4(address)) is not None:
                return self.permits(carried)  # ::ffff:127.0.0.1 is 127.0.0.1
            if address in _LOCAL_NAT64:  # a site's own translator, to addresses of its choice
                return False
        # is_global is False for private, loopback, link-local (169.254.169.254, the cloud
        # metadata address), shared (100.64/10), reserved, unspecified and ULA (fd00:ec2::254).
        return address.is_global and not address.is_multicast


# IPv6 addresses that reach an IPv4 one, which Python counts as global whatever it carries: on
# an IPv6-only node behind NAT64, an AAAA record of 64:ff9b::a00:5 reaches 10.0.0.5
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_LOCAL_NAT64 = ipaddress.IPv6Network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


def _carried_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: IPv4-mapped, NAT64, 6to4, IPv4-compatible."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or address in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


@contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """Bound every socket read and write of the enclosed request to ``seconds`` in total."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def _bounded(timeout: float | None, exc_type: type[Exception]) -> float | None:
    deadline = _deadline.get()
    if deadline is None:
        return timeout
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise exc_type("the request took longer than its total deadline")
    return remaining if timeout is None else min(timeout, remaining)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose reads and writes honour the current request's deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _bounded(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _bounded(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        stream = self._stream.start_tls(
            ssl_context, server_hostname, _bounded(timeout, httpcore.ConnectTimeout)
        )
        return _DeadlineStream(stream)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's sync backend, connecting only to addresses the policy permits."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        connect_timeout = timeout
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        permitted = [info for info in infos if self.policy.permits(_address(info))]
        if not permitted:
            addresses = ", ".join(sorted({str(_address(info)) for info in infos}))
            raise PrivateAddressError(
                f"{host} resolves to {addresses}: private, loopback, link-local or "
                "metadata addresses are not fetched (NEWSWORKER_ALLOW_NETWORKS exempts networks)"
            )
        last_error: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for info in permitted:  # connect to the checked address itself: no second resolution
            try:
                # each address its own connect timeout, within the request's deadline: a
                # timed-out address (broken IPv6, a dead member of a round robin) is followed
                # by the next, as browsers do; else every attempt died on the first one
                stream = super().connect_tcp(
                    str(_address(info)), port, _bounded(connect_timeout, httpcore.ConnectTimeout),
                    local_address, socket_options,
                )  # fmt: skip
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last_error = exc
                continue
            return _DeadlineStream(stream)
        raise type(last_error or httpcore.ConnectError(""))(
            f"cannot connect to {host}: {last_error}"
        )


def _address(info: tuple[Any, ...]) -> IPAddress:
    return ipaddress.ip_address(info[4][0].split("%", 1)[0])  # drop an IPv6 scope id
