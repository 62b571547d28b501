"""Questions for the broker that operators ask: is it up, how many tasks wait."""

from __future__ import annotations

from celery import Celery
from kombu.exceptions import ChannelError


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
