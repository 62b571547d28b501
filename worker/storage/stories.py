"""Repository functions for stories: lookup keys, candidates, grouping, merges, splits, versions.

Like ``repository``, functions take an open Session and never commit; the caller's transaction
makes a store and its grouping one atomic step.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from sqlalchemy import (
    Integer,
    TextClause,
    Update,
    and_,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from worker.storage.models import (
    Article,
    ArticleVersion,
    OutletBoilerplate,
    Story,
    StoryKey,
    StoryMerge,
    StorySignature,
)
from worker.storage.repository import dialect_insert, on_postgresql, table_of

CANDIDATES_PER_KEY = 20
# When an article counts as published: its stated time, else when it was fetched.
ARTICLE_TIME = func.coalesce(Article.published_at, Article.fetched_at)
MAX_CANDIDATES = 40
# A Candidate's fields, in its order.
CANDIDATE_COLUMNS = (
    Article.id, Article.story_id, Article.outlet_id, Article.body, ARTICLE_TIME,
    Article.story_hash,
)  # fmt: skip


@dataclass(frozen=True)
class Candidate:
    article_id: int
    story_id: int
    outlet_id: int
    body: str
    when: datetime
    story_hash: str | None = None
    signature: bytes | None = None  # stored MinHash signature (``minhash.to_bytes``), if any
    shingles: int | None = None  # the size of the set it was taken over
    fingerprint_version: int | None = None  # the STORY_FINGERPRINT_VERSION it was taken by


def lock_keys(session: Session, keys: Sequence[int]) -> None:
    """Serialise, on PostgreSQL, the stores that share a key: they could group with each other
    (lookup keys) or hold the same body (``repository.content_lock_key``).

    Transaction-scoped advisory locks taken in sorted order (so two stores cannot deadlock);
    released at commit, after which the next store sees this one's keys. SQLite's
    ``BEGIN IMMEDIATE`` already serialises every writer.
    """
    if not on_postgresql(session):
        return
    if keys:  # one statement: unnest hands the sorted keys to the lock function in order
        session.execute(
            text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) k"),
            {"keys": sorted(set(keys))},
        )


def find_candidates(
    session: Session, keys: Sequence[int], exclude_article_id: int | None = None
) -> list[Candidate]:
    """Articles sharing keys with ``keys``, most shared keys first.

    Each key is probed for its ``CANDIDATES_PER_KEY`` newest articles only, so a lookup costs
    the same few index probes however many articles are stored, even for a key many share.
    """
    if not keys:
        return []
    if on_postgresql(session):
        probed = session.scalars(_PROBE_ARRAY, {"keys": list(keys), "per_key": CANDIDATES_PER_KEY})
    else:
        probed = session.scalars(_probe_statement(len(keys)), _probe_params(keys))
    shared = Counter(probed.all())
    if exclude_article_id is not None:
        shared.pop(exclude_article_id, None)
    best = [article_id for article_id, _ in shared.most_common(MAX_CANDIDATES)]
    if not best:
        return []
    signed = (StorySignature.signature, StorySignature.shingles, Article.story_fingerprint_version)
    rows = session.execute(
        select(*CANDIDATE_COLUMNS, *signed)
        .outerjoin(StorySignature, StorySignature.article_id == Article.id)
        .where(Article.id.in_(best))
    ).all()
    by_id = {row[0]: Candidate(*row) for row in rows}
    return [by_id[article_id] for article_id in best if article_id in by_id]


# PostgreSQL: every key in one array parameter, probed by a lateral subquery per element; one
# small plan, where the union below plans one subquery per key.
_PROBE_ARRAY = text(
    "SELECT p.article_id FROM unnest(CAST(:keys AS bigint[])) AS k(key) CROSS JOIN LATERAL "
    "(SELECT article_id FROM story_keys WHERE story_keys.key = k.key "
    "ORDER BY article_id DESC LIMIT :per_key) AS p"
)


@lru_cache(maxsize=64)
def _probe_statement(count: int) -> TextClause:
    """One statement probing ``count`` keys, each for its newest ``CANDIDATES_PER_KEY`` articles
    (written as SQL: building it as a SQLAlchemy union costs more than running it)."""
    probe = (  # only integers are formatted in; the keys are bound parameters
        "SELECT article_id FROM (SELECT article_id FROM story_keys WHERE key = :k{n} "  # noqa: S608
        f"ORDER BY article_id DESC LIMIT {CANDIDATES_PER_KEY}) AS p{{n}}"
    )
    return text(" UNION ALL ".join(probe.format(n=n) for n in range(count)))


def _probe_params(keys: Sequence[int]) -> dict[str, int]:
    return {f"k{n}": key for n, key in enumerate(keys)}


def story_members(
    session: Session, story_ids: Iterable[int], exclude: Iterable[int] = ()
) -> list[Candidate]:
    """The articles of the stories, but ``exclude``: what a copy in them is checked against."""
    wanted, skipped = sorted(set(story_ids)), sorted(set(exclude))
    if not wanted:
        return []
    rows = session.execute(
        select(*CANDIDATE_COLUMNS)
        .where(Article.story_id.in_(wanted), Article.id.not_in(skipped))
        .order_by(Article.id)
    ).all()
    return [Candidate(*row) for row in rows]


def keys_of(session: Session, article_ids: Iterable[int]) -> dict[int, list[int]]:
    """The lookup keys each article is indexed under."""
    wanted = sorted(set(article_ids))
    found: dict[int, list[int]] = {article_id: [] for article_id in wanted}
    if wanted:
        rows = session.execute(
            select(StoryKey.article_id, StoryKey.key).where(StoryKey.article_id.in_(wanted))
        ).all()
        for article_id, key in rows:
            found[article_id].append(key)
    return found


def replace_keys(
    session: Session, article_id: int, keys: Iterable[int], signature: bytes, shingles: int
) -> None:
    session.execute(delete(StoryKey).where(StoryKey.article_id == article_id))
    session.execute(delete(StorySignature).where(StorySignature.article_id == article_id))
    add_keys(session, article_id, keys, signature, shingles)


# The keys and the signature in one statement: every key in one array parameter.
_ADD_KEYS_ARRAY = text(
    "WITH signature AS (INSERT INTO story_signatures (article_id, signature, shingles) "
    "VALUES (:article_id, :signature, :shingles) ON CONFLICT DO NOTHING) "
    "INSERT INTO story_keys (key, article_id) "
    "SELECT k, :article_id FROM unnest(CAST(:keys AS bigint[])) AS k ON CONFLICT DO NOTHING"
)


def add_keys(
    session: Session, article_id: int, keys: Iterable[int], signature: bytes, shingles: int
) -> None:
    """Index a new article under its lookup keys, with the MinHash signature (of ``shingles``
    shingles) that its candidates are first checked against. Nothing for a text without keys
    (too short to judge)."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    values = {"article_id": article_id, "signature": signature, "shingles": shingles}
    if on_postgresql(session):
        session.execute(_ADD_KEYS_ARRAY, {**values, "keys": wanted})
        return
    session.execute(dialect_insert(session, StorySignature).on_conflict_do_nothing(), values)
    rows = [{"key": key, "article_id": article_id} for key in wanted]
    # executemany: one cached statement, where a VALUES list of n rows compiles anew
    session.execute(dialect_insert(session, StoryKey).on_conflict_do_nothing(), rows)


