"""Group each stored article with its copies in other outlets: one story, many copies.

Inside the store's transaction: take the article's lookup keys, lock them (stores that could
group together run one after the other), verify every candidate on the texts, let the copies'
stories settle with the article among them, then join the story of the copies found, merging
stories that the article shows to be one (the older id wins, each move logged in
``story_merges``).

The stories are meant to be the same whatever order the articles arrive in: the connected
components of verified "same story" pairs, where

- a compilation (a digest, a live page, a round-up: a text with two verified copies that are
  unrelated to each other, sharing less than ``COMPILATION_OVERLAP`` of the shorter one's
  shingles) is a story of its own and links nothing;
- a text that is a copy of two texts that disagree on figures (templated reports of two days)
  goes only with the one it is closer to.

Arriving in any order, the article's copies first settle (``_settle``): a copy that the article
shows to be a compilation leaves its story, and so does a copy closer to the article than to a
text of its story that the article contradicts; a story left by a copy is split where its
remaining copies no longer hold together (``_resplit``). These moves are logged
(``story.compilation_split``, ``story.copy_moved``, ``story.split``); ``story_merges``
records merges only. Stories that could group together are locked before any copy moves, so
the result does not depend on how many workers store at once either.
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
from worker.dedup.minhash import Signature, from_bytes, signature, to_bytes
from worker.dedup.verify import Verdict, compare, may_be_related, outside_window
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
    looked_up: Lookup
    found: list[Copy]
    # Stories holding a candidate that shares the wording but not the figures: a templated
    # report of another day. The article must not join them through a copy without figures.
    contradicted: frozenset[int] = frozenset()
    # Those candidates themselves (a story they are in may change while the article settles).
    contradicting: tuple[Copy, ...] = ()

    def variant_in(self, outlet_id: int) -> Copy | None:
        """A copy in the same outlet close enough to be the same article under another URL."""
        for copy in self.found:
            if copy.candidate.outlet_id == outlet_id and (
                copy.verdict.why == "exact" or copy.verdict.jaccard >= VARIANT_JACCARD
            ):
                return copy
        return None


@dataclass(frozen=True)
class Lookup:
    """A text's fingerprint, its MinHash signature and the keys it is indexed and looked up by."""

    fingerprint: Fingerprint
    signature: Signature
    keys: list[int]


def lookup(body: str) -> Lookup:
    fp = fingerprint(body)
    sig = signature(fp.shingles)
    return Lookup(fp, sig, lookup_keys(fp, sig))


def find_copies(
    session: Session, body: str, when: datetime, *, exclude_article_id: int | None = None
) -> Copies:
    """Lock the keys of ``body``, then verify the stored articles sharing them."""
    looked_up = lookup(body)
    stories.lock_keys(session, looked_up.keys)
    return verify_copies(session, looked_up, when, exclude_article_id=exclude_article_id)


def verify_copies(
    session: Session, looked_up: Lookup, when: datetime, *, exclude_article_id: int | None = None
) -> Copies:
    """The stored articles sharing keys with ``looked_up``, verified on the texts. The caller
    holds the keys' locks (``stories.lock_keys``)."""
    fp = looked_up.fingerprint
    found = []
    contradicting = []
    for candidate in stories.find_candidates(session, looked_up.keys, exclude_article_id):
        # Both decided before the candidate's fingerprint is worked out (a millisecond or so).
        if outside_window(when, candidate.when) or _unrelated(looked_up, candidate):
            continue
        other = _candidate_fingerprint(candidate)
        verdict = compare(fp, other, when, candidate.when)
        if verdict.same:
            found.append(Copy(candidate, verdict, other))
        elif verdict.why == "numbers_differ":
            contradicting.append(Copy(candidate, verdict, other))
    contradicted = frozenset(copy.candidate.story_id for copy in contradicting)
    return Copies(looked_up, found, contradicted, tuple(contradicting))


def _unrelated(looked_up: Lookup, candidate: stories.Candidate) -> bool:
    """The candidate's stored signature shows that it shares too little of the text to be
    anything to it (``verify.may_be_related``). Texts that share wording by chance (stock
    phrases, a templated intro) are found by the lookup keys more often the more articles are
    stored: this keeps their cost to a comparison of signatures."""
    if candidate.signature is None or candidate.shingles is None:
        return False  # indexed before signatures were stored: verified on the text
    if candidate.fingerprint_version != STORY_FINGERPRINT_VERSION:
        return False  # hashed otherwise (until ``reindex-stories``): verified on the text
    return not may_be_related(
        looked_up.signature, looked_up.fingerprint.size,
        from_bytes(candidate.signature), candidate.shingles,
    )  # fmt: skip


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
        _remember(candidate.article_id, fp)
    return fp


