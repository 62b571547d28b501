"""Stories in the database: copies across outlets grouped, variants and edits, merges, chrome."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from tests.localweb.server import Response
from tests.localweb.wire import (
    BUDGET,
    DRILLS,
    Page,
    WireWeb,
    local_story,
    page_html,
    stored_groups,
    wire_web,
)
from worker.dedup.fingerprint import fingerprint
from worker.dedup.lookup import lookup_keys
from worker.dedup.minhash import signature, to_bytes
from worker.dedup.urls import frontier_key
from worker.dedup.verify import Verdict, compare
from worker.pipeline import crawl_inline, grouping, poll_source, process_url
from worker.pipeline.reindex import count_unindexed, reindex_stories
from worker.pipeline.reprocess import reprocess_url
from worker.runtime import Runtime
from worker.storage.db import make_engine
from worker.storage.migrations import downgrade, upgrade
from worker.storage.models import (
    Article,
    ArticleVersion,
    OutletBoilerplate,
    Source,
    Story,
    StoryKey,
    StoryMerge,
    StorySignature,
    Url,
)
from worker.storage.stories import Candidate
from worker.syncing import sync_from_file

RuntimeFactory = Callable[..., Runtime]


def _crawl(runtime: Runtime) -> None:
    sync_from_file(runtime)
    with runtime.sessions() as session:
        source_ids = list(session.scalars(select(Source.id).order_by(Source.id)))
    report = crawl_inline(runtime, source_ids)
    assert report.exit_code == 0, report


@pytest.mark.parametrize("order_seed", [0, 1])
def test_a_crawl_of_syndicated_outlets_gives_the_expected_stories(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path, order_seed: int
) -> None:
    with wire_web(tmp_path, order_seed) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
        assert stored_groups(database_url, web) == web.expected_groups()
        with runtime.sessions() as session:
            urls = {row.url: row for row in session.scalars(select(Url))}
            articles = {row.id: row for row in session.scalars(select(Article))}
            stories = {row.id: row for row in session.scalars(select(Story))}
        for variant, original in web.variants().items():
            pair = sorted([urls[variant], urls[original]], key=lambda row: row.state)
            assert [(row.state, row.reason) for row in pair] == [
                ("duplicate", "near_copy"),
                ("stored", None),
            ], "one of two URLs of an article is stored, the other is its duplicate"
            assert pair[0].article_id == pair[1].article_id
        pairs = set(web.variants()) | set(web.variants().values())
        assert {row.state for url, row in urls.items() if url not in pairs} == {"stored"}
        for story in stories.values():
            copies = [a for a in articles.values() if a.story_id == story.id]
            assert story.article_count == len(copies)
            first = min(copies, key=lambda a: (a.published_at, a.id))
            assert (story.first_article_id, story.first_published_at) == (
                first.id, first.published_at,
            )  # fmt: skip
        assert len(stories) == len(web.expected_groups()), "no story left without copies"


def _store_in_order(runtime: Runtime, web: WireWeb, order: list[tuple[str, str]]) -> list[int]:
    """Poll every outlet, then fetch its pages one by one in ``order``; the URLs' ids."""
    sync_from_file(runtime)
    with runtime.sessions() as session:
        source_ids = session.scalars(select(Source.id)).all()
    for source_id in source_ids:
        poll_source(runtime, source_id)
    with runtime.sessions() as session:
        ids = {row.url: row.id for row in session.scalars(select(Url))}
    url_ids = [ids[frontier_key(web.url(outlet, path))] for outlet, path in order]
    for url_id in url_ids:
        process_url(runtime, url_id)
    return url_ids


LEDE = (
    "SEOUL, March 4 (Yonhap) -- The United States and South Korea began final preparations on "
    "Friday for their springtime exercise, a day after North Korea fired a missile into the sea."
)
BRIDGE_PAGES = [
    Page("herald", "/trimmed", "Drills next week", DRILLS[:4], "2024-03-03T10:00:00+09:00"),
    Page("times", "/new-lede", "Final preparations", [LEDE, *DRILLS[1:]],
         "2024-03-04T10:00:00+09:00"),
    Page("post", "/full", "Allies to drill", DRILLS, "2024-03-03T12:00:00+09:00"),
]  # fmt: skip


