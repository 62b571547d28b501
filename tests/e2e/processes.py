"""Running real ``newsworker`` processes (worker, beat, CLI) from tests."""

from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

NEWSWORKER = str(Path(sys.executable).parent / "newsworker")


def service_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """Environment for a child process: only our settings, nothing from the developer's shell."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSWORKER_")}
    env.update(
        NEWSWORKER_VAR_DIR=str(tmp_path / "var"),
        NEWSWORKER_RETRY_BACKOFF_SECONDS="0.2",
        NEWSWORKER_LOG_LEVEL="INFO",
        NEWSWORKER_CONNECT_TIMEOUT="5",
        NEWSWORKER_READ_TIMEOUT="5",
        NEWSWORKER_ALLOW_NETWORKS="127.0.0.1/32",
        NEWSWORKER_HOST_DELAY_SECONDS="0.05",
        NEWSWORKER_METRICS_PORT="0",  # tests that scrape metrics pick a free port
    )
    env.update({f"NEWSWORKER_{key.upper()}": value for key, value in settings.items()})
    return env


def run_cli(
    args: list[str], env: dict[str, str], cwd: Path, timeout: float = 180
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [NEWSWORKER, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def start(args: list[str], env: dict[str, str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """A newsworker process in a session of its own (so its pool children can be signalled with
    it), its output appended to ``log``."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [NEWSWORKER, *args], env=env, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip


@contextmanager
def running(
    args: list[str], env: dict[str, str], cwd: Path, log: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """A long-running newsworker process; stopped (TERM, then KILL) with its children on exit."""
    process = start(args, env, cwd, log)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """TERM, then KILL to the process and its children (pool processes) if still there."""
    if process.poll() is None:
        process.terminate()  # the main process stops its pool children itself
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers (pool children)
    process.wait(timeout=10)


def wait_until(
    condition: Callable[[], bool], timeout: float, what: str, log: Path | None = None
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    tail = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
    raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{tail}")


def _says_ready(log: Path) -> bool:
    return " ready." in log.read_text(errors="replace")


@contextmanager
def two_workers(env: dict[str, str], cwd: Path) -> Iterator[list[Path]]:
    """Two worker processes (two pool children each) with distinct node names; their logs.

    Yields once both are consuming: a worker still warming up would leave every task to the
    other, and the test would not run two workers at once."""
    logs = [cwd / "worker-a.log", cwd / "worker-b.log"]
    argv = ["worker", "--concurrency", "2", "--hostname"]
    with (
        running([*argv, "a@%h"], env, cwd, logs[0]),
        running([*argv, "b@%h"], env, cwd, logs[1]),
    ):
        for log in logs:
            wait_until(functools.partial(_says_ready, log), 60, log.stem, log)
        yield logs
