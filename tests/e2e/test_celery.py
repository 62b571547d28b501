"""Crawls through real Celery processes: a worker on Redis; worker and beat on the embedded one."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import make_settings
from tests.e2e.checks import assert_crawl_stored_everything
from tests.e2e.outlets import feed_service, rss_of
from tests.e2e.processes import run_cli, running, service_env, wait_until
from tests.localweb.server import LocalSite, Response
from tests.localweb.sites import TestWeb
from tests.localweb.wire import Page, local_story, page_html
from worker.pipeline import poll_source
from worker.runtime import Runtime, build_runtime
from worker.storage import heartbeats
from worker.storage.db import make_engine
from worker.storage.models import Heartbeat, Source, Url
from worker.syncing import sync_from_file

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
    assert "warm-up.invalid" not in worker_log, "warming up warns of nothing at every start"


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


@contextmanager
def _polled_feed(
    site: LocalSite, paths: list[str], tmp_path: Path, **settings: str
) -> Iterator[tuple[dict[str, str], Runtime]]:
    """A feed of ``paths`` on ``site``, an embedded database migrated by the CLI and the feed
    polled into it: the service's environment (``settings`` added) and a runtime on it."""
    site.add("/feed.xml", rss_of(paths))
    env = feed_service(site, tmp_path, **settings)
    database_url = f"sqlite:///{tmp_path / 'var' / 'newsworker.sqlite'}"
    runtime = build_runtime(
        make_settings(tmp_path, database_url, sources_file=Path(env["NEWSWORKER_SOURCES_FILE"]))
    )
    try:
        sync_from_file(runtime)
        with runtime.sessions() as session:
            source_id = session.scalars(select(Source.id)).one()
        assert len(poll_source(runtime, source_id).url_ids) == len(paths)
        yield env, runtime
    finally:
        runtime.close()


def test_the_tick_runs_ahead_of_a_backlog_of_fetches(tmp_path: Path) -> None:
    """The tick shared the fetches' queue: behind a backlog it ran minutes late, polls were
    claimed late and `newsworker health` called every worker down. It has a queue of its own,
    which the worker reads beside the main one."""
    with LocalSite() as site:
        paths = [f"/news/{n}" for n in range(12)]
        for path in paths:
            site.add(path, Response("<html><body><p>slow</p></body></html>", delay=1.0))
        with _polled_feed(site, paths, tmp_path, concurrency="1") as (env, runtime):
            # a backlog in the main queue, then beat's tick (sent when beat starts)
            queued = run_cli(["rerun", "--state", "pending"], env, tmp_path)
            assert queued.returncode == 0 and "queued 12 URLs" in queued.stdout, queued.stderr
            log = tmp_path / "worker.log"
            with running(["beat"], env, tmp_path, tmp_path / "beat.log"):
                time.sleep(3)  # beat has sent its first tick
                with running(["worker"], env, tmp_path, log):

                    def ticked() -> bool:
                        with runtime.sessions() as session:
                            return session.get(Heartbeat, heartbeats.TICK) is not None

                    wait_until(ticked, 60, "the tick", log)
                    with runtime.sessions() as session:
                        left = session.scalar(select(func.count()).where(Url.state == "pending"))
        pending = left or 0
        assert pending >= 6, f"the tick ran after {12 - pending} of 12 fetches"