@pytest.mark.parametrize(
    "order",
    [["herald", "times", "post"], ["post", "times", "herald"], ["times", "post", "herald"]],
    ids=lambda order: "-".join(order),
)
def test_a_copy_that_joins_two_stories_merges_them_into_the_older_with_the_move_logged(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path, order: list[str]
) -> None:
    """The trimmed copy and the copy with a new lede do not match each other; the full copy
    matches both. Whatever the order, the three end as one story."""
    with wire_web(tmp_path, pages=BRIDGE_PAGES) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        paths = {page.outlet: page.path for page in BRIDGE_PAGES}
        _store_in_order(runtime, web, [(outlet, paths[outlet]) for outlet in order])
        assert stored_groups(database_url, web) == {frozenset(web.article_urls())}
        with runtime.sessions() as session:
            stories = session.scalars(select(Story)).all()
            merges = session.scalars(select(StoryMerge)).all()
            by_url = {a.url: a for a in session.scalars(select(Article))}
        by_outlet = {outlet: by_url[web.url(outlet, paths[outlet])] for outlet in order}
    assert len(stories) == 1 and stories[0].article_count == 3
    if order[-1] == "post":  # the bridge came last: two stories became one
        (merge,) = merges
        first, second = (by_outlet[outlet] for outlet in order[:2])
        assert (merge.into_story_id, merge.from_story_id) == (stories[0].id, second.id)
        assert first.story_id == stories[0].id, "the older story id is kept"
        assert merge.article_ids == [second.id]
        assert merge.cause_article_id == by_outlet["post"].id
    else:
        assert merges == []


