"""Listing pages as sources: which links of a section front are articles, and a listing polled
end to end (real HTTP, real databases) into stored articles."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, update

from tests.extraction.support import shared_dir
from tests.localweb.server import LocalSite, Response
from tests.test_pipeline import PARAGRAPHS, article_page
from worker.discovery import parse_listing
from worker.discovery.listing import MAX_LISTING_LINKS, is_article_link
from worker.errors import DiscoveryError
from worker.pipeline import poll_source, process_url
from worker.runtime import Runtime
from worker.storage.models import Article, Source, Url
from worker.syncing import sync_from_file

RuntimeFactory = Callable[..., Runtime]

BASE = "https://www.daily.example/politics/"

# A section front in the shape of a common news CMS: menus in the page header and <nav>, teasers
# in <main> (headline links, image links, "comments" links), a most-read box in an <aside>,
# pagination, taxonomy and author links, a date archive, files, other sites, and a footer.
SECTION_FRONT = """<!doctype html><html lang="en"><head><title>Politics | Daily</title>
<link rel="alternate" type="application/rss+xml" href="/feed/"></head><body>
<header class="site-header"><a href="/"><img alt="Daily"></a>
  <ul class="menu"><li><a href="/politics/">Politics</a></li>
  <li><a href="/business/markets-and-economy-news/">Markets and economy news</a></li></ul></header>
<nav><a href="/world/">World</a>
  <a href="/world/asia-pacific-region-news/">Asia Pacific region news</a></nav>
<main>
  <h1>Politics</h1>
  <article class="teaser"><header><h2><a href="/2024/05/17/parliament-passes-budget/">Parliament
    passes the budget after a night of talks</a></h2></header>
    <a href="/2024/05/17/parliament-passes-budget/"><img src="/img/1.jpg" alt=""></a>
    <a href="/2024/05/17/parliament-passes-budget/#comments">Leave a comment</a>
    <a href="/author/jane-roe/">Jane Roe</a>
    <a href="/tag/budget-and-tax-policy/">Budget and tax policy</a></article>
  <article class="teaser"><h2><a href="/news/minister-resigns-over-leak-392011">Minister
    resigns</a></h2></article>
  <div class="card"><a href="/politics/election-campaign-enters-final-week">Election campaign
    enters its final week</a></div>
  <div class="card"><h3><a href="article.php?id=48213">Mayor opens the new bridge to traffic
    today</a></h3></div>
  <div class="card"><a href="/opinion/why-we-vote">Why we vote, and why it still matters</a></div>
  <p><a href="/politics/page/2/">Next page</a> <a href="/category/politics/local-news-today/">Local
    news today and tomorrow</a> <a href="/2024/05/">May 2024</a> <a href="/search?q=budget">Search
    for budget news on this site</a></p>
  <p><a href="/files/annual-budget-report-2024.pdf">The annual budget report as a PDF file</a>
    <a href="https://other.example/2024/05/17/someone-elses-story/">Someone else's story about
    it</a> <a href="mailto:desk@daily.example">Write to the desk</a> <a href="javascript:void(0)">
    Load more stories please</a> <a href="#top">Back to the top of this page</a>
    <a href="http://[not-an-address]/2024/05/17/broken-link-story/">A broken link with a
    headline</a> <a href="/politics/">Politics front page and everything in it</a></p>
</main>
<aside><h2>Most read</h2><ol><li><a href="https://daily.example/2024/05/16/storm-warning-issued">Storm
  warning issued for the coast</a></li>
  <li><a href="https://news.daily.example/2024/05/15/rail-strike-called-off">Rail strike called
  off</a></li></ol></aside>
<footer><a href="/about-us/">About us</a> <a href="/privacy-policy-and-cookie-settings/">Privacy
  policy and cookie settings for readers</a> <a href="/2024/05/01/footer-article-link/">A story
  linked from the footer</a></footer>
