"""Running unattended, proven with real processes on PostgreSQL and Redis.

- Two beats do not double a poll: with one beat, then two, ticking every half second, a feed due
  every two seconds is requested no more often than its interval allows (the ticks double, the
  polls do not).
- A beat that was down catches up once: a source missed for six hours is polled once, and its
  next poll is one interval later, however many ticks come.
- SIGTERM on a busy worker (Celery's warm shutdown) finishes the task in hand and exits 0.
- Under the container settings (``REMAP_SIGTERM=SIGQUIT`` and a soft shutdown timeout), SIGTERM
  on a busy worker finishes a task done within the timeout; one that outlasts it is cancelled and
  put back on the queue, and a second worker stores the URL, once. Either way the worker exits 0
  soon after the timeout, before a container runtime's SIGKILL.
- A worker killed outright (SIGKILL, the container runtime after its grace period) leaves its
  message unacknowledged in Redis (redelivered only after the visibility timeout); the tick's
  lost-task sweep brings the URL back sooner.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager, ExitStack
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
import redis
from celery import Celery
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from tests.conftest import truncate_postgres
from tests.e2e.processes import run_cli, running, service_env, wait_until
from tests.localweb.server import LocalSite, Response
from tests.localweb.wire import local_story
from worker.storage.db import make_engine
from worker.storage.models import Article, Heartbeat, Source, Url

pytestmark = pytest.mark.slow

FEED = "/feed.xml"
TICK = 0.5  # NEWSWORKER_TICK_SECONDS of every beat here
INTERVAL = 2  # seconds between polls, set in the database (the sources file allows 30s at least)
WINDOW = 10.0  # seconds each beat configuration is watched


def _rss(links: list[str]) -> Response:
    items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
    return Response(
        f'<rss version="2.0"><channel><title>Daily</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )


def _article(title: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in local_story(zlib.crc32(title.encode())))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Daily'
        f'</title><meta property="article:published_time" content="2026-03-02T09:00:00Z">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    )


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite("daily") as local:
        yield local


@pytest.fixture
def engine(pg_url: str) -> Iterator[Engine]:
    truncate_postgres(pg_url)
    made = make_engine(pg_url)
    yield made
    made.dispose()


def _env(
    tmp_path: Path, site: LocalSite, pg_url: str, redis_url: str, **settings: str
) -> dict[str, str]:
    sources = tmp_path / "sources.toml"
    sources.write_text(
        '[outlets.daily]\nname = "Daily"\nrequest_delay = 0.05\n'
        f'[[outlets.daily.sources]]\nkind = "feed"\nurl = "{site.url(FEED)}"\nevery = "30s"\n'
    )
    return service_env(
        tmp_path, database_url=pg_url, broker_url=redis_url, sources_file=str(sources),
        tick_seconds=str(TICK), metrics_port="0", **settings,
    )  # fmt: skip


def _beat_env(env: dict[str, str], tmp_path: Path, name: str) -> dict[str, str]:
    """A beat of its own: its schedule file in its own directory, as in its own container."""
    return {**env, "NEWSWORKER_VAR_DIR": str(tmp_path / f"var-{name}")}


def _named_beat(
    name: str, env: dict[str, str], tmp_path: Path, log: Path
) -> AbstractContextManager[subprocess.Popen[bytes]]:
    """Beat ``name@<host>``: two beats on one host need a node name each (their heartbeats)."""
    args = ["beat", "--hostname", f"{name}@%h"]
    return running(args, _beat_env(env, tmp_path, name), tmp_path, log)


def _poll_every(engine: Engine, seconds: int) -> None:
    """Shorten the feed's interval below what the sources file accepts; the next poll comes at
    most that long from now (never sooner than that after the last claim, which set it)."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE sources SET interval_seconds = :s, "
                "next_poll_at = LEAST(next_poll_at, now() + make_interval(secs => :s))"
            ),
            {"s": seconds},
        )


def _feed_times(site: LocalSite, start: float, end: float) -> list[float]:
    return sorted(at for at, path in list(site.times) if path == FEED and start <= at < end)