def _remember(article_id: int, fp: Fingerprint) -> None:
    """Keep the fingerprint of an article whose stored story hash is ``fp.exact``. Safe even if
    the transaction that stored it rolls back: the key holds the text's hash, and the same
    text has the same fingerprint."""
    _FINGERPRINTS[(article_id, fp.exact)] = fp
    _FINGERPRINTS.move_to_end((article_id, fp.exact))
    if len(_FINGERPRINTS) > _FINGERPRINT_CACHE_SIZE:
        _FINGERPRINTS.popitem(last=False)


def insert_grouped(
    session: Session, values: dict[str, Any], copies: Copies, now: datetime
) -> int | None:
    """Insert a new article in the story of its copies (or a new one); None if its canonical
    URL was taken meanwhile (the caller then treats the page as that article)."""
    copies = _settle(session, copies, now)
    joined = _lock_stories_of(session, story_copies(copies))
    story_id = joined[0] if joined else stories.new_story(session, now)
    looked_up = copies.looked_up
    article_id = repository.insert_article(
        session,
        # created_at is the changed_at of its insert: a new row never changed before it was made
        {**values, "created_at": now, "story_id": story_id,
         "story_hash": looked_up.fingerprint.exact,
         "story_fingerprint_version": STORY_FINGERPRINT_VERSION},
    )  # fmt: skip
    if article_id is None:
        if not joined:
            stories.delete_story(session, story_id)
        return None
    _remember(article_id, looked_up.fingerprint)  # later copies find it as a candidate
    _merge(session, story_id, joined[1:], article_id, now)
    stories.add_keys(
        session, article_id, looked_up.keys, to_bytes(looked_up.signature),
        looked_up.fingerprint.size,
    )  # fmt: skip
    stories.refresh_story(session, story_id, now)
    return article_id


def regroup(session: Session, article: Article, now: datetime) -> None:
    """After the article's text changed (an edit, a re-extraction): index the new text and join
    any story it now shows to be the same.

    The article keeps its story while its new text is still a copy of one of the story's other
    articles (only a compilation among its copies leaves its own). When it is a copy of none
    (the page now tells another story), it leaves: into the story of its new copies, or a new
    one; the story it left is split where it no longer holds together. Before, it stayed, and
    its old story was merged into its new copies' story: two stories that share nothing."""
    when = article.published_at or article.fetched_at
    copies = find_copies(session, article.body, when, exclude_article_id=article.id)
    looked_up = copies.looked_up
    article.story_hash = looked_up.fingerprint.exact  # what its story-mates compare against
    _remember(article.id, looked_up.fingerprint)
    copies = _settle(session, copies, now, article.id)
    grouped = story_copies(copies)
    joined = _lock_stories_of(session, grouped, also=[article.id])
    old = article.story_id
    if _no_longer_of_its_story(session, article, looked_up.fingerprint, when):
        others = [story_id for story_id in joined if story_id != old]
        target = others[0] if others else stories.new_story(session, now)
        article.story_id, article.changed_at = target, now
        session.flush()
        _merge(session, target, others[1:], article.id, now)
        stories.refresh_story(session, old, now)
        log.info("story.edit_moved", article=article.id, from_story=old, into_story=target)
        _resplit(session, old, now)
    else:
        target = joined[0]
        _merge(session, target, joined[1:], article.id, now)
    article.story_fingerprint_version = STORY_FINGERPRINT_VERSION
    stories.replace_keys(
        session, article.id, looked_up.keys, to_bytes(looked_up.signature),
        looked_up.fingerprint.size,
    )  # fmt: skip
    stories.refresh_story(session, target, now)


def _no_longer_of_its_story(
    session: Session, article: Article, fp: Fingerprint, when: datetime
) -> bool:
    """The article shares its story with others, and its text (``fp``) is a copy of none of
    them. Compared with each, not looked up: a story-mate indexed under an older fingerprint
    version (a reindex under way) is not found by every key, and would be taken for gone."""
    mates = stories.story_members(session, [article.story_id], exclude=[article.id])
    return bool(mates) and not any(
        compare(fp, _candidate_fingerprint(mate), when, mate.when).same for mate in mates
    )


