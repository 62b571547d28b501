"""Two workers storing copies of one article at once, on PostgreSQL: the second store waits for
the first and sees what it stored.

A store locks its body and the body's lookup keys before it looks anything up, so a concurrent
store of a copy has committed by the time it looks. Here the copy is the print edition of a
page, naming the page canonical, still uncommitted when the page itself is stored.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.conftest import truncate_postgres
from tests.localweb.wire import DRILLS
from worker.dedup.content import content_hash
from worker.dedup.minhash import to_bytes
from worker.extraction import ExtractedArticle
from worker.fetching import FetchedPage
from worker.pipeline import grouping
from worker.pipeline.process import UrlOutcome, context_for, store
from worker.runtime import Runtime
from worker.storage import repository, stories
from worker.storage.models import Article, Outlet, Source, Url

NOW = datetime(2024, 3, 3, 12, tzinfo=UTC)
PAGE_URL = "https://herald.example/news/drills"
PRINT_URL = "https://herald.example/print/drills"
BODY = "\n\n".join(DRILLS)
PRINT_BODY = BODY + "\n\nPrinted from the Herald's website; the online edition may differ."


def test_a_page_stored_while_its_print_copy_is_being_stored_becomes_that_article(
    pg_url: str, runtime_factory: Callable[..., Runtime]
) -> None:
    truncate_postgres(pg_url)
    runtime = runtime_factory(pg_url)
    url_id = _page_url(runtime)
    outcomes: list[UrlOutcome] = []
    storing = threading.Thread(target=lambda: outcomes.append(_store_page(runtime, url_id)))
    with runtime.sessions.begin() as holder:  # the print edition's store, not committed yet
        looked_up = grouping.lookup(PRINT_BODY)
        stories.lock_keys(holder, looked_up.keys)
        print_id = _insert_print_edition(holder, looked_up)
        storing.start()
        storing.join(timeout=1.0)
        assert storing.is_alive(), "the page's store must wait for its copy's"
    storing.join(timeout=30)

    assert [(o.state, o.article_id) for o in outcomes] == [("stored", print_id)]
    with runtime.sessions() as session:
        article = session.scalars(select(Article)).one()
    assert (article.url, article.body) == (PAGE_URL, BODY), "the page's text replaced the print's"


LISTING_URL = "https://herald.example/news/"
OTHER_BODY = (
    "The city council approved a new budget on Monday after a long debate about road repairs.\n\n"
    "Council members said the plan keeps property taxes flat while adding two bus routes."
)


def test_an_article_naming_a_listing_canonical_while_another_is_stored_is_stored_too(
    pg_url: str, runtime_factory: Callable[..., Runtime]
) -> None:
    """Both name the section's listing canonical (a misconfigured CMS); the other article
    takes the listing's URL first, uncommitted. The page's insert then waits on that URL and
    finds it taken by an article it shares no text with: it stores itself under its own."""
    truncate_postgres(pg_url)
    runtime = runtime_factory(pg_url)
    url_id = _page_url(runtime)
    outcomes: list[UrlOutcome] = []
    storing = threading.Thread(
        target=lambda: outcomes.append(_store_page(runtime, url_id, canonical=LISTING_URL))
    )
    with runtime.sessions.begin() as holder:  # the other article's store, not committed yet
        other_id = _insert_article(
            holder, grouping.lookup(OTHER_BODY), "https://herald.example/news/budget",
            LISTING_URL, OTHER_BODY,
        )  # fmt: skip
        storing.start()
        storing.join(timeout=1.0)
        assert storing.is_alive(), "the page's insert must wait for the listing URL's holder"
    storing.join(timeout=30)

    assert [o.state for o in outcomes] == ["stored"]
    assert outcomes[0].article_id != other_id
    with runtime.sessions() as session:
        keys = {
            url: key for url, key in session.execute(select(Article.url, Article.canonical_url))
        }
    assert keys[PAGE_URL] == PAGE_URL
    assert keys["https://herald.example/news/budget"] == "https://herald.example/news/budget"
    with runtime.sessions() as session:
        assert repository.is_listing_canonical(session, LISTING_URL)


def _page_url(runtime: Runtime) -> int:
    with runtime.sessions.begin() as session:
        outlet = Outlet(key="herald", name="The Herald", timezone="UTC")
        session.add(outlet)
        session.flush()
        source = Source(
            outlet_id=outlet.id, key="herald-feed", kind="feed",
            url="https://herald.example/feed.xml", interval_seconds=600,
        )  # fmt: skip
        session.add(source)
        session.flush()
        url = Url(url=PAGE_URL, source_id=source.id)
        session.add(url)
        session.flush()
        return url.id


def _insert_print_edition(session: Session, looked_up: grouping.Lookup) -> int:
    return _insert_article(session, looked_up, PRINT_URL, PAGE_URL, PRINT_BODY)


def _insert_article(
    session: Session, looked_up: grouping.Lookup, url: str, canonical: str, body: str
) -> int:
    outlet_id = session.scalars(select(Outlet.id)).one()
    story_id = stories.new_story(session, NOW)
    article_id = repository.insert_article(
        session,
        {
            "outlet_id": outlet_id, "story_id": story_id, "url": url,
            "canonical_url": canonical, "title": "Drills", "body": body,
            "content_hash": content_hash(body), "story_hash": looked_up.fingerprint.exact,
            "extractor_version": "test", "fetched_at": NOW, "changed_at": NOW,
        },
    )  # fmt: skip
    assert article_id is not None
    stories.add_keys(
        session, article_id, looked_up.keys, to_bytes(looked_up.signature),
        looked_up.fingerprint.size,
    )  # fmt: skip
    stories.refresh_story(session, story_id, NOW)
    return article_id


def _store_page(runtime: Runtime, url_id: int, canonical: str = PAGE_URL) -> UrlOutcome:
    with runtime.sessions() as session:
        context = context_for(session, session.get_one(Url, url_id), runtime.settings)
    assert context is not None
    html = f"<html><head><title>Drills</title></head><body><p>{BODY}</p></body></html>"
    page = FetchedPage(
        url=PAGE_URL, final_url=PAGE_URL, status=200, content=html.encode(),
        content_type="text/html", charset="utf-8",
    )  # fmt: skip
    article = ExtractedArticle(
        title="Drills", authors=[], published_at=NOW, updated_at=None, language="en",
        canonical_url=canonical, section=None, description=None, image_url=None,
        site_name=None, body=BODY,
    )  # fmt: skip
    return store(runtime, url_id, context, page, "utf-8", html, article, NOW)
