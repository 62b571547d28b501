"""Group each stored article with its copies in other outlets: one story, many copies.

Inside the store's transaction: take the article's lookup keys, lock them (stores that could
group together run one after the other), verify every candidate on the texts, then join the
story of the copies found, merging stories that the article shows to be one (the older id wins,
each move logged in ``story_merges``). Grouping is the connected components of verified "same
story" pairs, less the pairs of compilations.

A compilation (a digest, a live page, a round-up) is a text with two verified copies that are
unrelated to each other (they share less than ``COMPILATION_OVERLAP`` of the shorter one's
shingles). It holds no "same story" pair, whichever of the three arrived last:

- the compilation last: its copies are in stories whose texts are unrelated, so it joins none
  (``story_copies``; it compares the closest copy of each story);
- a copy last: the compilation's story holds another verified copy of it that is unrelated to
  the newcomer. The newcomer does not group through it, and the compilation leaves that story
  for a new story of its own (logged as ``story.compilation_split``, not in ``story_merges``,
  which records merges only); the story keeps its id and its other copies.

Only what the compilation's story holds is checked, and the rest of the story stays together
when the compilation leaves it. Stories that could group together are locked before any copy
moves, so the result does not depend on how many workers store at once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import combinations
from typing import Any

import structlog
from sqlalchemy.orm import Session

from worker.dedup.fingerprint import STORY_FINGERPRINT_VERSION, Fingerprint, fingerprint
from worker.dedup.lookup import lookup_keys
from worker.dedup.verify import Verdict, compare
from worker.storage import repository, stories
from worker.storage.models import Article

log = structlog.get_logger(__name__)

# Within one outlet, a copy this close is another URL of the same article (AMP, print, a
# tracking variant), not a new article.
VARIANT_JACCARD = 0.9
# Copies found in several stories whose texts share less than this are not one story: the
# article holding them all is a digest or a live page.
COMPILATION_OVERLAP = 0.5
_MAX_LOCK_ROUNDS = 5


@dataclass(frozen=True)
class Copy:
    candidate: stories.Candidate
    verdict: Verdict
    fingerprint: Fingerprint


@dataclass(frozen=True)
class Copies:
    fingerprint: Fingerprint
    keys: list[int]
    found: list[Copy]
    # Stories holding a candidate that shares the wording but not the figures: a templated
    # report of another day. The article must not join them through a copy without figures.
    contradicted: frozenset[int] = frozenset()

    def variant_in(self, outlet_id: int) -> Copy | None:
        """A copy in the same outlet close enough to be the same article under another URL."""
        for copy in self.found:
            if copy.candidate.outlet_id == outlet_id and (
                copy.verdict.why == "exact" or copy.verdict.jaccard >= VARIANT_JACCARD
            ):
                return copy
        return None


def find_copies(
    session: Session, body: str, when: datetime, *, exclude_article_id: int | None = None
) -> Copies:
    """Lock the keys of ``body``, then verify the stored articles sharing them."""
    fp = fingerprint(body)
    keys = lookup_keys(fp)
    stories.lock_keys(session, keys)
    found = []
    contradicted = set()
    for candidate in stories.find_candidates(session, keys, exclude_article_id):
        other = _candidate_fingerprint(candidate)
        verdict = compare(fp, other, when, candidate.when)
        if verdict.same:
            found.append(Copy(candidate, verdict, other))
        elif verdict.why == "numbers_differ":
            contradicted.add(candidate.story_id)
    return Copies(fp, keys, found, frozenset(contradicted))


_FINGERPRINTS: OrderedDict[tuple[int, str], Fingerprint] = OrderedDict()
_FINGERPRINT_CACHE_SIZE = 500  # 20-80 KB each: the copies of the stories of the last hours


def _candidate_fingerprint(candidate: stories.Candidate) -> Fingerprint:
    """The candidate's fingerprint, computed once per process while the article is recent.

    Keyed by the article and its story hash, which changes with its text.
    """
    if candidate.story_hash is None:
        return fingerprint(candidate.body)
    key = (candidate.article_id, candidate.story_hash)
    cached = _FINGERPRINTS.get(key)
    if cached is not None:
        _FINGERPRINTS.move_to_end(key)
        return cached
    fp = fingerprint(candidate.body)
    if fp.exact == candidate.story_hash:  # only what is known to match the stored hash
        _FINGERPRINTS[key] = fp
        if len(_FINGERPRINTS) > _FINGERPRINT_CACHE_SIZE:
            _FINGERPRINTS.popitem(last=False)
    return fp


def insert_grouped(
    session: Session, values: dict[str, Any], copies: Copies, now: datetime
) -> int | None:
    """Insert a new article in the story of its copies (or a new one); None if its canonical
    URL was taken meanwhile (the caller then treats the page as that article)."""
    compilations = _compilations(session, copies)
    joined = _lock_stories_of(session, story_copies(_without(copies, compilations)))
    story_id = joined[0] if joined else stories.new_story(session, now)
    article_id = repository.insert_article(
        session,
        {**values, "story_id": story_id, "story_hash": copies.fingerprint.exact,
         "story_fingerprint_version": STORY_FINGERPRINT_VERSION},
    )  # fmt: skip
    if article_id is None:
        if not joined:
            stories.delete_story(session, story_id)
        return None
    _split_off(session, compilations, article_id, now)
    _merge(session, story_id, joined[1:], article_id, now)
    stories.add_keys(session, article_id, copies.keys)
    stories.refresh_story(session, story_id, now)
    return article_id


def regroup(session: Session, article: Article, now: datetime) -> None:
    """After the article's text changed (an edit, a re-extraction): index the new text and join
    any story it now shows to be the same. The article keeps its story; only a compilation
    among its copies leaves its own."""
    when = article.published_at or article.fetched_at
    copies = find_copies(session, article.body, when, exclude_article_id=article.id)
    compilations = _compilations(session, copies, article.id)
    found = story_copies(_without(copies, compilations))
    joined = _lock_stories_of(session, found, also=[article.id])
    target = joined[0]
    _split_off(session, compilations, article.id, now)
    _merge(session, target, joined[1:], article.id, now)
    article.story_hash = copies.fingerprint.exact
    article.story_fingerprint_version = STORY_FINGERPRINT_VERSION
    stories.replace_keys(session, article.id, copies.keys)
    stories.refresh_story(session, target, now)


def story_copies(copies: Copies) -> list[Copy]:
    """The copies to group with.

    - none in a story that also holds a text with the same wording and other figures;
    - none when they belong to several stories whose texts are unrelated (a digest);
    - only the closest story's when two stories contradict each other on figures.
    """
    found = [c for c in copies.found if c.candidate.story_id not in copies.contradicted]
    best: dict[int, Copy] = {}
    for copy in found:
        held = best.get(copy.candidate.story_id)
        if held is None or copy.verdict.jaccard > held.verdict.jaccard:
            best[copy.candidate.story_id] = copy
    for a, b in combinations(best.values(), 2):
        if _overlap(a.fingerprint, b.fingerprint) < COMPILATION_OVERLAP:
            log.info(
                "story.compilation",
                stories=sorted(best), reason="copies of unrelated stories in one text",
            )  # fmt: skip
            return []
    for a, b in combinations(best.values(), 2):
        if compare(a.fingerprint, b.fingerprint).why == "numbers_differ":
            closest = max(best.values(), key=lambda copy: copy.verdict.jaccard)
            return [c for c in found if c.candidate.story_id == closest.candidate.story_id]
    return found


def _compilations(session: Session, copies: Copies, article_id: int | None = None) -> list[Copy]:
    """The copies found to be compilations now that the article shows up: each has in its story
    another verified copy that is unrelated to the article (so it holds two unrelated stories).

    The same rule as ``story_copies``'s, seen from the article that arrives after the
    compilation: without it, who joins whom would depend on the order. ``article_id``: the
    article when it is already stored (a regroup), never taken for the other copy. Locks the
    copies' stories first: what they hold must not change before the compilations leave them.
    """
    if not copies.found:
        return []
    also = [] if article_id is None else [article_id]
    _lock_stories_of(session, copies.found, also)
    ids = [copy.candidate.article_id for copy in copies.found]
    story_of = stories.current_story_ids(session, ids)
    # The article's own copies are not unrelated to it (a verified copy overlaps by >= 0.6).
    others = stories.story_members(session, set(story_of.values()), exclude=[*ids, *also])
    unrelated = [
        (other, fp)
        for other in others
        if _overlap(copies.fingerprint, fp := _candidate_fingerprint(other)) < COMPILATION_OVERLAP
    ]
    return [
        copy
        for copy in copies.found
        if any(
            other.story_id == story_of.get(copy.candidate.article_id)
            and compare(copy.fingerprint, fp, copy.candidate.when, other.when).same
            for other, fp in unrelated
        )
    ]


def _without(copies: Copies, compilations: Sequence[Copy]) -> Copies:
    """``copies`` less the compilations: the article does not group through them."""
    dropped = {copy.candidate.article_id for copy in compilations}
    return replace(copies, found=[c for c in copies.found if c.candidate.article_id not in dropped])


def _split_off(
    session: Session, compilations: Sequence[Copy], cause_article_id: int, now: datetime
) -> None:
    """Move each compilation to a story of its own: it belongs to none. Its story was locked by
    ``_compilations`` and keeps its other copies. Not a merge, so not in ``story_merges``
    (whose ``from_story_id`` must be a story gone): the move is logged."""
    for copy in compilations:
        article_id = copy.candidate.article_id
        old, new = stories.move_to_new_story(session, article_id, now)
        stories.refresh_story(session, old, now)
        log.info(
            "story.compilation_split", article=article_id, from_story=old, into_story=new,
            cause_article=cause_article_id,
        )  # fmt: skip


def _overlap(a: Fingerprint, b: Fingerprint) -> float:
    smaller = min(a.size, b.size)
    return len(a.shingles & b.shingles) / smaller if smaller else 0.0


def _lock_stories_of(
    session: Session, copies: Sequence[Copy], also: Sequence[int] = ()
) -> list[int]:
    """The current stories of the copies' articles (and of ``also``), locked, oldest first.

    A concurrent merge may move an article to another story between reading and locking; read
    again under the lock until the set is stable.
    """
    article_ids = [copy.candidate.article_id for copy in copies] + list(also)
    if not article_ids:
        return []
    wanted = set(stories.current_story_ids(session, article_ids).values())
    for _ in range(_MAX_LOCK_ROUNDS):
        locked = set(stories.lock_stories(session, wanted))
        current = set(stories.current_story_ids(session, article_ids).values())
        if current <= locked:
            return sorted(current)
        wanted = current
    raise RuntimeError(f"stories of articles {article_ids} kept moving under concurrent merges")


def _merge(
    session: Session, into: int, others: Sequence[int], cause_article_id: int, now: datetime
) -> None:
    for merge in stories.merge_stories(session, into, others, cause_article_id, now):
        log.info(
            "story.merged", from_story=merge.from_story_id, into_story=merge.into_story_id,
            articles=merge.article_ids, cause_article=cause_article_id,
        )  # fmt: skip
