"""Times given on the command line: a duration back from now ("6h", "2d") or a date/time."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(value: str, now: datetime | None = None) -> datetime:
    """``"24h"`` -> 24 hours before ``now``; ``"2026-11-01"`` or an ISO time -> that time (UTC
    when no zone is given), in UTC: the commands print it as UTC. Raises ValueError with the
    accepted forms."""
    try:
        return _parse(value, now or datetime.now(UTC))
    except OverflowError:  # "1000000d", or 0001-01-01 east of UTC: not a year 1 to 9999 time
        raise ValueError(
            f"{value!r} is out of range: times run from year 1 to 9999 (UTC)"
        ) from None


def _parse(value: str, now: datetime) -> datetime:
    match = _DURATION.match(value)
    if match:
        return now - timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{value!r} is neither a duration (30m, 6h, 2d, 1w) nor a date (2026-11-01, "
            "2026-11-01T06:00+09:00)"
        ) from None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
