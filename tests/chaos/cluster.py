"""Two real worker processes and a beat over the chaos Redis and PostgreSQL, and what a test
needs to hurt them: signal a worker, start it again, ask every worker to answer."""

from __future__ import annotations

import os
import signal
import subprocess
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from celery import Celery
from kombu import pools

from tests.chaos.faults import RedisServer
from tests.e2e.processes import start, stop

WORKERS = ("a", "b")


@dataclass
class Cluster:
    env: dict[str, str]
    directory: Path
    broker: RedisServer
    database_url: str
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> Path:
        return self.directory / f"{name}.log"

    def start(self) -> None:
        for name in WORKERS:
            self.start_worker(name)
        self.processes["beat"] = start(["beat"], self.env, self.directory, self.log("beat"))

    def start_worker(self, name: str) -> None:
        argv = ["worker", "--concurrency", "2", "--hostname", f"{name}@chaos"]
        self.processes[name] = start(argv, self.env, self.directory, self.log(name))

    def kill_worker(self, name: str) -> None:
        """SIGKILL to the worker and its pool processes at once, as a container runtime does."""
        process = self.processes[name]
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def terminate_worker(self, name: str, timeout: float = 60) -> int:
        """SIGTERM to the worker's main process (warm shutdown); its exit code."""
        process = self.processes[name]
        process.send_signal(signal.SIGTERM)
        return process.wait(timeout=timeout)

    def dead(self) -> list[str]:
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def answering(self) -> set[str]:
        """Node names of the workers that answer a broadcast ping through the broker."""
        # kombu's process-wide producer pools hold connections to a crashed Redis
        pools.reset()  # type: ignore[no-untyped-call]
        client = Celery("chaos-ping", broker=self.broker.url)
        try:
            replies = client.control.ping(timeout=3)
        finally:
            client.close()
        return {name for reply in replies for name in reply}

    def stop(self) -> None:
        for process in self.processes.values():
            stop(process)

    def tail(self, lines: int = 40) -> str:
        parts = []
        for name in self.processes:
            text = self.log(name).read_text(errors="replace").splitlines()[-lines:]
            parts.append(f"--- {name}\n" + "\n".join(text))
        return "\n".join(parts)
