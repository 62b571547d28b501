"""A crawl on demand: poll chosen sources, fetch everything they yield, report what happened.

``crawl_inline`` runs it all in this process: sources are polled concurrently, then URLs are
fetched grouped by host, several hosts at once, each host's URLs one after another. Through the
broker, the CLI queues the polls and then ``wait_for_crawl`` watches the frontier until every URL
the polls yielded is in a final state. Both end with the same ``summarize_crawl``.

A poll that found its host busy (or whose sitemap walk paused) is postponed to when the host
is free; through the broker, ``wait_for_crawl`` queues it again then, claimed as the tick
claims it, so a crawl finishes without beat and a crawl beside beat still polls a source once.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from sqlalchemy import ColumnElement, and_, func, or_, select

from worker.pipeline.poll import poll_source
from worker.pipeline.process import RetryLater, process_url
from worker.runtime import Runtime
from worker.storage import repository
from worker.storage.models import Source, Url

INLINE_MAX_RETRY_WAIT_SECONDS = 60.0
NOT_POLLED = "sources were not polled to the end: is a worker running?"


@dataclass(frozen=True)
class Failure:
    url: str
    state: str
    reason: str | None
    http_status: int | None
    attempts: int
    detail: str | None


@dataclass
class CrawlReport:
    """What a crawl saw: counts by final state, and every URL that did not end well."""

    sources: int = 0
    discovered: int = 0
    known: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    source_errors: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> int:
        return self.counts.get("failed", 0)

    @property
    def pending(self) -> int:
        return self.counts.get("pending", 0)

    @property
    def exit_code(self) -> int:
        """0: all went well; 1: some URLs or sources failed; 2: the crawl did not finish."""
        if self.pending:
            return 2
        return 1 if self.failed or self.source_errors else 0


def crawl_inline(
    runtime: Runtime,
    source_ids: Sequence[int],
    *,
    progress: Callable[[int, int], None] | None = None,
) -> CrawlReport:
    """Poll ``source_ids`` and process every URL they yield, in this process. ``progress``
    hears (URLs done, URLs to fetch) once the polls are done and after each URL, as
    ``wait_for_crawl``'s does."""
    started = datetime.now(UTC)
    stop = threading.Event()
    polls = [partial(_poll_whole, runtime, source_id, stop) for source_id in source_ids]
    _in_threads(runtime, polls, stop)
    url_ids = _pending_since(runtime, source_ids, started)
    if progress is not None:
        progress(0, len(url_ids))
    process_inline(runtime, url_ids, _counting(progress, len(url_ids)) if progress else None)
    return summarize_crawl(runtime, source_ids, started)


def _counting(progress: Callable[[int, int], None], total: int) -> Callable[[int], None]:
    """An ``on_done`` telling ``progress`` how many of ``total`` are done; called from the
    hosts' threads (``next`` on a count is atomic)."""
    done = itertools.count(1)
    return lambda _url_id: progress(next(done), total)


def _poll_whole(runtime: Runtime, source_id: int, stop: threading.Event) -> None:
    """Poll a source, and again each time the host's rate limit held the poll back or paused
    its sitemap walk (a Crawl-delay longer than a worker waits, counted from the robots.txt
    request too): this command waits for the host instead, up to a minute at a time."""
    result = poll_source(runtime, source_id)
    for _ in range(runtime.settings.max_sitemap_children + 1):
        wait = result.resume_after if result.sitemaps_left else result.busy_for
        if not wait or wait > INLINE_MAX_RETRY_WAIT_SECONDS or stop.wait(wait):
            return
        result = poll_source(runtime, source_id)