def _ticks(worker_log: Path) -> int:
    """Ticks the worker received so far ("Task newsworker.tick[<id>] received")."""
    lines = worker_log.read_text(errors="replace").splitlines()
    return sum("Task newsworker.tick[" in line and "] received" in line for line in lines)


def _ticks_sent(beat_log: Path, start: float, end: float) -> int:
    """Ticks a beat sent between ``start`` and ``end`` (its "Sending due task tick" lines).
    Counted where they are sent: the worker's count of ticks received in a window swung with
    its backlog on a loaded machine (29 in one beat's window, 40 in two beats')."""
    sent = 0
    for line in beat_log.read_text(errors="replace").splitlines():
        if "Sending due task tick" not in line:
            continue
        stamp = datetime.fromisoformat(json.loads(line)["timestamp"]).timestamp()
        sent += start <= stamp <= end
    return sent


def _watch(site: LocalSite) -> tuple[list[float], tuple[float, float]]:
    """Feed requests (arrival times) during one window, and the window."""
    start = time.time()
    time.sleep(WINDOW)
    end = time.time()
    return _feed_times(site, start, end), (start, end)


def test_two_beats_do_not_double_a_poll(
    site: LocalSite, engine: Engine, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    site.add(FEED, _rss([]))
    env = _env(tmp_path, site, pg_url, redis_url)
    logs = {name: tmp_path / f"{name}.log" for name in ("worker", "beat-a", "beat-b")}
    with ExitStack() as stack:
        # One pool process: the sources file is synced once in it (at its first tick), so the
        # interval set in the database below stays.
        stack.enter_context(
            running(["worker", "--concurrency", "1"], env, tmp_path, logs["worker"])
        )
        stack.enter_context(_named_beat("a", env, tmp_path, logs["beat-a"]))
        wait_until(lambda: site.hits[FEED] >= 1, 60, "the first poll", logs["worker"])
        _poll_every(engine, INTERVAL)
        one_beat, _ = _watch(site)

        stack.enter_context(_named_beat("b", env, tmp_path, logs["beat-b"]))
        # Beat b syncs the sources file on start (the interval back to 30s): set it again after.
        wait_until(
            lambda: "sources.synced" in logs["beat-b"].read_text(errors="replace"),
            60, "the second beat to start", logs["beat-b"],
        )  # fmt: skip
        _poll_every(engine, INTERVAL)
        two_beats, window = _watch(site)

    most = int(WINDOW / INTERVAL) + 1  # polls one interval apart fit in the window
    least = int(WINDOW / (INTERVAL + 2 * TICK))  # a claim waits at most one tick, plus slack
    second_beat_ticks = _ticks_sent(logs["beat-b"], *window)
    report = (
        f"one beat: {len(one_beat)} polls; two beats: {len(two_beats)} polls, "
        f"{second_beat_ticks} ticks sent by the second"
    )
    assert second_beat_ticks >= WINDOW / TICK / 2, f"the second beat ticked too: {report}"
    for polls in (one_beat, two_beats):
        assert least <= len(polls) <= most, report
        gaps = [later - earlier for earlier, later in pairwise(polls)]
        assert min(gaps) >= INTERVAL * 0.75, f"two polls {min(gaps):.2f}s apart; {report}"
    with Session(engine) as session:
        assert session.scalars(select(Source)).one().last_error is None
        beats = session.scalars(select(Heartbeat.name).where(Heartbeat.kind == "beat")).all()
    host = socket.gethostname()
    assert sorted(beats) == [f"beat:a@{host}", f"beat:b@{host}"], "one row per beat, by --hostname"


def test_a_beat_that_was_down_catches_up_once(
    site: LocalSite, engine: Engine, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    site.add(FEED, _rss([]))
    env = _env(tmp_path, site, pg_url, redis_url)
    synced = run_cli(["sources", "--sync"], env, tmp_path)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    down_since = datetime.now(UTC) - timedelta(hours=6)  # 720 polling intervals missed
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE sources SET next_poll_at = :t, last_polled_at = :t"), {"t": down_since}
        )
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    with (
        running(["worker", "--concurrency", "1"], env, tmp_path, worker_log),
        running(["beat"], env, tmp_path, beat_log),
    ):
        wait_until(lambda: site.hits[FEED] >= 1, 60, "the catch-up poll", worker_log)
        ticks = _ticks(worker_log)
        wait_until(lambda: _ticks(worker_log) >= ticks + 10, 30, "ten more ticks", worker_log)
        polls = site.hits[FEED]
    assert polls == 1, f"{polls} polls after {_ticks(worker_log)} ticks"
    with Session(engine) as session:
        source = session.scalars(select(Source)).one()
    assert source.last_polled_at is not None and source.last_polled_at > down_since
    until_next = (source.next_poll_at - source.last_polled_at).total_seconds()
    # one interval after the claim, and up to a tenth of one more (the claims' spread)
    assert 25 <= until_next <= 33, f"next poll {until_next:.1f}s after the catch-up, not 30s"


# --- stopping a busy worker -----------------------------------------------------------------

SLOW_PAGE = "/slow"


def _busy_env(
    tmp_path: Path,
    site: LocalSite,
    pg_url: str,
    redis_url: str,
    first_delay: float,
    **settings: str,
) -> dict[str, str]:
    """A feed with one article whose first answer takes ``first_delay`` seconds (later ones
    come at once); the source synced into the database."""
    page = _article("Council passes the budget")
    site.add(FEED, _rss([site.url(SLOW_PAGE)]))
    site.add_sequence(SLOW_PAGE, [Response(page, delay=first_delay), Response(page)])
    env = _env(
        tmp_path, site, pg_url, redis_url, read_timeout=str(first_delay + 10),
        total_timeout=str(first_delay + 20), **settings,
    )  # fmt: skip
    synced = run_cli(["sources", "--sync"], env, tmp_path)
    assert synced.returncode == 0, synced.stdout + synced.stderr
    return env


def _queue_poll(engine: Engine, redis_url: str) -> None:
    """What a tick does for a due source: one poll task on the broker."""
    with Session(engine) as session:
        source_id = session.scalars(select(Source.id)).one()
    client = Celery("unattended-test", broker=redis_url)
    try:
        client.send_task("newsworker.poll", args=[source_id], queue="newsworker")
    finally:
        client.close()


def _url_rows(engine: Engine) -> tuple[Url, int]:
    with Session(engine) as session:
        url = session.scalars(select(Url)).one()
        articles = session.scalar(select(func.count()).select_from(Article)) or 0
    return url, articles


def _stored(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.scalar(select(Url.state)) == "stored"


def _stop_with_sigterm(
    worker: subprocess.Popen[bytes], log: Path, timeout: float
) -> tuple[int, float]:
    """SIGTERM to the worker's main process only (what `docker stop` sends to PID 1); its exit
    code and how long it took to exit."""
    signalled = time.monotonic()
    worker.send_signal(signal.SIGTERM)
    try:
        code = worker.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the worker did not exit {timeout}s after SIGTERM\n{log.read_text()[-3000:]}")
    return code, time.monotonic() - signalled


def _queued_and_unacked(redis_url: str) -> tuple[int, int]:
    """Messages waiting in the queue, and messages a worker took but has not acknowledged."""
    client = redis.Redis.from_url(redis_url)
    try:
        return client.llen("newsworker"), client.hlen("unacked")
    finally:
        client.close()


def test_sigterm_lets_a_busy_worker_finish_the_task_in_hand(
    site: LocalSite, engine: Engine, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    """Celery's warm shutdown, what `newsworker worker` does on SIGTERM outside containers."""
    delay = 4.0
    env = _busy_env(tmp_path, site, pg_url, redis_url, first_delay=delay)
    log = tmp_path / "worker.log"
    with running(["worker", "--concurrency", "1"], env, tmp_path, log) as worker:
        _queue_poll(engine, redis_url)
        wait_until(lambda: site.hits[SLOW_PAGE] == 1, 60, "the slow page requested", log)
        code, took = _stop_with_sigterm(worker, log, timeout=delay + 20)
    assert code == 0, log.read_text()[-3000:]
    assert "Warm shutdown" in log.read_text()
    assert took >= delay / 2, f"exited {took:.1f}s after SIGTERM: it did not wait for the page"
    url, articles = _url_rows(engine)
    assert (url.state, url.attempts, articles) == ("stored", 1, 1), url.detail
    assert site.hits[SLOW_PAGE] == 1
    assert _queued_and_unacked(redis_url) == (0, 0), "its message was acknowledged"


SOFT_SHUTDOWN = 4.0


@pytest.mark.parametrize(
    "delay", [1.5, 30.0], ids=["done-within-the-soft-timeout", "outlasts-the-soft-timeout"]
)
def test_sigterm_under_the_container_settings_finishes_or_requeues_the_task_in_hand(
    site: LocalSite, engine: Engine, pg_url: str, redis_url: str, tmp_path: Path, delay: float
) -> None:
    """docker-compose.yml's worker: REMAP_SIGTERM=SIGQUIT and NEWSWORKER_SOFT_SHUTDOWN_SECONDS.
    SIGTERM waits the soft timeout, then cancels what still runs; its message goes back on the
    queue (acks_late) and another worker does the task."""
    env = _busy_env(
        tmp_path, site, pg_url, redis_url, first_delay=delay,
        soft_shutdown_seconds=str(SOFT_SHUTDOWN),
    )  # fmt: skip
    env["REMAP_SIGTERM"] = "SIGQUIT"
    first_log, second_log = tmp_path / "worker-a.log", tmp_path / "worker-b.log"
    with running(["worker", "--concurrency", "1", "-n", "a@%h"], env, tmp_path, first_log) as first:
        _queue_poll(engine, redis_url)
        wait_until(lambda: site.hits[SLOW_PAGE] == 1, 60, "the slow page requested", first_log)
        code, took = _stop_with_sigterm(first, first_log, timeout=SOFT_SHUTDOWN + 20)
    assert "Soft Shutdown" in first_log.read_text()
    assert SOFT_SHUTDOWN <= took < SOFT_SHUTDOWN + 15, f"exited {took:.1f}s after SIGTERM"
    assert code == 0, first_log.read_text()[-3000:]
    url, articles = _url_rows(engine)
    if delay < SOFT_SHUTDOWN:
        assert (url.state, url.attempts, articles) == ("stored", 1, 1), url.detail
        assert _queued_and_unacked(redis_url) == (0, 0), "its message was acknowledged"
        return
    assert (url.state, articles) == ("pending", 0), "the task in hand was cut short"
    assert _queued_and_unacked(redis_url) == (1, 0), "its message is back on the queue"
    with running(["worker", "--concurrency", "1", "-n", "b@%h"], env, tmp_path, second_log):
        wait_until(lambda: _stored(engine), 60, "the second worker to store the URL", second_log)
    url, articles = _url_rows(engine)
    assert (url.state, url.attempts, articles) == ("stored", 2, 1), url.detail
    assert site.hits[SLOW_PAGE] == 2, "fetched again by the second worker, once"
    assert _queued_and_unacked(redis_url) == (0, 0)


def test_a_killed_worker_leaves_its_task_unacked_and_the_sweep_brings_the_url_back(
    site: LocalSite, engine: Engine, pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    env = _busy_env(tmp_path, site, pg_url, redis_url, first_delay=30, pending_timeout_seconds="2")
    first_log = tmp_path / "worker-a.log"
    with running(["worker", "--concurrency", "1", "-n", "a@%h"], env, tmp_path, first_log) as first:
        _queue_poll(engine, redis_url)
        wait_until(lambda: site.hits[SLOW_PAGE] == 1, 60, "the slow page requested", first_log)
        os.killpg(first.pid, signal.SIGKILL)  # the container runtime after its grace period
        first.wait(timeout=10)
    assert _queued_and_unacked(redis_url) == (0, 1), (
        "the message waits unacknowledged for Redis's visibility timeout (two hours)"
    )
    assert _url_rows(engine)[0].state == "pending"

    second_log, beat_log = tmp_path / "worker-b.log", tmp_path / "beat.log"
    with (
        running(["worker", "--concurrency", "1", "-n", "b@%h"], env, tmp_path, second_log),
        running(["beat"], env, tmp_path, beat_log),
    ):
        wait_until(lambda: _stored(engine), 60, "the sweep to bring the URL back", second_log)
    url, articles = _url_rows(engine)
    assert (url.state, articles) == ("stored", 1), url.detail
    assert '"sweep.requeued"' in second_log.read_text()
