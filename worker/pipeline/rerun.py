"""Reruns: put chosen URLs back in the frontier, fetch them again, watch them finish.

A rerun marks each URL ``pending`` with its attempts reset and ``queued_at`` now, then queues
it (or processes it here). The frontier row is the record of the request, so a lost message is
found again by the tick's lost-task sweep, and a second rerun of the same selection finds
nothing left in the chosen states: nothing is fetched or stored twice.

A queued rerun's task carries the ``queued_at`` its rerun wrote: a URL marked again before the
task ran (a second rerun queued while no worker ran, the sweep) is the later task's to fetch,
and this one does nothing (``process_url``'s ``rerun_at``). Else both fetched the page.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update

from worker.dedup.urls import frontier_key
from worker.runtime import Runtime
from worker.storage.models import URL_STATES, Outlet, Source, Url


@dataclass(frozen=True)
class UrlSelection:
    """Frontier URLs chosen by the operator. Empty lists mean any; ``urls`` are matched by their
    frontier key (tracking parameters and fragments do not matter)."""

    sources: Sequence[str] = ()
    outlets: Sequence[str] = ()
    states: Sequence[str] = ()
    reasons: Sequence[str] = ()
    urls: Sequence[str] = ()
    since: datetime | None = None  # last attempt (or first seen) at or after
    until: datetime | None = None  # and before

    def __post_init__(self) -> None:
        unknown = set(self.states) - set(URL_STATES)
        if unknown:
            raise ValueError(
                f"unknown state {sorted(unknown)[0]!r}; states are {', '.join(URL_STATES)}"
            )

    def query(self) -> Select[Any]:
        query = select(Url.id).order_by(Url.id)
        if self.sources or self.outlets:
            query = query.join(Source, Source.id == Url.source_id).join(Outlet)
        if self.sources:  # a source's key, or an outlet's for all its sources
            query = query.where(or_(Source.key.in_(self.sources), Outlet.key.in_(self.sources)))
        if self.outlets:
            query = query.where(Outlet.key.in_(self.outlets))
        if self.states:
            query = query.where(Url.state.in_(self.states))
        if self.reasons:
            query = query.where(Url.reason.in_(self.reasons))
        if self.urls:
            query = query.where(Url.url.in_([frontier_key(url) for url in self.urls]))
        when = func.coalesce(Url.last_attempt_at, Url.first_seen_at)
        if self.since:
            query = query.where(when >= self.since)
        if self.until:
            query = query.where(when < self.until)
        return query


def unknown_keys(runtime: Runtime, sources: Sequence[str], outlets: Sequence[str]) -> str | None:
    """What is wrong with the keys an operator gave, if anything: a key no source or outlet has
    selects nothing, which would read as "nothing to repair". A source key may also be an
    outlet's (all its sources), as for ``crawl``; removed sources count (their URLs remain)."""
    with runtime.sessions() as session:
        source_keys = set(session.scalars(select(Source.key)))
        outlet_keys = set(session.scalars(select(Outlet.key)))
    for key in sources:
        if key not in source_keys | outlet_keys:
            return f"no source or outlet with key {key!r}; see `newsworker sources`"
    for key in outlets:
        if key not in outlet_keys:
            return f"no outlet with key {key!r}; see `newsworker sources`"
    return None


def unmatched_filter(runtime: Runtime, selection: UrlSelection) -> str | None:
    """Why a selection is empty when its ``--url`` or ``--reason`` matches no URL on its own (a
    typo, not "nothing to rerun"), naming the reasons there are, or the states that hold the
    reason (a rerun's URLs are ``pending`` until fetched); None when each matches some."""
    if selection.urls and not select_urls(runtime, UrlSelection(urls=selection.urls)):
        given = ", ".join(repr(url) for url in selection.urls)
        return f"nothing matched --url: no source has yielded {given}"
    if not selection.reasons:
        return None
    states = " or ".join(selection.states) or "frontier"
    with runtime.sessions() as session:
        query = select(Url.reason, func.count()).where(Url.reason.is_not(None))
        if selection.states:
            query = query.where(Url.state.in_(selection.states))
        found = dict(session.execute(query.group_by(Url.reason).order_by(Url.reason)).all())
    unknown = [reason for reason in selection.reasons if reason not in found]
    if not unknown:
        return None
    if selection.states and (elsewhere := _states_with_reason(runtime, unknown[0])):
        return _in_other_states(unknown[0], states, elsewhere)
    there = ", ".join(f"{reason} ({count})" for reason, count in found.items())
    return f"nothing matched --reason {unknown[0]!r}: " + (
        f"reasons of {states} URLs: {there}" if there else f"no {states} URL has a reason"
    )