</body></html>"""

ARTICLES = [
    ("https://www.daily.example/2024/05/17/parliament-passes-budget/",
     "Parliament passes the budget after a night of talks"),
    ("https://www.daily.example/news/minister-resigns-over-leak-392011", "Minister resigns"),
    ("https://www.daily.example/politics/election-campaign-enters-final-week",
     "Election campaign enters its final week"),
    ("https://www.daily.example/politics/article.php?id=48213",
     "Mayor opens the new bridge to traffic today"),
    ("https://www.daily.example/opinion/why-we-vote", "Why we vote, and why it still matters"),
    ("https://daily.example/2024/05/16/storm-warning-issued", "Storm warning issued for the coast"),
    ("https://news.daily.example/2024/05/15/rail-strike-called-off", "Rail strike called off"),
]  # fmt: skip


def test_a_section_front_yields_its_articles_with_their_headlines_and_nothing_else() -> None:
    found = parse_listing(SECTION_FRONT.encode(), BASE)
    assert [(link.url, link.title) for link in found.links] == ARTICLES


@pytest.mark.parametrize(
    ("url", "text", "article"),
    [
        ("https://d.example/2024/05/17/budget/", "", True),  # a date, then a name
        ("https://d.example/world/asia/korea-talks-resume-in-seoul", "", True),  # a long slug
        ("https://d.example/story/392011", "", True),  # a long number
        ("https://d.example/?p=482", "", True),  # WordPress's post id
        ("https://d.example/modules/news/article.php?storyid=504", "", True),
        ("https://d.example/news/?page=2", "", False),
        ("https://d.example/world/talks", "Talks resume in Seoul after a year", True),
        ("https://d.example/world/", "World", False),
        ("https://d.example/about-us/", "About us", False),
        ("https://d.example/2024/05/17/", "17 May 2024", False),  # a day's archive
        ("https://d.example/news/page/3", "Older stories from the newsroom", False),
        ("https://d.example/tags/korea-us-alliance-talks/", "", False),
        ("https://d.example/autor/max-mustermann-redakteur/", "", False),
        ("https://d.example/media/2024/05/17/photo-of-the-day.jpg", "", False),
        ("https://d.example/", "Home of the best news on the web", False),
        # topic, section, category and writer pages (each once taken for an article)
        ("https://d.example/thema/russland_ukraine_krieg/", "", False),
        ("https://d.example/section/middle-east-and-africa/", "", False),
        ("https://d.example/by/mary-jo-smith", "", False),
        ("https://d.example/news.php?catid=7", "", False),
        ("https://d.example/index.php?option=com_content&view=category&id=12", "", False),
        ("https://d.example/index.php?option=com_content&view=article&id=12", "", True),
    ],
)
def test_which_links_read_as_articles(url: str, text: str, article: bool) -> None:
    assert is_article_link(url, text) is article


def test_the_article_urls_of_the_corpora_read_as_articles_by_their_shape_alone() -> None:
    """The URL rule on the 1,044 real article URLs of the two corpora, with no link text to
    help: most news and blog URLs carry a slug, a date or a number (the rest need a headline
    as link text, or the outlet's article_urls)."""
    corpus = shared_dir("corpus")
    zyte = json.loads((corpus / "zyte-dev" / "ground-truth.json").read_text(encoding="utf-8"))
    notes = json.loads((corpus / "trafilatura-eval" / "annotations.json").read_text("utf-8"))
    news = [item["url"].strip() for item in zyte.values()]
    web = [url.strip() for url in notes if url.startswith("http")]
    assert sum(is_article_link(url, "") for url in news) / len(news) >= 0.97  # 89 of 91
    assert sum(is_article_link(url, "") for url in news + web) / len(news + web) >= 0.85  # 0.858


def test_an_outlets_article_urls_replace_the_guess() -> None:
    found = parse_listing(SECTION_FRONT.encode(), BASE, article_urls=re.compile(r"/\d{4}/\d\d/"))
    assert [link.url for link in found.links] == [
        "https://www.daily.example/2024/05/17/parliament-passes-budget/",
        "https://www.daily.example/2024/05/",  # the rule takes what it says, archive or not
        "https://daily.example/2024/05/16/storm-warning-issued",
        "https://news.daily.example/2024/05/15/rail-strike-called-off",
    ]


def test_a_listing_without_articles_is_an_error_naming_the_cause() -> None:
    menu_only = b"<html><body><main><a href='/world/'>World</a> <a href='/about/'>About</a></main>"
    with pytest.raises(DiscoveryError, match="no article links among the 2 same-site links") as e:
        parse_listing(menu_only, BASE)
    assert e.value.reason == "no_article_links"
    with pytest.raises(DiscoveryError, match=r"none matches article_urls '/video/'"):
        parse_listing(SECTION_FRONT.encode(), BASE, article_urls=re.compile("/video/"))


def test_links_resolve_against_the_base_element_and_the_page_is_decoded() -> None:
    page = (
        '<html><head><meta charset="windows-1252"><base href="https://cdn.daily.example/en/">'
        "</head><body><main><a href='stories/caf\xe9-owners-protest-new-rules'>Caf\xe9 owners"
        " protest</a></main></body></html>"
    ).encode("cp1252")
    (link,) = parse_listing(page, BASE).links
    assert link.url == "https://cdn.daily.example/en/stories/café-owners-protest-new-rules"
    assert link.title == "Café owners protest"


def test_a_listing_is_capped_and_the_links_beyond_are_refused_with_the_reason() -> None:
    teasers = "".join(
        f"<a href='/2024/05/17/story-{n}'>Story number {n} of the day</a>"
        for n in range(MAX_LISTING_LINKS + 3)
    )
    found = parse_listing(f"<html><body><main>{teasers}</main></body></html>".encode(), BASE)
    assert len(found.links) == MAX_LISTING_LINKS
    assert [url for url, _ in found.refused] == [
        f"https://www.daily.example/2024/05/17/story-{n}"
        for n in range(MAX_LISTING_LINKS, MAX_LISTING_LINKS + 3)
    ]
    assert all("first 500 articles" in why for _, why in found.refused)


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff\xfe garbage", b"<a href='/x", b"<" * 5000])
def test_garbage_is_an_error_not_a_crash(garbage: bytes) -> None:
    with pytest.raises(DiscoveryError):
        parse_listing(garbage, BASE)


# --- polled end to end -------------------------------------------------------------------


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite() as local:
        yield local


def _synced(
    tmp_path: Path, factory: RuntimeFactory, database_url: str, kind: str, url: str, rule: str = ""
) -> Runtime:
    """A runtime whose sources file, synced, holds one source of outlet "daily"."""
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[outlets.daily]\nname = "Daily"\ntimezone = "Asia/Seoul"\n[[outlets.daily.sources]]\n'
        f'kind = "{kind}"\nurl = "{url}"\n' + (f'article_urls = "{rule}"\n' if rule else "")
    )
    runtime = factory(database_url, sources_file=path)
    sync_from_file(runtime)
    return runtime


