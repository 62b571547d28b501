"""Operator commands: rerun, backfill, reprocess (repair); failures, url and status (the view).

Every command that changes data counts what it will do first and takes ``--dry-run``. Each is
safe to run twice: the frontier and the article keys make a second run store nothing twice.
Registered on the ``newsworker`` app by ``worker.cli``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.exc import SQLAlchemyError

from worker.cli import (
    _db_problem,
    _fail,
    _interrupted,
    _iso,
    _progress,
    _resume_command,
    _runtime,
    _setup_logs,
    _short,
    app,
    clip,
    err,
    out,
    styled,
)
from worker.errors import ConfigError
from worker.settings import get_settings
from worker.timespec import parse_since

if TYPE_CHECKING:
    from worker.pipeline.backfill import BackfillPlan
    from worker.pipeline.rerun import UrlSelection
    from worker.reporting.status import SourcesFileState

SourceOpt = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Source key (repeatable).")
]
OutletOpt = Annotated[
    list[str] | None, typer.Option("--outlet", "-o", help="Outlet key (repeatable).")
]
SinceOpt = Annotated[str | None, typer.Option(help="From: a duration back (6h, 2d) or a date.")]
UntilOpt = Annotated[str | None, typer.Option(help="Up to (not including): duration or date.")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Count and show; change nothing.")]
InlineOpt = Annotated[bool, typer.Option(help="Fetch here, without broker or workers.")]
WaitOpt = Annotated[bool, typer.Option(help="Follow the workers until every URL is final.")]
TimeoutOpt = Annotated[float, typer.Option(help="Seconds --wait waits at most.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON for scripts.")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")]


def _when(value: str | None, now: datetime | None = None) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_since(value, now)
    except ValueError as exc:
        raise _fail(str(exc)) from exc


def _window(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """--since and --until as UTC times, exit 2 when none is between them: a swapped pair
    selected nothing and read as "nothing to do"."""
    now = datetime.now(UTC)  # one now: "--since 2d --until 2d" is empty, not a microsecond
    start, end = _when(since, now), _when(until, now)
    if start is not None and end is not None and start >= end:
        raise _fail(
            f"--since {since!r} ({start:%Y-%m-%d %H:%M} UTC) is not before --until {until!r} "
            f"({end:%Y-%m-%d %H:%M} UTC): no time is between them"
        )
    return start, end


def _fetch_selected(
    runtime: Any,
    url_ids: list[int],
    *,
    inline: bool,
    wait: bool,
    timeout: float,
    again: str,
    rerun_at: datetime | None = None,
) -> int:
    """Fetch ``url_ids`` (already marked pending) here or through the workers; the exit code.
    ``again``: the command that fetches them here if the broker cannot take them; ``rerun_at``:
    when a rerun marked them (its tasks then leave a URL marked again since to a later one)."""
    from worker.pipeline.crawl import process_inline
    from worker.pipeline.rerun import states_of, wait_until_final

    if inline:
        try:
            with _progress("fetching", len(url_ids)) as advance:
                process_inline(runtime, url_ids, on_done=lambda _id: advance())
        except KeyboardInterrupt:
            raise _interrupted(states_of(runtime, url_ids).get("pending", 0), again) from None
    else:
        from worker.tasks import fetch

        kwargs = {"rerun_at": rerun_at.isoformat()} if rerun_at else {}
        try:
            for url_id in url_ids:
                fetch.apply_async((url_id,), kwargs, retry=False)
        except Exception as exc:  # kombu raises many kinds; all mean "broker unusable"
            raise _fail(
                f"cannot queue on the broker: {exc}. The URLs stay pending: the tick queues them "
                f"again after NEWSWORKER_PENDING_TIMEOUT_SECONDS, or fetch them here: {again}"
            ) from exc
        _say_if_no_worker(runtime)
        if not wait:
            out.print(f"queued {len(url_ids)} URLs; follow with `newsworker status`")
            return 0
        with _progress("waiting for the workers", len(url_ids)) as advance:
            wait_until_final(runtime, url_ids, timeout=timeout, progress=advance)
    counts = states_of(runtime, url_ids)
    _print_counts("result", counts)
    if counts.get("pending"):
        out.print(styled(f"{counts['pending']} URL(s) not finished", "yellow"))
        return 2
    return 1 if counts.get("failed") else 0


def _say_if_no_worker(runtime: Any) -> None:
    """Warn when no worker is alive to take what was just queued: "queued", exit 0 and
    nothing more read as done, while the URLs waited for a worker to start."""
    from worker.liveness import WORKER_GONE_AFTER_SECONDS
    from worker.reporting.status import running_workers

    with runtime.sessions() as session:
        if running_workers(session, datetime.now(UTC)):
            return
    err.print(
        styled("warning:", "yellow", f" no worker has been seen in the last "
               f"{WORKER_GONE_AFTER_SECONDS:.0f} s (`newsworker status`): the URLs wait in the "
               "queue and are fetched once one starts"),
        highlight=False,
    )  # fmt: skip


def _print_counts(title: str, counts: dict[str, int]) -> None:
    table = Table(title=title)
    for state in ("stored", "duplicate", "skipped", "failed", "pending"):
        table.add_column(state, justify="right")
    table.add_row(
        *(str(counts.get(s, 0)) for s in ("stored", "duplicate", "skipped", "failed", "pending"))
    )
    out.print(table)


@app.command()
def rerun(
    source: SourceOpt = None,
    outlet: OutletOpt = None,
    state: Annotated[
        list[str] | None,
        typer.Option(
            help="URL state (repeatable): failed, skipped, stored, duplicate, pending. "
            "Default: failed (any state with --url)."
        ),
    ] = None,
    reason: Annotated[
        list[str] | None, typer.Option(help="Only this reason (repeatable): http_503, timeout...")
    ] = None,
    url: Annotated[list[str] | None, typer.Option("--url", help="This URL (repeatable).")] = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    inline: InlineOpt = False,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = 1800.0,
    dry_run: DryRunOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Fetch chosen URLs again: by source, outlet, time, state and reason, or by URL.

    For URLs that failed while an outlet was down, or after a fix. With --wait or --inline,
    exit code 0: all ended well; 1: some failed again; 2: could not run, or not finished.
    Without either, 0 once they are queued.
    """
    _setup_logs(verbose)
    from worker.pipeline.rerun import UrlSelection, mark_for_rerun, select_urls, states_of

    states = state or ([] if url else ["failed"])
    start, end = _window(since, until)
    try:
        selection = UrlSelection(
            sources=source or [],
            outlets=outlet or [],
            states=states,
            reasons=reason or [],
            urls=url or [],
            since=start,
            until=end,
        )
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    try:
        runtime = _runtime()
        _check_keys(runtime, source, outlet)
        url_ids = select_urls(runtime, selection)
        found = states_of(runtime, url_ids)
        described = ", ".join(f"{n} {s}" for s, n in sorted(found.items())) or "none"
        out.print(f"{len(url_ids)} URLs selected ({described})")
        if not url_ids:
            _check_filters(runtime, selection)
        if url and len(url_ids) < len(set(url)):
            _say_unselected_urls(runtime, selection, len(url_ids))
        if dry_run or not url_ids:
            if url_ids:
                _print_sample(runtime, url_ids)
            return
        marked = mark_for_rerun(runtime, url_ids)
        options = [part for name, values in
                   (("source", source), ("outlet", outlet), ("reason", reason), ("url", url))
                   for value in values or [] for part in (f"--{name}", value)]  # fmt: skip
        again = _resume_command(*options)
        code = _fetch_selected(
            runtime, url_ids, inline=inline, wait=wait, timeout=timeout, again=again,
            rerun_at=marked,
        )  # fmt: skip
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    raise typer.Exit(code)


