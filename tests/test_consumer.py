"""The consumer's guard around acknowledgements on a channel whose connection was lost."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from worker.consumer import detached, unless_detached


class _Message:
    """Stands in for a kombu message: its channel's transport, and an acknowledgement that
    fails as kombu's Redis transport does on a closed connection."""

    def __init__(self, client: object | None) -> None:
        self.channel = SimpleNamespace(connection=SimpleNamespace(client=client))
        self.delivery_tag = "7"
        self.acked = False

    def ack_log_error(self, *args: Any) -> None:
        if self.channel.connection.client is None:
            raise AttributeError("'NoneType' object has no attribute 'hostname'")
        self.acked = True


def test_an_ack_on_a_lost_connection_is_dropped_not_raised() -> None:
    message = _Message(client=None)
    assert detached(message)
    assert unless_detached(message.ack_log_error)("logger", ()) is None


def test_an_ack_on_a_live_connection_is_made() -> None:
    message = _Message(client=object())
    unless_detached(message.ack_log_error)("logger", ())
    assert message.acked and not detached(message)


def test_an_attribute_error_on_a_live_connection_still_raises() -> None:
    """A bug is not a lost connection: it must not be swallowed."""

    class Broken(_Message):
        def ack_log_error(self, *args: Any) -> None:
            raise AttributeError("a bug")

    with pytest.raises(AttributeError, match="a bug"):
        unless_detached(Broken(client=object()).ack_log_error)("logger", ())
    with pytest.raises(AttributeError, match="a bug"):
        unless_detached(Broken.ack_log_error)("logger", ())
