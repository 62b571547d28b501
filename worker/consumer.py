"""Celery's consumer, made to live through the broker connection dying under a held task.

When Redis goes away while the worker holds an unacknowledged message (a task in progress, or
one due later), kombu closes the lost connection's channel twice: the first close fails on the
dead socket, the second finds the transport already detached and raises ``AttributeError``
("'NoneType' object has no attribute 'hostname'") from inside Celery's connection-loss
handler. Celery takes any such error for an unrecoverable one and the worker exits
(celery/kombu#582, #970). The connection is gone either way, so this consumer lets Celery
reconnect as it does for every other connection loss. The held message is not lost: it comes
back with Redis's visibility timeout, or through the tick's sweep of lost tasks.
"""

from __future__ import annotations

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
