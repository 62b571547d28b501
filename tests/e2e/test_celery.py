"""Crawls through real Celery processes: a worker on Redis; worker and beat on the embedded one."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.e2e.checks import assert_crawl_stored_everything
from tests.e2e.processes import run_cli, running, service_env, wait_until
from tests.localweb.sites import TestWeb
from worker.storage.db import make_engine
from worker.storage.models import Url

pytestmark = pytest.mark.slow


def test_crawl_through_a_real_worker_and_redis(
    web: TestWeb, database_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = service_env(
        tmp_path,
        database_url=database_url,
        broker_url=redis_url,
        sources_file=str(web.sources_file),
    )
    log = tmp_path / "worker.log"
    with running(["worker", "--concurrency", "2"], env, tmp_path, log):
        result = run_cli(["crawl", "--timeout", "120"], env, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr + log.read_text()[-3000:]
    assert "crawl summary" in result.stdout
    assert "http_404" in result.stdout
    assert_crawl_stored_everything(database_url, web)
    worker_log = log.read_text()
    assert '"task_id"' in worker_log, "task log lines carry the task id"


def test_worker_and_beat_share_the_embedded_broker(web: TestWeb, tmp_path: Path) -> None:
    """No settings but the sources file: SQLite database and SQLite broker, two processes."""
    database_url = f"sqlite:///{tmp_path / 'var' / 'newsworker.sqlite'}"
    env = service_env(tmp_path, sources_file=str(web.sources_file), tick_seconds="1")
    engine = None

    def all_final() -> bool:
        nonlocal engine
        if not (tmp_path / "var" / "newsworker.sqlite").exists():
            return False
        engine = engine or make_engine(database_url)
        with Session(engine) as session:
            try:
                total = session.scalar(select(func.count()).select_from(Url)) or 0
                pending = session.scalar(select(func.count()).where(Url.state == "pending"))
            except Exception:  # schema not created yet by beat
                return False
        return total == len(web.expected) and pending == 0

    beat_log, worker_log = tmp_path / "beat.log", tmp_path / "worker.log"
    with (
        running(["beat"], env, tmp_path, beat_log),
        running(["worker", "--concurrency", "2"], env, tmp_path, worker_log),
    ):
        wait_until(all_final, 120, "every URL in a final state", worker_log)
    if engine is not None:
        engine.dispose()
    assert (tmp_path / "var" / "broker.sqlite").exists()
    assert_crawl_stored_everything(database_url, web)