def _source(runtime: Runtime) -> Source:
    with runtime.sessions() as session:
        return session.scalars(select(Source)).one()


def test_a_listing_source_is_polled_into_stored_articles(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    stories = [f"/2024/05/{day}/story-of-the-day-{day}" for day in (15, 16, 17)]
    teasers = "".join(
        f"<h2><a href='{path}'>Story of the day {path[-2:]}</a></h2>" for path in stories
    )
    site.add(
        "/politics/",
        Response(
            f"<html><body><nav><a href='/world/'>World</a></nav><main>{teasers}"
            "<a href='/politics/page/2'>More politics stories from our newsroom</a></main>"
            "</body></html>",
            headers={"ETag": '"front-1"'},
        ),
    )
    for day, path in zip((15, 16, 17), stories, strict=True):
        words = [f"{p} Day {day}." for p in PARAGRAPHS]
        site.add(path, Response(article_page(site.url(path), f"Story of the day {day}", words)))
    runtime = _synced(tmp_path, runtime_factory, database_url, "listing", site.url("/politics/"))
    source = _source(runtime)
    assert (source.key, source.kind) == ("daily/listing", "listing")

    result = poll_source(runtime, source.id)
    assert result.error is None and result.links == 3
    for url_id in result.url_ids:
        assert process_url(runtime, url_id).state == "stored"
    with runtime.sessions() as session:
        titles = sorted(title or "" for title in session.scalars(select(Article.title)))
        fetched = sorted(session.scalars(select(Url.url)))
    assert titles == [f"Story of the day {day}" for day in (15, 16, 17)]
    assert fetched == sorted(site.url(path) for path in stories)
    assert site.get_hits["/world/"] == site.get_hits["/politics/page/2"] == 0

    second = poll_source(runtime, source.id)
    assert second.url_ids == [], "articles seen before are not fetched again"
    assert _source(runtime).etag == '"front-1"', "listings are polled with conditional GET too"


def test_a_listing_that_stops_linking_articles_shows_an_error_on_its_source(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/politics/", Response("<html><body><main><a href='/world/'>World</a></main></body>"))
    runtime = _synced(tmp_path, runtime_factory, database_url, "listing", site.url("/politics/"))
    result = poll_source(runtime, _source(runtime).id)
    assert result.error is not None and result.error.startswith("no_article_links: ")
    source = _source(runtime)
    assert source.failure_count == 1 and source.last_error == result.error


def test_article_urls_keep_a_sitemaps_articles_and_a_malformed_loc_spoils_nothing(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    locs = [
        "/news/2024/05/17/one",
        "/video/2024/05/17/clip",
        "http://[ccpa-preferences]/x",
        "/news/2024/05/17/two",
    ]
    urls = "".join(f"<url><loc>{site.url(loc) if loc.startswith('/') else loc}</loc></url>"
                   for loc in locs)  # fmt: skip
    site.add(
        "/sitemap.xml",
        Response(
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>',
            content_type="application/xml",
        ),
    )
    sitemap = site.url("/sitemap.xml")
    runtime = _synced(tmp_path, runtime_factory, database_url, "sitemap", sitemap, "/news/")
    assert _source(runtime).article_urls == "/news/"
    result = poll_source(runtime, _source(runtime).id)
    assert result.error is None
    ((link, why),) = result.refused
    assert link == "http://[ccpa-preferences]/x" and why.startswith("malformed URL: ")
    with runtime.sessions() as session:
        recorded = sorted(session.scalars(select(Url.url)))
    assert recorded == sorted(
        site.url(path) for path in ("/news/2024/05/17/one", "/news/2024/05/17/two")
    )


def test_a_rule_broken_in_the_database_is_the_sources_error_before_any_request(
    site: LocalSite, tmp_path: Path, runtime_factory: RuntimeFactory, database_url: str
) -> None:
    site.add("/politics/", Response("<html><body><main></main></body></html>"))
    runtime = _synced(tmp_path, runtime_factory, database_url, "listing", site.url("/politics/"))
    with runtime.sessions.begin() as session:
        session.execute(update(Source).values(article_urls="/news/(\\d+"))  # edited by hand
    result = poll_source(runtime, _source(runtime).id)
    assert result.error is not None and result.error.startswith("bad_article_urls: ")
    assert _source(runtime).failure_count == 1
    assert site.get_hits["/politics/"] == 0