def story_copies(copies: Copies) -> list[Copy]:
    """The copies to group with.

    - none when two of them are unrelated texts (the article is a digest, a live page);
    - none in a story that also holds a text with the same wording and other figures;
    - only the closest story's when two stories contradict each other on figures.
    """
    for a, b in combinations(copies.found, 2):
        if _overlap(a.fingerprint, b.fingerprint) < COMPILATION_OVERLAP:
            log.info(
                "story.compilation", reason="copies of unrelated texts in one text",
                stories=sorted({c.candidate.story_id for c in copies.found}),
            )  # fmt: skip
            return []
    found = [c for c in copies.found if c.candidate.story_id not in copies.contradicted]
    best: dict[int, Copy] = {}
    for copy in found:
        held = best.get(copy.candidate.story_id)
        if held is None or copy.verdict.jaccard > held.verdict.jaccard:
            best[copy.candidate.story_id] = copy
    for a, b in combinations(best.values(), 2):
        if compare(a.fingerprint, b.fingerprint).why == "numbers_differ":
            closest = max(best.values(), key=lambda copy: copy.verdict.jaccard)
            return [c for c in found if c.candidate.story_id == closest.candidate.story_id]
    return found


def _settle(
    session: Session, copies: Copies, now: datetime, article_id: int | None = None
) -> Copies:
    """Bring the stories of the article's copies to what they are with the article among them,
    before it joins any: the copies that are compilations leave their stories, and a copy
    closer to the article than to a text of its story that the article contradicts on figures
    leaves that story. A story a copy left is split where its remaining copies no longer hold
    together. Returns the copies as they now stand: current stories, no compilations.
    ``article_id``: the article when it is already stored (a regroup).
    """
    if not copies.found:
        return copies
    compilations = _compilations(session, copies, article_id)
    _split_off(session, compilations, article_id, now)
    copies = _refreshed(session, _without(copies, compilations))
    for copy in _closer_to_the_article(session, copies):
        moved = stories.move_to_new_story(session, copy.candidate.article_id, now)
        if moved is None:
            continue  # alone in its story already
        old, new = moved
        stories.refresh_story(session, old, now)
        log.info(
            "story.copy_moved", article=copy.candidate.article_id, from_story=old,
            into_story=new, cause_article=article_id, reason="closer to the new article",
        )  # fmt: skip
        _resplit(session, old, now)
    return _refreshed(session, copies)


def _compilations(session: Session, copies: Copies, article_id: int | None = None) -> list[Copy]:
    """The copies that are compilations now that the article shows up: among the texts each is
    a verified copy of (its story's copies, or for a copy alone in its story the articles its
    own lookup keys find, and this article) two are unrelated to each other, so it holds two
    stories.

    The same rule as ``story_copies``'s, seen from the article that arrives after the
    compilation: without it, who joins whom would depend on the order. ``article_id``: the
    article when it is already stored (a regroup), never taken for another copy. Locks the
    copies' stories first: what they hold must not change before the compilations leave them.
    """
    also = [] if article_id is None else [article_id]
    _lock_stories_of(session, copies.found, also)
    ids = [copy.candidate.article_id for copy in copies.found]
    story_of = stories.current_story_ids(session, ids)
    members = stories.story_members(session, set(story_of.values()), exclude=also)
    others_of = {
        copy.candidate.article_id: {
            other.article_id: other
            for other in members
            if other.story_id == story_of.get(copy.candidate.article_id)
            and other.article_id != copy.candidate.article_id
        }
        for copy in copies.found
    }
    # A copy alone in its story may be a compilation found earlier (a story of its own): what
    # it is a copy of is then in other stories, found by its own lookup keys.
    alone = [article_id for article_id, others in others_of.items() if not others]
    keys_of = stories.keys_of(session, alone)
    found = []
    article = copies.looked_up.fingerprint  # the article is a verified copy of each copy
    for copy in copies.found:
        own = copy.candidate.article_id
        others = others_of[own]
        has_mates = bool(others)
        for other in stories.find_candidates(session, keys_of.get(own, []), own):
            if other.article_id not in also:
                others.setdefault(other.article_id, other)
        texts = []
        for other in others.values():
            fp = _candidate_fingerprint(other)
            if compare(copy.fingerprint, fp, copy.candidate.when, other.when).same:
                texts.append(fp)
        # Two story-mates a copy repeats were found related when the later of them (or the
        # copy) arrived, or the copy would have left their story then: only the pairs with
        # the article are new. Every pair of 100 copies' texts, for each of up to 40 copies,
        # made a store into a large story cubic (2.5 s at 100 copies).
        pairs = ((article, t) for t in texts) if has_mates else combinations([article, *texts], 2)
        if any(_overlap(a, b) < COMPILATION_OVERLAP for a, b in pairs):
            found.append(copy)
    return found


