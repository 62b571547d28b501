"""Polling state in the database: due sources are claimed once, even by concurrent ticks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from structlog.testing import CapturingLogger

from tests.conftest import truncate_postgres
from worker import metrics, pipeline, syncing
from worker.pipeline.crawl import requeue_postponed
from worker.reporting.status import sources_file_states
from worker.runtime import Runtime
from worker.sources import load_sources, parse_sources
from worker.storage import repository
from worker.storage.models import Outlet, OutletBoilerplate, Source, Url
from worker.syncing import sync_from_file, sync_if_changed

RuntimeFactory = Callable[..., Runtime]

SOURCES: dict[str, Any] = {"outlets": {f"o{i}": {"name": f"O{i}", "sources": [
    {"kind": "feed", "url": f"https://o{i}.example/feed", "every": "10m"}
]} for i in range(40)}}  # fmt: skip


def _setup(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        repository.sync_sources(session, parse_sources(SOURCES))


def test_concurrent_ticks_claim_each_due_source_exactly_once(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now = datetime.now(UTC) + timedelta(seconds=1)
    claimed: list[list[int]] = []
    barrier = threading.Barrier(4)

    def tick() -> None:
        barrier.wait()
        with runtime.sessions() as session:
            claimed.append(repository.claim_due_sources(session, now))

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flat = [source_id for ids in claimed for source_id in ids]
    assert len(flat) == 40 and len(set(flat)) == 40
    with runtime.sessions() as session:
        assert repository.claim_due_sources(session, now) == []


def test_a_source_missed_for_hours_is_polled_once_then_back_on_its_interval(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        session.execute(update(Source).values(next_poll_at=now - timedelta(hours=6)))
    with runtime.sessions() as session:
        assert len(repository.claim_due_sources(session, now)) == 40
    _polls_end(runtime, now)
    with runtime.sessions() as session:
        assert repository.claim_due_sources(session, now + timedelta(minutes=9)) == []
        # one interval later, and up to a tenth of one more (the spread)
        assert len(repository.claim_due_sources(session, now + timedelta(minutes=11))) == 40


def _polls_end(runtime: Runtime, now: datetime) -> None:
    """Every claimed poll ran and worked."""
    with runtime.sessions.begin() as session:
        for source in session.scalars(select(Source)):
            repository.record_poll_success(session, source, now, None, None)


def test_the_tick_decides_what_is_due_by_the_database_clock(
    pg_url: str, runtime_factory: RuntimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One worker whose clock ran an hour ahead claimed a source an hour early, moving its
    next poll an hour too far: the workers with the right time left it alone for that hour."""
    truncate_postgres(pg_url)
    runtime = runtime_factory(pg_url)
    _setup(runtime)

    class HourAhead(datetime):
        @classmethod
        def now(cls, tz: tzinfo | None = None) -> HourAhead:
            return cls.fromtimestamp((datetime.now(tz) + timedelta(hours=1)).timestamp(), tz)

    monkeypatch.setattr("worker.pipeline.poll.datetime", HourAhead)
    monkeypatch.setattr("worker.storage.repository.datetime", HourAhead)
    assert len(pipeline.tick(runtime)) == 40
    with runtime.sessions() as session:
        latest = session.scalar(select(func.max(Source.next_poll_at)))
    assert latest is not None and latest <= datetime.now(UTC) + timedelta(minutes=11)


def test_polling_known_links_again_takes_no_new_url_ids(
    pg_url: str, runtime_factory: RuntimeFactory
) -> None:
    """Each poll inserted every link it listed and let the conflict drop the known ones; on
    PostgreSQL each such insert still took an id from the sequence of the 32-bit `urls.id`: a
    50,000-link sitemap polled every ten minutes used all of them up in 300 days."""
    truncate_postgres(pg_url)
    runtime = runtime_factory(pg_url)
    _setup(runtime)
    links = [repository.FrontierLink(f"https://o0.example/{n}") for n in range(300)]
    now, timeout = datetime.now(UTC), timedelta(hours=1)

    def record(batch: list[repository.FrontierLink]) -> list[int]:
        with runtime.sessions.begin() as session:
            source_id = session.scalars(select(Source.id)).first()
            assert source_id is not None
            return repository.record_links(session, source_id, batch, now, timeout).url_ids

    def last_id_taken() -> int:
        with runtime.sessions() as session:
            return int(session.scalar(text("SELECT last_value FROM urls_id_seq")))

    first = record(links[:200])
    assert len(first) == 200
    taken = last_id_taken()
    assert record(links[:200]) == [], "known and queued: nothing to queue again"
    assert last_id_taken() == taken
    new = record(links)  # 100 new among 300
    assert len(new) == 100 and last_id_taken() == taken + 100
    with runtime.sessions() as session:
        urls = session.scalars(select(Url.url).where(Url.id.in_(new)).order_by(Url.id)).all()
    assert urls == [link.url for link in links[200:]], "queued in the source's order"


