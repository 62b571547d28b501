"""One URL from the frontier to its final state: fetch, extract, deduplicate, store."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import redis
import structlog
from sqlalchemy import Select, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, joinedload

from worker import metrics
from worker.dedup import boilerplate
from worker.dedup.content import FINGERPRINT_VERSION, content_hash
from worker.dedup.fingerprint import STORY_FINGERPRINT_VERSION
from worker.errors import ExtractionError, FetchError, TransientFetchError
from worker.extraction import EXTRACTOR_VERSION, Announced, ExtractedArticle, extract_article
from worker.extraction.rules import Rules
from worker.fetching import FetchedPage, decode_html
from worker.fetching.hostgate import HostBusy, HostLimits
from worker.pipeline import grouping
from worker.pipeline.decisions import (
    GONE_STATUSES,
    MAX_RETRY_DELAY_SECONDS,
    choose_canonical,
    fetched_key,
    final_state_for,
    outlet_limits,
    retry_delay,
)
from worker.pipeline.phases import PhaseClock
from worker.runtime import Runtime
from worker.settings import Settings
from worker.storage import repository, stories
from worker.storage.models import FINAL_URL_STATES, Article, Outlet, Source, Url

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class UrlOutcome:
    url_id: int
    state: str
    reason: str | None = None
    article_id: int | None = None


# What a database or shared store raises when it is down or busy: never a page's fault
STORE_ERRORS: tuple[type[Exception], ...] = (SQLAlchemyError, redis.RedisError, sqlite3.Error)


class RetryLater(Exception):  # noqa: N818 - a request, not a failure
    """A transient failure with attempts left: run ``process_url`` again after ``delay`` seconds."""

    def __init__(self, url_id: int, delay: float, cause: str) -> None:
        super().__init__(f"url {url_id}: retry in {delay:.0f}s: {cause}")
        self.url_id = url_id
        self.delay = delay


@dataclass(frozen=True)
class UrlContext:
    url: str
    attempt: int
    outlet_id: int
    outlet_key: str
    outlet_name: str
    timezone: str | None
    language: str | None
    rules: Rules | None
    limits: HostLimits
    announced: Announced = field(default_factory=Announced)  # nothing: read without a source


def process_url(
    runtime: Runtime,
    url_id: int,
    *,
    force: bool = False,
    rerun_at: datetime | None = None,
    now: datetime | None = None,
) -> UrlOutcome:
    """Bring one URL to a final state; raise RetryLater for a transient failure with attempts left.

    Idempotent: a URL already in a final state is left alone unless ``force``. ``rerun_at``:
    the ``queued_at`` the rerun that queued this wrote; a URL marked again since (a second
    rerun queued before this ran, the lost-task sweep) is left to that later task. A bug
    that one page trips (an exception nobody expected) fails that URL as ``crashed``, with the
    exception as its detail, rather than the task: a failing task left the URL pending until
    its attempts ran out, with no cause, and stopped an inline crawl. A store that does not
    answer (the database, the host limits' Redis or SQLite file) is no page's fault: that
    still raises, for the task to retry or the lost-task sweep to queue the URL again.
    """
    try:
        return _process_url(runtime, url_id, force=force, rerun_at=rerun_at, now=now)
    except RetryLater:
        raise
    except STORE_ERRORS:
        raise
    except Exception as exc:
        fields = _url_fields(runtime, url_id)
        log.error("url.crashed", exc_info=exc, **fields)
        detail = f"{type(exc).__name__}: {exc}"
        with runtime.sessions.begin() as session:
            repository.finish_url(session, url_id, "failed", reason="crashed", detail=detail)
        metrics.url_finished(fields.get("outlet") or "", "failed", "crashed")
        return UrlOutcome(url_id, "failed", "crashed")


def _url_fields(runtime: Runtime, url_id: int) -> dict[str, Any]:
    """The URL, its source and outlet, for a log line an operator acts on (a bug a page
    tripped): the ids alone sent them to the database first."""
    fields: dict[str, Any] = {"url_id": url_id}
    try:
        with runtime.sessions() as session:
            query = _with_source(select(Url.url, Source.key, Outlet.key), url_id)
            row = session.execute(query).first()
    except SQLAlchemyError:
        return fields
    if row is not None:
        fields.update(url=row[0], source=row[1], outlet=row[2])
    return fields


def _process_url(
    runtime: Runtime, url_id: int, *, force: bool, rerun_at: datetime | None, now: datetime | None
) -> UrlOutcome:
    now = now or datetime.now(UTC)
    clock = PhaseClock()
    with clock.phase("start"):
        context = _start_attempt(runtime, url_id, force, rerun_at, now)
    if isinstance(context, UrlOutcome):
        return context
    bound = log.bind(url_id=url_id, url=context.url, outlet=context.outlet_key)
    try:
        with clock.phase("fetch"):
            page = runtime.fetcher.get(context.url, accept="html", limits=context.limits)
    except HostBusy as exc:
        return _postpone(runtime, url_id, exc, now, bound)
    except FetchError as exc:
        metrics.page_fetched(context.outlet_key, exc.reason)
        outcome = _fetch_failed(runtime, url_id, context, exc, bound)
        metrics.url_finished(context.outlet_key, outcome.state, outcome.reason)
        return outcome
    metrics.page_fetched(context.outlet_key, str(page.status))
    text, encoding = decode_html(page.content, page.charset)
    try:
        with clock.phase("extract"):
            article = extract(text, page.final_url, context)
    except ExtractionError as exc:
        state = final_state_for(exc)
        with runtime.sessions.begin() as session:
            _save_raw(session, url_id, page, encoding, now)
            repository.finish_url(
                session, url_id, state, reason=exc.reason, detail=str(exc),
                http_status=page.status, final_url=page.final_url,
            )  # fmt: skip
        _log_ended(bound, state, reason=exc.reason, error=str(exc))
        metrics.url_finished(context.outlet_key, state, exc.reason)
        return UrlOutcome(url_id, state, exc.reason)
    with clock.phase("store"):
        outcome = store(runtime, url_id, context, page, encoding, text, article, now, clock=clock)
    bound.info(
        "url.done", state=outcome.state, reason=outcome.reason, article_id=outcome.article_id,
        **clock.fields(),
    )  # fmt: skip
    metrics.url_finished(context.outlet_key, outcome.state, outcome.reason)
    return outcome


def extract(text: str, url: str, context: UrlContext) -> ExtractedArticle:
    """The extractor, with any unexpected crash on a bad page recorded as the page's failure."""
    try:
        return extract_article(
            text, url, timezone=context.timezone, language=context.language,
            outlet_name=context.outlet_name, rules=context.rules, announced=context.announced,
        )  # fmt: skip
    except ExtractionError:
        raise
    except Exception as exc:  # a bug on one page must not loop a task forever
        log.exception("url.extractor_crashed", url=url)
        raise ExtractionError(
            f"extractor crashed: {type(exc).__name__}: {exc}", reason="extractor_crashed"
        ) from exc


def _start_attempt(
    runtime: Runtime, url_id: int, force: bool, rerun_at: datetime | None, now: datetime
) -> UrlContext | UrlOutcome:
    if not force and rerun_at is None and runtime.engine.dialect.name == "postgresql":
        with runtime.sessions() as session:
            # one statement, its own transaction: no BEGIN and COMMIT round trips around it
            session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            claim = repository.claim_attempt(session, url_id, now, runtime.settings.max_attempts)
        if claim is not None:
            announced = Announced(claim.announced_title, claim.announced_at)
            return _context_of(claim.url, claim.attempts, claim.outlet, announced, runtime.settings)
    with runtime.sessions.begin() as session:
        repository.skip_commit_flush(session)  # the claim: one disk flush less per page
        found = _url_with_outlet(session, url_id)
        if found is None:
            return UrlOutcome(url_id, "missing", "no such url")
        url, outlet = found
        if rerun_at is not None and url.queued_at != rerun_at:
            log.info("url.rerun_superseded", url_id=url_id, url=url.url, state=url.state)
            return UrlOutcome(url_id, url.state, url.reason, url.article_id)
        if url.state in FINAL_URL_STATES and not force:
            return UrlOutcome(url_id, url.state, url.reason, url.article_id)
        if force and url.state in FINAL_URL_STATES:
            url.attempts = 0
        elif url.attempts >= runtime.settings.max_attempts:
            # Queued again after attempts that never finished (a worker killed on this page).
            repository.finish_url(
                session, url_id, "failed", reason="too_many_attempts",
                detail=f"{url.attempts} attempts did not finish; last: {url.reason or 'none'}",
            )  # fmt: skip
            # a page that hangs or kills its worker: counted, or no alert ever sees it
            metrics.url_finished(outlet.key if outlet else "", "failed", "too_many_attempts")
            return UrlOutcome(url_id, "failed", "too_many_attempts")
        url.state = "pending"
        url.attempts += 1
        url.last_attempt_at = now
        context = _context(url, outlet, runtime.settings)
        if context is None:
            repository.finish_url(
                session, url_id, "failed", reason="no_outlet", detail="source removed"
            )
            metrics.url_finished("", "failed", "no_outlet")
            return UrlOutcome(url_id, "failed", "no_outlet")
        return context


_Query = TypeVar("_Query", bound="Select[*tuple[Any, ...]]")


def _url_with_outlet(session: Session, url_id: int) -> tuple[Url, Outlet | None] | None:
    """The URL and the outlet of the source that yielded it, in one query."""
    row = session.execute(_with_source(select(Url, Outlet), url_id)).first()
    return (row[0], row[1]) if row is not None else None


def _with_source(query: _Query, url_id: int) -> _Query:
    """``query`` of URL ``url_id`` joined to the source that yielded it and its outlet (none
    when the source is gone)."""
    return (
        query.outerjoin(Source, Source.id == Url.source_id)
        .outerjoin(Outlet, Outlet.id == Source.outlet_id)
        .where(Url.id == url_id)
    )


def context_for(session: Session, url: Url, settings: Settings) -> UrlContext | None:
    """What extraction and storage need to know about a URL's outlet; None without one."""
    source = (
        session.get(Source, url.source_id, options=[joinedload(Source.outlet)])
        if url.source_id
        else None
    )
    return _context(url, source.outlet if source else None, settings)


def _context(url: Url, outlet: Outlet | None, settings: Settings) -> UrlContext | None:
    if outlet is None:
        return None
    announced = Announced(url.announced_title, url.announced_at)
    return _context_of(url.url, url.attempts, outlet, announced, settings)


def _context_of(
    url: str, attempt: int, outlet: Outlet, announced: Announced, settings: Settings
) -> UrlContext:
    return UrlContext(
        url=url,
        attempt=attempt,
        outlet_id=outlet.id,
        outlet_key=outlet.key,
        outlet_name=outlet.name,
        timezone=outlet.timezone,
        language=outlet.language,
        rules=Rules.from_mapping(outlet.extraction_rules),
        limits=outlet_limits(outlet, settings),
        announced=announced,
    )


def _postpone(
    runtime: Runtime, url_id: int, exc: HostBusy, now: datetime, bound: Any
) -> UrlOutcome:
    """The host is busy: come back later, and this attempt does not count.

    An hour at most, and then ask again: a task's countdown past the broker's visibility
    timeout (a host's Retry-After may ask six hours) is handed to another worker meanwhile,
    so the task ran several times, each copy postponing itself again."""
    delay = min(exc.retry_after or 1.0, MAX_RETRY_DELAY_SECONDS)
    with runtime.sessions.begin() as session:
        url = session.get_one(Url, url_id)
        url.attempts = max(0, url.attempts - 1)
        url.queued_at = now + timedelta(seconds=delay)
    bound.info("url.host_busy", delay=round(delay, 2))
    raise RetryLater(url_id, delay, f"{exc.reason}: {exc}") from exc


def _fetch_failed(
    runtime: Runtime, url_id: int, context: UrlContext, exc: FetchError, bound: Any
) -> UrlOutcome:
    retry = isinstance(exc, TransientFetchError) and context.attempt < runtime.settings.max_attempts
    state = "pending" if retry else final_state_for(exc)
    delay = retry_delay(context.attempt, runtime.settings.retry_backoff_seconds, exc.retry_after)
    gone = None
    with runtime.sessions.begin() as session:
        if not retry and exc.http_status in GONE_STATUSES:
            gone = repository.mark_article_gone(session, url_id, datetime.now(UTC))
        repository.finish_url(
            session, url_id, state, reason=exc.reason, detail=str(exc),
            http_status=exc.http_status,
            # the lost-task sweep counts from when the retry is due
            queued_at=datetime.now(UTC) + timedelta(seconds=delay) if retry else None,
        )  # fmt: skip
    if gone is not None:
        bound.warning("article.gone", article_id=gone, http_status=exc.http_status)
    if retry:
        bound.info("url.retry", reason=exc.reason, attempt=context.attempt, delay=delay)
        raise RetryLater(url_id, delay, f"{exc.reason}: {exc}") from exc
    _log_ended(bound, state, reason=exc.reason, error=str(exc), attempts=context.attempt)
    return UrlOutcome(url_id, state, exc.reason)


def _log_ended(bound: Any, state: str, **fields: Any) -> None:
    """``url.failed`` or ``url.skipped``: a failed URL is final and lost to readers, a
    warning; a skipped page was no article."""
    level = bound.info if state == "skipped" else bound.warning
    level(f"url.{state}", **fields)


def _save_raw(session: Any, url_id: int, page: FetchedPage, encoding: str, now: datetime) -> None:
    repository.save_raw_page(
        session,
        url_id,
        final_url=page.final_url,
        http_status=page.status,
        content_type=page.content_type,
        encoding=encoding,
        headers=page.headers,
        content=page.content,
        extractor_version=EXTRACTOR_VERSION,
        fetched_at=now,
    )


def _article_values(
    context: UrlContext,
    page: FetchedPage,
    article: ExtractedArticle,
    body: str,
    canonical: str,
    now: datetime,
) -> dict[str, Any]:
    """The article's columns; ``changed_at`` is stamped later, once the store holds its locks."""
    return {
        "outlet_id": context.outlet_id,
        "url": page.final_url,
        "canonical_url": canonical,
        "title": article.title,
        "authors": list(article.authors),
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "language": article.language,
        "section": article.section,
        "description": article.description,
        "image_url": article.image_url,
        "body": body,
        "tags": list(article.tags),
        "paywalled": article.paywalled,
        "content_hash": content_hash(body),
        "fingerprint_version": FINGERPRINT_VERSION,
        "provenance": dict(article.provenance),
        "extractor_version": EXTRACTOR_VERSION,
        "fetched_at": now,
    }


def store(
    runtime: Runtime,
    url_id: int,
    context: UrlContext,
    page: FetchedPage,
    encoding: str,
    text: str,
    article: ExtractedArticle,
    now: datetime,
    *,
    reextracted: bool = False,
    clock: PhaseClock | None = None,
) -> UrlOutcome:
    """Decide stored/duplicate, group the article with its copies and write it all in one
    transaction. ``now`` is the fetch time; ``reextracted``: the page is a kept raw page read
    again by a newer extractor (no new raw page, and a changed body is not an edit); ``clock``
    gets the time of the duplicate and story lookups (phase ``dedup``).

    - another page already holds this canonical URL: this page is a variant (duplicate), unless
      it is the canonical page itself, which then refreshes the row (keeping an edited text as
      a version) and demotes the variant, or it does not share most of that page's text (a
      listing page named canonical on every article): then it keys itself by its own URL;
    - the same outlet already has this body, or one close enough to be the same article under
      another URL (AMP, print): duplicate;
    - otherwise a new article, in the story of its copies in other outlets or a new story.
    """
    canonical = choose_canonical(page.final_url, article.canonical_url, text)
    own_key = fetched_key(page.final_url)  # the article's key when another claims canonical
    is_canonical_page = own_key == canonical
    paragraphs = boilerplate.paragraph_keys(article.body)
    clock = clock or PhaseClock()
    with runtime.sessions.begin() as session:
        if not is_canonical_page and repository.is_listing_canonical(session, canonical):
            canonical, is_canonical_page = own_key, True  # articles named it before: a listing
        if reextracted:
            repository.mark_raw_page_read(session, url_id, EXTRACTOR_VERSION)
        else:
            _save_raw(session, url_id, page, encoding, now)
        with clock.phase("dedup"):
            chrome = stories.boilerplate_among(
                session, context.outlet_id, paragraphs, boilerplate.MIN_ARTICLES
            )
        body = boilerplate.strip_paragraphs(article.body, chrome)
        values = _article_values(context, page, article, body, canonical, now)
        with clock.phase("dedup"):
            looked_up = grouping.lookup(body)
            # Stores of this body or of a copy of it run one after the other, and from here:
            # a copy stored meanwhile (which may name this URL canonical) is seen below.
            content_key = repository.content_lock_key(values["content_hash"])
            stories.lock_keys(session, [content_key, *looked_up.keys])
        # Stamped once the locks are held, moments before this commits (not at the fetch's
        # start, up to minutes earlier): a reader syncing by changed_at, a little behind now,
        # misses no row that commits after it read.
        changed_at = values["changed_at"] = datetime.now(UTC)
        existing, same = repository.find_claimants(
            session, canonical, context.outlet_id, values["content_hash"]
        )
        own = _own_article(session, url_id, page.final_url) if existing is None else None
        if own is not None and (same is None or same.id == own.id):
            # read again, the page names a canonical no article holds: its article is
            # re-keyed (it was stored a second time, or taken for a duplicate of itself)
            existing = own
        if existing is not None and _another_article(existing, page, body, is_canonical_page):
            _unkey_listing(session, existing, page, context.outlet_id, changed_at)
            canonical = values["canonical_url"] = own_key
            is_canonical_page = True
            existing, same = repository.find_claimants(
                session, canonical, context.outlet_id, values["content_hash"]
            )
        if existing is None:
            if same is not None:
                of = same.canonical_url
                return _duplicate(session, url_id, page, same.id, "same_content", of)
            with clock.phase("dedup"):
                when = article.published_at or now
                copies = grouping.verify_copies(session, looked_up, when)
            stored = _store_new(
                session, url_id, context, page, values, copies, paragraphs, changed_at
            )
            if stored is not None:
                return stored
            # Taken meanwhile by a concurrent store of a page that is no copy of this one.
            existing = repository.find_article_by_canonical(session, canonical)
            assert existing is not None
            if _another_article(existing, page, body, is_canonical_page):
                _unkey_listing(session, existing, page, context.outlet_id, changed_at)
                canonical = values["canonical_url"] = own_key
                is_canonical_page = True
                stored = _store_new(
                    session, url_id, context, page, values, copies, paragraphs, changed_at
                )
                if stored is not None:
                    return stored
                existing = repository.find_article_by_canonical(session, canonical)
                assert existing is not None  # this page, stored meanwhile by another fetch
        if is_canonical_page or existing.url == page.final_url:
            edited = _stored_hash(existing) != values["content_hash"]
            if not reextracted:
                if edited or _corrected(existing, values):
                    stories.save_version(session, existing, replaced_at=now)
                values["gone_at"] = None  # its page is there again
            repository.update_article(session, existing, values)
            # stories move by the time of the change (a re-extraction's is not the fetch's)
            if edited or existing.story_fingerprint_version != STORY_FINGERPRINT_VERSION:
                grouping.regroup(session, existing, changed_at)
            else:  # its time may have changed, and with it which copy came first
                stories.refresh_story(session, existing.story_id, changed_at)
            repository.demote_other_copies(session, existing.id, keep_url_id=url_id)
            repository.finish_url(
                session, url_id, "stored", http_status=page.status, article_id=existing.id,
                final_url=page.final_url,
            )  # fmt: skip
            return UrlOutcome(url_id, "stored", None, existing.id)
        return _duplicate(session, url_id, page, existing.id, "canonical", canonical)


def _own_article(session: Session, url_id: int, final_url: str) -> Article | None:
    """The article this URL stored before, fetched from the same address (a re-fetch, a
    reprocess), if any."""
    article_id = session.scalar(select(Url.article_id).where(Url.id == url_id))
    article = session.get(Article, article_id) if article_id is not None else None
    return article if article is not None and article.url == final_url else None


def _corrected(article: Article, values: dict[str, Any]) -> bool:
    """The page, fetched again, states another headline or publication time: a correction
    readers want kept beside the text, as an edit of the text is."""
    return bool(article.title != values["title"] or article.published_at != values["published_at"])


def _stored_hash(article: Article) -> str:
    """The stored body's content hash as this release computes it: a row hashed under an
    earlier ``FINGERPRINT_VERSION`` is not an edit for that alone (it would keep a version)."""
    if article.fingerprint_version == FINGERPRINT_VERSION:
        return article.content_hash
    return content_hash(article.body)


def _another_article(
    claimant: Article, page: FetchedPage, body: str, is_canonical_page: bool
) -> bool:
    """The article holding the canonical URL this page names is no version of this page: it
    is not this page, and the two do not share most of their text. A misconfigured CMS names
    its listing page canonical on every article; each article then keys itself by its own URL
    instead of becoming a "variant" of the first one stored. An AMP or print edition repeats
    most of its page's paragraphs; two articles of one outlet may share one (a wire service's
    background line, a standard closing sentence) and still be two."""
    if is_canonical_page or claimant.url == page.final_url:
        return False
    return not _shares_most_text(claimant.body, body)


def _unkey_listing(
    session: Session, claimant: Article, page: FetchedPage, outlet_id: int, now: datetime
) -> None:
    """Another article names the canonical URL ``claimant`` holds, and the two share no text:
    unless it is the claimant's own address, it is a listing page. It is remembered (no later
    article takes it) and the claimant is keyed by its own address too, as this page is."""
    listing = claimant.canonical_url
    own_key = fetched_key(claimant.url)
    if own_key == listing:
        return  # the page named is an article, the claimant itself: no listing
    repository.remember_listing_canonical(session, listing, outlet_id, now)
    if repository.find_article_by_canonical(session, own_key) is None:
        claimant.canonical_url = own_key
        claimant.changed_at = now
    log.info("canonical.listing", url=page.final_url, listing=listing, article_id=claimant.id)


def _shares_most_text(stored_body: str, body: str) -> bool:
    """Whether more than half of the paragraphs of the shorter body (as ``boilerplate`` keys
    them) are the other's too."""
    stored, new = boilerplate.paragraph_keys(stored_body), boilerplate.paragraph_keys(body)
    shared = len(stored.keys() & new.keys())
    return shared > 0 and 2 * shared > min(len(stored), len(new))


def _store_new(
    session: Any,
    url_id: int,
    context: UrlContext,
    page: FetchedPage,
    values: dict[str, Any],
    copies: grouping.Copies,
    paragraphs: dict[int, str],
    now: datetime,
) -> UrlOutcome | None:
    """A page no stored article claims: a variant of a near copy in its outlet, else a new
    article in the story of its copies; None if a concurrent worker took its canonical URL."""
    variant = copies.variant_in(context.outlet_id)
    if variant is not None:
        original = session.get_one(Article, variant.candidate.article_id)
        return _duplicate(session, url_id, page, original.id, "near_copy", original.url)
    new_id = grouping.insert_grouped(session, values, copies, now)
    if new_id is None:
        return None
    stories.count_paragraphs(session, context.outlet_id, paragraphs, now)
    repository.finish_url(
        session, url_id, "stored", http_status=page.status, article_id=new_id,
        final_url=page.final_url,
    )  # fmt: skip
    return UrlOutcome(url_id, "stored", None, new_id)


_DUPLICATE_DETAIL = {
    "same_content": "same body as {}",
    "near_copy": "the same article as {}",
    "canonical": "a variant of {}",
}


def _duplicate(
    session: Any, url_id: int, page: FetchedPage, article_id: int, reason: str, of: str
) -> UrlOutcome:
    repository.finish_url(
        session, url_id, "duplicate", reason=reason, http_status=page.status,
        detail=_DUPLICATE_DETAIL[reason].format(of), article_id=article_id,
        final_url=page.final_url,
    )  # fmt: skip
    return UrlOutcome(url_id, "duplicate", reason, article_id)
