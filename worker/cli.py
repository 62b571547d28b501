"""The ``newsworker`` command line: run the service, crawl on demand, inspect, migrate.

Commands call the same pipeline functions as the Celery tasks. Tables go to stdout; logs go to
stderr (quiet by default in interactive commands, ``--verbose`` for all of them).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from worker.errors import ConfigError
from worker.logging import configure_logging
from worker.settings import get_settings

if TYPE_CHECKING:
    from worker.sources import OutletConfig
    from worker.storage.models import Source

app = typer.Typer(
    help="Scheduled news ingestion: poll feeds and sitemaps, fetch, extract, store.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")

# Markup off: tables and messages carry what servers wrote (a headline "[video] ...", an
# error quoting "[/]"), which Rich would read as its styles, dropping it or failing on it.
# Our own styles are given as Text.
out = Console(markup=False)
err = Console(stderr=True, markup=False)
for console in (out, err):
    if not console.is_terminal and "COLUMNS" not in os.environ:
        # Piped to a file, a log or grep: rows and messages as wide as they are. Folded at 80
        # columns, a URL or an error was cut across lines and grep found none of it.
        console.width = 100_000


def clip(text: str | None, limit: int) -> str:
    """``text`` cut to ``limit`` characters for a table on a terminal; whole when piped (a
    cut error lost its cause: "cannot resolve www.koreaherald.com: [Err")."""
    text = text or ""
    if not out.is_terminal or len(text) <= limit:
        return text
    return text[: limit - 1] + "\u2026"


def styled(label: str, style: str, rest: str = "") -> Text:
    """``label`` in ``style``, then ``rest`` as written."""
    return Text.assemble((label, style), rest)


@contextmanager
def _progress(description: str, total: int | None) -> Iterator[Callable[..., None]]:
    """A progress bar on stderr; yields ``advance(done=None, total=None)``. Not on a terminal,
    Rich draws it once, when it ends: no line per step in a log."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(description, total=total)

        def advance(done: int | None = None, total: int | None = None) -> None:
            if done is None:
                progress.advance(task)
            else:
                progress.update(task, completed=done, total=total or progress.tasks[0].total)

        yield advance


def _resume_command(*options: str) -> str:
    """The command that fetches what an inline run left ``pending``, quoted for a shell."""
    import shlex

    command = ["newsworker", "rerun", "--state", "pending", *options, "--inline"]
    return f"`{shlex.join(command)}`"


def _interrupted(left: int, again: str) -> typer.Exit:
    """Say what Ctrl-C left and how to go on (the URLs stay ``pending``); exit 2, not finished."""
    err.print(styled("interrupted:", "yellow", f" {left} URL(s) left pending; resume with {again}"),
              highlight=False)  # fmt: skip
    return typer.Exit(2)


def _setup_logs(verbose: bool) -> None:
    settings = get_settings()
    configure_logging(settings.log_level if verbose else "WARNING", settings.log_json)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(styled("error:", "bold red", f" {message}"), highlight=False)
    return typer.Exit(code)


@app.callback()
def _check_settings() -> None:
    # Before any command: a setting with a typo is one line naming the variable, exit 2.
    try:
        get_settings()
    except ConfigError as exc:
        raise _fail(str(exc)) from exc


# --- running the service --------------------------------------------------------------------


def _migrate_embedded() -> None:
    """Migrate the embedded SQLite database on first use.

    PostgreSQL is migrated by its own step (`newsworker db upgrade`, the compose `migrate`
    service), never implicitly by a worker. A database a newer release migrated is an error
    (exit 2), as `health` says it. Concurrent runs are safe: the whole upgrade runs in one
    ``BEGIN IMMEDIATE`` transaction (alembic/env.py), so the others wait and find it done.
    """
    from worker.storage.migrations import upgrade

    settings = get_settings()
    if settings.database_url.startswith("sqlite"):
        try:
            upgrade(settings.database_url)
        except ConfigError as exc:  # migrated by a newer release: every command stops here
            raise _fail(str(exc)) from exc