def new_story(session: Session, now: datetime) -> int:
    """A new story's id: never one a story had before. PostgreSQL's sequence never gives one
    again; SQLite gives the highest id plus one, and after a merge deleted the newest story a
    reader holding that id (which ``story_merges`` says was merged away) met another story
    under it. There it is taken past every id ``story_merges`` names (SQLite writes one at a
    time: no concurrent story takes it meanwhile)."""
    row: dict[str, object] = {"article_count": 0, "created_at": now, "updated_at": now}
    if not on_postgresql(session):
        row["id"] = 1 + max(
            session.scalar(select(func.max(Story.id))) or 0,
            session.scalar(select(func.max(StoryMerge.from_story_id))) or 0,
        )
    story_id: int = session.execute(_NEW_STORY, row).scalar_one()
    return story_id


_NEW_STORY = insert(table_of(Story)).returning(table_of(Story).c.id)


def lock_stories(session: Session, story_ids: Iterable[int]) -> list[int]:
    """Lock the stories (oldest first) against a concurrent merge; returns those that exist."""
    return list(
        session.scalars(
            select(Story.id)
            .where(Story.id.in_(sorted(set(story_ids))))
            .order_by(Story.id)
            .with_for_update()
        ).all()
    )


def current_story_ids(session: Session, article_ids: Iterable[int]) -> dict[int, int]:
    rows = session.execute(
        select(Article.id, Article.story_id).where(Article.id.in_(list(article_ids)))
    ).all()
    return {article_id: story_id for article_id, story_id in rows}