def _states_with_reason(runtime: Runtime, reason: str) -> dict[str, int]:
    with runtime.sessions() as session:
        query = select(Url.state, func.count()).where(Url.reason == reason)
        return dict(session.execute(query.group_by(Url.state).order_by(Url.state)).all())


def _in_other_states(reason: str, states: str, elsewhere: dict[str, int]) -> str:
    """A reason none of the chosen states holds but others do: which, and the option that
    selects them. After a rerun, its URLs are pending with their old reason."""
    held = " and ".join(f"{n} {state} URL{'s' if n > 1 else ''}" for state, n in elsewhere.items())
    has = "has" if sum(elsewhere.values()) == 1 else "have"
    options = " ".join(f"--state {state}" for state in elsewhere)
    pending = " (pending: queued, not fetched yet)" if "pending" in elsewhere else ""
    return (
        f"nothing matched --reason {reason!r} among {states} URLs, but {held} {has} it"
        f"{pending}: select with `{options}`"
    )


def select_urls(runtime: Runtime, selection: UrlSelection) -> list[int]:
    with runtime.sessions() as session:
        return list(session.scalars(selection.query()))


def mark_for_rerun(
    runtime: Runtime, url_ids: Sequence[int], now: datetime | None = None
) -> datetime:
    """Back to ``pending`` with no attempts used; the row keeps its last reason until done.
    Returns the ``queued_at`` written, which this rerun's tasks carry (``rerun_at``)."""
    now = now or datetime.now(UTC)
    with runtime.sessions.begin() as session:
        for start in range(0, len(url_ids), 500):
            chunk = url_ids[start : start + 500]
            session.execute(
                update(Url)
                .where(Url.id.in_(chunk))
                .values(state="pending", attempts=0, queued_at=now)
            )
    return now


def states_of(runtime: Runtime, url_ids: Sequence[int]) -> dict[str, int]:
    """How many of ``url_ids`` are in each state now."""
    counts: dict[str, int] = {}
    with runtime.sessions() as session:
        for start in range(0, len(url_ids), 500):
            chunk = url_ids[start : start + 500]
            rows = session.execute(
                select(Url.state, func.count()).where(Url.id.in_(chunk)).group_by(Url.state)
            )
            for state, count in rows:
                counts[state] = counts.get(state, 0) + count
    return counts


def wait_until_final(
    runtime: Runtime,
    url_ids: Sequence[int],
    *,
    timeout: float,
    poll_interval: float = 0.5,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Wait for the workers to bring ``url_ids`` to final states (or the timeout); the counts.

    Only the URLs still pending are read again, less often the more there are: counting all
    50,000 of a large rerun twice a second kept most of a database core busy (review)."""
    deadline = time.monotonic() + timeout
    waiting = list(url_ids)
    while True:
        waiting = _pending_among(runtime, waiting)
        if progress is not None:
            progress(len(url_ids) - len(waiting))
        if not waiting or time.monotonic() > deadline:
            return states_of(runtime, url_ids)
        time.sleep(poll_interval * (1 + len(waiting) // WAIT_STEP))


# Every this many URLs still pending add one poll interval between two reads of them.
WAIT_STEP = 5000


def _pending_among(runtime: Runtime, url_ids: Sequence[int]) -> list[int]:
    pending: list[int] = []
    with runtime.sessions() as session:
        for start in range(0, len(url_ids), 500):
            chunk = url_ids[start : start + 500]
            pending += session.scalars(
                select(Url.id).where(Url.id.in_(chunk), Url.state == "pending")
            )
    return pending
