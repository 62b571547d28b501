"""The Prometheus endpoint of a real prefork worker, scraped after a crawl of the test web.

The tasks run in the pool children; the main process serves their samples (prometheus-client's
multiprocess mode, files under ``var/metrics-<pid>``) and the queue depth read from the broker.
Embedded mode (SQLite broker and database), so no server is needed.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.processes import run_cli, running, service_env, wait_until
from tests.localweb.sites import TestWeb

pytestmark = pytest.mark.slow

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def expected_series(web: TestWeb) -> list[tuple[str, dict[str, str]]]:
    """Series the worker must serve after the crawl: (sample name, labels it carries at least):
    pages
    fetched and how URLs ended (the pipeline), task latency (Celery signals), host waits (the
    host gate), queue depth and broker state (the scrape-time collector), the tick's time and
    the backlog it read (beat's tick, run by the worker)."""
    hosts = [urlsplit(site.base_url).netloc for site in web.sites.values()]
    herald = {"outlet": "herald"}
    return [
        ("newsworker_pages_fetched_total", {**herald, "status": "200"}),
        ("newsworker_pages_fetched_total", {**herald, "status": "http_404"}),
        ("newsworker_urls_finished_total", {**herald, "state": "stored", "reason": ""}),
        ("newsworker_polls_total", {**herald, "result": "ok"}),
        ("newsworker_last_stored_timestamp_seconds", herald),
        ("newsworker_last_poll_ok_timestamp_seconds", herald),
        ("newsworker_extraction_failures_total", {**herald, "reason": "not_article"}),
        ("newsworker_task_seconds_count", {"task": "newsworker.poll", "outcome": "SUCCESS"}),
        ("newsworker_task_seconds_count", {"task": "newsworker.fetch", "outcome": "SUCCESS"}),
        *(("newsworker_host_wait_seconds_count", {"host": host}) for host in hosts),
        ("newsworker_queue_depth", {"queue": "newsworker"}),
        ("newsworker_broker_up", {}),
        ("newsworker_last_tick_timestamp_seconds", {}),
        ("newsworker_urls_pending", {}),
        ("newsworker_oldest_pending_timestamp_seconds", {}),
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def scrape(port: int) -> Samples:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def answers(port: int) -> bool:
    try:
        scrape(port)
    except httpx.HTTPError:
        return False
    return True


@pytest.mark.parametrize("pool", ["prefork", "threads"])
def test_worker_serves_the_metrics_of_its_pool(web: TestWeb, tmp_path: Path, pool: str) -> None:
    """Prefork: the tasks' samples come from the children; threads: from the main process."""
    port = free_port()
    env = service_env(
        tmp_path, sources_file=str(web.sources_file), metrics_port=str(port), tick_seconds="1"
    )
    log = tmp_path / "worker.log"
    argv = ["worker", "--concurrency", "2", "--pool", pool]
    with (
        running(argv, env, tmp_path, log) as worker,
        running(["beat"], env, tmp_path, tmp_path / "beat.log"),
    ):
        wait_until(lambda: answers(port), 60, "the metrics endpoint", log)
        wait_until(lambda: " ready." in log.read_text(errors="replace"), 60, "the worker", log)
        result = run_cli(["crawl", "--timeout", "120"], env, tmp_path)
        assert "crawl summary" in result.stdout, result.stdout + result.stderr
        crawled = time.time()

        def backlog_read_after_the_crawl() -> bool:
            tick = scrape(port).get(("newsworker_last_tick_timestamp_seconds", frozenset()), 0)
            return tick > crawled + 1  # a tick that began after the crawl ended

        wait_until(backlog_read_after_the_crawl, 60, "a tick after the crawl", log)
        samples = scrape(port)
        directory = tmp_path / "var" / f"metrics-{worker.pid}"
        writers = {
            int(match.group(1))
            for path in directory.iterdir()
            if (match := re.fullmatch(r"histogram_(\d+)\.db", path.name))
        }

    missing = [
        (name, labels)
        for name, labels in expected_series(web)
        if not any(n == name and frozenset(labels.items()) <= ls for n, ls in samples)
    ]
    assert not missing, f"series not served: {missing}\n{sorted(samples)[:80]}"

    def value(name: str, **labels: str) -> float:
        return samples[name, frozenset(labels.items())]

    fetches = sum(
        v
        for (name, labels), v in samples.items()
        if name == "newsworker_task_seconds_count" and ("task", "newsworker.fetch") in labels
    )
    assert fetches >= len(web.stored()), "a fetch task for every stored article at least"
    assert value("newsworker_broker_up") == 1
    stored_at = value("newsworker_last_stored_timestamp_seconds", outlet="herald")
    assert 0 <= time.time() - stored_at < 600, "the newest store, of all the pool's processes"
    assert value("newsworker_queue_depth", queue="newsworker") >= 0
    assert value("newsworker_urls_pending") == 0, "every URL of the crawl ended"
    assert crawled <= value("newsworker_oldest_pending_timestamp_seconds") <= time.time()
    if pool == "prefork":
        assert writers - {worker.pid}, f"task samples come from pool children, not {worker.pid}"
    else:
        assert writers == {worker.pid}, "threads run the tasks in the main process"
    assert not directory.exists(), "the worker removes its metrics files when it stops"
    assert "metrics.listening" in log.read_text(errors="replace")
