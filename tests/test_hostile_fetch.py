"""The fetcher against servers that misbehave: private addresses, drips, floods, bombs.

Each server is a real local HTTP server; the assertions are on what the worker records (the
error's reason) and on what it cost (requests made, bytes received, memory held).
"""

from __future__ import annotations

import codecs
import ipaddress
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import make_settings
from tests.localweb.server import LocalSite, Response
from worker.errors import PermanentFetchError, TransientFetchError
from worker.fetching import Fetcher, build_fetcher
from worker.fetching.network import AddressPolicy


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as local:
        yield local


def _fetcher(tmp_path: Path, **overrides: object) -> Fetcher:
    return build_fetcher(make_settings(tmp_path, "sqlite://", **overrides))


@pytest.fixture
def fetcher(tmp_path: Path) -> Iterator[Fetcher]:
    built = _fetcher(tmp_path, max_response_bytes=50_000, total_timeout=1.0, read_timeout=5.0)
    yield built
    built.close()


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.1", "172.16.5.4", "192.168.1.1", "127.0.0.1", "0.0.0.0", "100.64.0.1",
        "169.254.169.254", "::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1", "224.0.0.1",
        # IPv6 forms that reach a private IPv4 address: NAT64 (10.0.0.5, the metadata
        # address), 6to4, IPv4-compatible, and a local NAT64 prefix
        "64:ff9b::a00:5", "64:ff9b::a9fe:a9fe", "2002:a00:5::1", "::a00:5", "64:ff9b:1::808:808",
    ],
)  # fmt: skip
def test_private_loopback_link_local_and_metadata_addresses_are_refused(address: str) -> None:
    assert not AddressPolicy().permits(ipaddress.ip_address(address))


def test_public_addresses_and_allowed_networks_are_permitted() -> None:
    policy = AddressPolicy([ipaddress.ip_network("10.2.0.0/16")])
    assert policy.permits(ipaddress.ip_address("93.184.216.34"))
    assert policy.permits(ipaddress.ip_address("2606:4700::1111"))
    assert policy.permits(ipaddress.ip_address("64:ff9b::5db8:d822")), "NAT64 of a public one"
    assert policy.permits(ipaddress.ip_address("2002:5db8:d822::1")), "6to4 of a public one"
    assert policy.permits(ipaddress.ip_address("10.2.3.4"))
    assert not policy.permits(ipaddress.ip_address("10.3.0.1")), "only the listed network"


def test_a_host_outside_the_allowed_networks_is_never_contacted(
    site: LocalSite, fetcher: Fetcher
) -> None:
    with LocalSite("internal", address="127.0.0.2") as internal:
        internal.add("/admin", "<html>secret</html>")
        with pytest.raises(PermanentFetchError) as direct:
            fetcher.get(internal.url("/admin"))
        site.add("/go", Response(status=302, headers={"Location": internal.url("/admin")}))
        with pytest.raises(PermanentFetchError) as redirected:
            fetcher.get(site.url("/go"))
        assert internal.hits["/admin"] == 0
        assert internal.hits["/robots.txt"] == 0
    assert direct.value.reason == "private_address"
    assert "127.0.0.2" in str(direct.value)
    assert redirected.value.reason == "private_address", "checked again on the redirect hop"


def test_a_name_resolving_to_a_private_address_is_refused(tmp_path: Path) -> None:
    strict = _fetcher(tmp_path, allow_networks="127.0.1.0/24")
    try:
        with LocalSite() as local:
            local.add("/a", "<html>a</html>")
            with pytest.raises(PermanentFetchError) as raised:
                strict.get(f"http://localhost:{local.port}/a")
            assert local.hits["/a"] == 0
        with pytest.raises(PermanentFetchError) as metadata:
            strict.get("http://169.254.169.254/latest/meta-data/")
    finally:
        strict.close()
    assert raised.value.reason == "private_address"
    assert metadata.value.reason == "private_address"


def test_an_allowed_network_is_fetched(tmp_path: Path) -> None:
    allowed = _fetcher(tmp_path, allow_networks="127.0.1.0/24")
    try:
        with LocalSite("lan", address="127.0.1.7") as lan:
            lan.add("/a", "<html>ok</html>")
            assert allowed.get(lan.url("/a")).status == 200
    finally:
        allowed.close()