def test_a_new_story_never_takes_the_id_of_one_merged_away(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    # SQLite hands out the highest id plus one: the newest story merged away, the next new
    # story took its id, and a reader holding it (story_merges: "gone") met another story
    budget = Page("herald", "/budget", "Budget", BUDGET, "2024-03-03T13:00:00+09:00")
    with wire_web(tmp_path, pages=[*BRIDGE_PAGES, budget]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        order = [("herald", "/trimmed"), ("times", "/new-lede"), ("post", "/full")]
        _store_in_order(runtime, web, [*order, ("herald", "/budget")])
        with runtime.sessions() as session:
            (merge,) = session.scalars(select(StoryMerge)).all()
            story_ids = set(session.scalars(select(Story.id)))
    assert len(story_ids) == 2 and merge.from_story_id not in story_ids


PLUG = "Sign up for our morning briefing to get the day's most important stories every weekday."
UPDATE_LEDE = (
    "The story moved again on Friday as officials gave new details, a day after the first "
    "reports, and said more would be known in the coming days."
)
COMPILATION_PAGES = [
    Page("post", "/full", "Record budget", [*BUDGET[:5], PLUG], "2024-03-03T10:00:00+09:00"),
    Page("herald", "/brief", "Budget approved", [*BUDGET[:2], PLUG], "2024-03-03T11:00:00+09:00"),
    Page("times", "/update", "Budget latest", [UPDATE_LEDE, *BUDGET[1:5]],
         "2024-03-03T12:00:00+09:00"),
]  # fmt: skip


@pytest.mark.parametrize(
    "order",
    [["post", "herald", "times"], ["herald", "times", "post"], ["herald", "post", "times"]],
    ids=lambda order: "-".join(order),
)
def test_a_copy_of_two_unrelated_texts_is_a_story_of_its_own_whenever_it_arrives(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path, order: list[str]
) -> None:
    """The full copy matches the brief and the update, which share too little to be one story:
    it is a compilation. Stored before either, it leaves their story when the second arrives
    (the story keeps its id and the other copy); stored last, it joins none."""
    with wire_web(tmp_path, pages=COMPILATION_PAGES) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        paths = {page.outlet: page.path for page in COMPILATION_PAGES}
        _store_in_order(runtime, web, [(outlet, paths[outlet]) for outlet in order])
        assert stored_groups(database_url, web) == {
            frozenset([web.url(outlet, path)]) for outlet, path in paths.items()
        }
        with runtime.sessions() as session:
            stories = {row.id: row for row in session.scalars(select(Story))}
            articles = {a.url: a for a in session.scalars(select(Article))}
            merges = session.scalars(select(StoryMerge)).all()
    first = articles[web.url(order[0], paths[order[0]])]
    if order[0] == "post":
        assert first.story_id != min(stories), "the compilation left for a story of its own"
        brief = articles[web.url("herald", "/brief")]
        assert brief.story_id == min(stories), "the story it left keeps its id"
    else:
        assert first.story_id == min(stories)
    for article in articles.values():
        story = stories[article.story_id]
        assert (story.article_count, story.first_article_id) == (1, article.id)
        assert story.first_published_at == article.published_at
    assert merges == [], "a compilation leaving its story is not a merge"


def test_an_edited_article_keeps_its_row_and_story_and_its_earlier_text_as_a_version(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    pages = [
        Page("herald", "/news/drills", "Drills next week", DRILLS[:6], "2024-03-03T10:00:00+09:00"),
        Page("times", "/drills", "Allies to drill", DRILLS, "2024-03-03T11:00:00+09:00"),
    ]  # fmt: skip
    with wire_web(tmp_path, pages=pages) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        (herald_url, _) = _store_in_order(
            runtime, web, [("herald", "/news/drills"), ("times", "/drills")]
        )
        edited = Page(
            "herald", "/news/drills", "Drills begin Monday",
            [*DRILLS[:6], "Update: the ministry later said the drills would begin on Monday."],
            "2024-03-03T10:00:00+09:00",
        )  # fmt: skip
        herald = web.sites["herald"]
        herald.add("/news/drills", page_html(edited, herald))
        outcome = process_url(runtime, herald_url, force=True)
        assert outcome.state == "stored"
        with runtime.sessions() as session:
            articles = session.scalars(select(Article).order_by(Article.id)).all()
            versions = session.scalars(select(ArticleVersion)).all()
            keys = session.scalars(
                select(StoryKey.key).where(StoryKey.article_id == outcome.article_id)
            ).all()
    assert len(articles) == 2, "an edit is not a new article"
    assert outcome.article_id == articles[0].id
    assert articles[0].title == "Drills begin Monday" and "Update:" in articles[0].body
    assert articles[0].story_id == articles[1].story_id, "still the same story"
    (version,) = versions
    assert (version.article_id, version.version, version.title) == (
        articles[0].id, 1, "Drills next week",
    )  # fmt: skip
    assert "Update:" not in version.body
    assert sorted(keys) == lookup_keys(fingerprint(articles[0].body)), "keys of the new text"


def test_a_corrected_headline_or_publication_time_keeps_the_earlier_one_as_a_version(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    page = Page("herald", "/news/drills", "Drills next week", DRILLS, "2024-03-03T10:00:00+09:00")
    with wire_web(tmp_path, pages=[page]) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        (url_id,) = _store_in_order(runtime, web, [("herald", "/news/drills")])
        herald = web.sites["herald"]
        process_url(runtime, url_id, force=True)  # the same page again: nothing to keep
        corrected = Page("herald", "/news/drills", "CORRECTED: Drills next month", DRILLS,
                         "2024-03-03T10:00:00+09:00")  # fmt: skip
        herald.add("/news/drills", page_html(corrected, herald))
        process_url(runtime, url_id, force=True)
        redated = Page("herald", "/news/drills", "CORRECTED: Drills next month", DRILLS,
                       "2024-03-04T09:00:00+09:00")  # fmt: skip
        herald.add("/news/drills", page_html(redated, herald))
        process_url(runtime, url_id, force=True)
        with runtime.sessions() as session:
            (article,) = session.scalars(select(Article)).all()
            versions = session.scalars(select(ArticleVersion).order_by(ArticleVersion.version))
            kept = [(v.version, v.title, v.published_at) for v in versions]
    first, second = datetime(2024, 3, 3, 1, tzinfo=UTC), datetime(2024, 3, 4, tzinfo=UTC)
    assert kept == [
        (1, "Drills next week", first), (2, "CORRECTED: Drills next month", first),
    ]  # fmt: skip
    assert (article.title, article.published_at) == ("CORRECTED: Drills next month", second)


def test_an_article_whose_page_is_taken_down_is_marked_gone_until_it_is_back(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    when = "2024-03-03T10:00:00+09:00"
    pages = [Page("herald", "/news/drills", "Drills next week", DRILLS, when),
             Page("herald", "/print/drills", "Drills next week", DRILLS, when,
                  canonical_path="/news/drills")]  # fmt: skip
    with wire_web(tmp_path, pages=pages) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        url_id, print_id = _store_in_order(
            runtime, web, [("herald", "/news/drills"), ("herald", "/print/drills")]
        )
        herald = web.sites["herald"]

        def article_row() -> tuple[datetime | None, datetime, int | None]:
            with runtime.sessions() as session:
                (article,) = session.scalars(select(Article)).all()
                linked = session.get_one(Url, url_id).article_id
            return article.gone_at, article.changed_at, linked

        gone_at, stored_at, article_id = article_row()
        assert gone_at is None and article_id is not None
        with runtime.sessions() as session:
            created_at = session.get_one(Article, article_id).created_at
        assert created_at == stored_at, "a new row's first change is its insert"
        herald.add("/print/drills", Response("gone", status=404))
        assert process_url(runtime, print_id, force=True).state == "failed"
        assert article_row() == (None, stored_at, article_id), "a variant gone is no article gone"
        herald.add("/news/drills", Response("gone", status=410))
        outcome = process_url(runtime, url_id, force=True)
        assert (outcome.state, outcome.reason) == ("failed", "http_410")
        gone_at, changed_at, linked = article_row()
        assert gone_at is not None and changed_at == gone_at > stored_at, "readers syncing see it"
        assert linked == article_id, "the URL still names the article it stored"
        reprocess_url(runtime, url_id)  # the kept page is the one before it was taken down
        assert article_row()[0] == gone_at
        herald.add("/news/drills", page_html(pages[0], herald))
        assert process_url(runtime, url_id, force=True).state == "stored"
        assert article_row()[0] is None


def test_an_article_edited_into_another_story_leaves_its_own_and_never_merges_the_two(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """Its old story was merged into the new text's: two stories sharing nothing became one."""
    pages = [
        Page("herald", "/news/a", "Drills", DRILLS, "2024-03-03T10:00:00+09:00"),
        Page("times", "/b", "Allies to drill", DRILLS[:6], "2024-03-03T11:00:00+09:00"),
        Page("post", "/c", "Budget passes", BUDGET, "2024-03-03T12:00:00+09:00"),
    ]
    order = [("herald", "/news/a"), ("times", "/b"), ("post", "/c")]
    with wire_web(tmp_path, pages=pages) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        herald_url, _, _ = _store_in_order(runtime, web, order)
        a, b, c = (web.url(outlet, path) for outlet, path in order)
        assert stored_groups(database_url, web) == {frozenset({a, b}), frozenset({c})}
        herald = web.sites["herald"]
        replaced = Page("herald", "/news/a", "Budget", BUDGET[:5], "2024-03-03T10:00:00+09:00")
        herald.add("/news/a", page_html(replaced, herald))
        assert process_url(runtime, herald_url, force=True).state == "stored"
        assert stored_groups(database_url, web) == {frozenset({b}), frozenset({a, c})}
        with runtime.sessions() as session:
            merged = session.scalars(select(StoryMerge)).all()
            counts = session.execute(select(Story.id, Story.article_count)).all()
    assert merged == [], "nothing was merged"
    assert sorted(count for _, count in counts) == [1, 2], "no story left empty"


def test_an_edited_article_stays_with_a_story_mate_its_keys_no_longer_find(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    # a mate indexed under an older fingerprint version (a reindex under way) is not found by
    # every key: the edited article was taken for no longer of its story and moved out
    pages = [
        Page("herald", "/a", "Drills", DRILLS, "2024-03-03T10:00:00+09:00"),
        Page("times", "/b", "Final preparations", [LEDE, *DRILLS[1:]], "2024-03-03T11:00:00+09:00"),
    ]  # fmt: skip
    with wire_web(tmp_path, pages=pages) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        herald_url, times_url = _store_in_order(runtime, web, [("herald", "/a"), ("times", "/b")])
        with runtime.sessions.begin() as session:
            mate = session.scalar(select(Url.article_id).where(Url.id == times_url))
            session.execute(delete(StoryKey).where(StoryKey.article_id == mate))
        herald = web.sites["herald"]
        update = "Update: the ministry later said the drills would begin on Monday as planned."
        edited = Page("herald", "/a", "Drills", [*DRILLS, update], "2024-03-03T10:00:00+09:00")
        herald.add("/a", page_html(edited, herald))
        assert process_url(runtime, herald_url, force=True).state == "stored"
        assert stored_groups(database_url, web) == {frozenset(web.article_urls())}


def test_a_copy_fetched_again_with_a_later_time_is_no_longer_its_storys_first(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    # the story was recounted only when the text changed: first_article_id stayed the same
    pages = [
        Page("herald", "/a", "Drills", DRILLS, "2024-03-03T10:00:00+09:00"),
        Page("times", "/b", "Allies to drill", DRILLS[:6], "2024-03-03T11:00:00+09:00"),
    ]
    with wire_web(tmp_path, pages=pages) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        herald_url, _ = _store_in_order(runtime, web, [("herald", "/a"), ("times", "/b")])
        herald = web.sites["herald"]
        later = Page("herald", "/a", "Drills", DRILLS, "2024-03-03T15:00:00+09:00")
        herald.add("/a", page_html(later, herald))
        before = datetime.now(UTC)
        assert process_url(runtime, herald_url, force=True).state == "stored"
        with runtime.sessions() as session:
            story = session.scalars(select(Story)).one()
            first = session.get_one(Article, story.first_article_id)
    assert first.url == web.url("times", "/b")
    assert story.first_published_at == datetime(2024, 3, 3, 2, tzinfo=UTC)
    assert story.updated_at >= before


CHROME = (
    "About the Gazette: the Gazette has covered the towns of the valley since 1921. It is owned "
    "by a charitable trust, takes no money from political parties and publishes every article "
    "free of charge thanks to the support of its readers, advertisers and the local foundation "
    "that guarantees its independence. To support independent local journalism, become a "
    "member today, write to the editor with your news tips, or follow the Gazette on social "
    "media, where our reporters share the stories of the day and answer your questions."
)


def test_a_paragraph_an_outlet_repeats_in_many_articles_is_chrome_and_never_groups_them(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    short = [[local_story(seed, 1)[0].split(", ")[0] + "."] for seed in (40, 41)]
    pages = [
        *(Page("gazette", f"/news/{n}", f"Story {n}", [*local_story(n), CHROME],
               f"2024-03-0{n}T09:00:00Z") for n in range(1, 6)),
        Page("gazette", "/news/a", "Bridge repairs", [*short[0], CHROME], "2024-03-06T09:00:00Z"),
        Page("gazette", "/news/b", "Market hours", [*short[1], CHROME], "2024-03-06T10:00:00Z"),
    ]  # fmt: skip
    a = fingerprint("\n\n".join([*short[0], CHROME]))
    b = fingerprint("\n\n".join([*short[1], CHROME]))
    assert compare(a, b).same, "with the chrome left in, the two would look like one story"
    with wire_web(tmp_path, pages=pages) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _store_in_order(runtime, web, [("gazette", page.path) for page in pages])
        with runtime.sessions() as session:
            articles = {a.url: a for a in session.scalars(select(Article))}
            counts = session.scalars(select(OutletBoilerplate.article_count)).all()
    first, later = articles[web.url("gazette", "/news/1")], articles[web.url("gazette", "/news/a")]
    assert CHROME in first.body, "not yet known as chrome when the first articles arrived"
    assert CHROME not in later.body and later.body.startswith(short[0][0])
    assert later.story_id != articles[web.url("gazette", "/news/b")].story_id
    assert max(counts) == 7 and len(articles) == 7


def _copy(story_id: int, paragraphs: list[str]) -> grouping.Copy:
    fp = fingerprint("\n\n".join(paragraphs))
    when = datetime(2024, 3, 3, tzinfo=UTC)
    candidate = Candidate(story_id, story_id, story_id, "\n\n".join(paragraphs), when)
    return grouping.Copy(candidate, Verdict(True, "near", 0.7, 0.9), fp)


def test_copies_of_unrelated_stories_in_one_text_make_it_a_compilation_not_a_bridge() -> None:
    digest = grouping.Copies(grouping.lookup("x"), [_copy(1, DRILLS), _copy(2, BUDGET)])
    assert grouping.story_copies(digest) == []
    bridge = grouping.Copies(grouping.lookup("x"), [_copy(1, DRILLS[:4]), _copy(2, DRILLS[1:])])
    assert len(grouping.story_copies(bridge)) == 2


def test_a_story_holding_the_same_wording_with_other_figures_is_not_joined() -> None:
    report = ["Shares closed at 2,676.63, up 12.40 points, as investors weighed data. " * 3] * 3
    copies = grouping.Copies(
        grouping.lookup("x"), [_copy(1, report), _copy(2, [*report, "More."])], frozenset({1})
    )
    assert [c.candidate.story_id for c in grouping.story_copies(copies)] == [2]


def test_two_stories_that_disagree_on_figures_are_not_bridged() -> None:
    monday = DRILLS[:5]
    tuesday = [p.replace("48", "52").replace("24", "31").replace("11", "13") for p in monday]
    close, far = _copy(1, monday), _copy(2, tuesday)
    far = grouping.Copy(far.candidate, Verdict(True, "near", 0.6, 0.8), far.fingerprint)
    copies = grouping.Copies(grouping.lookup("x"), [close, far])
    assert [c.candidate.story_id for c in grouping.story_copies(copies)] == [1]


def test_articles_stored_before_stories_existed_become_stories_of_one(
    database_url: str, tmp_path: Path
) -> None:
    downgrade(database_url, "0002")
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO outlets (key, name, created_at) VALUES "
                                "('o', 'O', '2024-01-01 00:00:00+00')"))  # fmt: skip
        for n in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO articles (outlet_id, url, canonical_url, authors, body, "
                    "content_hash, fingerprint_version, provenance, extractor_version, "
                    "fetched_at, created_at, changed_at) VALUES (1, :u, :u, '[]', 'text', "
                    ":h, 1, '{}', '1', :t, :t, :t)"
                ),
                {"u": f"http://o.example/{n}", "h": f"{n:064d}", "t": f"2024-01-0{n} 00:00:00+00"},
            )
    upgrade(database_url)
    with Session(engine) as session:
        articles = session.scalars(select(Article).order_by(Article.id)).all()
        stories = session.scalars(select(Story).order_by(Story.id)).all()
        assert [a.story_id for a in articles] == [a.id for a in articles] == [1, 2]
        assert [(s.first_article_id, s.article_count) for s in stories] == [(1, 1), (2, 1)]
        assert stories[1].first_published_at == datetime(2024, 1, 2, tzinfo=UTC)
        session.add(Story(article_count=0))
        session.flush()  # the next story id does not collide with the numbered ones
    engine.dispose()


def test_articles_without_story_keys_are_regrouped_by_reindexing(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """As after migration 0003: every article a story of its own, none indexed."""
    with wire_web(tmp_path) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
    with runtime.sessions.begin() as session:
        session.execute(delete(StoryKey))
        session.execute(delete(StoryMerge))
        for article in session.scalars(select(Article)):
            story = Story(article_count=1)
            session.add(story)
            session.flush()
            article.story_id = story.id
            article.story_fingerprint_version = None
        session.flush()
        session.execute(delete(Story).where(Story.id.not_in(select(Article.story_id))))
    assert len(stored_groups(database_url, web)) == len(web.article_urls()) - 1
    assert count_unindexed(runtime) == len(web.article_urls()) - 1

    assert reindex_stories(runtime) == len(web.article_urls()) - 1
    assert stored_groups(database_url, web) == web.expected_groups()
    assert count_unindexed(runtime) == 0 and reindex_stories(runtime) == 0


def test_an_article_whose_regroup_crashes_is_left_for_the_next_reindex_and_the_rest_go_on(
    database_url: str,
    runtime_factory: RuntimeFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with wire_web(tmp_path) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
    with runtime.sessions.begin() as session:
        session.execute(update(Article).values(story_fingerprint_version=1))
        first = session.scalar(select(func.min(Article.id)))
    regroup = grouping.regroup

    def crash_on_first(session: Session, article: Article, now: datetime) -> None:
        if article.id == first:
            raise ValueError("a bug one article trips")
        regroup(session, article, now)

    monkeypatch.setattr(grouping, "regroup", crash_on_first)
    total = len(web.article_urls()) - 1
    assert reindex_stories(runtime) == total - 1, "the others were indexed"
    assert count_unindexed(runtime) == 1
    monkeypatch.setattr(grouping, "regroup", regroup)
    assert reindex_stories(runtime) == 1 and count_unindexed(runtime) == 0


def test_articles_indexed_before_signatures_were_stored_still_group_and_reindex_stores_them(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """As after migration 0006: keys but no signatures, fingerprint version 1."""
    with wire_web(tmp_path) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
    with runtime.sessions.begin() as session:
        indexed = set(session.scalars(select(StorySignature.article_id)))
        session.execute(delete(StorySignature))
        session.execute(update(Article).values(story_fingerprint_version=1))
    _assert_a_copy_finds_its_story(runtime)
    assert count_unindexed(runtime) == len(web.article_urls()) - 1

    assert reindex_stories(runtime) == len(web.article_urls()) - 1
    assert stored_groups(database_url, web) == web.expected_groups()
    with runtime.sessions() as session:
        assert set(session.scalars(select(StorySignature.article_id))) == indexed
    assert len(indexed) > len(web.expected_groups()), "every article with a text to judge"


def test_signatures_of_an_older_fingerprint_version_are_not_read_until_reindexed(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """As after an upgrade that changes how shingles are hashed: stored signatures hashed
    otherwise would rule real copies out, so the texts are compared until the reindex."""
    with wire_web(tmp_path) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _crawl(runtime)
    unrelated = to_bytes(signature([]))  # estimated to share nothing with any text
    with runtime.sessions.begin() as session:
        session.execute(update(StorySignature).values(signature=unrelated))
        session.execute(update(Article).values(story_fingerprint_version=2))
    _assert_a_copy_finds_its_story(runtime)

    assert reindex_stories(runtime) == len(web.article_urls()) - 1
    assert stored_groups(database_url, web) == web.expected_groups()
    with runtime.sessions() as session:
        assert unrelated not in set(session.scalars(select(StorySignature.signature)))


def _assert_a_copy_finds_its_story(runtime: Runtime) -> None:
    """The first article of a story with copies, looked up again, finds its copies' story."""
    with runtime.sessions() as session:
        shared = select(Article.story_id).group_by(Article.story_id).having(func.count() > 1)
        article = session.scalars(
            select(Article).where(Article.story_id.in_(shared)).order_by(Article.id)
        ).first()
        assert article is not None and article.published_at is not None
        copies = grouping.find_copies(
            session, article.body, article.published_at, exclude_article_id=article.id
        )
        assert {c.candidate.story_id for c in copies.found} == {article.story_id}


MONTH_APART_PAGES = [
    Page("herald", "/march", "Allies to drill", DRILLS, "2024-03-03T10:00:00+09:00"),
    Page("times", "/march", "Drills ahead", DRILLS, "2024-03-03T15:00:00+09:00"),
    Page("post", "/april", "Allies to drill", DRILLS, "2024-04-03T10:00:00+09:00"),
]  # fmt: skip


def test_the_same_text_published_a_month_later_is_another_story(
    database_url: str, runtime_factory: RuntimeFactory, tmp_path: Path
) -> None:
    """A text republished weeks later (an anniversary, a recycled brief) is news again, not a
    copy of the first: copies are only looked for within ``verify.WINDOW``."""
    with wire_web(tmp_path, pages=MONTH_APART_PAGES) as web:
        runtime = runtime_factory(database_url, sources_file=web.sources_file)
        _store_in_order(runtime, web, [(page.outlet, page.path) for page in MONTH_APART_PAGES])
        assert stored_groups(database_url, web) == {
            frozenset([web.url("herald", "/march"), web.url("times", "/march")]),
            frozenset([web.url("post", "/april")]),
        }