def _check_keys(runtime: Any, sources: list[str] | None, outlets: list[str] | None) -> None:
    """Exit 2 naming a source or outlet key that selects nothing: a typo is no empty result."""
    from worker.pipeline.rerun import unknown_keys

    problem = unknown_keys(runtime, sources or [], outlets or [])
    if problem:
        raise _fail(problem)


def _say_unselected_urls(runtime: Any, selection: UrlSelection, selected: int) -> None:
    """Why some given --url are not selected: not in the frontier, or filtered out by the other
    options (a stored URL under the default ``--state failed``), which are two fixes."""
    from worker.pipeline.rerun import UrlSelection, select_urls

    known = len(select_urls(runtime, UrlSelection(urls=selection.urls)))
    absent = len(set(selection.urls)) - known
    if absent > 0:
        err.print(f"{absent} of the given URLs are not in the frontier")
    if known > selected:
        states = " or ".join(selection.states) or "any state"
        err.print(
            f"{known - selected} of the given URLs are in the frontier but not {states} or "
            "outside the other options (`newsworker url URL` shows each one's state)"
        )


def _check_filters(runtime: Any, selection: UrlSelection) -> None:
    """Exit 2 when a --url or --reason matched no URL: a typo is no empty result."""
    from worker.pipeline.rerun import unmatched_filter

    problem = unmatched_filter(runtime, selection)
    if problem:
        raise _fail(problem)