def test_a_poll_still_queued_is_not_queued_again_until_taken_for_lost(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    """Polls share the queue with fetches: behind a fetch backlog, each tick claimed a source
    again, and twelve polls of one source ran back to back once the backlog cleared."""
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now, lost_after = datetime.now(UTC), timedelta(hours=1)
    interval = timedelta(minutes=10)
    with runtime.sessions() as session:
        assert len(repository.claim_due_sources(session, now, lost_after=lost_after)) == 40
    with runtime.sessions() as session:
        later = now + 3 * interval
        assert repository.claim_due_sources(session, later, lost_after=lost_after) == []
    with runtime.sessions.begin() as session:  # one poll ran
        first = session.scalars(select(Source).order_by(Source.id)).first()
        assert first is not None
        repository.record_poll_success(session, first, later, None, None)
    with runtime.sessions() as session:
        again = repository.claim_due_sources(session, later + interval * 1.1, lost_after=lost_after)
        assert again == [first.id]
    with runtime.sessions() as session:  # the others' polls were lost (a broker restarted)
        lost = now + lost_after + timedelta(seconds=1)
        assert len(repository.claim_due_sources(session, lost, lost_after=lost_after)) == 39


def test_an_interval_an_older_release_synced_past_the_cap_does_not_stop_the_tick(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    # every = "100000000h" passed the file's check then: each tick raised OverflowError on
    # SQLite, and no source was polled
    runtime = runtime_factory(database_url)
    _setup(runtime)
    with runtime.sessions.begin() as session:
        session.execute(update(Source).values(interval_seconds=2_000_000_000))
    now = datetime.now(UTC)
    with runtime.sessions() as session:
        assert len(repository.claim_due_sources(session, now)) == 40
    with runtime.sessions() as session:
        latest = session.scalar(select(func.max(Source.next_poll_at)))
    assert latest is not None and latest <= now + timedelta(days=7 * 1.1)


def test_sources_due_together_are_spread_over_a_tenth_of_their_interval(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    """Forty sources of one interval synced together reached their hosts in the same tick at
    every interval, forever."""
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now = datetime.now(UTC)
    with runtime.sessions() as session:
        repository.claim_due_sources(session, now)
    with runtime.sessions() as session:
        due = [s.next_poll_at for s in session.scalars(select(Source))]
    assert all(now + timedelta(minutes=10) <= at <= now + timedelta(minutes=11) for at in due)
    assert len(set(due)) > 30, "spread apart, not all at one time"


def test_a_shorter_interval_and_a_poll_that_works_again_bring_the_next_poll_forward(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """Changing `every` from 6h to 10m waited out the six hours; a feed backed off to six hours
    and polled by hand once fixed kept its six-hour wait."""
    sources = tmp_path / "sources.toml"
    sources.write_text(
        TWO_FEEDS.replace('key = "lemonde-une"', 'key = "lemonde-une"\nevery = "6h"')
    )
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_from_file(runtime)
    now = datetime.now(UTC)
    with runtime.sessions() as session:
        assert len(repository.claim_due_sources(session, now)) == 2
    with runtime.sessions.begin() as session:
        une, intl = session.scalars(select(Source).order_by(Source.key.desc())).all()
        assert une.next_poll_at >= now + timedelta(hours=6)
        for _ in range(6):  # intl fails until its back-off reaches its cap
            repository.record_poll_failure(session, intl, now, "http_503: down")
        assert intl.next_poll_at >= now + timedelta(hours=6)
        repository.record_poll_success(session, intl, now, None, None)  # `crawl --source`, fixed
        assert intl.next_poll_at == now + timedelta(minutes=15)
    sources.write_text(
        TWO_FEEDS.replace('key = "lemonde-une"', 'key = "lemonde-une"\nevery = "10m"')
    )
    sync_from_file(runtime)
    with runtime.sessions() as session:
        une = session.scalars(select(Source).where(Source.key == "lemonde-une")).one()
        assert une.next_poll_at <= datetime.now(UTC) + timedelta(minutes=10)


def test_the_tick_publishes_how_long_the_oldest_pending_url_has_waited(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    """A fetch that never comes (every worker stuck on one host, a lost queue the sweep cannot
    refill) shows as a pending URL growing old: the alert reads its age from the gauge."""
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now = datetime.now(UTC)
    hour_ago, retry_due = now - timedelta(hours=1), now + timedelta(minutes=5)
    with runtime.sessions.begin() as session:
        source_id = session.scalars(select(Source.id)).first()
        session.add_all([
            Url(url="https://o0.example/a", source_id=source_id, queued_at=hour_ago),
            Url(url="https://o0.example/b", source_id=source_id, queued_at=retry_due),
            Url(url="https://o0.example/c", source_id=source_id, first_seen_at=now),  # not queued
            Url(url="https://o0.example/old", source_id=source_id, state="stored",
                queued_at=now - timedelta(days=2)),
        ])  # fmt: skip
    backlog = pipeline.measure_backlog(runtime)
    assert backlog == pipeline.Backlog(pending=3, oldest_queued_at=hour_ago)
    metrics.backlog(backlog.pending, backlog.oldest_queued_at)
    assert REGISTRY.get_sample_value("newsworker_urls_pending") == 3
    oldest = REGISTRY.get_sample_value("newsworker_oldest_pending_timestamp_seconds")
    assert oldest == hour_ago.timestamp()

    with runtime.sessions.begin() as session:
        session.execute(update(Url).values(state="stored"))
    before = time.time()
    backlog = pipeline.measure_backlog(runtime)
    assert backlog == pipeline.Backlog(pending=0, oldest_queued_at=None)
    metrics.backlog(backlog.pending, backlog.oldest_queued_at)
    assert REGISTRY.get_sample_value("newsworker_urls_pending") == 0
    waited = REGISTRY.get_sample_value("newsworker_oldest_pending_timestamp_seconds")
    assert waited is not None and waited >= before, "none waits: an age of 0"


def test_the_tick_forgets_paragraphs_an_outlet_printed_once_long_ago(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    """Every paragraph of every article was kept with its text for good: most of the corpus a
    second time, though only repeated paragraphs are ever boilerplate."""
    runtime = runtime_factory(database_url)
    _setup(runtime)
    now = datetime.now(UTC)
    old, recent = now - timedelta(days=31), now - timedelta(days=29)
    with runtime.sessions.begin() as session:
        outlet_id = session.scalars(select(Outlet.id)).first()
        assert outlet_id is not None
        for key, count, seen in ((1, 1, old), (2, 1, recent), (3, 5, old)):
            session.add(OutletBoilerplate(outlet_id=outlet_id, paragraph_key=key,
                                          article_count=count, sample=f"p{key}",
                                          first_seen_at=seen, last_seen_at=seen))  # fmt: skip
    assert pipeline.forget_unrepeated_paragraphs(runtime, now) == 1
    with runtime.sessions() as session:
        kept = session.scalars(select(OutletBoilerplate.paragraph_key)).all()
    assert sorted(kept) == [2, 3], "seen again lately, or repeated: kept"
    assert pipeline.forget_unrepeated_paragraphs(runtime, now) == 0


def test_sync_is_idempotent_and_disables_removed_sources(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    _setup(runtime)
    smaller: dict[str, object] = {
        "outlets": {k: v for k, v in SOURCES["outlets"].items() if k != "o0"}
    }
    with runtime.sessions.begin() as session:
        report = repository.sync_sources(session, parse_sources(smaller))
    assert report.disabled == 1
    with runtime.sessions() as session:
        rows = session.scalars(select(Source)).all()
    assert len(rows) == 40
    assert [row.key for row in rows if not row.enabled] == ["o0/feed"]


def test_edits_to_the_sources_file_reach_the_database_at_the_next_tick(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    sources = tmp_path / "edited.toml"
    sources.write_text(
        '[outlets.a]\nname = "A"\n[[outlets.a.sources]]\nkind = "feed"\nurl = "https://a.example/f"\n'
    )
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_if_changed(runtime)
    sources.write_text(sources.read_text().replace('"A"', '"A News"') + 'every = "2h"\n')
    sync_if_changed(runtime)
    with runtime.sessions() as session:
        source = session.scalars(select(Source)).one()
        assert (source.outlet.name, source.interval_seconds) == ("A News", 7200)
    sources.write_text(
        "[outlets.a]\nname = 1\n"
    )  # a bad edit is logged, the last good config stays
    sync_if_changed(runtime)
    with runtime.sessions() as session:
        assert session.scalars(select(Source)).one().enabled


TWO_FEEDS = """[outlets.lemonde]
name = "Le Monde"
[[outlets.lemonde.sources]]
kind = "feed"
key = "lemonde-une"
url = "https://www.lemonde.fr/rss/une.xml"
[[outlets.lemonde.sources]]
kind = "feed"
key = "lemonde-intl"
url = "https://www.lemonde.fr/international/rss_full.xml"
"""


def _keys_by_url(runtime: Runtime) -> dict[str, tuple[str, bool]]:
    with runtime.sessions() as session:
        return {s.url: (s.key, s.enabled) for s in session.scalars(select(Source))}


def _make_all_due(runtime: Runtime) -> None:
    with runtime.sessions.begin() as session:
        session.execute(
            update(Source).values(next_poll_at=datetime.now(UTC) - timedelta(minutes=5))
        )


@pytest.mark.parametrize("bad_edit", ["cp1252", "directory", "database_refuses"])
def test_a_bad_edit_is_logged_and_the_tick_polls_on_with_the_last_good_sync(
    database_url: str,
    runtime_factory: RuntimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    bad_edit: str,
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(TWO_FEEDS)
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_if_changed(runtime)
    good = _keys_by_url(runtime)
    log = CapturingLogger()
    monkeypatch.setattr(syncing, "log", log)
    edited = TWO_FEEDS.replace('"Le Monde"', '"Le Monde \u00e9dition"')
    if bad_edit == "cp1252":
        sources.write_bytes(edited.encode("cp1252"))
    elif bad_edit == "directory":
        sources.unlink()
        sources.mkdir()
    else:  # the sync writes, then the database refuses it: all of it is rolled back
        sources.write_text(edited + '[outlets.new]\nname = "New"\n')

        def refused(session: Session, outlets: Any) -> None:
            repository.sync_sources(session, outlets)
            session.flush()
            raise IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed: sources.key"))

        monkeypatch.setattr(syncing, "sync_sources", refused)
    _make_all_due(runtime)
    sync_if_changed(runtime)  # what the beat tick does first: no exception escapes
    assert len(pipeline.tick(runtime)) == 2
    assert _keys_by_url(runtime) == good
    with runtime.sessions() as session:
        assert session.scalars(select(Outlet.name)).all() == ["Le Monde"]
    ((level, (event,), fields),) = [(c.method_name, c.args, c.kwargs) for c in log.calls]
    assert level == "error" and event in {
        "sources.invalid",
        "sources.unreadable",
        "sources.sync_failed",
    }
    assert fields["file"] == str(sources)
    expected = {"cp1252": "line 2 is not UTF-8", "directory": "Is a directory",
                "database_refuses": "UNIQUE constraint failed"}[bad_edit]  # fmt: skip
    assert expected in fields["error"]
    with runtime.sessions() as session:
        (state,) = sources_file_states(session)
    if bad_edit == "database_refuses":  # not the file's fault: tried again at the next tick
        assert state.refused_at is None
    else:  # recorded for `status` and `sources` to show
        assert state.refused_at is not None and expected in (state.error or "")
        assert state.synced_at is not None, "the last good sync stays recorded"


def test_an_edit_saved_while_a_sync_reads_the_file_is_synced_at_the_next_tick(
    database_url: str,
    runtime_factory: RuntimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The sync took the file's digest from a second read: a save between the two was taken
    for synced, and that process never applied it."""
    sources = tmp_path / "sources.toml"
    sources.write_text(TWO_FEEDS.rsplit("[[outlets.lemonde.sources]]", 1)[0])  # one feed
    runtime = runtime_factory(database_url, sources_file=sources)
    parse = load_sources

    def saved_meanwhile(path: Path, content: bytes | None = None) -> Any:
        outlets = parse(path, content)
        sources.write_text(TWO_FEEDS)  # the operator's save lands while the sync runs
        return outlets

    monkeypatch.setattr("worker.syncing.load_sources", saved_meanwhile)
    sync_if_changed(runtime)
    assert len(_keys_by_url(runtime)) == 1
    monkeypatch.setattr("worker.syncing.load_sources", parse)
    sync_if_changed(runtime)  # the next tick
    assert len(_keys_by_url(runtime)) == 2


def test_an_edit_undone_is_applied_by_a_process_that_knew_the_file_as_it_is_again(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """Each process remembered the content it synced last: a pool process that knew the file
    before a feed was added (another process synced that) took its removal for no change, and
    the feed was polled on until a restart."""
    sources = tmp_path / "sources.toml"
    one_feed = TWO_FEEDS.rsplit("[[outlets.lemonde.sources]]", 1)[0]
    sources.write_text(one_feed)
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_if_changed(runtime)  # this process knows the file with one feed
    sources.write_text(TWO_FEEDS)  # a feed added, synced by another process's tick
    settings = {"NEWSWORKER_DATABASE_URL": database_url, "NEWSWORKER_SOURCES_FILE": str(sources),
                "NEWSWORKER_VAR_DIR": str(tmp_path / "var")}  # fmt: skip
    tick_elsewhere = (
        "from worker.runtime import get_runtime\n"
        "from worker.syncing import sync_if_changed\n"
        "sync_if_changed(get_runtime())\n"
    )
    subprocess.run([sys.executable, "-c", tick_elsewhere], env={**os.environ, **settings},
                   cwd=tmp_path, check=True, timeout=120)  # fmt: skip
    assert sorted(_keys_by_url(runtime).values()) == [
        ("lemonde-intl", True), ("lemonde-une", True)
    ]  # fmt: skip
    sources.write_text(one_feed)  # and removed again
    sync_if_changed(runtime)
    assert sorted(_keys_by_url(runtime).values()) == [
        ("lemonde-intl", False), ("lemonde-une", True)
    ]  # fmt: skip


def test_sources_that_swap_keys_sync_and_keep_their_urls(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(TWO_FEEDS)
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_from_file(runtime)
    sources.write_text(
        TWO_FEEDS.replace('"lemonde-une"', '"TMP"')
        .replace('"lemonde-intl"', '"lemonde-une"')
        .replace('"TMP"', '"lemonde-intl"')
    )
    sync_from_file(runtime)
    assert _keys_by_url(runtime) == {
        "https://www.lemonde.fr/rss/une.xml": ("lemonde-intl", True),
        "https://www.lemonde.fr/international/rss_full.xml": ("lemonde-une", True),
    }


def test_a_source_may_take_the_key_of_a_removed_one(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(TWO_FEEDS)
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_from_file(runtime)
    une = TWO_FEEDS.split("[[outlets.lemonde.sources]]\n")[1]
    sources.write_text(
        '[outlets.lemonde]\nname = "Le Monde"\n[[outlets.lemonde.sources]]\n'
        + une.replace('"lemonde-une"', '"lemonde-intl"')
    )
    report = sync_from_file(runtime)
    assert (report.sources, report.disabled) == (1, 1)
    keys = _keys_by_url(runtime)
    assert keys["https://www.lemonde.fr/rss/une.xml"] == ("lemonde-intl", True)
    removed_key, enabled = keys["https://www.lemonde.fr/international/rss_full.xml"]
    assert removed_key.startswith("lemonde-intl~") and not enabled


def test_a_fixed_url_drops_the_old_urls_back_off_and_is_polled_at_the_next_tick(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    sources = tmp_path / "sources.toml"
    sources.write_text(TWO_FEEDS.replace("/rss/une.xml", "/down/une.xml"))
    runtime = runtime_factory(database_url, sources_file=sources)
    sync_from_file(runtime)
    now = datetime.now(UTC)
    with runtime.sessions.begin() as session:
        source = session.scalars(select(Source).where(Source.key == "lemonde-une")).one()
        repository.record_poll_success(session, source, now, '"v1"', "Mon, 01 Dec 2025")
        for _ in range(5):
            repository.record_poll_failure(session, source, now, "http_503: HTTP 503")
        other = session.scalars(select(Source).where(Source.key == "lemonde-intl")).one()
        repository.record_poll_failure(session, other, now, "http_503: HTTP 503")
    sources.write_text(TWO_FEEDS)  # the operator fixes the URL
    sync_from_file(runtime)
    with runtime.sessions() as session:
        fixed = session.scalars(select(Source).where(Source.key == "lemonde-une")).one()
        assert fixed.url == "https://www.lemonde.fr/rss/une.xml"
        assert (fixed.failure_count, fixed.last_error) == (0, None)
        assert (fixed.etag, fixed.last_modified) == (None, None)
        untouched = session.scalars(select(Source).where(Source.key == "lemonde-intl")).one()
        assert (untouched.failure_count, untouched.last_error) == (1, "http_503: HTTP 503")
    with runtime.sessions() as session:
        assert repository.claim_due_sources(session, datetime.now(UTC)) == [fixed.id]


def _postponed(runtime: Runtime, source_id: int, until: datetime) -> None:
    """The source's poll ran and found its host busy until ``until``."""
    with runtime.sessions.begin() as session:
        repository.postpone_poll(session, session.get_one(Source, source_id), until)


def test_a_crawls_polls_and_the_ticks_are_never_queued_twice(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    """A crawl's poll that found its host busy was polled again by beat's tick alone: without
    beat the crawl waited out its timeout. The crawl queues it again itself once it is due,
    claimed as the tick claims: whichever comes first queues it, the other finds it claimed."""
    runtime = runtime_factory(database_url)
    _setup(runtime)
    with runtime.sessions() as session:
        a, b = session.scalars(select(Source.id).order_by(Source.id).limit(2))
        key_a = session.get_one(Source, a).key
    started, queued = datetime.now(UTC) - timedelta(seconds=1), list[int]()
    pipeline.queue_polls(runtime, [a, b], queued.append)
    assert queued == [a, b]
    assert not {a, b} & set(pipeline.tick(runtime)), "due, but the crawl's polls are queued"
    assert requeue_postponed(runtime, [a, b], started, queued.append) == []
    assert queued == [a, b], "not run yet: not queued again"

    now = datetime.now(UTC)
    _postponed(runtime, a, now + timedelta(hours=1))
    _postponed(runtime, b, now - timedelta(seconds=1))  # due again
    waiting = requeue_postponed(runtime, [a, b], started, queued.append)
    assert [(w.source, w.until) for w in waiting] == [(key_a, now + timedelta(hours=1))]
    assert queued == [a, b, b]
    assert b not in pipeline.tick(runtime), "the crawl queued it: the tick does not"
    requeue_postponed(runtime, [a, b], started, queued.append)
    assert queued == [a, b, b], "nor does the crawl once more while it waits"

    _postponed(runtime, b, datetime.now(UTC) - timedelta(seconds=1))  # busy once more
    assert b in pipeline.tick(runtime), "the tick came first this time"
    requeue_postponed(runtime, [a, b], started, queued.append)
    assert queued == [a, b, b], "so the crawl does not queue it"


def test_a_crawl_and_ticks_racing_for_a_postponed_poll_queue_it_once(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    with runtime.sessions() as session:
        source_id = session.scalars(select(Source.id).order_by(Source.id)).first()
    assert source_id is not None
    started = datetime.now(UTC) - timedelta(seconds=1)
    pipeline.queue_polls(runtime, [source_id], lambda _id: None)
    _postponed(runtime, source_id, datetime.now(UTC) - timedelta(seconds=1))
    queued: list[int] = []
    barrier = threading.Barrier(4)

    def crawl() -> None:
        barrier.wait()
        requeue_postponed(runtime, [source_id], started, queued.append)

    def tick() -> None:
        barrier.wait()
        queued.extend(i for i in pipeline.tick(runtime) if i == source_id)

    threads = [threading.Thread(target=job) for job in (crawl, crawl, tick, tick)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert queued == [source_id]


def test_polls_a_crawl_could_not_queue_are_left_to_the_tick(
    database_url: str, runtime_factory: RuntimeFactory
) -> None:
    runtime = runtime_factory(database_url)
    _setup(runtime)
    with runtime.sessions() as session:
        ids = list(session.scalars(select(Source.id).order_by(Source.id).limit(3)))

    def broker_down(source_id: int) -> None:
        if source_id != ids[0]:
            raise ConnectionError("broker down")

    with pytest.raises(ConnectionError):
        pipeline.queue_polls(runtime, ids, broker_down)
    assert set(ids) & set(pipeline.tick(runtime)) == set(ids[1:])
