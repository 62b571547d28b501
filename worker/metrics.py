"""Prometheus metrics: pages fetched, how URLs ended, task latency, host waits, queue depth.

The pipeline calls the small functions here; it never touches prometheus_client itself, so the
metric names and labels live in one place.

Pool children of a prefork worker do the work, so their samples must reach the process that
serves ``/metrics``. ``newsworker worker`` and ``run`` point ``PROMETHEUS_MULTIPROC_DIR`` at an
empty directory before this module is imported (prometheus-client picks its storage at import):
every process then writes its samples to files there, and the main worker process serves them
merged, plus the queue depth read from the broker at scrape time. Without that directory
(tests calling the pipeline, ``crawl --inline``, beat) the metrics go to the default in-process
registry and nothing listens.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING
from wsgiref.simple_server import WSGIServer

import structlog
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
    start_http_server,
    values,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from worker.broker import queue_depth
from worker.errors import ExtractionError

if TYPE_CHECKING:
    from datetime import datetime

    from celery import Celery

log = structlog.get_logger(__name__)

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _class_reasons(cls: type[ExtractionError]) -> frozenset[str]:
    return frozenset({cls.reason}).union(*(_class_reasons(s) for s in cls.__subclasses__()))


# Reasons a page's extraction gave up with: the ExtractionError tree's own, plus the reason the
# pipeline gives an unexpected extractor crash (worker.pipeline.process._extract).
EXTRACTION_REASONS = _class_reasons(ExtractionError) | {"extractor_crashed"}

PAGES_FETCHED = Counter(
    "newsworker_pages_fetched",
    "Page fetches, by outlet and status: the HTTP status of a page read (200), else the fetch "
    "error's reason (http_404, timeout).",
    ["outlet", "status"],
)
POLLS = Counter(
    "newsworker_polls",
    "Polls of a source, by outlet, source key and result: ok, not_modified, host_busy, or the "
    "failure's reason (http_500, timeout, bad_feed, crashed).",
    ["outlet", "source", "result"],
)
URLS_FINISHED = Counter(
    "newsworker_urls_finished",
    "URLs brought to a state, by outlet, state and reason (empty when none).",
    ["outlet", "state", "reason"],
)
EXTRACTION_FAILURES = Counter(
    "newsworker_extraction_failures",
    "Fetched pages that did not become an article, by outlet and extraction reason.",
    ["outlet", "reason"],
)
DUPLICATES = Counter(
    "newsworker_duplicates",
    "Pages found to repeat a stored article, by outlet and reason "
    "(canonical, same_content, near_copy).",
    ["outlet", "reason"],
)
TASK_SECONDS = Histogram(
    "newsworker_task_seconds",
    "Run time of Celery tasks, by task name and outcome (SUCCESS, RETRY, FAILURE; a task that "
    "ended without a state, killed at its time limit, is a FAILURE).",
    ["task", "outcome"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
)
# Times of the last good thing, for "nothing for N hours" alerts (time() - value). Merged
# across the pool's processes by their maximum; absent until it first happens in this run.
LAST_STORED = Gauge(
    "newsworker_last_stored_timestamp_seconds",
    "Unix time an article of the outlet was last stored (or re-stored) by this worker.",
    ["outlet"],
    multiprocess_mode="max",
)
LAST_POLL_OK = Gauge(
    "newsworker_last_poll_ok_timestamp_seconds",
    "Unix time the source was last polled without error (ok or not modified) by this worker.",
    ["outlet", "source"],
    multiprocess_mode="max",
)
LAST_TICK = Gauge(
    "newsworker_last_tick_timestamp_seconds",
    "Unix time this worker last ran beat's tick (which claims the due sources).",
    multiprocess_mode="max",
)
# The frontier's backlog as the last tick read it (any process of the pool may run it).
URLS_PENDING = Gauge(
    "newsworker_urls_pending",
    "URLs waiting for a fetch (new, queued again, or due for a retry), as the last tick counted.",
    multiprocess_mode="mostrecent",
)
OLDEST_PENDING = Gauge(
    "newsworker_oldest_pending_timestamp_seconds",
    "Unix time the longest-waiting pending URL was queued (or is due for its retry), as the "
    "last tick read it; the tick's own time when none waits.",
    multiprocess_mode="mostrecent",
)
HOST_WAIT_SECONDS = Histogram(
    "newsworker_host_wait_seconds",
    "Seconds a fetch waited for its per-host slot (rate limit, concurrency cap, Retry-After); "
    "a give-up (host busy) counts with the time waited so far.",
    ["host"],
    buckets=(0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30),
)

_task_started: dict[str, float] = {}
_server: WSGIServer | None = None  # the endpoint's server, in the process that started it


def page_fetched(outlet: str, status: str) -> None:
    """One page fetch ended: ``status`` is the HTTP status ("200", "404") or an error reason."""
    PAGES_FETCHED.labels(outlet, status).inc()


def polled(outlet: str, source: str, result: str) -> None:
    """A poll of ``source`` ended with ``result`` ("ok", "not_modified", a failure's reason):
    a feed failing on every poll is an alert's business, and nothing else counted it."""
    POLLS.labels(outlet, source, result).inc()
    if result in ("ok", "not_modified"):
        LAST_POLL_OK.labels(outlet, source).set(time.time())


def ticked() -> None:
    """Beat's tick ran here: its age is how long ago beat, broker and a worker all worked."""
    LAST_TICK.set(time.time())


def backlog(pending: int, oldest_queued_at: datetime | None) -> None:
    """The tick read the frontier: ``time() - newsworker_oldest_pending_timestamp_seconds`` is
    how long the oldest pending URL has waited (0 when none does)."""
    URLS_PENDING.set(pending)
    OLDEST_PENDING.set(oldest_queued_at.timestamp() if oldest_queued_at else time.time())


def url_finished(outlet: str, state: str, reason: str | None) -> None:
    """A URL reached ``state``; extraction failures and duplicates are also counted apart, as
    they are what an operator watches (a changed site layout, a syndication burst)."""
    URLS_FINISHED.labels(outlet, state, reason or "").inc()
    if state == "stored":
        LAST_STORED.labels(outlet).set(time.time())
    if state == "duplicate":
        DUPLICATES.labels(outlet, reason or "").inc()
    elif state in ("failed", "skipped") and reason in EXTRACTION_REASONS:
        EXTRACTION_FAILURES.labels(outlet, reason).inc()


def host_waited(host: str, seconds: float) -> None:
    """A fetch waited ``seconds`` for a slot on ``host`` (or gave up after them)."""
    HOST_WAIT_SECONDS.labels(host).observe(max(0.0, seconds))


def task_started(task_id: str) -> None:
    """Celery's task_prerun: remember when the task began (per process, keyed by task id)."""
    _task_started[task_id] = time.monotonic()


def task_finished(task_id: str, task: str, outcome: str | None) -> None:
    """Celery's task_postrun: observe the run time under the task state it ended in."""
    started = _task_started.pop(task_id, None)
    if started is not None:
        TASK_SECONDS.labels(task, outcome or "FAILURE").observe(time.monotonic() - started)


class QueueDepthCollector(Collector):
    """Messages waiting in the Celery default queue, asked of the broker at each scrape.

    A number only the broker knows, so it is read when Prometheus asks rather than pushed by a
    process. An unreachable broker yields ``newsworker_broker_up 0`` and no depth sample instead
    of a failed scrape, so the worker's other metrics still arrive.
    """

    def __init__(self, celery: Celery, connect_timeout: float = 5.0) -> None:
        self.celery = celery
        self.connect_timeout = connect_timeout

    def describe(self) -> Iterable[Metric]:
        return self._families()

    def collect(self) -> Iterable[Metric]:
        depth, up = self._families()
        queue = str(self.celery.conf.task_default_queue)
        try:
            depth.add_metric([queue], self.message_count(queue))
            up.add_metric([], 1)
        except Exception as exc:  # kombu raises many kinds; all mean "no answer"
            log.warning("metrics.broker_unreachable", queue=queue, error=str(exc))
            up.add_metric([], 0)
        return [depth, up]

    def message_count(self, queue: str) -> int:
        return queue_depth(self.celery, queue, connect_timeout=self.connect_timeout)

    @staticmethod
    def _families() -> tuple[GaugeMetricFamily, GaugeMetricFamily]:
        return (
            GaugeMetricFamily(
                "newsworker_queue_depth",
                "Messages waiting in the Celery queue, read from the broker at scrape time.",
                labels=["queue"],
            ),
            GaugeMetricFamily(
                "newsworker_broker_up", "1 when the broker answered the queue depth query, else 0."
            ),
        )


def multiprocess_mode() -> bool:
    """Whether samples go to files in PROMETHEUS_MULTIPROC_DIR (set before the first import)."""
    return bool(getattr(values.ValueClass, "_multiprocess", False))


def serve(celery: Celery, port: int, address: str = "0.0.0.0") -> bool:  # noqa: S104
    """Serve ``/metrics`` of every process of this worker from a thread of this process.

    Called once in the main worker process. Nothing to serve without multiprocess mode (the
    pool children's samples would be missing), and a port in use only costs the endpoint, never
    the worker: both are logged as warnings. True when listening.
    """
    if port == 0:
        return False
    if not multiprocess_mode():
        log.warning(
            "metrics.off",
            why=f"{MULTIPROC_DIR_ENV} was not set before prometheus_client was imported; "
            "start the worker with `newsworker worker` or `newsworker run`",
        )
        return False
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    registry.register(QueueDepthCollector(celery))
    global _server
    try:
        _server, _ = start_http_server(port, addr=address, registry=registry)
    except OSError as exc:
        log.warning(
            "metrics.not_listening",
            address=address,
            port=port,
            error=str(exc),
            why="port in use? set NEWSWORKER_METRICS_PORT to a free port, 0 for none; "
            "the worker runs on without its metrics endpoint",
        )
        return False
    log.info(
        "metrics.listening", address=address, port=port, directory=os.environ.get(MULTIPROC_DIR_ENV)
    )
    return True


def process_forked() -> None:
    """In a pool child: close the inherited listening socket, so that a child outliving a
    killed main process does not keep the port from the worker that replaces it."""
    if _server is not None:
        _server.socket.close()


def process_exited(pid: int) -> None:
    """A pool child ended: drop its files of live gauges (none today; harmless)."""
    if multiprocess_mode():
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]
