"""Interrupted commands: Ctrl-C on an inline crawl stops it; a killed `run` leaves nothing."""

from __future__ import annotations

import os
import signal
import subprocess
from contextlib import suppress
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.e2e.outlets import feed_service, rss_of
from tests.e2e.processes import run_cli, start, stop, wait_until
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


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with suppress(OSError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads processes from /proc (Linux)")
def test_a_killed_run_leaves_no_beat_ticking_behind(tmp_path: Path) -> None:
    """`run` SIGKILLed (kill -9, the OOM killer) left its embedded beat running, re-parented
    to init, ticking beside the next run's beat for good."""
    with LocalSite() as site:
        site.add("/feed.xml", rss_of([]))
        env = feed_service(site, tmp_path, concurrency="1")
        log = tmp_path / "run.log"
        run = start(["run"], env, tmp_path, log)
        try:
            # its pool process and its beat
            wait_until(lambda: len(_children(run.pid)) >= 2, 90, "the pool and beat", log)
            wait_until(lambda: "beat: Starting" in log.read_text(errors="replace"), 60,
                       "the beat", log)  # fmt: skip
            children = _children(run.pid)
            os.kill(run.pid, signal.SIGKILL)
            run.wait(timeout=10)
            wait_until(lambda: not any(_alive(pid) for pid in children), 20,
                       "every child of the killed run to end", log)  # fmt: skip
        finally:
            stop(run)
