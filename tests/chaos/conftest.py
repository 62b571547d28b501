"""The chaos suite prints one line per scenario at the end of the run."""

from __future__ import annotations

import pytest

SCENARIO_LINES: list[str] = []


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SCENARIO_LINES:
        terminalreporter.section("chaos scenarios")
        for line in SCENARIO_LINES:
            terminalreporter.write_line(line)