def test_a_fetch_past_the_time_limit_loses_its_process_not_the_worker(tmp_path: Path) -> None:
    """A page that held a pool process forever (an extractor stuck on it) took the worker's
    processes one by one; past the limit the process is killed and replaced, and the URL is
    left to the lost-task sweep."""
    with LocalSite() as site:
        site.add("/stuck", Response("<html><body><p>late</p></body></html>", delay=30.0))
        fine_page = Page(
            "daily", "/fine", "Ferry moves", local_story(3), "2026-10-20T09:00:00+00:00"
        )
        site.add("/fine", page_html(fine_page, site))
        with _polled_feed(
            site, ["/stuck", "/fine"], tmp_path, concurrency="1", read_timeout="60",
            total_timeout="60", fetch_time_limit_seconds="3",
        ) as (env, runtime):  # fmt: skip
            with runtime.sessions() as session:
                ids = {url: url_id for url, url_id in session.execute(select(Url.url, Url.id))}
            stuck, fine = ids[site.url("/stuck")], ids[site.url("/fine")]
            queued = run_cli(["rerun", "--state", "pending"], env, tmp_path)
            assert queued.returncode == 0 and "queued 2 URLs" in queued.stdout, queued.stderr
            log = tmp_path / "worker.log"
            with running(["worker"], env, tmp_path, log):

                def state_of(url_id: int) -> str:
                    with runtime.sessions() as session:
                        return session.get_one(Url, url_id).state

                wait_until(lambda: state_of(fine) == "stored", 60, "the page after it", log)
            with runtime.sessions() as session:
                row = session.get_one(Url, stuck)
            assert (row.state, row.attempts) == ("pending", 1), "the sweep brings it back"
            assert "Hard time limit (3.0s) exceeded for newsworker.fetch" in log.read_text()


def test_a_poll_past_the_time_limit_is_its_sources_error(tmp_path: Path) -> None:
    """A poll that held its pool process forever (a document too slow to read) is killed at
    the limit; it is recorded as the source's error, so a waiting `crawl` ends and says why
    instead of waiting out its timeout with the source "not polled"."""
    with LocalSite() as site:
        site.add("/feed.xml", Response("<rss></rss>", delay=30.0))
        env = feed_service(
            site, tmp_path, concurrency="1", read_timeout="60", total_timeout="60",
            poll_time_limit_seconds="3",
        )  # fmt: skip
        log = tmp_path / "worker.log"
        with running(["worker"], env, tmp_path, log):
            started = time.monotonic()
            result = run_cli(["crawl", "--timeout", "45"], env, tmp_path)
            took = time.monotonic() - started
        output = result.stdout + result.stderr
        assert result.returncode == 1, output + log.read_text()[-3000:]
        assert "time_limit: the poll ran past 3" in output, output + log.read_text()[-3000:]
        assert took < 30, f"the crawl waited {took:.0f}s for a poll that was killed"


def test_a_crawl_polls_again_a_source_its_busy_host_postponed_without_beat(
    tmp_path: Path,
) -> None:
    """A poll that finds its host busy is postponed to when the host is free, and only beat's
    tick polled it again: without a beat, `crawl` waited out its whole timeout (30 minutes by
    default). It says the host is busy until when, and queues that poll itself then."""
    with LocalSite() as site:
        site.add(
            "/robots.txt", Response("User-agent: *\nCrawl-delay: 1\n", content_type="text/plain")
        )
        sources = tmp_path / "sources.toml"
        sources.write_text('[outlets.daily]\nname = "Daily"\n')
        for n, name in enumerate(("a", "b")):
            page = Page("daily", f"/news/{name}", f"Story {name}", local_story(n), "2026-10-20")
            site.add(page.path, page_html(page, site))
            site.add(f"/{name}.xml", rss_of([page.path]))
            feed = site.url(f"/{name}.xml")
            with sources.open("a") as toml:
                toml.write(f'[[outlets.daily.sources]]\nkind = "feed"\nurl = "{feed}"\n')
        env = service_env(tmp_path, sources_file=str(sources), concurrency="1",
                          host_max_wait_seconds="0.2")  # fmt: skip
        assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
        log = tmp_path / "worker.log"
        with running(["worker"], env, tmp_path, log):
            started = time.monotonic()
            result = run_cli(["crawl", "--timeout", "60"], env, tmp_path)
            took = time.monotonic() - started
        output = result.stdout + result.stderr
        assert '"poll.host_busy"' in log.read_text(), "a poll found the host busy"
        assert result.returncode == 0, output + log.read_text()[-3000:]
        assert "host busy until" in result.stderr, result.stderr
        assert took < 40, f"the crawl took {took:.0f}s"
        assert (site.get_hits["/a.xml"], site.get_hits["/b.xml"]) == (1, 1), "no poll twice"
