"""Celery's consumer, made to live through the broker connection dying under a held task.

When Redis goes away while the worker holds an unacknowledged message (a task in progress, or
one due later), kombu closes the lost connection's channel twice: the first close fails on the
dead socket, the second finds the transport already detached and raises ``AttributeError``
("'NoneType' object has no attribute 'hostname'") from inside Celery's connection-loss
handler. Celery takes any such error for an unrecoverable one and the worker exits
(celery/kombu#582, #970). The connection is gone either way, so this consumer lets Celery
reconnect as it does for every other connection loss.

The same detached channel bites once more when a task that was running while Redis went away
finishes after the worker has reconnected: Celery acknowledges its message on the old channel,
which raises the same ``AttributeError`` from the event loop, and the worker exits. Such an
acknowledgement cannot reach the broker anyway; it is logged and dropped.

The held message is not lost either way: it comes back with Redis's visibility timeout, or
through the tick's sweep of lost tasks, and the pipeline leaves a URL already in a final state
alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from celery.worker.consumer import Consumer

log = structlog.get_logger(__name__)


class BrokerConsumer(Consumer):  # type: ignore[misc]  # celery ships no type hints
    def on_connection_error_after_connected(self, exc: Exception) -> None:
        lost = self.connection
        try:
            super().on_connection_error_after_connected(exc)
        except AttributeError as closing:
            # Only the failed close of the lost connection: Celery has let go of it already
            # (self.connection is None), and what remains of the handler is optional tuning.
            if lost is None or self.connection is not None:
                raise
            log.warning(
                "broker.close_failed", error=repr(closing), cause=repr(exc),
                note="the lost connection could not be closed cleanly; reconnecting",
            )  # fmt: skip

    def call_soon_ack(self, p: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Celery's acknowledgement (or rejection) of a task's message, scheduled on the event
        loop, made harmless when the message's channel lost its connection meanwhile."""
        return super().call_soon_ack(unless_detached(p), *args, **kwargs)


def unless_detached(settle: Callable[..., Any]) -> Callable[..., Any]:
    """``settle`` (a message's ``ack_log_error`` or ``reject_log_error``), logging and dropping
    the ``AttributeError`` it raises when the message's channel is detached from its lost
    connection; any other error, or one on a live channel, goes on as before."""
    message = getattr(settle, "__self__", None)

    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return settle(*args, **kwargs)
        except AttributeError as exc:
            if not detached(message):
                raise
            log.warning(
                "broker.ack_lost", delivery_tag=getattr(message, "delivery_tag", None),
                error=repr(exc),
                note="the task's message was on the lost connection; it comes back by itself",
            )  # fmt: skip
            return None

    return run


def detached(message: object) -> bool:
    """The message's channel no longer belongs to a broker connection (kombu sets its
    transport's ``client`` to None when the connection is closed)."""
    channel = getattr(message, "channel", None)
    if channel is None:
        return False  # not a message's method: nothing known about a connection
    transport = getattr(channel, "connection", None)
    return transport is None or getattr(transport, "client", None) is None