def _print_sample(runtime: Any, url_ids: list[int], limit: int = 20) -> None:
    from sqlalchemy import select

    from worker.storage.models import Url

    with runtime.sessions() as session:
        rows = session.scalars(select(Url).where(Url.id.in_(url_ids[:limit])).order_by(Url.id))
        table = Table(title=f"first {min(limit, len(url_ids))} of {len(url_ids)}")
        for column in ("state", "reason", "attempts", "url", "announced title"):
            table.add_column(column, overflow="fold")
        for row in rows:
            title = row.announced_title or ""
            table.add_row(row.state, row.reason or "", str(row.attempts), row.url, title)
    out.print(table)


@app.command()
def backfill(
    source: Annotated[
        str,
        typer.Option(
            "--source", "-s", help="A sitemap source's key, or an outlet's (its sitemaps)."
        ),
    ],
    since: Annotated[str, typer.Option(help="Back to this date, or a duration (30d).")],
    until: UntilOpt = None,
    max_sitemaps: Annotated[int, typer.Option(help="Sitemaps read at most (each source).")] = 2000,
    inline: InlineOpt = False,
    wait: WaitOpt = False,
    timeout: TimeoutOpt = 7200.0,
    dry_run: DryRunOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Ingest what a sitemap index lists back to --since and is still missing.

    Dated sub-sitemaps and those whose lastmod is older are skipped. --dry-run reads the
    sitemaps and records nothing. Exit code 0: the window was read whole and (with --wait or
    --inline) its URLs all ended well; 1: a sitemap failed or was not read (--max-sitemaps),
    or some URLs failed; 2: could not run, or not finished.
    """
    _setup_logs(verbose)
    from worker.syncing import sync_from_file

    start, end = _window(since, until)
    assert start is not None
    try:
        runtime = _runtime(create=True)
        sync_from_file(runtime)
        read = [
            _read_sitemaps(runtime, key, start, end, max_sitemaps)
            for key in _backfill_sources(runtime, source)
        ]
        plans = [plan for plan, _ in read]
        partial = max(_window_not_read(plan) for plan in plans)
        if dry_run or not any(missing for _, missing in read):
            raise typer.Exit(partial)
        url_ids = _record_plans(runtime, plans, inline=inline)
        again = _resume_command("--source", source)
        code = _fetch_selected(
            runtime, url_ids, inline=inline, wait=wait, timeout=timeout, again=again
        )
        code = max(code, partial)
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    except (ConfigError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    raise typer.Exit(code)


def _record_plans(runtime: Any, plans: list[BackfillPlan], *, inline: bool) -> list[int]:
    """Record every plan's links in the frontier, showing how far it got (a large backfill
    takes a while); the ids to fetch."""
    from worker.pipeline.backfill import record_backfill

    url_ids: set[int] = set()
    recorded = 0
    with _progress("recording links", sum(len(p.links) for p in plans)) as advance:

        def progressed(links: int) -> None:
            nonlocal recorded
            recorded += links
            advance(recorded)

        for plan in plans:
            url_ids.update(record_backfill(runtime, plan, inline=inline, on_progress=progressed))
    return sorted(url_ids)


def _backfill_sources(runtime: Any, key: str) -> list[str]:
    """The sources a backfill of ``key`` walks: the source of that key (``plan_backfill`` says
    what is wrong with it, if anything), else the sitemap sources of the outlet of that key,
    found as ``crawl`` finds them: ``--source`` takes an outlet key in every command."""
    from sqlalchemy import select

    from worker.cli import _enabled_sources
    from worker.storage.models import Source

    with runtime.sessions() as session:
        if session.scalar(select(Source.id).where(Source.key == key)) is not None:
            return [key]
    sitemaps = [s.key for s in _enabled_sources(runtime, [key]) if s.kind == "sitemap"]
    if not sitemaps:
        raise ValueError(
            f"outlet {key!r} has no enabled sitemap source: backfills walk sitemaps, which "
            "reach back in time; feeds and listing pages only show their latest items"
        )
    return sitemaps


def _read_sitemaps(
    runtime: Any, key: str, start: datetime, end: datetime | None, max_sitemaps: int
) -> tuple[BackfillPlan, int]:
    """Walk one source's sitemaps and print what the walk found; the plan and how many of
    its links are still to fetch."""
    from worker.pipeline.backfill import count_missing, plan_backfill

    with err.status(f"reading sitemaps of {key}..."):
        plan = plan_backfill(runtime, key, start, end, max_sitemaps=max_sitemaps)
    missing = count_missing(runtime, plan.links)
    table = Table(title=f"backfill of {key} from {start:%Y-%m-%d %H:%M} UTC")
    for column in (
        "sitemaps read",
        "skipped (older)",
        "not read",
        "links in window",
        "outside window",
        "not articles",
        "already done",
        "to fetch",
    ):
        table.add_column(column, justify="right")
    table.add_row(
        *map(
            str,
            (
                plan.sitemaps_read,
                plan.sitemaps_skipped,
                plan.sitemaps_left,
                len(plan.links),
                plan.outside_window,
                plan.not_articles,
                len(plan.links) - missing,
                missing,
            ),
        )
    )
    out.print(table)
    for sitemap_url, error in plan.errors:
        out.print(styled(f"sitemap {sitemap_url}:", "red", f" {error}"), highlight=False)
    for link, why in plan.refused[:10]:
        out.print(styled(f"link refused {link}:", "yellow", f" {why}"), highlight=False)
    if len(plan.refused) > 10:
        out.print(f"... and {len(plan.refused) - 10} more links refused", highlight=False)
    return plan, missing


def _window_not_read(plan: BackfillPlan) -> int:
    """1, said on stdout, when sitemaps failed or were left unread: a script must not take the
    window as backfilled; else 0."""
    if not plan.errors and not plan.sitemaps_left:
        return 0
    out.print(
        styled(
            "part of the window was not read:",
            "yellow",
            f" {len(plan.errors)} sitemap(s) failed, {plan.sitemaps_left} not read",
        ),
        highlight=False,
    )
    return 1


@app.command()
def reprocess(
    outlet: OutletOpt = None,
    source: SourceOpt = None,
    since: Annotated[str | None, typer.Option(help="Pages fetched since (6h, 2d, a date).")] = None,
    until: UntilOpt = None,
    every_version: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Also pages the current extractor already read (after a "
            "change to an outlet's rules).",
        ),
    ] = False,
    dry_run: DryRunOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Extract kept raw pages again and re-run duplicate detection, without fetching.

    After the extractor or an outlet's rules improve. By default only the pages an older
    extractor read; --all for every kept page."""
    _setup_logs(verbose)
    from worker.pipeline.reprocess import ReprocessSelection, count_reprocess
    from worker.pipeline.reprocess import reprocess as run_reprocess
    from worker.syncing import sync_from_file

    start, end = _window(since, until)
    selection = ReprocessSelection(
        outlets=outlet or [],
        sources=source or [],
        since=start,
        until=end,
        every_version=every_version,
    )
    try:
        runtime = _runtime()
        sync_from_file(runtime)  # an outlet's rules may have changed
        _check_keys(runtime, source, outlet)
        total = count_reprocess(runtime, selection)
        out.print(f"{total} kept pages to read again")
        if dry_run or not total:
            return
        with _progress("reprocessing", total) as advance:
            counts = run_reprocess(runtime, selection, on_url=lambda _outcome: advance())
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    _print_counts("reprocessed", counts)
    if counts.get("kept"):
        out.print(
            f"{counts['kept']} stored article(s) kept as they were: the current extractor "
            "could not read their page (see the log)"
        )
    if counts.get("crashed"):
        out.print(
            f"{counts['crashed']} page(s) left as they were: reading them again crashed "
            "(`reprocess.crashed` in the log names each and the error)"
        )
        raise typer.Exit(1)