def _in_threads(
    runtime: Runtime, jobs: Sequence[Callable[[], None]], stop: threading.Event
) -> None:
    """Run ``jobs`` on the inline threads. On Ctrl-C, ``stop`` is set: the jobs finish the
    page in hand and start no other, the jobs not begun are dropped, and the interrupt goes
    on once they have. Else the command went on to fetch every page before it stopped."""
    pool = ThreadPoolExecutor(
        max_workers=max(1, runtime.settings.inline_concurrency), thread_name_prefix="inline"
    )
    try:
        for future in [pool.submit(job) for job in jobs]:
            future.result()
    except KeyboardInterrupt:
        stop.set()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pending_since(runtime: Runtime, source_ids: Sequence[int], started: datetime) -> list[int]:
    """Every URL the polls yielded that is not final yet (new, or left over by a lost task)."""
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(Url.id)
                .where(_seen_by(source_ids, started), Url.state == "pending")
                .order_by(Url.id)
            )
        )


def _seen_by(source_ids: Sequence[int], started: datetime) -> ColumnElement[bool]:
    """The URLs of ``source_ids`` seen since ``started``: not those of the sources beat polled
    meanwhile (a crawl of one source runs beside the service)."""
    return and_(Url.last_seen_at >= started, Url.source_id.in_(source_ids))


def process_inline(
    runtime: Runtime, url_ids: Sequence[int], on_done: Callable[[int], None] | None = None
) -> None:
    """Process pending URLs in this process: hosts in parallel, each host's URLs in order, a
    transient failure waited out (bounded) and tried again until a final state."""
    by_host: dict[str, list[int]] = defaultdict(list)
    with runtime.sessions() as session:
        for start in range(0, len(url_ids), 500):
            chunk = url_ids[start : start + 500]
            for url_id, url in session.execute(select(Url.id, Url.url).where(Url.id.in_(chunk))):
                by_host[urlsplit(url).netloc].append(url_id)

    stop = threading.Event()

    def one_host(ids: list[int]) -> None:
        for url_id in ids:
            while not stop.is_set():
                try:
                    process_url(runtime, url_id)
                    break
                except RetryLater as retry:
                    stop.wait(min(retry.delay, INLINE_MAX_RETRY_WAIT_SECONDS))
            if stop.is_set():
                return
            if on_done is not None:
                on_done(url_id)

    _in_threads(runtime, [partial(one_host, ids) for ids in by_host.values()], stop)


@dataclass(frozen=True)
class Postponed:
    """A crawl's poll that found its host busy: polled again at ``until``."""

    source: str
    until: datetime
    sitemaps_left: int


def queue_polls(runtime: Runtime, source_ids: Sequence[int], send: Callable[[int], None]) -> None:
    """Queue a poll of each source now (``send``), each claimed first: the tick queues none
    a second time while it waits, and ``wait_for_crawl`` tells a poll not run yet from one
    that ran and was postponed. The claims of polls not sent (the broker down) are released."""
    with runtime.sessions.begin() as session:
        repository.mark_claimed(session, source_ids, repository.database_now(session))
    _send_claimed(runtime, source_ids, send)


def _send_claimed(runtime: Runtime, source_ids: Sequence[int], send: Callable[[int], None]) -> None:
    """Queue the claimed polls; when ``send`` fails, release the claims of those not sent, or
    the tick would leave them for NEWSWORKER_PENDING_TIMEOUT_SECONDS."""
    for sent, source_id in enumerate(source_ids):
        try:
            send(source_id)
        except BaseException:
            with runtime.sessions.begin() as session:
                repository.release_claims(session, source_ids[sent:])
            raise