def merge_stories(
    session: Session, into: int, others: Iterable[int], cause_article_id: int, now: datetime
) -> list[StoryMerge]:
    """Move the copies of ``others`` into the older story ``into``; log each move."""
    merges: list[StoryMerge] = []
    for story_id in sorted(set(others) - {into}):
        moved = list(session.scalars(select(Article.id).where(Article.story_id == story_id)))
        moving = update(Article).where(Article.story_id == story_id)
        session.execute(moving.values(story_id=into, changed_at=now))  # readers sync by it
        # Merges that went into the story now gone now point where its copies went: every
        # into_story_id names a story that exists (one hop, however long the chain).
        earlier = update(StoryMerge).where(StoryMerge.into_story_id == story_id)
        session.execute(earlier.values(into_story_id=into))
        session.execute(delete(Story).where(Story.id == story_id))
        merge = StoryMerge(
            from_story_id=story_id, into_story_id=into, article_ids=moved,
            cause_article_id=cause_article_id, merged_at=now,
        )  # fmt: skip
        session.add(merge)
        merges.append(merge)
    return merges


def move_to_new_story(session: Session, article_id: int, now: datetime) -> tuple[int, int] | None:
    """Move one article out of its story into a new story of its own (the old story keeps its
    other copies and must be refreshed); returns (old story id, new story id). None when the
    article is alone in its story: it has one of its own already, and moving it would leave an
    empty story behind (a row with no copies, its first article in another story)."""
    old = session.scalar(select(Article.story_id).where(Article.id == article_id))
    assert old is not None, article_id
    others = select(Article.id).where(Article.story_id == old, Article.id != article_id)
    if session.scalar(others.limit(1)) is None:
        return None
    return old, move_articles_to_new_story(session, [article_id], now)


def move_articles_to_new_story(session: Session, article_ids: Sequence[int], now: datetime) -> int:
    """Move articles out of their story into one new story; returns its id (the stories they
    left must be refreshed)."""
    new = new_story(session, now)
    moving = update(Article).where(Article.id.in_(list(article_ids)))
    session.execute(moving.values(story_id=new, changed_at=now))  # readers sync by it
    refresh_story(session, new, now)
    return new


def refresh_story(session: Session, story_id: int, now: datetime) -> None:
    """Recount the story's copies and find its first one (one statement)."""
    session.execute(_REFRESH_STORY, {"refreshed_story": story_id, "refreshed_at": now})


def _refresh_story_statement() -> Update:
    """Built once: building it per article cost more than running it."""
    story_id = bindparam("refreshed_story", type_=Integer)
    copies = select(Article).where(Article.story_id == story_id)
    first = copies.order_by(ARTICLE_TIME, Article.id).limit(1)
    return (
        update(Story)
        .where(Story.id == story_id)
        .values(
            article_count=copies.with_only_columns(func.count()).scalar_subquery(),
            first_article_id=func.coalesce(
                first.with_only_columns(Article.id).scalar_subquery(), Story.first_article_id
            ),
            first_published_at=func.coalesce(
                first.with_only_columns(ARTICLE_TIME).scalar_subquery(), Story.first_published_at
            ),
            updated_at=bindparam("refreshed_at", type_=table_of(Story).c.updated_at.type),
        )
    )


_REFRESH_STORY = _refresh_story_statement()


def delete_story(session: Session, story_id: int) -> None:
    session.execute(delete(Story).where(Story.id == story_id))