def _runtime(*, create: bool = False) -> Any:
    """The process runtime, on a migrated embedded database. Only the commands that ingest
    ``create`` or migrate one: the others, on a mistyped path or run from another directory,
    made an empty database and reported nothing wrong in it; and after an upgrade of the code
    (`git pull`), a `status` migrated the database under the worker still running the old
    code."""
    from worker.runtime import get_runtime

    if create:
        _migrate_embedded()
    else:
        _require_embedded_file()
        _require_embedded_schema()
    return get_runtime()


def _require_embedded_schema() -> None:
    """Exit 2 when the embedded database is not at this release's revision, saying how to
    migrate it (or, migrated by a newer release, which release reads it)."""
    from worker.storage.migrations import current_revision, schema_problem

    url = get_settings().database_url
    if not url.startswith("sqlite"):
        return  # a server's database is migrated by its own step (compose's `migrate`)
    hint = (
        "run `newsworker db upgrade` once the worker running on it is stopped (or start "
        "`newsworker run`, which upgrades it)"
    )
    if problem := schema_problem(current_revision(url), hint):
        raise _fail(problem)


def _require_embedded_file() -> None:
    """Exit 2 naming the path when the embedded database's file does not exist."""
    if missing := _missing_embedded_file():
        raise _fail(
            f"{missing}: set it to the database, or create one with `newsworker db upgrade`"
        )


def _missing_embedded_file() -> str | None:
    """Why the embedded database cannot be read: its file does not exist (a mistyped path, or
    the relative default read from another directory); None when it exists or is a server's."""
    from sqlalchemy.engine import make_url

    url = get_settings().database_url
    if not url.startswith("sqlite"):
        return None  # a server's database: a missing one is reported on connecting
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    if Path(database).exists():
        return None
    return (
        f"the database file {Path(database).resolve()} does not exist "
        f"(NEWSWORKER_DATABASE_URL={url}; a relative path is read from the working directory)"
        + _from_dotenv("NEWSWORKER_DATABASE_URL")
    )


def _prepare_service() -> None:
    """What run and beat need first: the embedded database migrated, the sources file synced,
    the embedded broker's queue declared."""
    from worker.syncing import keep_last_good_sync, sync_from_file

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    runtime = _runtime(create=True)
    try:
        sync_from_file(runtime)
    except ConfigError as exc:
        # as the tick does: a bad edit must not stop a service that has sources to poll
        if not keep_last_good_sync(runtime, exc, None):
            raise _fail(str(exc)) from exc
        err.print(f"warning: {exc}; polling the sources synced last "
                  "(`newsworker status` shows this until the file is fixed)")  # fmt: skip
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    from worker.celery_app import prepare_embedded_broker

    prepare_embedded_broker()


def _metrics_dir() -> Path | None:
    """Give this worker's processes a fresh PROMETHEUS_MULTIPROC_DIR (``var/metrics-<pid>``).

    Must run before anything imports prometheus_client (it picks file-backed samples at import),
    so the pool children's samples reach the endpoint the main process serves. Emptied first (a
    recycled pid's old counts would add up); ``_drop_metrics_dir`` removes it after the worker,
    or at exit when the worker never started.
    """
    import atexit
    import os
    import shutil

    settings = get_settings()
    if settings.metrics_port == 0:
        return None
    directory = (settings.var_dir / f"metrics-{os.getpid()}").resolve()
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(directory)
    atexit.register(_drop_metrics_dir, directory)
    return directory


def _drop_metrics_dir(directory: Path | None) -> None:
    """Remove this worker's metrics files; in a ``finally``, as a pool that hangs on exit can
    keep atexit handlers from running."""
    import os
    import shutil

    if directory is not None and directory.name == f"metrics-{os.getpid()}":  # not in a child
        shutil.rmtree(directory, ignore_errors=True)


def _db_problem(exc: SQLAlchemyError) -> str:
    first = str(exc).splitlines()[0]
    if "no such table" in first or "does not exist" in first:
        return f"the database has no schema yet: run `newsworker db upgrade` ({first})"
    return f"database: {first}{_from_dotenv('NEWSWORKER_DATABASE_URL')}"


