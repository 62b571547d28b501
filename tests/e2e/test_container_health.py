"""A container's health check judges its own process: a hung worker beside a live one, a hung
beat beside another, are unhealthy, though the service's `newsworker health` says ok."""

from __future__ import annotations

import functools
import json
import os
import signal
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update
from sqlalchemy.orm import Session

from tests.conftest import truncate_postgres
from tests.e2e.processes import run_cli, running, service_env, wait_until
from worker.storage import heartbeats
from worker.storage.models import Heartbeat

pytestmark = pytest.mark.slow

HOST = socket.gethostname()


def _env(pg_url: str, redis_url: str, tmp_path: Path) -> dict[str, str]:
    truncate_postgres(pg_url)
    sources = tmp_path / "sources.toml"  # beat syncs it; nothing here polls it
    sources.write_text(
        '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
        'kind = "feed"\nurl = "http://127.0.0.1:9/feed.xml"\n'
    )
    return service_env(tmp_path, database_url=pg_url, broker_url=redis_url,
                       sources_file=str(sources))  # fmt: skip


@contextmanager
def _session(url: str) -> Iterator[Session]:
    engine = create_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session, session.begin():
            yield session
    finally:
        engine.dispose()


def _row(url: str, name: str) -> Heartbeat | None:
    with _session(url) as session:
        return session.get(Heartbeat, name)


def _written(url: str, name: str) -> bool:
    return _row(url, name) is not None


def _age(url: str, name: str) -> None:
    """``name`` last seen ten minutes ago, as if its process hung then."""
    with _session(url) as session:
        ago = datetime.now(UTC) - timedelta(minutes=10)
        session.execute(update(Heartbeat).where(Heartbeat.name == name).values(last_seen_at=ago))


def _fresh(url: str, name: str, kind: str) -> None:
    with _session(url) as session:
        heartbeats.record(session, name, kind, datetime.now(UTC), {"state": "running"})