def _closer_to_the_article(session: Session, copies: Copies) -> list[Copy]:
    """Copies in a story that holds a text the article contradicts on figures, and that are
    closer to the article than to every such text: they belong with the article."""
    if not copies.contradicting:
        return []
    contradicting = {copy.candidate.article_id for copy in copies.contradicting}
    story_of = stories.current_story_ids(session, contradicting)
    moved = []
    for copy in copies.found:
        rivals = [
            other
            for other in copies.contradicting
            if story_of.get(other.candidate.article_id) == copy.candidate.story_id
        ]
        if rivals and all(
            copy.verdict.jaccard > compare(copy.fingerprint, other.fingerprint).jaccard
            for other in rivals
        ):
            moved.append(copy)
    return moved


def _refreshed(session: Session, copies: Copies) -> Copies:
    """``copies`` with each candidate's current story (moves and splits change them)."""
    ids = [c.candidate.article_id for c in (*copies.found, *copies.contradicting)]
    if not ids:
        return copies
    story_of = stories.current_story_ids(session, ids)

    def current(copy: Copy) -> Copy:
        story_id = story_of.get(copy.candidate.article_id, copy.candidate.story_id)
        return replace(copy, candidate=replace(copy.candidate, story_id=story_id))

    contradicting = tuple(current(copy) for copy in copies.contradicting)
    return replace(
        copies,
        found=[current(copy) for copy in copies.found],
        contradicting=contradicting,
        contradicted=frozenset(copy.candidate.story_id for copy in contradicting),
    )


def _resplit(session: Session, story_id: int, now: datetime) -> None:
    """Split a story whose copies no longer hold together (a copy that linked them left):
    each group of verified copies becomes a story, the one holding the oldest article keeps
    the story's id."""
    members = stories.story_members(session, [story_id])
    if len(members) < 2:
        return
    prints = {m.article_id: _candidate_fingerprint(m) for m in members}
    parent = {m.article_id: m.article_id for m in members}

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for a, b in combinations(members, 2):
        if compare(prints[a.article_id], prints[b.article_id], a.when, b.when).same:
            parent[root(a.article_id)] = root(b.article_id)
    groups: dict[int, list[int]] = {}
    for member in members:
        groups.setdefault(root(member.article_id), []).append(member.article_id)
    if len(groups) < 2:
        return
    keep = root(min(members, key=lambda m: (m.when, m.article_id)).article_id)
    for group_root, article_ids in groups.items():
        if group_root != keep:
            new = stories.move_articles_to_new_story(session, article_ids, now)
            log.info("story.split", from_story=story_id, into_story=new, articles=article_ids)
    stories.refresh_story(session, story_id, now)


def _without(copies: Copies, compilations: Sequence[Copy]) -> Copies:
    """``copies`` less the compilations: the article does not group through them."""
    dropped = {copy.candidate.article_id for copy in compilations}
    return replace(copies, found=[c for c in copies.found if c.candidate.article_id not in dropped])


def _split_off(
    session: Session, compilations: Sequence[Copy], cause_article_id: int | None, now: datetime
) -> None:
    """Move each compilation to a story of its own (one alone in its story stays there): it
    belongs to none. Its story was locked by ``_compilations`` and keeps its other copies. Not
    a merge, so not in ``story_merges`` (whose ``from_story_id`` must be a story gone): the
    move is logged."""
    for copy in compilations:
        article_id = copy.candidate.article_id
        moved = stories.move_to_new_story(session, article_id, now)
        if moved is None:
            continue  # alone in its story already
        old, new = moved
        stories.refresh_story(session, old, now)
        log.info(
            "story.compilation_split", article=article_id, from_story=old, into_story=new,
            cause_article=cause_article_id,
        )  # fmt: skip
        _resplit(session, old, now)


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
