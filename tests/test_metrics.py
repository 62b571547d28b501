"""Metrics: the right series move, the queue depth is the broker's, and the endpoint serves the
samples of forked processes. Real brokers (Redis, the embedded SQLite one), real host gates."""

from __future__ import annotations

import importlib
import os
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from celery import Celery
from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from worker import metrics
from worker.broker import prune_delivered
from worker.errors import ExtractionError, FetchError, NewsworkerError
from worker.fetching.hostgate import HostBusy, HostLimits
from worker.fetching.hoststores import SqliteGate
from worker.pipeline.decisions import SKIP_REASONS

QUEUE = "newsworker"


def value(name: str, **labels: str) -> float:
    """A sample of the default registry; 0 for a series not created yet."""
    return REGISTRY.get_sample_value(name, labels) or 0.0


def reasons_of(cls: type[NewsworkerError]) -> set[str]:
    return {cls.reason}.union(*(reasons_of(sub) for sub in cls.__subclasses__()))


# --- counters -------------------------------------------------------------------------------


def test_page_fetched_counts_by_outlet_and_status() -> None:
    before = value("newsworker_pages_fetched_total", outlet="pf", status="200")
    metrics.page_fetched("pf", "200")
    metrics.page_fetched("pf", "200")
    metrics.page_fetched("pf", "timeout")
    assert value("newsworker_pages_fetched_total", outlet="pf", status="200") == before + 2
    assert value("newsworker_pages_fetched_total", outlet="pf", status="timeout") == 1
    assert value("newsworker_pages_fetched_total", outlet="pf", status="404") == 0


def test_the_last_good_things_are_timestamps_an_alert_can_age() -> None:
    before = time.time()
    metrics.url_finished("ts", "stored", None)
    metrics.url_finished("ts", "failed", "http_404")
    metrics.polled("ts", "ts/feed", "not_modified")
    metrics.polled("ts", "ts/other", "http_500")
    metrics.ticked()
    assert value("newsworker_last_stored_timestamp_seconds", outlet="ts") >= before
    assert (
        value("newsworker_last_poll_ok_timestamp_seconds", outlet="ts", source="ts/feed") >= before
    )
    assert value("newsworker_last_poll_ok_timestamp_seconds", outlet="ts", source="ts/other") == 0
    assert value("newsworker_last_tick_timestamp_seconds") >= before


@pytest.mark.parametrize(
    ("state", "reason", "extraction", "duplicate"),
    [
        ("skipped", "not_article", True, False),
        ("failed", "not_article", True, False),
        ("failed", "extraction", True, False),
        ("failed", "extractor_crashed", True, False),
        ("failed", "http_404", False, False),
        ("failed", "timeout", False, False),
        ("skipped", "robots", False, False),
        ("skipped", "too_large", False, False),
        ("duplicate", "near_copy", False, True),
        ("duplicate", "canonical", False, True),
        ("stored", None, False, False),
        # An extraction reason on a state that is not a failure is no extraction failure.
        ("pending", "not_article", False, False),
    ],
)
def test_url_finished_classifies_extraction_failures_and_duplicates(
    state: str, reason: str | None, extraction: bool, duplicate: bool
) -> None:
    outlet = f"uf-{state}-{reason}"
    metrics.url_finished(outlet, state, reason)
    finished = value(
        "newsworker_urls_finished_total", outlet=outlet, state=state, reason=reason or ""
    )
    assert finished == 1
    failures = value("newsworker_extraction_failures_total", outlet=outlet, reason=reason or "")
    duplicates = value("newsworker_duplicates_total", outlet=outlet, reason=reason or "")
    assert (failures, duplicates) == (float(extraction), float(duplicate))


def test_extraction_reasons_are_those_of_the_extraction_errors() -> None:
    """Every reason an ExtractionError class carries, and the pipeline's crash reason; no reason
    of a fetch error (some, like too_large, also end `skipped`)."""
    assert reasons_of(ExtractionError) <= metrics.EXTRACTION_REASONS
    assert {"not_article", "extraction", "extractor_crashed"} <= metrics.EXTRACTION_REASONS
    assert not metrics.EXTRACTION_REASONS & reasons_of(FetchError)
    assert not metrics.EXTRACTION_REASONS & (SKIP_REASONS - {"not_article"})


# --- histograms -----------------------------------------------------------------------------


