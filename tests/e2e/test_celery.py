"""Crawls through real Celery processes: a worker on Redis; worker and beat on the embedded one."""

from __future__ import annotations

from contextlib import ExitStack
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
    # extraction's models were loaded once, before the pool forked and took tasks
    warmed = worker_log.find('"worker.extraction_warmed_up"')
    assert 0 <= warmed < worker_log.index('"task_id"'), worker_log[:3000]


@pytest.mark.parametrize(
    "commands", [[["beat"], ["worker"]], [["run"]]], ids=["worker+beat", "run"]
)
def test_embedded_mode_crawls_with_no_servers(
    web: TestWeb, tmp_path: Path, commands: list[list[str]]
) -> None:
    """No settings but the sources file: SQLite database and a SQLite broker that a separate
    worker and beat share (or `newsworker run`, the two in one)."""
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

    with ExitStack() as stack:
        for argv in commands:
            log = tmp_path / f"{argv[0]}.log"
            stack.enter_context(running(argv, env, tmp_path, log))
        wait_until(all_final, 120, "every URL in a final state", log)
    if engine is not None:
        engine.dispose()
    assert (tmp_path / "var" / "broker.sqlite").exists()
    assert_crawl_stored_everything(database_url, web)
