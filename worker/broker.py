"""Questions for the broker that operators ask: is it up, how many tasks wait.

Also how to reach it (transport options), shared by the worker's Celery app and by a bare app
that commands use to ask their questions without loading the worker's tasks.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu.exceptions import ChannelError
from sqlalchemy import create_engine, text

from worker.settings import Settings

# Longer than the longest countdown of a task: a retry's or a busy host's delay, both at most
# pipeline.decisions.MAX_RETRY_DELAY_SECONDS.
REDIS_VISIBILITY_TIMEOUT_SECONDS = 2 * 3600
# Delivered messages the embedded broker drops per call (a tick)
PRUNE_BATCH = 10_000


def transport_options(settings: Settings) -> dict[str, Any]:
    """kombu's options for the broker ``settings`` name."""
    if settings.broker_url.startswith("sqla+sqlite:///"):
        return {"connect_args": {"timeout": 60}}
    if settings.broker_url.startswith(("redis://", "rediss://")):
        # A retry waits up to an hour as a reserved, unacknowledged message; Redis must not
        # hand it to a second worker meanwhile. Lost messages come back through the sweep.
        return {"visibility_timeout": REDIS_VISIBILITY_TIMEOUT_SECONDS}
    return {}


def broker_client(settings: Settings) -> Celery:
    """A Celery app that only reaches the broker: no tasks, signals or extraction warm-up.

    ``worker.celery_app`` imports the whole pipeline (seconds on a busy machine), and the
    compose health check, which runs ``newsworker health`` every 30 s, timed out on it."""
    celery = Celery("newsworker", set_as_current=False)
    celery.conf.update(
        broker_url=settings.broker_url, broker_transport_options=transport_options(settings)
    )
    return celery


def queue_depth(celery: Celery, queue: str | None = None, connect_timeout: float = 5.0) -> int:
    """Messages waiting in ``queue`` (default: the tasks' queue), not counting those a worker
    holds. Works on Redis and on the embedded SQLAlchemy broker; raises on a broker error."""
    name = queue or str(celery.conf.task_default_queue)
    with celery.connection_for_read() as connection:
        # Bounded: kombu would otherwise retry a dead broker for as long as it takes.
        connection.ensure_connection(max_retries=1, timeout=connect_timeout)
        try:
            declared = connection.default_channel.queue_declare(queue=name, passive=True)
        except ChannelError as exc:
            if "NOT_FOUND" in str(exc):  # Redis keeps no key for an empty queue
                return 0
            raise
        return int(declared.message_count)


def ping_broker(celery: Celery) -> None:
    """Raise if the broker cannot be reached."""
    with celery.connection_for_write() as connection:
        connection.ensure_connection(max_retries=1, timeout=5)


def prune_delivered(broker_url: str, batch: int = PRUNE_BATCH) -> int:
    """Delete up to ``batch`` messages the embedded broker has delivered; 0 on any other broker.

    kombu's SQLAlchemy transport marks a delivered message invisible and keeps it for good, and
    its fetch reads past every one of them each time a worker polls a queue: an idle ``run``
    used 0.6 % of a core with 900 of them and 65 % with 300,000 (the tick alone sends 2,880 a
    day). A delivered message is never read again: a worker that stops hands back what it holds
    as new messages."""
    if not broker_url.startswith("sqla+sqlite:///"):
        return 0
    engine = create_engine(broker_url.removeprefix("sqla+"), connect_args={"timeout": 60})
    try:
        with engine.begin() as connection:
            deleted = connection.execute(
                text(
                    "DELETE FROM kombu_message WHERE id IN "
                    "(SELECT id FROM kombu_message WHERE visible = 0 LIMIT :batch)"
                ),
                {"batch": batch},
            )
        return int(deleted.rowcount or 0)
    finally:
        engine.dispose()