@app.command()
def failures(
    since: Annotated[str, typer.Option(help="A duration back (24h, 7d) or a date.")] = "7d",
    state: Annotated[
        list[str] | None, typer.Option(help="failed (default), skipped (repeatable).")
    ] = None,
    outlet: OutletOpt = None,
    examples: Annotated[int, typer.Option(help="Example URLs per group.")] = 3,
    as_json: JsonOpt = False,
) -> None:
    """What failed and why: URLs by outlet and reason, with counts and examples.

    Also lists the sources whose polls fail."""
    _setup_logs(False)
    from worker.reporting.failures import failing_sources, failure_groups

    start = _when(since)
    assert start is not None
    if unknown := sorted(set(state or []) - {"failed", "skipped"}):
        raise _fail(f"unknown state {unknown[0]!r}; failures lists failed and skipped URLs")
    try:
        runtime = _runtime()
        _check_keys(runtime, None, outlet)
        with runtime.sessions() as session:
            groups = failure_groups(
                session, start, states=state or ["failed"], outlets=outlet or [], examples=examples
            )
            broken = failing_sources(session, outlet or [])
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    if as_json:
        record = {
            "since": _iso(start),
            "groups": [asdict(g) for g in groups],
            "sources": [asdict(s) for s in broken],
        }
        sys.stdout.write(json.dumps(record, default=_iso) + "\n")
        return
    table = Table(title=f"URLs not stored since {start:%Y-%m-%d %H:%M} UTC")
    for column in ("outlet", "state", "reason", "count", "last", "examples"):
        table.add_column(column, overflow="fold", no_wrap=column in ("last",))
    for group in groups:
        shown = "\n".join(
            e.url
            + (f' "{clip(e.title, 80)}"' if e.title else "")
            + (f" ({clip(e.detail, 100)})" if e.detail else "")
            for e in group.examples
        )
        table.add_row(
            group.outlet,
            group.state,
            group.reason,
            str(group.count),
            _short(_iso(group.last_at)),
            shown,
            end_section=True,
        )
    out.print(table if groups else "no failed URLs in that window")
    if broken:
        sources_table = Table(title="sources whose polls fail")
        for column in ("source", "failures", "last poll", "next poll", "last error"):
            sources_table.add_column(column, overflow="fold")
        for s in broken:
            sources_table.add_row(
                s.source,
                str(s.failures),
                _short(_iso(s.last_polled_at)),
                _short(_iso(s.next_poll_at)),
                clip(s.last_error, 200),
            )
        out.print(sources_table)


