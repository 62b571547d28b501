"""An outlet with no feed and no sitemap, polled through its section front by a real worker."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.e2e.processes import run_cli, running, service_env
from tests.localweb.server import LocalSite
from tests.localweb.wire import Page, local_story, page_html
from worker.storage.db import make_engine
from worker.storage.models import Article, Url

pytestmark = pytest.mark.slow

STORIES = [
    Page("post", f"/2026/11/{20 + n}/{slug}", title, local_story(40 + n),
         f"2026-11-{20 + n}T09:00:00+00:00")
    for n, (slug, title) in enumerate([
        ("harbour-wall-rebuilt", "Council agrees to rebuild the harbour wall"),
        ("ferry-timetable-changes", "Ferry timetable changes for the winter"),
        ("school-roof-repaired", "School roof repaired before the storms"),
    ])
]  # fmt: skip


def _section_front(site: LocalSite) -> str:
    teasers = "".join(
        f'<article class="teaser"><h2><a href="{page.path}">{page.title}</a></h2>'
        f'<a href="{page.path}#comments">Leave a comment</a> '
        f'<a href="/author/staff-reporter/">Staff reporter</a></article>'
        for page in STORIES
    )
    return (
        '<!doctype html><html lang="en"><head><title>Local news | The Post</title></head><body>'
        '<header><a href="/">The Post</a><nav><a href="/local-news/">Local news</a>'
        '<a href="/weather-and-travel-updates/">Weather and travel updates</a></nav></header>'
        f"<main><h1>Local news</h1>{teasers}"
        '<a href="/local-news/page/2/">Older local news from the Post</a></main>'
        f'<aside><h3>Most read</h3><a href="{STORIES[0].path}">{STORIES[0].title}</a></aside>'
        '<footer><a href="/about-the-post-and-its-staff/">About the Post and its staff</a>'
        "</footer></body></html>"
    )


def test_a_listing_source_is_crawled_through_a_real_worker(
    database_url: str, redis_url: str, tmp_path: Path
) -> None:
    with LocalSite("post") as site:
        site.add("/robots.txt", "User-agent: *\nAllow: /\n")
        site.add("/local-news/", _section_front(site))
        for page in STORIES:
            site.add(page.path, page_html(page, site))
        sources = tmp_path / "sources.toml"
        sources.write_text(
            '[outlets.post]\nname = "The Post"\n[[outlets.post.sources]]\n'
            f'kind = "listing"\nurl = "{site.url("/local-news/")}"\n'
        )
        env = service_env(tmp_path, database_url=database_url, broker_url=redis_url,
                          sources_file=str(sources))  # fmt: skip
        log = tmp_path / "worker.log"
        with running(["worker", "--concurrency", "2"], env, tmp_path, log):
            result = run_cli(["crawl", "--timeout", "120"], env, tmp_path)
        assert result.returncode == 0, result.stdout + result.stderr + log.read_text()[-3000:]
        urls = {page.path: site.url(page.path) for page in STORIES}
        not_articles = [
            "/local-news/page/2/",
            "/author/staff-reporter/",
            "/about-the-post-and-its-staff/",
            "/weather-and-travel-updates/",
        ]
        assert [site.get_hits[path] for path in not_articles] == [0, 0, 0, 0]
    engine = make_engine(database_url)
    with Session(engine) as session:
        frontier = {row.url: row.state for row in session.scalars(select(Url))}
        titles = {row.url: row.title for row in session.scalars(select(Article))}
    engine.dispose()
    assert frontier == dict.fromkeys(urls.values(), "stored")
    assert titles == {urls[page.path]: page.title for page in STORIES}
