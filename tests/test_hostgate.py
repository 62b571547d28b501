"""Shared per-host limits on both stores (Redis, SQLite): spacing, concurrency, push-back, leases.

Several gates on one store stand for several workers: they share nothing but the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from itertools import pairwise
from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.localweb.server import LocalSite, Response
from worker.errors import TransientFetchError
from worker.fetching import build_fetcher
from worker.fetching.hostgate import Grant, HostBusy, HostGate, HostLimits, host_key
from worker.fetching.hoststores import RedisGate, SqliteGate, gate_url

GateFactory = Callable[..., HostGate]


@pytest.fixture(params=["sqlite", "redis"])
def make_gate(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GateFactory]:
    made: list[HostGate] = []

    def factory(max_wait: float = 10.0, lease_seconds: float = 30.0) -> HostGate:
        gate: HostGate
        if request.param == "sqlite":
            gate = SqliteGate(tmp_path / "hosts.sqlite", max_wait, lease_seconds)
        else:
            gate = RedisGate(request.getfixturevalue("redis_url"), max_wait, lease_seconds)
        made.append(gate)
        return gate

    yield factory
    for gate in made:
        gate.close()


def _hammer(gates: list[HostGate], host: str, limits: HostLimits, per_gate: int) -> list[float]:
    """Each gate in its own thread takes ``per_gate`` slots; returns every slot's start time."""
    starts: list[float] = []
    lock = threading.Lock()

    def run(gate: HostGate) -> None:
        for _ in range(per_gate):
            with gate.slot(host, limits), lock:
                starts.append(time.time())

    threads = [threading.Thread(target=run, args=(gate,)) for gate in gates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(starts)


def test_requests_to_one_host_are_spaced_across_workers(make_gate: GateFactory) -> None:
    gates = [make_gate() for _ in range(3)]
    starts = _hammer(gates, "news.example", HostLimits(delay=0.1, concurrency=5), per_gate=4)
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert len(starts) == 12
    assert min(gaps) >= 0.09, f"two requests {min(gaps):.3f}s apart with a 0.1s delay"


def test_a_holder_that_stalls_past_its_slot_takes_a_later_one(make_gate: GateFactory) -> None:
    """A worker whose process stalls after its slot was granted would start right before the
    next holder, who starts on time: the host would see two requests almost together. The
    late one takes a later slot instead."""
    stalled, punctual = make_gate(), make_gate()
    limits = HostLimits(delay=0.2, concurrency=5)
    reserve = stalled._reserve
    stalls = [0.15]  # the store's first answer reaches the stalled worker 0.15 s late

    def late_answer(
        host: str, limits: HostLimits, token: str, max_wait: float, own: bool = True
    ) -> Grant:
        grant = reserve(host, limits, token, max_wait, own)
        if stalls:
            time.sleep(stalls.pop())
        return grant

    stalled._reserve = late_answer  # type: ignore[method-assign]
    starts: dict[str, float] = {}

    def run(name: str, gate: HostGate) -> None:
        with gate.slot("news.example", limits):
            starts[name] = time.time()

    first = threading.Thread(target=run, args=("stalled", stalled))
    first.start()
    time.sleep(0.05)  # the punctual worker asks once the stalled one holds the first slot
    run("punctual", punctual)
    first.join()
    gap = abs(starts["stalled"] - starts["punctual"])
    assert gap >= 0.18, f"two requests {gap:.3f}s apart with a 0.2s delay"
    assert starts["stalled"] > starts["punctual"], "the late holder goes after the punctual one"


def test_other_hosts_are_not_slowed(make_gate: GateFactory) -> None:
    gate = make_gate()
    limits = HostLimits(delay=5.0, concurrency=1)
    with gate.slot("a.example", limits):
        pass
    started = time.monotonic()
    with gate.slot("b.example", limits):
        pass
    assert time.monotonic() - started < 0.5


def test_concurrency_cap_holds_across_workers(make_gate: GateFactory) -> None:
    gates = [make_gate() for _ in range(4)]
    in_flight, most = 0, 0
    lock = threading.Lock()

    def run(gate: HostGate) -> None:
        nonlocal in_flight, most
        for _ in range(3):
            with gate.slot("busy.example", HostLimits(delay=0.0, concurrency=2)):
                with lock:
                    in_flight += 1
                    most = max(most, in_flight)
                time.sleep(0.05)
                with lock:
                    in_flight -= 1

    threads = [threading.Thread(target=run, args=(gate,)) for gate in gates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2


def test_push_back_delays_every_worker_and_busy_hosts_say_when(make_gate: GateFactory) -> None:
    pusher, other = make_gate(), make_gate(max_wait=1.0)
    limits = HostLimits(delay=0.0, concurrency=2)
    pusher.push_back("slow.example", 0.4)
    started = time.monotonic()
    with other.slot("slow.example", limits):
        waited = time.monotonic() - started
    assert waited >= 0.35
    pusher.push_back("slow.example", 30)
    with pytest.raises(HostBusy) as raised, other.slot("slow.example", limits):
        pass
    assert raised.value.retry_after is not None and 28 <= raised.value.retry_after <= 30
    assert raised.value.reason == "host_busy"


def test_a_push_back_stops_a_worker_already_waiting_for_its_slot(make_gate: GateFactory) -> None:
    """A worker granted a slot sleeps until it: a 429 another worker read meanwhile held the
    host back for everyone else, and this one request still went out into it."""
    first, waiting = make_gate(), make_gate(max_wait=1.0)
    limits = HostLimits(delay=0.5, concurrency=5)
    with first.slot("slow.example", limits):
        pass
    outcome: list[BaseException | float] = []

    def wait_for_slot() -> None:
        try:
            with waiting.slot("slow.example", limits):
                outcome.append(time.monotonic())
        except HostBusy as busy:
            outcome.append(busy)

    thread = threading.Thread(target=wait_for_slot)
    thread.start()
    time.sleep(0.2)  # it holds its slot, due in about 0.3 s, and sleeps
    first.push_back("slow.example", 30)
    thread.join()
    (result,) = outcome
    assert isinstance(result, HostBusy), "a request went out while the host was pushed back"
    assert result.retry_after is not None and result.retry_after > 25


def test_a_redirected_request_keeps_to_the_target_hosts_own_limits(
    make_gate: GateFactory,
) -> None:
    """An aggregator's links redirect to a wire service whose outlet asks for 0.3 s between
    requests: the aggregator's own pace (none) applied to the wire service's host."""
    wire, aggregator = make_gate(), make_gate()
    with wire.slot("wire.example", HostLimits(delay=0.3, concurrency=1)):
        pass  # the wire service's own request: its limits are remembered
    starts = []
    for _ in range(3):
        with aggregator.slot("wire.example", HostLimits(delay=0.0, concurrency=5), own=False):
            starts.append(time.monotonic())
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert min(gaps) >= 0.28, f"redirected requests {min(gaps):.3f}s apart, not 0.3"
    started = time.monotonic()
    with aggregator.slot("other.example", HostLimits(delay=0.0, concurrency=5), own=False):
        pass  # a host with no own limits known: the request's own
    with aggregator.slot("other.example", HostLimits(delay=0.0, concurrency=5), own=False):
        pass
    assert time.monotonic() - started < 0.2


def test_a_lease_left_by_a_killed_worker_expires(make_gate: GateFactory) -> None:
    gate = make_gate(lease_seconds=0.3)
    limits = HostLimits(delay=0.0, concurrency=1)
    assert gate._reserve("crash.example", limits, "killed-worker", 10.0).granted  # never released
    started = time.monotonic()
    with gate.slot("crash.example", limits):
        waited = time.monotonic() - started
    assert 0.2 <= waited < 2.0


def test_crawl_delay_from_robots_txt_slows_the_fetcher(tmp_path: Path) -> None:
    fetcher = build_fetcher(make_settings(tmp_path, "sqlite://", host_delay_seconds=0.0))
    try:
        with LocalSite() as site:
            site.add(
                "/robots.txt",
                Response("User-agent: *\nCrawl-delay: 0.3", content_type="text/plain"),
            )
            for n in range(3):
                site.add(f"/a{n}", "<html>a</html>")
                fetcher.get(site.url(f"/a{n}"))
            starts = [at for at, _ in site.times]
            paths = [path for _, path in site.times]
    finally:
        fetcher.close()
    assert paths == ["/robots.txt", "/a0", "/a1", "/a2"]
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    # robots.txt's own request counts too: the first page followed it at the request delay
    assert min(gaps) >= 0.28, gaps


def test_a_redirect_to_another_outlets_host_is_held_to_that_hosts_limits(
    tmp_path: Path,
) -> None:
    fetcher = build_fetcher(make_settings(tmp_path, "sqlite://", host_delay_seconds=0.0))
    wire_limits, aggregator_limits = HostLimits(0.3, 1), HostLimits(0.0, 4)
    try:
        with LocalSite() as wire, LocalSite() as aggregator:
            for n in range(4):
                wire.add(f"/story/{n}", "<html>story</html>")
                aggregator.add(f"/r/{n}", Response(
                    "", status=302, headers={"Location": wire.url(f"/story/{n}")}))  # fmt: skip
            fetcher.get(wire.url("/story/0"), limits=wire_limits)  # the wire outlet's own page
            for n in range(1, 4):
                fetcher.get(aggregator.url(f"/r/{n}"), limits=aggregator_limits)
            starts = [at for at, path in wire.times if path.startswith("/story/")]
    finally:
        fetcher.close()
    assert len(starts) == 4
    gaps = [later - earlier for earlier, later in pairwise(starts)]
    assert min(gaps) >= 0.28, f"the wire host hit {min(gaps):.3f}s apart, its outlet asks 0.3"


def test_retry_after_from_one_worker_holds_back_another(tmp_path: Path, redis_url: str) -> None:
    settings = make_settings(
        tmp_path, "sqlite://", host_limits_url=redis_url, host_max_wait_seconds=0.5
    )
    first, second = build_fetcher(settings), build_fetcher(settings)
    try:
        with LocalSite() as site:
            site.add("/limited", Response("slow down", status=429, headers={"Retry-After": "60"}))
            site.add("/other", "<html>other</html>")
            with pytest.raises(TransientFetchError) as throttled:
                first.get(site.url("/limited"))
            with pytest.raises(HostBusy) as busy:
                second.get(site.url("/other"))
            assert site.get_hits["/other"] == 0
    finally:
        first.close()
        second.close()
    assert throttled.value.reason == "http_429"
    assert busy.value.retry_after is not None and busy.value.retry_after > 50


@pytest.mark.parametrize("status", [429, 503])
def test_a_throttling_answer_without_retry_after_still_holds_the_host_back(
    tmp_path: Path, status: int
) -> None:
    """A 429 or 503 without a usable Retry-After pushed nothing back: every worker went on
    sending the host's other URLs into its 429s at the full rate, each using up an attempt."""
    fetcher = build_fetcher(make_settings(tmp_path, "sqlite://", host_max_wait_seconds=0.5))
    try:
        with LocalSite() as site:
            site.add(
                "/limited", Response("slow down", status=status, headers={"Retry-After": "soon"})
            )
            site.add("/other", "<html>other</html>")
            with pytest.raises(TransientFetchError):
                fetcher.get(site.url("/limited"))
            with pytest.raises(HostBusy) as busy:
                fetcher.get(site.url("/other"))
            assert site.get_hits["/other"] == 0
    finally:
        fetcher.close()
    assert busy.value.retry_after is not None and busy.value.retry_after > 30


@pytest.mark.parametrize(
    ("spellings", "key"),
    [
        (["http://news.example/a", "http://NEWS.example.:80/b", "https://news.example:443/c"],
         "news.example"),
        (["http://bücher.de/a", "http://xn--bcher-kva.de/b"], "xn--bcher-kva.de"),
        (["http://127.0.0.1:8001/a", "http://user@127.0.0.1:8001/b"], "127.0.0.1:8001"),
        (["http://[::1]:8080/a", "http://[::1]:8080/b"], "[::1]:8080"),
    ],
)  # fmt: skip
def test_every_spelling_of_a_host_shares_its_limits(spellings: list[str], key: str) -> None:
    """A redirect names an IDN host in punycode where the frontier holds it in Unicode; each
    spelling had a rate slot and a concurrency cap of its own."""
    assert {host_key(url) for url in spellings} == {key}


def test_the_store_follows_the_broker_unless_named(tmp_path: Path) -> None:
    embedded = make_settings(tmp_path, "sqlite://")
    assert gate_url(embedded) == f"sqlite:///{tmp_path / 'var' / 'hosts.sqlite'}"
    on_redis = make_settings(tmp_path, "sqlite://", broker_url="redis://r:6379/0")
    assert gate_url(on_redis) == "redis://r:6379/0"
    # refused where the settings are read, before a task opens the store
    with pytest.raises(ValueError, match="HOST_LIMITS_URL: unsupported scheme 'memcached'"):
        make_settings(tmp_path, "sqlite://", host_limits_url="memcached://x")
