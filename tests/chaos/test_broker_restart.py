"""A worker holding a task lives through Redis restarting under it.

kombu closes the channel twice when its blocking read fails; the second close finds the
transport already detached and raises ``AttributeError`` from deep inside, which Celery takes
for an unrecoverable error: the worker exited (seen in the chaos suite, one run in a few). The
worker's consumer (``worker.consumer.BrokerConsumer``) treats that as the connection loss it is.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from celery import Celery
from kombu import pools

from tests.chaos.faults import RedisServer
from tests.e2e.processes import running, service_env, wait_until

pytestmark = [pytest.mark.slow, pytest.mark.redis]

RESTARTS = 3


def _hand_a_task_for_later(broker: RedisServer) -> None:
    """A task due in ten minutes: the worker holds it unacknowledged until then, as it holds a
    task in progress, so closing the lost connection has a message to restore."""
    client = Celery("restart-send", broker=broker.url)
    try:
        client.send_task("newsworker.tick", countdown=600, queue="newsworker")
    finally:
        client.close()


def _answers(broker: RedisServer) -> bool:
    # kombu's process-wide pools hold connections to the crashed server
    pools.reset()  # type: ignore[no-untyped-call]
    client = Celery("restart-ping", broker=broker.url)
    try:
        return bool(client.control.ping(timeout=2))
    finally:
        client.close()


def test_a_worker_holding_a_task_survives_redis_restarting(tmp_path: Path) -> None:
    broker = RedisServer(tmp_path / "redis")
    try:
        broker.start()
    except OSError as exc:
        pytest.skip(f"cannot start a Redis server of the test's own: {exc}")
    env = service_env(tmp_path, broker_url=broker.url)
    log = tmp_path / "worker.log"
    try:
        with running(["worker", "--concurrency", "1"], env, tmp_path, log) as worker:
            wait_until(lambda: _answers(broker), 60, "the worker to answer a ping", log)
            for restart in range(RESTARTS):
                _hand_a_task_for_later(broker)
                time.sleep(1)  # the worker takes it
                broker.crash()
                time.sleep(2)
                broker.start()
                wait_until(
                    lambda: worker.poll() is not None or _answers(broker), 60,
                    f"the worker to answer after restart {restart + 1}", log,
                )  # fmt: skip
                assert worker.poll() is None, (
                    f"the worker exited ({worker.returncode}) after Redis restart {restart + 1}\n"
                    + log.read_text(errors="replace")[-3000:]
                )
    finally:
        broker.crash()