def test_host_gate_observes_each_wait_and_each_give_up(tmp_path: Path) -> None:
    host = "metrics.test:8001"
    gate = SqliteGate(tmp_path / "hosts.sqlite", max_wait=5.0, lease_seconds=30.0)
    try:
        limits = HostLimits(delay=0.3, concurrency=1)
        with gate.slot(host, limits) as first:
            pass
        with gate.slot(host, limits) as second:
            pass
        assert value("newsworker_host_wait_seconds_count", host=host) == 2
        total = value("newsworker_host_wait_seconds_sum", host=host)
        assert total == pytest.approx(first + second, abs=0.01)
        assert second >= 0.2, "the second request waited for the host's delay"
        assert value("newsworker_host_wait_seconds_bucket", host=host, le="0.005") == 1

        gate.push_back(host, 60.0)  # a Retry-After far beyond the wait allowed
        impatient = SqliteGate(tmp_path / "hosts.sqlite", max_wait=0.2, lease_seconds=30.0)
        with pytest.raises(HostBusy), impatient.slot(host, limits):
            pass
        impatient.close()
        assert value("newsworker_host_wait_seconds_count", host=host) == 3
    finally:
        gate.close()


def test_task_latency_by_task_and_outcome() -> None:
    metrics.task_started("id-1")
    time.sleep(0.05)
    metrics.task_finished("id-1", "test.sleepy", "SUCCESS")
    metrics.task_finished("never-started", "test.sleepy", "SUCCESS")  # ignored, no crash
    assert value("newsworker_task_seconds_count", task="test.sleepy", outcome="SUCCESS") == 1
    assert value("newsworker_task_seconds_sum", task="test.sleepy", outcome="SUCCESS") >= 0.05