@app.command()
def status(as_json: JsonOpt = False) -> None:
    """The service at a glance: sources, queue, workers, tick.

    Per outlet and source: last poll, next due, articles stored in the last 24 h, failure
    streak and back-off. Then the queue depth, the workers seen and the last tick."""
    _setup_logs(False)
    from worker.broker import queue_depth
    from worker.celery_app import app as celery
    from worker.reporting.status import service_status

    now = datetime.now(UTC)
    try:
        with _runtime().sessions() as session:
            beat_gone_after = timedelta(seconds=get_settings().health_max_tick_age_seconds)
            report = service_status(session, now, beat_gone_after)
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    depth: int | None
    try:
        depth, broker_error = queue_depth(celery), None
    except Exception as exc:  # kombu raises many kinds; all mean "broker unusable"
        depth, broker_error = None, str(exc)
    if as_json:
        record = {**asdict(report), "queue_depth": depth, "broker_error": broker_error}
        sys.stdout.write(json.dumps(record, default=_iso) + "\n")
        return
    table = Table(title=f"sources by outlet at {now:%Y-%m-%d %H:%M} UTC")
    for column in ("source", "last poll", "next due", "24h", "pending", "fails", "last error"):
        table.add_column(column, overflow="fold", no_wrap=column != "last error")
    for n, s in enumerate(report.sources):
        due = "paused" if not s.enabled else _short(_iso(s.next_poll_at))
        if s.backing_off:
            due += " (back-off)"
        last_of_outlet = n + 1 == len(report.sources) or report.sources[n + 1].outlet != s.outlet
        table.add_row(
            s.source, _short(_iso(s.last_polled_at)) or "never", due, str(s.stored_24h),
            str(s.pending), str(s.failure_streak), clip(s.last_error, 80),
            end_section=last_of_outlet,
        )  # fmt: skip
    out.print(table)
    queue = f"{depth} tasks waiting" if depth is not None else f"broker unreachable: {broker_error}"
    tick = _short(_iso(report.last_tick_at)) or "never"
    out.print(f"queue: {queue}; last tick: {tick}", highlight=False)
    workers = Table(title="workers")
    for column in ("worker", "state", "last seen", "since", "pid", "processes"):
        workers.add_column(column)
    for w in report.workers:
        workers.add_row(
            w.name,
            w.state,
            _short(_iso(w.last_seen_at)),
            _short(_iso(w.started_at)),
            str(w.pid or ""),
            str(w.concurrency or ""),
        )
    out.print(workers if report.workers else "workers: none seen")
    beats = Table(title="beats (newsworker beat; run's embedded beat writes no row)")
    for column in ("beat", "state", "last tick sent", "since", "pid"):
        beats.add_column(column)
    for b in report.beats:
        beats.add_row(b.name, b.state, _short(_iso(b.last_seen_at)), _short(_iso(b.started_at)),
                      str(b.pid or ""))  # fmt: skip
    out.print(beats if report.beats else "beats: none seen")
    for line in sources_file_lines(report.sources_files):
        out.print(line, highlight=False)