def test_a_dripping_server_is_cut_at_the_total_deadline(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/drip", Response("<html>" + "x" * 100 + "</html>", drip=0.05))
    started = time.monotonic()
    with pytest.raises(TransientFetchError) as raised:
        fetcher.get(site.url("/drip"))
    elapsed = time.monotonic() - started
    assert raised.value.reason == "timeout"
    assert elapsed < 3.0, f"held for {elapsed:.1f}s although each read was within its timeout"


def test_an_endless_body_is_stopped_at_the_cap_while_streaming(
    site: LocalSite, fetcher: Fetcher
) -> None:
    site.add("/flood", Response(b"<p>" + b"a" * 65_533, endless=True))
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/flood"))
    assert raised.value.reason == "too_large"
    site.stop()
    assert site.bytes_sent["/flood"] < 30_000_000, "the download stopped near the cap"


def _gzip_of_zeros(size: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = b"\0" * 1_000_000
    return b"".join(packer.compress(block) for _ in range(size // len(block))) + packer.flush()


def test_a_gzip_bomb_is_refused_without_inflating_it(site: LocalSite, fetcher: Fetcher) -> None:
    bomb = _gzip_of_zeros(200_000_000)  # 200 MB unpacked, about 200 KB on the wire
    site.add("/bomb", Response(bomb, headers={"Content-Encoding": "gzip"}))
    tracemalloc.start()
    try:
        with pytest.raises(PermanentFetchError) as raised:
            fetcher.get(site.url("/bomb"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert raised.value.reason == "too_large"
    assert peak < 5_000_000, f"peak {peak} bytes held for a 50 KB cap"


def test_an_address_that_times_out_is_followed_by_the_hosts_next(
    site: LocalSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a refused connection moved on to the next address: one that timed out (broken
    IPv6, a dead member of a round robin) ended every attempt at the same first address."""
    site.add("/a", "<p>the page</p>")
    hole = socket.socket()  # a listener whose full queue drops SYNs, as a black hole does
    hole.bind(("127.0.0.2", site.port))
    hole.listen(0)
    filler = socket.create_connection(("127.0.0.2", site.port))
    resolve = socket.getaddrinfo

    def dual(host: str, port: int, *args: object, **kwargs: object) -> list[Any]:
        if host != "dual.example":
            return resolve(host, port, *args, **kwargs)  # type: ignore[arg-type]
        stream = (socket.AF_INET, socket.SOCK_STREAM, 6, "")
        return [(*stream, ("127.0.0.2", port)), (*stream, ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", dual)
    fetcher = _fetcher(
        tmp_path, connect_timeout=0.5, total_timeout=5.0, allow_networks="127.0.0.0/8"
    )
    fetcher.robots = None
    try:
        page = fetcher.get(f"http://dual.example:{site.port}/a")
    finally:
        fetcher.close()
        filler.close()
        hole.close()
    assert page.content == b"<p>the page</p>"


def test_cookies_last_one_redirect_chain_not_the_process(site: LocalSite, fetcher: Fetcher) -> None:
    """The process's one client kept every cookie and sent it back on every later fetch: a
    metered paywall counted the crawler ("meter=3": a subscribe stub). A cookie set on a
    redirect reaches the next hop of that chain (a cookie check), and no other fetch."""
    meter = {"Set-Cookie": "meter=1; Path=/"}
    site.add("/a", Response("<p>a</p>", headers=meter))
    site.add("/check", Response(status=302, headers={"Location": "/b", **meter}))
    site.add("/b", "<p>b</p>")
    fetcher.get(site.url("/a"))
    fetcher.get(site.url("/check"))
    fetcher.get(site.url("/b"))
    sent = [
        (path, headers.get("Cookie")) for path, headers in site.requests if path != "/robots.txt"
    ]
    assert sent == [("/a", None), ("/check", None), ("/b", "meter=1"), ("/b", None)]
    assert not fetcher.client.cookies


def test_a_validator_with_bytes_beyond_ascii_does_not_stop_the_next_fetch(
    site: LocalSite, fetcher: Fetcher
) -> None:
    """An ETag may hold bytes beyond ASCII; httpx reads it but cannot send it back, so every
    later poll of the source failed before sending a request. It is fetched unconditionally."""
    site.add("/feed", Response("<rss/>", headers={"ETag": '"résumé-42"'}))
    first = fetcher.get(site.url("/feed"), accept="feed")
    etag = first.headers["etag"]
    assert not etag.isascii()
    again = fetcher.get(site.url("/feed"), accept="feed", etag=etag, last_modified="Mär 2024")
    assert again.status == 200 and site.get_hits["/feed"] == 2


def test_bytes_after_the_end_of_a_gzip_stream_are_neither_kept_nor_read(
    site: LocalSite, fetcher: Fetcher
) -> None:
    """zlib keeps what follows the end of a stream as "unused data": every trailing byte a
    server sent was held (and copied at every chunk) until the total timeout, uncounted by
    the size cap. They are ignored, as browsers ignore them, and the download stops there."""
    page = b"<html><body><p>hello</p></body></html>"
    body = zlib.compress(page, wbits=zlib.MAX_WBITS | 16) + b"J" * 1_000_000
    site.add("/p", Response(body, headers={"Content-Encoding": "gzip"}, endless=True))
    tracemalloc.start()
    try:
        content = fetcher.get(site.url("/p")).content
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert content == page
    assert peak < 5_000_000, f"peak {peak} bytes held for a 38-byte page"
    site.stop()
    assert site.bytes_sent["/p"] < 20_000_000, "the download stopped at the stream's end"


@pytest.mark.parametrize(
    ("encoding", "pack"),
    [
        ("gzip", lambda data: zlib.compress(data, wbits=zlib.MAX_WBITS | 16)),
        ("deflate", zlib.compress),
        ("deflate", lambda data: zlib.compress(data, wbits=-zlib.MAX_WBITS)),  # raw deflate
        ("identity", lambda data: data),
    ],
)
def test_compressed_pages_are_unpacked(
    site: LocalSite, fetcher: Fetcher, encoding: str, pack: object
) -> None:
    body = "<html><body><p>한국어 본문 café</p></body></html>".encode()
    site.add("/p", Response(pack(body), headers={"Content-Encoding": encoding}))  # type: ignore[operator]
    assert fetcher.get(site.url("/p")).content == body


def test_an_encoding_we_did_not_ask_for_is_refused(site: LocalSite, fetcher: Fetcher) -> None:
    site.add("/br", Response(b"\x1b\x00\x00", headers={"Content-Encoding": "br"}))
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/br"))
    assert raised.value.reason == "bad_encoding"


def test_robots_txt_of_the_redirect_target_is_obeyed(site: LocalSite, fetcher: Fetcher) -> None:
    with LocalSite("other") as other:
        other.add("/robots.txt", Response("User-agent: *\nDisallow: /", content_type="text/plain"))
        other.add("/article", "<html>elsewhere</html>")
        site.add("/moved", Response(status=301, headers={"Location": other.url("/article")}))
        with pytest.raises(PermanentFetchError) as raised:
            fetcher.get(site.url("/moved"))
        assert other.get_hits["/article"] == 0
        assert other.get_hits["/robots.txt"] == 1
    assert raised.value.reason == "robots"


def test_non_http_schemes_are_refused_before_any_request(fetcher: Fetcher) -> None:
    for url in ("javascript:alert(1)", "data:text/html,hi", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(PermanentFetchError) as raised:
            fetcher.get(url)
        assert raised.value.reason == "bad_url", url


def test_headers_that_only_look_valid_end_as_fetch_errors(
    site: LocalSite, fetcher: Fetcher
) -> None:
    # a ValueError escaping the fetcher crashed the task: the URL stayed pending until its
    # attempts ran out as "too_many_attempts", and an inline crawl stopped
    site.add("/moved", Response(status=301, headers={"Location": "//["}))
    with pytest.raises(PermanentFetchError) as moved:
        fetcher.get(site.url("/moved"))
    assert moved.value.reason == "bad_url" and "//[" in str(moved.value)
    # httpx itself refuses this one, as a protocol error: not a network fault to retry
    site.add("/port", Response(status=301, headers={"Location": "http://[::1"}))
    with pytest.raises(PermanentFetchError) as port:
        fetcher.get(site.url("/port"))
    assert port.value.reason == "bad_url"
    # last: a 503 holds the host back
    site.add("/busy", Response("busy", status=503, headers={"Retry-After": "\u00b2"}))
    with pytest.raises(TransientFetchError) as busy:
        fetcher.get(site.url("/busy"))
    assert (busy.value.reason, busy.value.retry_after) == ("http_503", None)


def test_a_robots_txt_with_a_byte_order_mark_is_obeyed(site: LocalSite, fetcher: Fetcher) -> None:
    robots = codecs.BOM_UTF8 + b"User-agent: *\nDisallow: /\n"
    site.add("/robots.txt", Response(robots, content_type="text/plain"))
    site.add("/article", "<html>page</html>")
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/article"))
    assert raised.value.reason == "robots" and site.get_hits["/article"] == 0


def test_a_robots_txt_longer_than_the_page_cap_is_read_up_to_500_kib(
    site: LocalSite, fetcher: Fetcher
) -> None:
    # refused as too_large (the cap here is 50 KB), it read as "no robots.txt": allow all
    robots = b"User-agent: *\nDisallow: /\n" + b"# padding\n" * 80_000
    site.add("/robots.txt", Response(robots, content_type="text/plain"))
    site.add("/article", "<html>page</html>")
    with pytest.raises(PermanentFetchError) as raised:
        fetcher.get(site.url("/article"))
    assert raised.value.reason == "robots" and site.get_hits["/article"] == 0


def test_a_robots_txt_that_cannot_be_read_means_not_now(site: LocalSite, fetcher: Fetcher) -> None:
    corrupt = b"\x1f\x8b\x08\x00garbage that no gzip stream holds"
    site.add("/robots.txt", Response(corrupt, content_type="text/plain",
                                     headers={"Content-Encoding": "gzip"}))  # fmt: skip
    site.add("/article", "<html>page</html>")
    with pytest.raises(TransientFetchError) as raised:
        fetcher.get(site.url("/article"))
    assert raised.value.reason == "robots_unavailable" and site.get_hits["/article"] == 0