def _from_dotenv(variable: str) -> str:
    """Where a setting came from when it is not the environment but ./.env, which settings read
    too: after the Production step's `cp config/example.env .env` in a checkout, local commands
    tried the compose host `postgres` and nothing said why."""
    if variable in os.environ:
        return ""
    try:
        lines = Path(".env").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    if any(line.strip().startswith(f"{variable}=") for line in lines):
        return f" ({variable} is set in {Path('.env').resolve()})"
    return ""


@app.command()
def run(
    concurrency: Annotated[int | None, typer.Option(help="Worker processes.", min=1)] = None,
) -> None:
    """Run a worker with beat embedded: the unattended mode on one machine."""
    metrics_dir = _metrics_dir()
    _prepare_service()
    from worker.celery_app import app as celery
    from worker.celery_app import mark_stopped

    argv = ["worker", "--beat", "--loglevel", get_settings().log_level]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    try:
        celery.worker_main(argv)
    finally:
        mark_stopped()
        _drop_metrics_dir(metrics_dir)


@app.command()
def worker(
    concurrency: Annotated[int | None, typer.Option(help="Worker processes.", min=1)] = None,
    pool: Annotated[str | None, typer.Option(help="Celery pool: prefork, solo, threads.")] = None,
    hostname: Annotated[
        str | None,
        typer.Option(
            "--hostname", "-n", help="Node name, unique per worker (default celery@<host>)."
        ),
    ] = None,
) -> None:
    """Run a Celery worker (without beat): scale these out in containers."""
    metrics_dir = _metrics_dir()
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_json)
    _migrate_embedded()
    from worker.celery_app import app as celery
    from worker.celery_app import mark_stopped, prepare_embedded_broker

    prepare_embedded_broker()

    argv = ["worker", "--loglevel", settings.log_level]
    if concurrency:
        argv += ["--concurrency", str(concurrency)]
    if pool:
        argv += ["--pool", pool]
    if hostname:
        argv += ["--hostname", hostname]
    try:
        celery.worker_main(argv)
    finally:
        mark_stopped()
        _drop_metrics_dir(metrics_dir)


@app.command()
def beat(
    hostname: Annotated[
        str | None,
        typer.Option(
            "--hostname",
            "-n",
            help="Node name, unique per beat: its heartbeat row (default celerybeat@<host>).",
        ),
    ] = None,
) -> None:
    """Run beat: it sends the tick that claims due sources. A second beat is harmless."""
    _prepare_service()
    from worker.celery_app import app as celery
    from worker.celery_app import mark_stopped, record_beat_heartbeat

    record_beat_heartbeat()
    argv = ["beat", "--loglevel", get_settings().log_level]
    if hostname:
        argv += ["--hostname", hostname]
    try:
        celery.start(argv)
    finally:
        mark_stopped()


# --- crawling on demand ---------------------------------------------------------------------


@app.command()
def crawl(
    source: Annotated[
        list[str] | None,
        typer.Option("--source", "-s", help="Source or outlet key (repeatable); default: all."),
    ] = None,
    inline: Annotated[
        bool, typer.Option(help="Run here, without broker or workers (hosts fetched in parallel).")
    ] = False,
    timeout: Annotated[
        float, typer.Option(help="Seconds to wait for the workers before giving up.")
    ] = 1800.0,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log every step.")] = False,
) -> None:
    """Poll sources now, fetch all they yield, wait, and print a summary.

    Exit code 0: all went well; 1: some URLs or sources failed; 2: the crawl could not run.
    """
    _setup_logs(verbose)
    from worker.pipeline import crawl_inline, queue_polls, summarize_crawl, wait_for_crawl
    from worker.syncing import sync_from_file

    try:
        runtime = _runtime(create=True)
        sync_from_file(runtime)
        source_ids = _select_sources(runtime, source or [])
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    except (ConfigError, ValueError) as exc:
        raise _fail(str(exc)) from exc
    if not source_ids:
        raise _fail("no enabled source matches; see `newsworker sources`")
    if inline:
        started = datetime.now(UTC)
        try:
            with _progress("polling, then fetching", None) as advance:
                report = crawl_inline(runtime, source_ids, progress=advance)
        except KeyboardInterrupt:
            left = summarize_crawl(runtime, source_ids, started).pending
            options = [option for key in source or [] for option in ("--source", key)]
            raise _interrupted(left, _resume_command(*options)) from None
    else:
        started = datetime.now(UTC)
        queue_polls(runtime, source_ids, _queue_poll)
        with err.status("waiting for the workers...") as status:
            report = wait_for_crawl(
                runtime, source_ids, started, timeout=timeout,
                progress=lambda done, total: status.update(f"{done}/{total} URLs done"),
                requeue=_queue_poll, postponed=_say_postponed,
            )  # fmt: skip
    _print_report(report)
    raise typer.Exit(report.exit_code)


