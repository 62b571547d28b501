"""The operator commands as run at 3 a.m.: real processes, PostgreSQL, Redis, a local web."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text, update

from tests.e2e.processes import run_cli, running, service_env, wait_until
from tests.localweb.server import Response
from tests.localweb.wire import TWO_OUTLETS as PAGES
from tests.localweb.wire import page_html, wire_web
from worker.pipeline import tick
from worker.runtime import build_runtime
from worker.settings import Settings
from worker.storage.migrations import head_revision
from worker.storage.models import Heartbeat


def _json(stdout: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return loaded


def test_health_says_what_is_wrong_in_one_line(tmp_path: Path) -> None:
    env = service_env(tmp_path)
    database_url = f"sqlite:///{tmp_path / 'var' / 'newsworker.sqlite'}"
    database = tmp_path / "var" / "newsworker.sqlite"
    fresh = run_cli(["health"], env, tmp_path)
    assert fresh.returncode == 1 and f"the database file {database} does not exist" in fresh.stdout
    database.parent.mkdir(parents=True, exist_ok=True)
    database.touch()  # a database nothing migrated
    empty = run_cli(["health"], env, tmp_path)
    assert empty.returncode == 1 and "no schema: run `newsworker db upgrade`" in empty.stdout
    assert run_cli(["db", "upgrade"], env, tmp_path).returncode == 0
    no_tick = run_cli(["health"], env, tmp_path)
    assert no_tick.returncode == 1, no_tick.stdout
    assert no_tick.stdout.startswith("unhealthy: no tick yet") and "broker ok" in no_tick.stdout

    runtime = build_runtime(Settings(database_url=database_url, var_dir=tmp_path / "var"))
    try:
        tick(runtime)
        ok = run_cli(["health"], env, tmp_path)
        assert ok.returncode == 0, ok.stdout
        assert ok.stdout.startswith(f"ok: database ok (schema {head_revision()}); last tick ")
        assert "no successful poll yet" in ok.stdout and "broker ok" in ok.stdout
        with runtime.sessions.begin() as session:
            session.execute(
                update(Heartbeat).values(last_seen_at=datetime.now(UTC) - timedelta(minutes=10))
            )
        stale = run_cli(["health"], env, tmp_path)
        assert stale.returncode == 1 and "beat or workers down" in stale.stdout
        with runtime.sessions.begin() as session:  # as a newer release's `migrate` leaves it
            session.execute(text("UPDATE alembic_version SET version_num = '9001'"))
        ahead = run_cli(["health"], env, tmp_path)
        assert ahead.returncode == 1 and "newer than this release's" in ahead.stdout
        assert "db upgrade" not in ahead.stdout, "upgrading this release cannot help"
    finally:
        runtime.close()

    broken = run_cli(
        ["health"],
        service_env(tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/x"),
        tmp_path,
    )
    assert broken.returncode == 1 and "database:" in broken.stdout


@pytest.mark.slow
def test_failures_rerun_and_status_through_a_real_worker(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    from tests.conftest import truncate_postgres

    truncate_postgres(pg_url)
    with wire_web(tmp_path, pages=PAGES) as web:
        herald = web.sites["herald"]
        for page in PAGES[1:3]:
            herald.add(page.path, Response("down", status=503, headers={"Retry-After": "0"}))
        env = service_env(tmp_path, database_url=pg_url, broker_url=redis_url,
                          sources_file=str(web.sources_file), max_attempts="2")  # fmt: skip
        crawl = run_cli(["crawl", "--inline"], env, tmp_path)
        assert crawl.returncode == 1, crawl.stdout + crawl.stderr

        failed = _json(run_cli(["failures", "--json"], env, tmp_path).stdout)
        assert [(g["outlet"], g["reason"], g["count"]) for g in failed["groups"]] == [
            ("herald", "http_503", 2)
        ]
        examples = failed["groups"][0]["examples"]
        assert sorted(e["title"] for e in examples) == sorted(p.title for p in PAGES[1:3]), (
            "each failed URL shows the title its feed announced"
        )
        table = run_cli(["failures"], env, tmp_path).stdout
        assert "http_503" in table and "/news/local-1" in table
        address = herald.url(PAGES[1].path)
        one = run_cli(["url", address], env, tmp_path)
        assert one.returncode == 0 and "failed: http_503" in one.stdout, one.stdout + one.stderr
        traced_json = json.loads(run_cli(["url", address, "--json"], env, tmp_path).stdout)
        assert traced_json["address"] == address
        (traced,) = traced_json["records"]
        assert (traced["state"], traced["attempts"]) == ("failed", 2)
        assert traced["source"] == "herald/feed"
        assert traced["announced_title"] == PAGES[1].title
        unknown = run_cli(["url", herald.url("/never-linked")], env, tmp_path)
        assert unknown.returncode == 1 and "no source has yielded" in unknown.stderr

        dry = run_cli(["rerun", "--outlet", "herald", "--dry-run"], env, tmp_path)
        assert dry.returncode == 0 and "2 URLs selected (2 failed)" in dry.stdout
        assert "Council business" in dry.stdout, "the sample shows what each URL announced"
        for page in PAGES[1:3]:
            herald.add(page.path, page_html(page, herald))
        log = tmp_path / "worker.log"
        with running(["worker", "--concurrency", "2", "--hostname", "ops@%h"], env, tmp_path, log):
            rerun = run_cli(["rerun", "--outlet", "herald", "--wait", "--timeout", "90"], env,
                            tmp_path)  # fmt: skip
            assert rerun.returncode == 0, rerun.stdout + rerun.stderr + log.read_text()[-3000:]
            assert "2 URLs selected" in rerun.stdout

            def worker_seen() -> bool:
                status = _json(run_cli(["status", "--json"], env, tmp_path).stdout)
                return any(w["state"] == "running" for w in status["workers"])

            wait_until(worker_seen, 30, "the worker's heartbeat", log)
            status = _json(run_cli(["status", "--json"], env, tmp_path).stdout)
        again = run_cli(["rerun", "--outlet", "herald"], env, tmp_path)
        assert again.returncode == 0 and "0 URLs selected" in again.stdout
        requests = sum(herald.hits.values())
        assert "0 kept pages" in run_cli(["reprocess"], env, tmp_path).stdout
        reread = run_cli(["reprocess", "--outlet", "herald", "--all"], env, tmp_path)
        assert reread.returncode == 0 and "3 kept pages to read again" in reread.stdout
        assert sum(herald.hits.values()) == requests, "reprocess made no request"

    sources = {s["source"]: s for s in status["sources"]}
    assert sources["herald/feed"]["stored_24h"] == 3
    assert sources["post/feed"]["stored_24h"] == 2
    assert status["queue_depth"] == 0 and status["broker_error"] is None
    assert [w["name"].split("@")[0] for w in status["workers"]] == ["ops"]
    after = _json(run_cli(["status", "--json"], env, tmp_path).stdout)
    assert [w["state"] for w in after["workers"]] == ["stopped"], "a stopped worker says so"
    assert _json(run_cli(["failures", "--json"], env, tmp_path).stdout)["groups"] == []
    human = run_cli(["status"], env, tmp_path)
    assert (
        human.returncode == 0 and "herald/feed" in human.stdout and "queue: 0 tasks" in human.stdout
    )


@pytest.mark.slow
def test_reruns_queued_while_no_worker_runs_say_so_and_fetch_the_page_once(
    pg_url: str, redis_url: str, tmp_path: Path
) -> None:
    """Queued with no worker alive, a rerun said "queued" and nothing more; a second --reason
    then said no URL had that reason (the URL was pending by then); and once a worker started,
    both reruns fetched the page."""
    from tests.conftest import truncate_postgres
    from tests.e2e.outlets import rss_of
    from tests.localweb.server import LocalSite

    truncate_postgres(pg_url)
    with LocalSite() as site:
        site.add("/feed.xml", rss_of(["/gone", "/down"]))
        site.add("/gone", Response("gone", status=404, delay=1.0))  # the reruns overlap
        site.add("/down", Response("down", status=503, headers={"Retry-After": "0"}))
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[outlets.daily]\nname = "Daily"\n[[outlets.daily.sources]]\n'
            f'kind = "feed"\nurl = "{site.url("/feed.xml")}"\n'
        )
        env = service_env(tmp_path, database_url=pg_url, broker_url=redis_url,
                          sources_file=str(sources), max_attempts="2")  # fmt: skip
        env["COLUMNS"] = "300"  # an error on one line
        assert run_cli(["crawl", "--inline"], env, tmp_path).returncode == 1

        first = run_cli(["rerun", "--reason", "http_404"], env, tmp_path)
        assert first.returncode == 0 and "queued 1 URLs" in first.stdout, first.stderr
        assert "no worker has been seen" in first.stderr, first.stderr
        again = run_cli(["rerun", "--reason", "http_404", "--dry-run"], env, tmp_path)
        assert again.returncode == 2, again.stdout + again.stderr
        assert "1 pending URL has it" in again.stderr and "--state pending" in again.stderr, (
            again.stderr
        )
        second = run_cli(["rerun", "--state", "pending", "--reason", "http_404"], env, tmp_path)
        assert second.returncode == 0 and "queued 1 URLs" in second.stdout, second.stderr

        log = tmp_path / "worker.log"
        with running(["worker", "--concurrency", "2"], env, tmp_path, log):
            wait_until(lambda: '"url.failed"' in log.read_text(), 60, "the rerun's fetch", log)
            time.sleep(3)  # the other rerun's task has run too
            status = _json(run_cli(["status", "--json"], env, tmp_path).stdout)
            assert [w["state"] for w in status["workers"]] == ["running"]
            # a rerun's task whose attempt is retried goes on: the retry is no later rerun's
            down = site.get_hits["/down"]
            retried = run_cli(["rerun", "--reason", "http_503", "--wait", "--timeout", "60"],
                              env, tmp_path)  # fmt: skip
            assert retried.returncode == 1, retried.stdout + retried.stderr
            assert "no worker" not in retried.stderr, retried.stderr
            assert site.get_hits["/down"] == down + 2, "both attempts"
        assert site.get_hits["/gone"] == 2, "the crawl's fetch and one rerun's"
        assert '"url.rerun_superseded"' in log.read_text(), "the first rerun's task did nothing"
