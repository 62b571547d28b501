"""Tests of the local test web itself (server and outlets), not of the product."""

from __future__ import annotations

import gzip
import tomllib
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin
from xml.etree import ElementTree

import feedparser
import httpx
import lxml.html
import pytest

from tests.localweb.server import LocalSite, Response
from tests.localweb.sites import (
    TestWeb,
    article_paragraphs,
    build_test_web,
    require_seeds,
    seed_boilerplate,
    seed_title,
)

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite("unit") as running:
        yield running


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5, headers={"User-Agent": "localweb-test/1.0"}) as c:
        yield c


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestWeb]:
    require_seeds()
    with build_test_web(tmp_path) as running:
        yield running


def _text(page: bytes) -> str:
    """The visible-ish text of a page, whitespace collapsed (as a chrome check would see it)."""
    return " ".join(str(lxml.html.fromstring(page).xpath("string()")).split())


# -- server ------------------------------------------------------------------------------------


def test_serves_str_bytes_and_response(site: LocalSite, client: httpx.Client) -> None:
    site.add("/a", "<p>é</p>")
    site.add("/b", b"raw")
    site.add("/c.xml", Response(body="<x/>", content_type="application/xml"))
    site.add("/latin", Response(body="café", content_type="text/plain; charset=iso-8859-1"))

    a = client.get(site.url("/a"))
    assert a.status_code == 200
    assert a.headers["content-type"] == "text/html; charset=utf-8"
    assert a.text == "<p>é</p>"
    assert client.get(site.url("/b")).content == b"raw"
    assert client.get(site.url("/c.xml")).headers["content-type"] == "application/xml"
    assert client.get(site.url("/latin")).content == "café".encode("iso-8859-1")
    assert site.base_url.startswith("http://127.0.0.1:")
    assert site.url("/a") == site.base_url + "/a"


def test_unknown_path_is_404_html(site: LocalSite, client: httpx.Client) -> None:
    r = client.get(site.url("/nope"))
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("text/html")
    assert "Not Found" in r.text


def test_query_matching_exact_first_then_path(site: LocalSite, client: httpx.Client) -> None:
    site.add("/v", "plain")
    site.add("/v?x=1", "exact")
    assert client.get(site.url("/v?x=1")).text == "exact"
    assert client.get(site.url("/v?x=2")).text == "plain"
    assert client.get(site.url("/v")).text == "plain"
    assert client.get(site.url("/w?x=1")).status_code == 404
    assert site.hits["/v?x=1"] == 1
    assert site.hits["/v?x=2"] == 1


def test_head_has_headers_but_no_body(site: LocalSite, client: httpx.Client) -> None:
    site.add("/h", Response(body="hello", content_type="text/plain"))
    r = client.head(site.url("/h"))
    assert r.status_code == 200
    assert r.headers["content-length"] == "5"
    assert r.content == b""
    assert site.hits["/h"] == 1
    assert site.get_hits["/h"] == 0


def test_hits_and_request_headers_are_recorded(site: LocalSite, client: httpx.Client) -> None:
    site.add("/x", "x")
    for _ in range(3):
        client.get(site.url("/x"))
    assert site.hits["/x"] == 3
    assert [path for path, _ in site.requests] == ["/x"] * 3
    assert site.user_agents() == ["localweb-test/1.0"] * 3
    site.reset_counts()
    assert site.hits["/x"] == 0
    assert site.requests == []


def test_add_sequence_503_then_200(site: LocalSite, client: httpx.Client) -> None:
    site.add_sequence(
        "/flaky",
        [Response(body="busy", status=503, headers={"Retry-After": "1"}), Response(body="ok")],
    )
    first = client.get(site.url("/flaky"))
    assert first.status_code == 503
    assert first.headers["retry-after"] == "1"
    for _ in range(2):  # the last response repeats
        again = client.get(site.url("/flaky"))
        assert again.status_code == 200
        assert again.text == "ok"
    assert site.hits["/flaky"] == 3


def test_redirect_with_location(site: LocalSite, client: httpx.Client) -> None:
    site.add("/old", Response(status=301, headers={"Location": site.url("/new")}))
    site.add("/new", "moved here")
    r = client.get(site.url("/old"), follow_redirects=True)
    assert r.text == "moved here"
    assert [h.status_code for h in r.history] == [301]
    assert client.get(site.url("/old")).headers["location"] == site.url("/new")


def test_conditional_get_answers_304(site: LocalSite, client: httpx.Client) -> None:
    site.add("/feed", Response(body="<rss/>", headers={"ETag": '"v1"'}))
    assert client.get(site.url("/feed")).status_code == 200
    r = client.get(site.url("/feed"), headers={"If-None-Match": '"v1"'})
    assert r.status_code == 304
    assert r.content == b""
    assert client.get(site.url("/feed"), headers={"If-None-Match": '"v0"'}).status_code == 200


