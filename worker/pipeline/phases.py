"""Where one URL's time went: milliseconds per pipeline phase, for its ``url.done`` log line.

``process_url`` times its phases (``start``: the transaction that claims the attempt, ``fetch``,
``extract``, ``store``) and ``store`` the lookups that decide duplicates and stories inside its
transaction (``dedup``). Time is exclusive: a phase nested in another counts for the inner one
only, so the fields add up to the time spent in the phases. Nothing here decides anything.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager


class PhaseClock:
    """Exclusive milliseconds per named phase of one URL."""

    def __init__(self) -> None:
        self.ms: dict[str, float] = {}
        self._stack: list[str] = []
        self._mark = time.perf_counter()

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self._charge()
        self._stack.append(name)
        try:
            yield
        finally:
            self._charge()
            self._stack.pop()

    def fields(self) -> dict[str, float]:
        """``{"fetch_ms": 12.3, ...}``: log fields, rounded to 0.1 ms."""
        return {f"{name}_ms": round(ms, 1) for name, ms in self.ms.items()}

    def _charge(self) -> None:
        """Add the time since the last mark to the innermost open phase."""
        now = time.perf_counter()
        if self._stack:
            name = self._stack[-1]
            self.ms[name] = self.ms.get(name, 0.0) + (now - self._mark) * 1000
        self._mark = now
