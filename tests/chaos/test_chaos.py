"""Faults during a crawl lose nothing and duplicate nothing, proven with real processes.

A web of 271 URLs over six outlets (269 articles, 24 of them wire stories copied by two to four
outlets, a page gone and a video) is crawled by two worker processes (two pool processes each)
and a beat, through a Redis server of the suite's own into PostgreSQL. Once a third of the
articles are stored, one fault:

- SIGKILL to a worker and its pool processes in the middle of tasks, then it starts again;
- Redis crashes (its queues gone with it) and comes back three seconds later;
- PostgreSQL refuses connections and cuts every open one for five seconds;
- SIGTERM to a worker (warm shutdown), then it starts again.

Afterwards every offered URL is final, every article page is stored exactly once, the stories
are those of the crawl without faults, and both workers answer a ping. Each scenario prints a
line: offered, stored, skipped, failed, lost (0), duplicated (0).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.chaos.cluster import WORKERS, Cluster
from tests.chaos.conftest import SCENARIO_LINES
from tests.chaos.faults import RedisServer, database_outage
from tests.chaos.ledger import Ledger, count_final, read_ledger
from tests.chaos.site import ChaosWeb, chaos_web
from tests.conftest import PG_ADMIN_URL, truncate_postgres
from tests.e2e.processes import run_cli, service_env, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

FAULT_AT = 1 / 3  # share of the articles stored when the fault comes
CRAWL_TIMEOUT = 240.0  # seconds from the start to every URL final
PENDING_TIMEOUT = 15  # seconds before the tick's sweep queues a lost task again

Fault = Callable[[Cluster], None]


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ChaosWeb]:
    with chaos_web(tmp_path_factory.mktemp("chaos-web")) as started:
        yield started


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("chaos-redis"))
    try:
        server.start()
    except (OSError, Exception) as exc:  # no redis-server binary, or it would not start
        pytest.skip(f"cannot start a Redis server of the suite's own: {exc}")
    yield server
    server.crash()


def _crawl(
    scenario: str, fault: Fault | None, web: ChaosWeb, broker: RedisServer, pg_url: str,
    directory: Path,
) -> Ledger:  # fmt: skip
    """A crawl of the whole web with ``fault`` injected a third of the way; its ledger."""
    truncate_postgres(pg_url)
    broker.flush()
    env = service_env(
        directory, database_url=pg_url, broker_url=broker.url,
        sources_file=str(web.sources_file), tick_seconds="1",
        pending_timeout_seconds=str(PENDING_TIMEOUT), host_delay_seconds="0.02",
    )  # fmt: skip
    synced = run_cli(["sources", "--sync"], env, directory)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    cluster = Cluster(env, directory, broker, pg_url)
    articles, offered = len(web.article_urls()), len(web.offered_urls())
    cluster.start()
    try:
        if fault is not None:
            wait_until(
                lambda: count_final(pg_url, web, ("stored",)) >= articles * FAULT_AT,
                CRAWL_TIMEOUT, "a third of the articles stored", cluster.log("a"),
            )  # fmt: skip
            fault(cluster)
        wait_until(
            lambda: count_final(pg_url, web) == offered,
            CRAWL_TIMEOUT, f"every offered URL final after {scenario}", cluster.log("a"),
        )  # fmt: skip
        assert not cluster.dead(), f"{cluster.dead()} exited\n{cluster.tail()}"
        expected = {f"{name}@chaos" for name in WORKERS}
        # a worker started again a moment ago may not have joined the broadcast yet
        wait_until(
            lambda: cluster.answering() == expected, 60, "both workers to answer a ping",
            cluster.log("a"),
        )  # fmt: skip
    finally:
        cluster.stop()
    ledger = read_ledger(scenario, pg_url, web)
    SCENARIO_LINES.append(ledger.line())
    return ledger


@pytest.fixture(scope="module")
def baseline(
    web: ChaosWeb, broker: RedisServer, pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Ledger:
    return _crawl("no fault", None, web, broker, pg_url, tmp_path_factory.mktemp("baseline"))


def test_a_crawl_without_faults_stores_every_article_once_in_its_story(
    baseline: Ledger, web: ChaosWeb
) -> None:
    assert (baseline.lost, baseline.duplicated) == (0, 0), baseline.line()
    assert (baseline.stored, baseline.failed, baseline.skipped) == (len(web.article_urls()), 1, 1)
    assert baseline.groups == web.expected_groups()


def _sigkill_a_worker(cluster: Cluster) -> None:
    assert cluster.broker.queued() > 0, "the queue ran dry before the kill"
    cluster.kill_worker("a")
    cluster.start_worker("a")


def _restart_redis(cluster: Cluster) -> None:
    cluster.broker.crash()
    time.sleep(3)
    cluster.broker.start()


def _postgres_outage(cluster: Cluster) -> None:
    database = make_url(cluster.database_url).database
    assert database is not None
    with database_outage(PG_ADMIN_URL, database):
        time.sleep(5)


def _sigterm_a_worker(cluster: Cluster) -> None:
    code = cluster.terminate_worker("a")
    assert code == 0, f"warm shutdown exited {code}\n{cluster.tail()}"
    cluster.start_worker("a")


@pytest.mark.parametrize(
    ("scenario", "fault"),
    [
        ("SIGKILL a worker", _sigkill_a_worker),
        ("restart Redis", _restart_redis),
        ("PostgreSQL down 5s", _postgres_outage),
        ("SIGTERM a worker", _sigterm_a_worker),
    ],
    ids=["sigkill", "redis-restart", "postgres-outage", "sigterm"],
)
def test_a_fault_loses_and_duplicates_nothing(
    scenario: str,
    fault: Fault,
    baseline: Ledger,
    web: ChaosWeb,
    broker: RedisServer,
    pg_url: str,
    tmp_path: Path,
) -> None:
    ledger = _crawl(scenario, fault, web, broker, pg_url, tmp_path)
    assert (ledger.lost, ledger.duplicated) == (0, 0), ledger.line()
    assert (ledger.stored, ledger.failed, ledger.skipped) == (
        baseline.stored, baseline.failed, baseline.skipped,
    ), f"{ledger.line()}\nwithout faults: {baseline.line()}"  # fmt: skip
    assert ledger.groups == baseline.groups, "the stories differ from the crawl without faults"