def _queue_poll(source_id: int) -> None:
    from worker.tasks import poll

    try:
        poll.apply_async((source_id,), retry=False)
    except Exception as exc:  # kombu raises many kinds; all mean "broker unusable"
        raise _fail(f"cannot queue polls on the broker: {exc}") from exc


def _say_postponed(postponed: Any) -> None:
    """Why the crawl waits: without it, a host busy for minutes looked like a hung crawl."""
    left = f" ({postponed.sitemaps_left} sitemaps left)" if postponed.sitemaps_left else ""
    err.print(
        styled(f"source {postponed.source}:", "yellow",
               f" host busy until {postponed.until:%H:%M:%S} UTC{left}; polled again then"),
        highlight=False,
    )  # fmt: skip


def _select_sources(runtime: Any, keys: list[str]) -> list[int]:
    """The ids of the enabled sources ``keys`` name (all when none is given)."""
    return [source.id for source in _enabled_sources(runtime, keys)]


def _enabled_sources(runtime: Any, keys: list[str]) -> list[Source]:
    """The enabled sources ``keys`` name, in order: a source's key, or an outlet's for all its
    sources (all when no key is given); ValueError naming a key that names none."""
    from worker.storage.models import Outlet, Source

    with runtime.sessions() as session:
        sources = session.scalars(
            select(Source).join(Outlet).where(Source.enabled.is_(True)).order_by(Source.id)
        ).all()
        if not keys:
            return list(sources)
        chosen: list[Source] = []
        for key in keys:
            matched = [s for s in sources if key in (s.key, s.outlet.key)]
            if not matched:
                raise ValueError(f"no enabled source or outlet with key {key!r}")
            chosen.extend(m for m in matched if m not in chosen)
        return chosen


def _print_report(report: Any) -> None:
    table = Table(title="crawl summary")
    for column in ("sources", "discovered", "known", "stored", "duplicate", "skipped", "failed"):
        table.add_column(column, justify="right")
    counts = report.counts
    table.add_row(
        str(report.sources), str(report.discovered), str(report.known),
        *(str(counts.get(state, 0)) for state in ("stored", "duplicate", "skipped", "failed")),
    )  # fmt: skip
    out.print(table)
    if report.pending:
        out.print(styled(f"{report.pending} URL(s) not finished", "yellow"))
    for key, error in report.source_errors.items():
        out.print(styled(f"source {key}:", "red", f" {error}"), highlight=False)
    if report.failures:
        failures = Table(title="not stored")
        for column in ("state", "reason", "status", "attempts", "url", "detail"):
            failures.add_column(column, overflow="fold")
        for f in report.failures:
            failures.add_row(f.state, f.reason or "", str(f.http_status or ""), str(f.attempts),
                             f.url, clip(f.detail, 120))  # fmt: skip
        out.print(failures)


# --- inspecting -----------------------------------------------------------------------------


