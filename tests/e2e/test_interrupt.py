"""Ctrl-C on an inline command: it stops, it does not fetch everything first."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.e2e.outlets import feed_service, rss_of
from tests.e2e.processes import run_cli, start, wait_until
from tests.localweb.server import LocalSite, Response
from worker.storage.db import make_engine
from worker.storage.models import Url

pytestmark = pytest.mark.slow


def test_ctrl_c_stops_an_inline_crawl_after_the_pages_in_hand(tmp_path: Path) -> None:
    """One Ctrl-C went on fetching every page of the crawl (the thread pool waited for all
    of them) and only then stopped. Now the pages in hand finish, no other starts, and the
    rest stay pending for the rerun it names (it named none, and exited 1 as if pages had
    failed)."""
    paths = [f"/news/{n}" for n in range(8)]
    with LocalSite() as site:
        for path in paths:
            site.add(path, Response("<html><body><p>slow</p></body></html>", delay=1.0))
        site.add("/feed.xml", rss_of(paths))
        env = feed_service(site, tmp_path)
        log = tmp_path / "crawl.log"
        env["COLUMNS"] = "300"
        crawl = start(["crawl", "--inline", "--source", "daily"], env, tmp_path, log)
        try:
            wait_until(lambda: site.get_hits[paths[0]] > 0, 60, "the first page", log)
            crawl.send_signal(signal.SIGINT)
            code = crawl.wait(timeout=60)
        except subprocess.TimeoutExpired:
            crawl.kill()
            raise
        assert code == 2, log.read_text()
        fetched = sum(site.get_hits[path] for path in paths)
        assert fetched <= 3, f"{fetched} of 8 pages fetched after Ctrl-C"
        states = _states(tmp_path)
        assert states.count("pending") >= 5, states
        # it said so, and how to go on: the command it names fetches the rest
        resume = "`newsworker rerun --state pending --source daily --inline`"
        said = f"interrupted: {states.count('pending')} URL(s) left pending; resume with {resume}"
        assert said in log.read_text(), log.read_text()
        resumed = run_cli(resume.strip("`").split()[1:], env, tmp_path)
        assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert "pending" not in _states(tmp_path)


def _states(tmp_path: Path) -> list[str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'newsworker.sqlite'}")
    with Session(engine) as session:
        states = list(session.scalars(select(Url.state)))
    engine.dispose()
    return states