@pytest.fixture
def signal_wiring(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """worker.celery_app's signal handlers, connected (its import creates ``var/`` in the
    working directory, so the import happens in tmp_path)."""
    monkeypatch.chdir(tmp_path)
    importlib.import_module("worker.celery_app")


def test_celery_signals_time_tasks_with_their_state(signal_wiring: None) -> None:
    """Real Celery task runs (eager) through the handlers of worker.celery_app."""
    celery = Celery("metrics-test", set_as_current=False)
    celery.conf.update(task_always_eager=True, task_eager_propagates=False)

    @celery.task(name="test.ok")
    def ok() -> int:
        return 1

    @celery.task(name="test.boom")
    def boom() -> None:
        raise RuntimeError("boom")

    @celery.task(name="test.again", bind=True, max_retries=1)
    def again(self: Any) -> None:
        raise self.retry(countdown=0)

    before = {
        (task, outcome): value("newsworker_task_seconds_count", task=task, outcome=outcome)
        for task, outcome in [("test.ok", "SUCCESS"), ("test.boom", "FAILURE")]
    }
    ok.apply()
    boom.apply()
    again.apply()
    assert value("newsworker_task_seconds_count", task="test.ok", outcome="SUCCESS") == (
        before["test.ok", "SUCCESS"] + 1
    )
    assert value("newsworker_task_seconds_count", task="test.boom", outcome="FAILURE") == (
        before["test.boom", "FAILURE"] + 1
    )
    assert value("newsworker_task_seconds_count", task="test.again", outcome="RETRY") >= 1


# --- queue depth ----------------------------------------------------------------------------


def broker_app(url: str) -> Iterator[Celery]:
    celery = Celery("metrics-broker-test", broker=url, set_as_current=False)
    celery.conf.update(task_default_queue=QUEUE, broker_connection_retry_on_startup=False)
    yield celery
    celery.close()


@pytest.fixture
def redis_app(redis_url: str) -> Iterator[Celery]:
    yield from broker_app(redis_url)


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[Celery]:
    yield from broker_app(f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}")


def scrape(celery: Celery) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(metrics.QueueDepthCollector(celery, connect_timeout=2.0))
    return registry


@pytest.mark.parametrize("app_fixture", ["redis_app", "sqlite_app"])
def test_queue_depth_is_the_brokers(app_fixture: str, request: pytest.FixtureRequest) -> None:
    celery: Celery = request.getfixturevalue(app_fixture)
    registry = scrape(celery)
    # An empty queue: Redis has no key for it at all, SQLite an empty table.
    assert registry.get_sample_value("newsworker_queue_depth", {"queue": QUEUE}) == 0
    assert registry.get_sample_value("newsworker_broker_up") == 1
    for n in range(3):
        celery.send_task("newsworker.poll", (n,))
    assert registry.get_sample_value("newsworker_queue_depth", {"queue": QUEUE}) == 3
    with celery.connection_for_write() as connection:
        connection.default_channel.basic_get(QUEUE, no_ack=True)
    assert registry.get_sample_value("newsworker_queue_depth", {"queue": QUEUE}) == 2


def test_the_embedded_broker_drops_what_it_delivered_and_keeps_what_waits(
    sqlite_app: Celery, tmp_path: Path
) -> None:
    """kombu's SQLite transport kept every delivered message, and each fetch read past them
    all: an idle worker's CPU grew with the days it had run."""
    for n in range(5):
        sqlite_app.send_task("newsworker.poll", (n,))
    with sqlite_app.connection_for_write() as connection:
        for _ in range(3):
            connection.default_channel.basic_get(QUEUE, no_ack=True)
    url = str(sqlite_app.conf.broker_url)
    assert [prune_delivered(url, batch=2), prune_delivered(url), prune_delivered(url)] == [2, 1, 0]
    with sqlite3.connect(tmp_path / "broker.sqlite") as db:
        assert db.execute("SELECT count(*) FROM kombu_message").fetchone() == (2,)
    assert scrape(sqlite_app).get_sample_value("newsworker_queue_depth", {"queue": QUEUE}) == 2
    with sqlite_app.connection_for_write() as connection:
        left = [connection.default_channel.basic_get(QUEUE, no_ack=True) for _ in range(2)]
    assert [message.headers["argsrepr"] for message in left] == ["(3,)", "(4,)"]
    assert prune_delivered("redis://127.0.0.1:6379/0") == 0, "Redis deletes what it delivers"


@pytest.mark.parametrize(
    "url",
    ["redis://127.0.0.1:1/0", "sqla+sqlite:////nonexistent/newsworker/broker.sqlite"],
    ids=["redis-refused", "sqlite-unopenable"],
)
def test_a_broken_broker_does_not_break_the_scrape(url: str) -> None:
    for celery in broker_app(url):
        started = time.monotonic()
        registry = scrape(celery)
        assert registry.get_sample_value("newsworker_broker_up") == 0
        assert registry.get_sample_value("newsworker_queue_depth", {"queue": QUEUE}) is None
        assert time.monotonic() - started < 10, "the scrape gives up on a dead broker"


# --- the endpoint ---------------------------------------------------------------------------


def test_no_endpoint_without_multiprocess_mode_or_with_port_0() -> None:
    celery = Celery("metrics-off", set_as_current=False)
    assert not metrics.multiprocess_mode(), "tests run with the in-process registry"
    assert metrics.serve(celery, 0) is False
    assert metrics.serve(celery, free_port(), "127.0.0.1") is False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


_SERVER = textwrap.dedent(
    """
    import os, socket, sys
    from celery import Celery
    from worker import metrics
    from worker.logging import configure_logging

    configure_logging("INFO", json=True)  # to stderr
    celery = Celery("served", broker=sys.argv[1], set_as_current=False)
    celery.conf.task_default_queue = "newsworker"
    assert metrics.multiprocess_mode()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    print("busy", metrics.serve(celery, busy.getsockname()[1], "127.0.0.1"), flush=True)
    serving = metrics.serve(celery, int(sys.argv[2]), "127.0.0.1")
    metrics.page_fetched("parent", "200")
    child = os.fork()
    if child == 0:  # a pool child: its samples go to a file of its own
        metrics.process_forked()  # closes the child's copy of the listening socket only
        metrics.page_fetched("child", "200")
        metrics.task_started("t")
        metrics.task_finished("t", "newsworker.fetch", "SUCCESS")
        os._exit(0)
    os.waitpid(child, 0)
    metrics.process_exited(child)
    print("free", serving, flush=True)
    sys.stdin.read()
    """
)


def test_endpoint_serves_every_process_and_survives_a_busy_port(
    tmp_path: Path, sqlite_app: Celery
) -> None:
    """The multiprocess endpoint as the worker's main process runs it, in a process of its own
    (prometheus-client picks multiprocess mode at import): a port in use is a warning, then a
    free port serves the samples of a forked child, the parent's and the queue depth."""
    sqlite_app.send_task("newsworker.poll", (1,))
    directory = tmp_path / "metrics"
    directory.mkdir()
    port = free_port()
    env = {**os.environ, metrics.MULTIPROC_DIR_ENV: str(directory)}
    process = subprocess.Popen(
        [sys.executable, "-c", _SERVER, str(sqlite_app.conf.broker_url), str(port)],
        env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(2)]
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text if lines else ""
    finally:
        _, log = process.communicate(timeout=10)
    assert lines == ["busy False", "free True"], log
    assert "metrics.not_listening" in log, "a port in use is logged"
    assert "metrics.listening" in log
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    fetched = "newsworker_pages_fetched_total"
    assert samples[fetched, (("outlet", "child"), ("status", "200"))] == 1
    assert samples[fetched, (("outlet", "parent"), ("status", "200"))] == 1
    task = (("outcome", "SUCCESS"), ("task", "newsworker.fetch"))
    assert samples["newsworker_task_seconds_count", task] == 1
    assert samples["newsworker_queue_depth", (("queue", QUEUE),)] == 1
    assert samples["newsworker_broker_up", ()] == 1