@app.command()
def sources(
    sync: Annotated[bool, typer.Option("--sync", help="Sync the sources file first.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """The configured outlets and sources, with their last poll and error."""
    _setup_logs(False)
    from worker.cli_ops import sources_file_lines
    from worker.reporting.status import sources_file_states
    from worker.storage.models import Source
    from worker.syncing import sync_from_file

    try:
        runtime = _runtime()
        if sync:
            report = sync_from_file(runtime)
            err.print(f"synced {report.outlets} outlets, {report.sources} sources "
                      f"({report.disabled} disabled)")  # fmt: skip
        with runtime.sessions() as session:
            rows = [
                {
                    "key": s.key,
                    "outlet": s.outlet.key,
                    "kind": s.kind,
                    "url": s.url,
                    "article_urls": s.article_urls,
                    "every_seconds": s.interval_seconds,
                    "enabled": s.enabled,
                    "last_polled_at": _iso(s.last_polled_at),
                    "next_poll_at": _iso(s.next_poll_at),
                    "sitemaps_left": len(s.pending_sitemaps or []),
                    "failures": s.failure_count,
                    "last_error": s.last_error,
                }
                for s in session.scalars(select(Source).order_by(Source.key))
            ]
            refused = [f for f in sources_file_states(session) if f.refused_at is not None]
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    for line in sources_file_lines(refused):
        err.print(f"warning: {line}", highlight=False)  # the rows below are the last good sync
    if as_json:  # one document, as `status --json` and the other reports
        sys.stdout.write(json.dumps({"sources": rows}) + "\n")
        return
    table = Table(title=f"sources ({len(rows)}), times in UTC")
    for column in ("key", "kind", "every", "on", "last poll", "next poll", "fails", "last error"):
        table.add_column(column, overflow="fold", no_wrap=column in ("key", "last poll"))
    for row in rows:
        table.add_row(
            row["key"], row["kind"], f"{row['every_seconds']}s", "yes" if row["enabled"] else "no",
            _short(row["last_polled_at"]) or "never", _next_poll(row),
            str(row["failures"]), clip(row["last_error"], 100),
        )  # fmt: skip
    out.print(table)


def _next_poll(row: dict[str, Any]) -> str:
    """When the source is polled next, and why so soon when a sitemap walk is paused."""
    left = row["sitemaps_left"]
    return _short(row["next_poll_at"]) + (f" ({left} sitemaps left)" if left else "")


@app.command()
def extract(
    paths: Annotated[
        list[Path], typer.Argument(help="Saved HTML files.", exists=True, dir_okay=False)
    ],
    url: Annotated[str | None, typer.Option(help="The page's URL (resolves links).")] = None,
    timezone: Annotated[str | None, typer.Option(help="Zone for times given without one.")] = None,
    outlet: Annotated[
        str | None,
        typer.Option(help="Outlet key in the sources file: its zone, language and rules apply."),
    ] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="One compact JSON object per line.")
    ] = False,
) -> None:
    """Extract saved HTML files as the worker would: one JSON object per file.

    Every field comes with its provenance. --outlet tries an outlet's CSS rules before the
    worker uses them."""
    _setup_logs(False)
    from worker.errors import ExtractionError
    from worker.extraction import extract_article
    from worker.extraction.dates import load_zone
    from worker.extraction.rules import Rules
    from worker.fetching import decode_html

    try:
        load_zone(timezone)  # a typo in the option, not a page the extractor cannot read
    except ExtractionError as exc:
        raise _fail(f"--timezone: {exc}") from exc
    options: dict[str, Any] = {"timezone": timezone}
    if outlet:
        config = _outlet_config(outlet)
        rules = config.extraction.stored() if config.extraction else None
        options = {
            "timezone": timezone or config.timezone, "language": config.language,
            "outlet_name": config.name, "rules": Rules.from_mapping(rules),
        }  # fmt: skip
    failed = False
    for path in paths:
        html, _ = decode_html(path.read_bytes())
        page_url = url or path.resolve().as_uri()
        try:
            article = extract_article(html, page_url, **options)
            record: dict[str, Any] = {"path": str(path), **article.to_record()}
        except ExtractionError as exc:
            failed = True
            record = {"path": str(path), "error": exc.reason, "detail": str(exc)}
        line = json.dumps(record, ensure_ascii=False, indent=None if jsonl else 2)
        sys.stdout.write(line + "\n")
    raise typer.Exit(1 if failed else 0)


@app.command()
def stories(
    since: Annotated[str, typer.Option(help="A duration back (24h, 7d) or a date.")] = "24h",
    min_copies: Annotated[int, typer.Option(help="Only stories with this many copies.")] = 1,
    limit: Annotated[int, typer.Option(help="At most this many stories.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object for scripts.")] = False,
) -> None:
    """Stories with a copy published since --since, the most copies first, with each copy."""
    _setup_logs(False)
    from worker.reporting.stories import list_stories
    from worker.timespec import parse_since

    try:
        start = parse_since(since)
    except ValueError as exc:
        raise _fail(str(exc)) from exc
    try:
        with _runtime().sessions() as session:
            found = list_stories(session, start, min_copies=min_copies, limit=limit)
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    if as_json:  # one document, as the other reports
        record = {"since": _iso(start), "stories": [_story_record(story) for story in found]}
        sys.stdout.write(json.dumps(record) + "\n")
        return
    table = Table(title=f"stories since {start:%Y-%m-%d %H:%M} UTC ({len(found)})")
    for column in ("story", "copies", "outlet", "headline", "published (UTC)"):
        table.add_column(column, overflow="fold", no_wrap=column in ("story", "published (UTC)"))
    for story in found:
        for n, copy in enumerate(story.copies):
            table.add_row(
                str(story.story_id) if n == 0 else "", str(story.article_count) if n == 0 else "",
                copy.outlet, copy.title or "", _short(_iso(copy.published_at)),
                end_section=n == len(story.copies) - 1,
            )  # fmt: skip
    out.print(table)


@app.command()
def story(
    story_id: Annotated[int, typer.Argument(help="A story id (a merged one leads to its story).")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
) -> None:
    """One story: each copy, and what it shares with the first copy."""
    _setup_logs(False)
    from worker.reporting.stories import evidence, story_detail

    try:
        with _runtime().sessions() as session:
            detail = story_detail(session, story_id)
            rows = evidence(session, detail) if detail else []
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    if detail is None:
        raise _fail(f"no story {story_id}", code=1)
    summary = detail.summary
    copies = [
        {**_copy_record(row.copy), "paragraphs": row.paragraphs,
         "paragraphs_shared_with_first": row.shared_paragraphs,
         "verdict": row.verdict.why if row.verdict else "first",
         "jaccard": round(row.verdict.jaccard, 3) if row.verdict else 1.0,
         "containment": round(row.verdict.containment, 3) if row.verdict else 1.0}
        for row in rows
    ]  # fmt: skip
    if as_json:
        record = {**_story_record(summary), "merged_from": detail.merged_from, "copies": copies}
        sys.stdout.write(json.dumps(record) + "\n")
        return
    if detail.asked_id != summary.story_id:
        err.print(f"story {detail.asked_id} was merged into story {summary.story_id}")
    merged = f", merged from {detail.merged_from}" if detail.merged_from else ""
    table = Table(
        title=f"story {summary.story_id}: {summary.article_count} copies, first published "
        f"{_short(_iso(summary.first_published_at))} UTC{merged}"
    )
    for column in ("article", "outlet", "headline", "published", "vs first", "J", "C", "shared"):
        table.add_column(column, overflow="fold")
    for copy in copies:
        table.add_row(
            str(copy["article_id"]), copy["outlet"], copy["title"] or "",
            _short(copy["published_at"]), copy["verdict"], f"{copy['jaccard']:.2f}",
            f"{copy['containment']:.2f}",
            f"{copy['paragraphs_shared_with_first']}/{copy['paragraphs']}",
        )  # fmt: skip
    out.print(table)
    out.print("J: word-shingle Jaccard; C: containment of the shorter text; shared: paragraphs "
              "of this copy found word for word in the first.", highlight=False)  # fmt: skip


def _copy_record(copy: Any) -> dict[str, Any]:
    return {
        "article_id": copy.article_id, "outlet": copy.outlet, "title": copy.title,
        "published_at": _iso(copy.published_at), "url": copy.url,
    }  # fmt: skip


def _story_record(summary: Any) -> dict[str, Any]:
    return {
        "story_id": summary.story_id, "article_count": summary.article_count,
        "first_published_at": _iso(summary.first_published_at),
        "copies": [_copy_record(copy) for copy in summary.copies],
    }  # fmt: skip


@app.command("reindex-stories")
def reindex_stories_command(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count, change nothing.")] = False,
) -> None:
    """Group articles stored before stories existed, or under an older fingerprint version."""
    _setup_logs(False)
    from rich.progress import Progress

    from worker.pipeline.reindex import count_unindexed, reindex_stories

    try:
        runtime = _runtime()
        total = count_unindexed(runtime)
        out.print(f"{total} articles to index")
        if dry_run or not total:
            return
        with Progress(console=err) as progress:
            task = progress.add_task("indexing", total=total)
            done = reindex_stories(runtime, lambda _id: progress.advance(task))
        left = count_unindexed(runtime)
    except SQLAlchemyError as exc:
        raise _fail(_db_problem(exc)) from exc
    out.print(f"indexed {done} articles")
    if left:
        out.print(f"{left} could not be indexed: `reindex.crashed` in the log names each")
        raise typer.Exit(1)


@app.command()
def health(
    worker: Annotated[
        bool,
        typer.Option(
            "--worker", help="Check only this container's worker, by its heartbeat (health check)."
        ),
    ] = False,
    beat: Annotated[
        bool,
        typer.Option(
            "--beat", help="Check only this container's beat, by the ticks it sent (health check)."
        ),
    ] = False,
    node: Annotated[
        str | None,
        typer.Option(
            "--node",
            help="With --worker or --beat: the node name the process was given with --hostname "
            "(default celery@<host>, celerybeat@<host>; %h expands).",
        ),
    ] = None,
) -> None:
    """One line and an exit code for health checks: database, broker, tick, polls.

    Exit 1 when the database does not answer or has an older schema, the broker does not
    answer, or the last tick is older than NEWSWORKER_HEALTH_MAX_TICK_AGE_SECONDS. With
    --worker (--beat), exit 1 when the worker (beat) of this container has not written its
    heartbeat lately: the service's verdict stays ok while one of two workers hangs."""
    _setup_logs(False)
    if worker and beat:
        raise _fail("--worker or --beat: a container runs one of them")
    if node is not None and not (worker or beat):
        raise _fail("--node names the process that --worker or --beat checks")
    # not the worker's app (worker.celery_app): importing the pipeline took longer than the
    # compose health check's timeout on a busy machine
    from worker.broker import broker_client
    from worker.liveness import BEAT_NAME, node_name
    from worker.reporting.health import check_beat, check_health, check_worker

    settings = get_settings()
    if missing := _missing_embedded_file():  # connecting would create it, empty
        out.print(f"unhealthy: database: {missing}", highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    if worker:
        verdict = check_worker(settings, node_name(node))
    elif beat:
        verdict = check_beat(settings, node_name(node, BEAT_NAME))
    else:
        verdict = check_health(settings, broker_client(settings))
    out.print(verdict.line(), highlight=False, soft_wrap=True)
    raise typer.Exit(0 if verdict.ok else 1)


# --- database -----------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply Alembic migrations up to REVISION (default: head)."""
    _setup_logs(False)
    from alembic.util import CommandError

    from worker.storage.migrations import current_revision, head_revision, passed, upgrade

    url = get_settings().database_url
    try:
        before = current_revision(url)
        if before is not None and passed(before, revision):
            out.print(f"database already at {before}, past {revision}: nothing changed "
                      "(`db upgrade` never downgrades)")  # fmt: skip
            return
        upgrade(url, revision)
        now = current_revision(url)
    except SQLAlchemyError as exc:
        raise _fail(f"migration failed: {str(exc).splitlines()[0]}") from exc
    except CommandError as exc:  # a revision that does not exist
        raise _fail(f"migration failed: {exc}") from exc
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    out.print(f"database at {now} (head)" if now == head_revision() else f"database at {now}")


def _outlet_config(key: str) -> OutletConfig:
    """One outlet of the sources file, or exit 2 naming what is wrong."""
    from worker.sources import load_sources

    try:
        outlets = {o.key: o for o in load_sources(get_settings().sources_file)}
    except ConfigError as exc:
        raise _fail(str(exc)) from exc
    if key not in outlets:
        raise _fail(f"no outlet {key!r} in the sources file; known: {', '.join(sorted(outlets))}")
    return outlets[key]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _short(iso: str | None) -> str:
    """``2026-11-23T14:15:16.447903+00:00`` -> ``2026-11-23 14:15`` for tables."""
    return iso[:16].replace("T", " ") if iso else ""


# The operator commands (rerun, backfill, reprocess, failures, status) register on ``app``.
from worker import cli_ops  # noqa: E402, F401