def test_delay_triggers_client_timeout(site: LocalSite) -> None:
    site.add("/slow", Response(body="late", delay=2.0))
    with httpx.Client(timeout=0.2) as c, pytest.raises(httpx.ReadTimeout):
        c.get(site.url("/slow"))
    assert site.hits["/slow"] == 1


def test_stop_closes_the_port() -> None:
    site = LocalSite("short").start()
    url = site.url("/")
    site.stop()
    site.stop()  # idempotent
    with httpx.Client(timeout=1) as c, pytest.raises(httpx.ConnectError):
        c.get(url)


def test_stop_with_open_keepalive_and_sleeping_request() -> None:
    site = LocalSite("busy").start()
    site.add("/a", "a")
    site.add("/slow", Response(body="late", delay=30))
    with httpx.Client(timeout=0.2) as c:
        assert c.get(site.url("/a")).text == "a"  # leaves a keep-alive connection open
        with pytest.raises(httpx.ReadTimeout):
            c.get(site.url("/slow"))
        site.stop()  # must not wait for the 30 s delay nor the idle connection


# -- seeds -------------------------------------------------------------------------------------


def test_seed_paragraphs_come_from_the_seed_files() -> None:
    require_seeds()
    herald = article_paragraphs("003")
    assert herald[0].startswith("The United States takes its defense alliance with South Korea")
    assert herald[-1].endswith("what it calls a hostile policy. (Yonhap)")
    assert len(herald) == 9
    mt = article_paragraphs("000")
    assert mt[0].startswith("Muslim Times(Web Desk) -South Korea says its alliance")
    assert mt[-1].endswith("much remains hinged on follow-on diplomacy.")
    assert len(mt) == 16
    assert seed_title("003") == (
        "US takes alliance commitment with S. Korea very seriously: Pentagon spokesman"
    )
    assert seed_title("000") == "South Korea says alliance with US ‘as robust as ever’"
    for seed, paragraphs in (("003", herald), ("000", mt)):
        for line in seed_boilerplate(seed):
            assert line not in paragraphs


# -- the test web ------------------------------------------------------------------------------


def test_sources_toml_shape(web: TestWeb) -> None:
    data = tomllib.loads(web.sources_file.read_text(encoding="utf-8"))
    assert set(data) == {"outlets"}
    assert set(data["outlets"]) == {"herald", "yonhap", "muslimtimes"} == set(web.sites)
    herald = data["outlets"]["herald"]
    assert herald["name"] == "The Korea Herald"
    assert herald["timezone"] == "Asia/Seoul"
    assert herald["language"] == "en"
    assert herald["sources"] == [
        {"kind": "feed", "url": web.sites["herald"].url("/rss/national.xml"), "every": "10m"}
    ]
    assert data["outlets"]["muslimtimes"]["timezone"] == "UTC"
    for key, outlet in data["outlets"].items():
        assert set(outlet) == {"name", "timezone", "language", "sources"}
        for source in outlet["sources"]:
            assert set(source) == {"kind", "url", "every"}
            assert source["kind"] in {"feed", "sitemap"}
            assert source["url"].startswith(web.sites[key].base_url + "/")


def test_each_outlet_has_its_own_host(web: TestWeb) -> None:
    assert len({site.base_url for site in web.sites.values()}) == 3
    for url, exp in web.expected.items():
        assert web.site_of(url) is web.sites[exp.outlet]