def sources_file_lines(files: list[SourcesFileState]) -> list[str]:
    """A line per sources file synced: when, and an edit refused since (the tick polls on
    with the last good sync, so nothing else shows that the edit was not applied)."""
    lines = []
    for f in files:
        synced = _short(_iso(f.synced_at)) or "never"
        if f.refused_at is None:
            lines.append(f"sources file {f.path}: synced {synced}")
        else:
            lines.append(
                f"sources file {f.path}: EDIT REFUSED {_short(_iso(f.refused_at))}, polling "
                f"goes on with the sync of {synced}: {f.error}"
            )
    return lines


@app.command()
def url(
    address: Annotated[str, typer.Argument(help="A URL as a source gave it, or as stored.")],
    as_json: JsonOpt = False,
) -> None:
    """One URL's record: its source, state and why, attempts, article and kept raw page.

    It shows what the source announced (title, time), the article the URL became or repeats,
    and the raw page kept for it. Found by the URL as yielded (cleaned as the frontier cleans
    it), the address it redirected to, or its article's canonical URL. Exits 1 when no source
    ever yielded it."""
    _setup_logs(False)
    from worker.reporting.urls import trace_url

    try:
        with _runtime().sessions() as session:
            traces = trace_url(session, address)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    if as_json:
        record = {"address": address, "records": [asdict(t) for t in traces]}
        sys.stdout.write(json.dumps(record, default=_iso) + "\n")
    else:
        for trace in traces:
            table = Table(title=f"url {trace.url_id}: {trace.state}", show_header=False)
            table.add_column("field", style="bold", no_wrap=True)
            table.add_column("value", overflow="fold")
            for name, value in _trace_rows(trace):
                table.add_row(name, value)
            out.print(table)
    if not traces:
        raise _fail(f"no source has yielded {address}", code=1)


def _trace_rows(trace: Any) -> Iterator[tuple[str, str]]:
    """The rows worth reading, in the order of the URL's life; empty ones left out."""
    attempts = f"{trace.attempts}, last {_short(_iso(trace.last_attempt_at))}"
    rows: list[tuple[str, object]] = [
        ("url", trace.url),
        ("source", f"{trace.source} ({trace.outlet})" if trace.source else "removed"),
        ("announced", trace.announced_title),
        ("announced at", _iso(trace.announced_at)),
        ("seen", f"{_short(_iso(trace.first_seen_at))} .. {_short(_iso(trace.last_seen_at))}"),
        ("state", trace.state + (f": {trace.reason}" if trace.reason else "")),
        ("detail", trace.detail),
        ("attempts", attempts if trace.attempts else "none"),
        ("http status", trace.http_status),
        ("final url", trace.final_url if trace.final_url != trace.url else None),
    ]
    if trace.article is not None:
        article = trace.article
        label = "repeats article" if trace.state == "duplicate" else "article"
        rows += [
            (label, f"{article.article_id} in story {article.story_id}: {article.title or ''}"),
            ("published", _iso(article.published_at)),
            ("canonical url", article.canonical_url),
            ("provenance", ", ".join(f"{k}={v}" for k, v in sorted(article.provenance.items()))),
        ]
    if trace.raw_page is not None:
        raw = trace.raw_page
        fetched = _short(_iso(raw.fetched_at))
        kept = f"HTTP {raw.http_status}, {raw.size} bytes, fetched {fetched}"
        rows.append(("raw page", f"{kept}, read by extractor {raw.extractor_version}"))
    for name, value in rows:
        if value is not None and value != "":
            yield name, str(value)