def wait_for_crawl(
    runtime: Runtime,
    source_ids: Sequence[int],
    started: datetime,
    *,
    timeout: float,
    poll_interval: float = 0.5,
    progress: Callable[[int, int], None] | None = None,
    requeue: Callable[[int], None] | None = None,
    postponed: Callable[[Postponed], None] | None = None,
) -> CrawlReport:
    """Wait until the sources were polled and their URLs reached a final state, or the timeout.

    ``requeue`` queues a poll again: the crawl's polls that found their host busy are, once
    it is free (without it, only beat's tick polls them again). ``postponed`` hears of each
    such poll once, with when it is due."""
    deadline = time.monotonic() + timeout
    told: set[Postponed] = set()
    while True:
        # Polled first: a poll records its URLs in the transaction that marks the source
        # polled, so every URL of a poll seen here is in the summary read after it. Read the
        # other way round, a poll committing between the two reads ended the wait with none
        # of its URLs fetched.
        polled = _polled_since(runtime, source_ids, started)
        report = summarize_crawl(runtime, source_ids, started)
        if progress:
            progress(report.discovered - report.pending, report.discovered)
        if polled and not report.pending:
            return report
        if not polled and requeue is not None:
            for waiting in requeue_postponed(runtime, source_ids, started, requeue):
                if postponed is not None and waiting not in told:
                    postponed(waiting)
                told.add(waiting)
        if time.monotonic() > deadline:
            if not polled:
                report.source_errors.setdefault("*", NOT_POLLED)
                report.counts["pending"] = max(report.pending, 1)
            return report
        time.sleep(poll_interval)


def _polled_since(runtime: Runtime, source_ids: Sequence[int], started: datetime) -> bool:
    with runtime.sessions() as session:
        polled = session.scalar(
            select(func.count()).where(Source.id.in_(source_ids), _polled_whole(started))
        )
    return polled == len(set(source_ids))


def _polled_whole(started: datetime) -> ColumnElement[bool]:
    return and_(
        Source.last_polled_at >= started,
        Source.pending_sitemaps.is_(None),  # a paused sitemap walk has more to yield
    )


def requeue_postponed(
    runtime: Runtime, source_ids: Sequence[int], started: datetime, requeue: Callable[[int], None]
) -> list[Postponed]:
    """Queue again (``requeue``) the polls of ``source_ids`` that ran since ``started`` but were
    postponed (the host busy, a sitemap walk paused) and are due now; those not due yet are
    returned. Claimed as the tick claims: whichever of the two comes first queues the poll,
    the other finds it claimed. A poll not run yet is still claimed: it is not queued twice."""
    with runtime.sessions() as session:
        now = repository.database_now(session)
        rows = session.execute(
            select(Source.id, Source.key, Source.next_poll_at, Source.pending_sitemaps).where(
                Source.id.in_(source_ids),
                Source.enabled.is_(True),
                Source.claimed_at.is_(None),
                or_(
                    Source.last_polled_at.is_(None),
                    Source.last_polled_at < started,
                    Source.pending_sitemaps.is_not(None),
                ),
            )
        ).all()
        due = [row.id for row in rows if row.next_poll_at <= now]
        lost_after = timedelta(seconds=runtime.settings.pending_timeout_seconds)
        claimed = (
            repository.claim_due_sources(session, now, lost_after=lost_after, among=due)
            if due
            else []
        )
    _send_claimed(runtime, claimed, requeue)
    return [
        Postponed(row.key, row.next_poll_at, len(row.pending_sitemaps or ()))
        for row in rows
        if row.next_poll_at > now
    ]


def summarize_crawl(runtime: Runtime, source_ids: Sequence[int], started: datetime) -> CrawlReport:
    """Counts of the URLs seen since ``started``; URLs already final before it count as known."""
    report = CrawlReport(sources=len(source_ids))
    with runtime.sessions() as session:
        for source in session.scalars(select(Source).where(Source.id.in_(source_ids))):
            if source.last_error and source.last_polled_at and source.last_polled_at >= started:
                report.source_errors[source.key] = source.last_error
        urls = session.scalars(
            select(Url).where(_seen_by(source_ids, started)).order_by(Url.id)
        ).all()
    for url in urls:
        report.discovered += 1
        if url.state != "pending" and (
            url.last_attempt_at is None or url.last_attempt_at < started
        ):
            report.known += 1
            continue
        report.counts[url.state] = report.counts.get(url.state, 0) + 1
        if url.state in ("failed", "skipped"):
            report.failures.append(
                Failure(url.url, url.state, url.reason, url.http_status, url.attempts, url.detail)
            )
    return report