def test_feeds_parse_and_yield_the_links(web: TestWeb, client: httpx.Client) -> None:
    herald = web.sites["herald"]
    r = client.get(herald.url("/rss/national.xml"))
    assert r.headers["content-type"].startswith("text/xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    links = [urljoin(herald.url("/rss/national.xml"), e.link) for e in feed.entries]
    assert links == [
        herald.url("/view.php?ud=20210406000123&utm_source=rss&utm_medium=feed"),
        herald.url("/amp/view.php?ud=20210406000123"),
        herald.url("/view.php?ud=gone"),
        herald.url("/files/report.pdf"),
        herald.url("/list.php?ct=020100000000"),
        herald.url("/view.php?ud=20210406000456"),
    ]
    assert feed.entries[-1].link == "/view.php?ud=20210406000456"  # relative in the feed

    yonhap = web.sites["yonhap"]
    r = client.get(yonhap.url("/RSS/news.xml"))
    assert r.headers["content-type"].startswith("application/rss+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert [e.link for e in feed.entries] == [
        yonhap.url("/view/AEN20210406000200325"),
        yonhap.url("/view/AEN20210406009999325"),
    ]


def test_gzip_sitemap_decompresses_to_valid_xml(web: TestWeb, client: httpx.Client) -> None:
    mt = web.sites["muslimtimes"]
    index = ElementTree.fromstring(client.get(mt.url("/sitemap_index.xml")).content)
    children = [loc.text for loc in index.iter(f"{SITEMAP_NS}loc")]
    assert children == [mt.url("/post-sitemap.xml.gz"), mt.url("/news-sitemap.xml")]

    r = client.get(mt.url("/post-sitemap.xml.gz"))
    assert r.headers["content-type"] == "application/x-gzip"
    assert "content-encoding" not in r.headers
    assert r.content[:2] == b"\x1f\x8b"
    root = ElementTree.fromstring(gzip.decompress(r.content))
    assert root.tag == f"{SITEMAP_NS}urlset"
    locs = [loc.text for loc in root.iter(f"{SITEMAP_NS}loc")]
    assert locs == [mt.url("/south-korea-says-alliance-with-us-as-robust-as-ever/")]

    news = ElementTree.fromstring(client.get(mt.url("/news-sitemap.xml")).content)
    ns = {"s": SITEMAP_NS[1:-1], "n": "http://www.google.com/schemas/sitemap-news/0.9"}
    url = news.find("s:url", ns)
    assert url is not None
    assert url.findtext("s:loc", namespaces=ns) == locs[0]
    assert url.findtext("n:news/n:publication_date", namespaces=ns) == "2018-06-14T17:02:11+00:00"
    assert url.findtext("n:news/n:title", namespaces=ns) == seed_title("000")


def _discover(web: TestWeb, client: httpx.Client) -> list[str]:
    """Every page URL the sources yield (feeds' item links; sitemaps, following indexes)."""
    data = tomllib.loads(web.sources_file.read_text(encoding="utf-8"))
    found: list[str] = []
    for outlet in data["outlets"].values():
        pending = [(s["kind"], s["url"]) for s in outlet["sources"]]
        while pending:
            kind, url = pending.pop(0)
            body = client.get(url).content
            if kind == "feed":
                found += [urljoin(url, e.link) for e in feedparser.parse(body).entries]
                continue
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            root = ElementTree.fromstring(body)
            locs = [str(loc.text) for loc in root.iter(f"{SITEMAP_NS}loc")]
            if root.tag == f"{SITEMAP_NS}sitemapindex":
                pending += [("sitemap", loc) for loc in locs]
            else:
                found += locs
    return found


def test_every_expected_url_is_discoverable(web: TestWeb, client: httpx.Client) -> None:
    found = _discover(web, client)
    assert set(found) == set(web.expected)
    article = web.sites["muslimtimes"].url("/south-korea-says-alliance-with-us-as-robust-as-ever/")
    assert found.count(article) == 3  # news sitemap, and via the index: news + gzip post sitemap
    for exp in web.expected.values():
        if exp.duplicate_of is not None:
            assert web.expected[exp.duplicate_of].state == "stored"
        if exp.same_story_as is not None:
            assert web.expected[exp.same_story_as].paragraphs == exp.paragraphs


def test_pages_answer_as_expected(web: TestWeb, client: httpx.Client) -> None:
    for url, exp in web.expected.items():
        r = client.get(url)
        if exp.attempts == 2:  # the flaky page: 503 + Retry-After once, then the article
            assert r.status_code == 503
            assert r.headers["retry-after"] == "1"
            r = client.get(url)
        assert r.status_code == (exp.http_status or 200), url
        ctype = r.headers["content-type"]
        if exp.reason == "unsupported_type":
            assert ctype == "application/pdf"
            assert r.content.startswith(b"%PDF-")
        else:
            assert ctype.startswith("text/html"), url
        site = web.site_of(url)
        assert site.hits[web.path_of(url)] == (exp.attempts or 1)


def test_expectations_match_the_pages(web: TestWeb, client: httpx.Client) -> None:
    articles = {u: e for u, e in web.expected.items() if e.state in ("stored", "duplicate")}
    assert len(articles) == 6
    for url, exp in articles.items():
        r = client.get(url)
        seen = _text(r.content)  # every response body the URL gave (the 503 page too)
        if r.status_code == 503:
            r = client.get(url)
            seen += " " + _text(r.content)
        text = _text(r.content)
        assert exp.title is not None
        assert exp.paragraphs
        assert exp.published_at is not None
        assert exp.published_at.utcoffset() is not None
        assert exp.published_at.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
        assert exp.title in text, url
        for paragraph in exp.paragraphs:
            assert " ".join(paragraph.split()) in text, (url, paragraph[:40])
        assert exp.chrome, url
        for chrome in exp.chrome:
            assert chrome in seen, (url, chrome)  # the chrome is really served ...
            for paragraph in exp.paragraphs:
                assert chrome not in paragraph, (url, chrome)  # ... and never in the body
            assert chrome not in exp.title
        canonical = lxml.html.fromstring(r.content).xpath("//link[@rel='canonical']/@href")
        assert canonical == [exp.canonical_url], url


def test_herald_dates_only_in_printed_text(web: TestWeb, client: httpx.Client) -> None:
    url = web.sites["herald"].url("/view.php?ud=20210406000123")
    page = client.get(url).text
    assert "application/ld+json" not in page
    assert "published_time" not in page
    assert "Published : Apr 6, 2021 - 09:18 &nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;Updated" in page
    og_title = lxml.html.fromstring(page).xpath("//meta[@property='og:title']/@content")
    assert og_title == [f"{seed_title('003')} - The Korea Herald"]