def save_version(session: Session, article: Article, replaced_at: datetime) -> None:
    """Keep the article's current text as its next numbered version before it is replaced."""
    last = session.scalar(
        select(func.max(ArticleVersion.version)).where(ArticleVersion.article_id == article.id)
    )
    session.add(
        ArticleVersion(
            article_id=article.id, version=(last or 0) + 1, title=article.title,
            body=article.body, content_hash=article.content_hash,
            published_at=article.published_at, updated_at=article.updated_at,
            fetched_at=article.fetched_at, replaced_at=replaced_at,
        )
    )  # fmt: skip


# --- per-outlet boilerplate ------------------------------------------------------------------


def boilerplate_among(
    session: Session, outlet_id: int, keys: Iterable[int], min_articles: int
) -> set[int]:
    """Which of ``keys`` the outlet repeats in at least ``min_articles`` articles."""
    wanted = list(keys)
    if not wanted:
        return set()
    return set(
        session.scalars(
            select(OutletBoilerplate.paragraph_key).where(
                OutletBoilerplate.outlet_id == outlet_id,
                OutletBoilerplate.paragraph_key.in_(wanted),
                OutletBoilerplate.article_count >= min_articles,
            )
        )
    )


def forget_unrepeated_paragraphs(session: Session, before: datetime, limit: int = 5000) -> int:
    """Delete up to ``limit`` paragraphs an outlet printed once and not again since ``before``
    (they are no boilerplate, which repeats); returns how many. The delete checks the count
    again: a store that met the paragraph meanwhile keeps it."""
    once = and_(OutletBoilerplate.article_count == 1, OutletBoilerplate.last_seen_at < before)
    keys = session.execute(
        select(OutletBoilerplate.outlet_id, OutletBoilerplate.paragraph_key)
        .where(once)
        .order_by(OutletBoilerplate.last_seen_at)
        .limit(limit)
    ).all()
    if not keys:
        return 0
    pairs = tuple_(OutletBoilerplate.outlet_id, OutletBoilerplate.paragraph_key)
    deleted = session.execute(
        delete(OutletBoilerplate).where(once, pairs.in_([tuple(key) for key in keys]))
    )
    return int(getattr(deleted, "rowcount", 0) or 0)


_COUNT_PARAGRAPHS_ARRAY = text(
    "INSERT INTO outlet_paragraphs "
    "(outlet_id, paragraph_key, article_count, sample, first_seen_at, last_seen_at) "
    "SELECT :outlet_id, p.key, 1, p.sample, :now, :now "
    "FROM unnest(CAST(:keys AS bigint[]), CAST(:samples AS text[])) AS p(key, sample) "
    "ON CONFLICT (outlet_id, paragraph_key) DO UPDATE SET "
    "article_count = outlet_paragraphs.article_count + 1, last_seen_at = excluded.last_seen_at"
)


def count_paragraphs(
    session: Session, outlet_id: int, paragraphs: dict[int, str], now: datetime
) -> None:
    """Count one more article of the outlet for each of its distinct paragraphs (in key order,
    so two stores of the outlet lock its rows in the same order)."""
    if not paragraphs:
        return
    if on_postgresql(session):
        ordered = sorted(paragraphs.items())
        session.execute(
            _COUNT_PARAGRAPHS_ARRAY,
            {"outlet_id": outlet_id, "now": now, "keys": [key for key, _ in ordered],
             "samples": [sample[:500] for _, sample in ordered]},
        )  # fmt: skip
        return
    rows = [
        {"outlet_id": outlet_id, "paragraph_key": key, "article_count": 1,
         "sample": sample[:500], "first_seen_at": now, "last_seen_at": now}
        for key, sample in sorted(paragraphs.items())
    ]  # fmt: skip
    stmt = dialect_insert(session, OutletBoilerplate)
    upsert = stmt.on_conflict_do_update(
        index_elements=["outlet_id", "paragraph_key"],
        set_={
            "article_count": OutletBoilerplate.article_count + 1,
            "last_seen_at": stmt.excluded.last_seen_at,
        },
    )
    session.execute(upsert, rows)  # executemany, as in replace_keys