@contextmanager
def _hung(process: subprocess.Popen[bytes]) -> Iterator[None]:
    """The process and its children stopped (SIGSTOP), as a hung one; resumed after."""
    os.killpg(process.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(process.pid, signal.SIGCONT)


def _health(args: list[str], env: dict[str, str], cwd: Path) -> tuple[int, str]:
    checked = run_cli(["health", *args], env, cwd)
    assert len(checked.stdout.strip().splitlines()) == 1, checked.stdout + checked.stderr
    return checked.returncode, checked.stdout.strip()


def test_a_hung_worker_is_unhealthy_though_another_is_alive(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = _env(pg_url, redis_url, tmp_path)
    this, other = f"worker:celery@{HOST}", f"worker:other@{HOST}"
    logs = [tmp_path / "worker.log", tmp_path / "other.log"]
    argv = ["worker", "--concurrency", "1", "--pool", "solo"]
    with (
        # as in compose: no --hostname, so celery@<container id>
        running(argv, env, tmp_path, logs[0]) as worker,
        running([*argv, "--hostname", "other@%h"], env, tmp_path, logs[1]),
    ):
        for name, log in zip((this, other), logs, strict=True):
            wait_until(functools.partial(_written, pg_url, name), 90, name, log)
        _fresh(pg_url, heartbeats.TICK, "tick")  # the service is fine

        assert _health([], env, tmp_path)[0] == 0
        code, said = _health(["--worker"], env, tmp_path)
        assert code == 0 and said.startswith(f"ok: worker celery@{HOST} last seen"), said
        code, said = _health(["--worker", "--node", "other@%h"], env, tmp_path)
        assert code == 0 and f"worker other@{HOST}" in said, said

        with _hung(worker):
            _age(pg_url, this)  # its 90 s, without waiting them
            code, said = _health([], env, tmp_path)
            assert code == 0, f"the service check cannot tell: {said}"
            code, said = _health(["--worker"], env, tmp_path)
            assert code == 1, said
            assert said.startswith(f"unhealthy: worker celery@{HOST} last seen 10m ago"), said
            code, said = _health(["--worker", "--node", "other@%h"], env, tmp_path)
            assert code == 0, said

    code, said = _health(["--worker"], env, tmp_path)
    assert code == 1 and f"worker celery@{HOST} stopped" in said, said
    code, said = _health(["--worker", "--node", "never-started"], env, tmp_path)
    assert code == 1, said
    assert said == "unhealthy: worker celery@never-started has no heartbeat: " + (
        "not started yet, or named otherwise"
    )


def test_a_hung_beat_is_unhealthy_though_another_beat_ticks(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = {**_env(pg_url, redis_url, tmp_path), "NEWSWORKER_TICK_SECONDS": "1"}
    this = f"beat:celerybeat@{HOST}"
    log = tmp_path / "beat.log"
    with running(["beat"], env, tmp_path, log) as beat:

        def ticked_since_start() -> bool:
            row = _row(pg_url, this)
            return row is not None and row.last_seen_at > row.started_at

        wait_until(ticked_since_start, 60, "beat's row, after a tick it sent", log)
        code, said = _health(["--beat"], env, tmp_path)
        assert code == 0 and said.startswith(f"ok: beat celerybeat@{HOST} last seen"), said
        status = json.loads(run_cli(["status", "--json"], env, tmp_path).stdout.splitlines()[-1])
        assert status["workers"] == [], "a beat is not listed as a worker"

        with _hung(beat):
            _age(pg_url, this)
            _fresh(pg_url, "beat:celerybeat@other-container", "beat")
            _fresh(pg_url, heartbeats.TICK, "tick")  # another beat's tick, run by a worker
            code, said = _health([], env, tmp_path)
            assert code == 0, f"the service check cannot tell: {said}"
            code, said = _health(["--beat"], env, tmp_path)
            assert code == 1, said
            assert said.startswith(f"unhealthy: beat celerybeat@{HOST} last seen 10m ago"), said
            assert "no tick sent" in said
            code, said = _health(["--beat", "--node", "celerybeat@other-container"], env, tmp_path)
            assert code == 0, said

    code, said = _health(["--beat", "--node", "nobody@%h"], env, tmp_path)
    assert code == 1 and f"beat nobody@{HOST} has no heartbeat" in said, said


def _stop(process: subprocess.Popen[bytes], log: Path) -> None:
    """SIGTERM, as `docker stop` sends it, and the process's own exit."""
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"{log.stem} did not exit\n{log.read_text()[-3000:]}") from exc


def test_a_worker_and_a_beat_stopped_as_compose_stops_them_say_so(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    """Compose's SIGTERM is a cold shutdown (REMAP_SIGTERM=SIGQUIT), which sends no
    worker_shutdown: the row said running until it aged out. Beat never said it stopped."""
    env = {**_env(pg_url, redis_url, tmp_path), "NEWSWORKER_TICK_SECONDS": "1"}
    worker_env = {**env, "REMAP_SIGTERM": "SIGQUIT", "NEWSWORKER_SOFT_SHUTDOWN_SECONDS": "1"}
    names = {"worker": f"worker:celery@{HOST}", "beat": f"beat:celerybeat@{HOST}"}
    logs = {kind: tmp_path / f"{kind}.log" for kind in names}
    with (
        running(["worker", "--concurrency", "1"], worker_env, tmp_path, logs["worker"]) as worker,
        running(["beat"], env, tmp_path, logs["beat"]) as beat,
    ):
        for kind, name in names.items():
            wait_until(functools.partial(_written, pg_url, name), 90, name, logs[kind])
        for kind in names:
            assert _health([f"--{kind}"], env, tmp_path)[0] == 0
        _stop(worker, logs["worker"])
        _stop(beat, logs["beat"])

    assert "Cold shutdown" in logs["worker"].read_text(), "stopped as compose stops it"
    for kind in names:
        code, said = _health([f"--{kind}"], env, tmp_path)
        assert code == 1 and f"{kind} celery" in said and " stopped (" in said, said
    status = json.loads(run_cli(["status", "--json"], env, tmp_path).stdout.splitlines()[-1])
    assert [w["state"] for w in status["workers"]] == ["stopped"]
    assert [b["state"] for b in status["beats"]] == ["stopped"]
