"""What a crawl left in the database, counted against what the web offered."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from tests.chaos.site import ChaosWeb
from worker.storage.db import make_engine
from worker.storage.models import FINAL_URL_STATES, Article, Url


@dataclass(frozen=True)
class Ledger:
    """Every offered URL accounted for: ``lost`` (an offered URL not final, or an article page
    without its article) and ``duplicated`` (article rows beyond one per page) must be 0."""

    scenario: str
    offered: int
    stored: int
    skipped: int
    failed: int
    lost: int
    duplicated: int
    groups: frozenset[frozenset[str]]

    def line(self) -> str:
        return (
            f"{self.scenario:<28} offered {self.offered}  stored {self.stored}  "
            f"skipped {self.skipped}  failed {self.failed}  lost {self.lost}  "
            f"duplicated {self.duplicated}  stories {len(self.groups)}"
        )


def read_ledger(scenario: str, database_url: str, web: ChaosWeb) -> Ledger:
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            states = {row.url: row.state for row in session.execute(select(Url.url, Url.state))}
            articles = [
                (row.url, row.story_id)
                for row in session.execute(select(Article.url, Article.story_id))
            ]
    finally:
        engine.dispose()
    offered = web.offered_urls()
    rows_per_page = Counter(url for url, _ in articles)
    stored = {url for url in web.article_urls() if states.get(url) == "stored"}
    lost = {url for url in offered if states.get(url) not in FINAL_URL_STATES}
    lost |= {url for url in web.article_urls() if rows_per_page[url] == 0}
    stories: dict[int, set[str]] = {}
    for url, story_id in articles:
        stories.setdefault(story_id, set()).add(url)
    final = Counter(state for url, state in states.items() if url in offered)
    return Ledger(
        scenario=scenario,
        offered=len(offered),
        stored=len(stored),
        skipped=final["skipped"],
        failed=final["failed"],
        lost=len(lost),
        # a second row for a page, or a row for no page the web offers
        duplicated=sum(rows_per_page.values()) - len(web.article_urls() & set(rows_per_page)),
        groups=frozenset(frozenset(urls) for urls in stories.values()),
    )


def count_final(
    database_url: str, web: ChaosWeb, states: tuple[str, ...] = FINAL_URL_STATES
) -> int:
    """Offered URLs in one of ``states`` now; -1 while the database does not answer."""
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            rows = session.scalars(select(Url.url).where(Url.state.in_(states))).all()
    except OperationalError:
        return -1
    finally:
        engine.dispose()
    return len(web.offered_urls() & set(rows))
