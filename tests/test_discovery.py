"""Feeds and sitemaps: links found, resolved, and refused with a reason; bad documents refused."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from worker.discovery import parse_feed, parse_sitemap
from worker.discovery.links import repair_character_references
from worker.errors import DiscoveryError

BASE = "https://news.example/rss/all.xml"

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Example</title><link>https://news.example/</link>
<item><title>One</title><link>https://news.example/a/1?utm_source=rss</link>
  <pubDate>Tue, 06 Apr 2021 00:18:00 GMT</pubDate></item>
<item><title>Two</title><link>/a/2</link></item>
<item><title>Bad</title><link>javascript:alert(1)</link></item>
<item><title>Guid only</title><guid isPermaLink="true">https://news.example/a/3</guid></item>
<item><title>Placeholder</title><link>http://[ccpa-preferences]/x</link></item>
<item><title>No link</title><description>A note without a page.</description></item>
</channel></rss>"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Ex</title><id>urn:x</id><updated>2021-04-06T00:00:00Z</updated>
<entry><title>A</title><id>urn:a</id><updated>2021-04-06T00:00:00Z</updated>
<link rel="alternate" href="https://news.example/atom/a"/></entry>
</feed>"""

NEWS_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/s/1</loc>
  <news:news><news:publication><news:name>Ex</news:name><news:language>en</news:language></news:publication>
  <news:publication_date>2018-06-14T17:02:11+00:00</news:publication_date><news:title>Story</news:title></news:news>
</url>
<url><loc>data:text/html,x</loc></url>
<url><loc>/s/2</loc><lastmod>2018-06-15</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0" encoding="UTF-8"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://news.example/post-sitemap.xml.gz</loc></sitemap>
<sitemap><loc>/news-sitemap.xml</loc></sitemap>
</sitemapindex>"""


def test_rss_links_resolved_and_bad_ones_refused() -> None:
    found = parse_feed(RSS, BASE)
    assert [link.url for link in found.links] == [
        "https://news.example/a/1?utm_source=rss",
        "https://news.example/a/2",
        "https://news.example/a/3",
    ]
    assert found.links[0].published_at == datetime(2021, 4, 6, 0, 18, tzinfo=UTC)
    assert found.links[0].title == "One"
    assert found.refused == [
        ("javascript:alert(1)", "javascript: links are never fetched"),
        ("item 'Placeholder'", "feed item without a usable link"),
        ("item 'No link'", "feed item without a usable link"),
    ]


def test_atom_alternate_links() -> None:
    assert [link.url for link in parse_feed(ATOM, BASE).links] == ["https://news.example/atom/a"]


RDF = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example/"><title>Ex</title><link>https://news.example/</link></channel>
<item rdf:about="https://news.example/r/1"><title>Caf&amp;eacute; &lt;i&gt;owners&lt;/i&gt;
  protest</title><link>https://news.example/r/1</link><dc:date>2021-04-06T10:00:00+02:00</dc:date></item>
</rdf:RDF>"""

ATOM_DATES = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Ex</title><id>urn:x</id><updated>2021-04-09T00:00:00Z</updated>
<entry><title>Edited</title><id>urn:e</id><updated>2021-04-09T00:00:00Z</updated>
<link href="https://news.example/atom/edited"/></entry>
<entry><title>Published</title><id>urn:p</id><published>2021-04-05T06:00:00Z</published>
<updated>2021-04-08T00:00:00Z</updated><link href="https://news.example/atom/published"/></entry>
</feed>"""


def test_control_characters_never_reach_a_title() -> None:
    feed = (
        b'<rss version="2.0"><channel><title>t</title><item><title>Drills\x00 begin\x01 '
        b"&amp;#0;today</title><link>https://news.example/c/1</link></item></channel></rss>"
    )
    (link,) = parse_feed(feed, BASE).links
    assert link.title == "Drills begin \ufffdtoday", "PostgreSQL refuses a NUL in text"


EMOJI_FEED = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title>
<item><title>Smile &#55357;&#56832; at the fair</title><link>https://news.example/e/1</link></item>
<item><title>Broken &#xD83D; half and &#0;</title><link>https://news.example/e/2</link></item>
</channel></rss>"""

EMOJI_SITEMAP = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
<url><loc>https://news.example/e/1</loc><news:news><news:title>Smile &#xD83D;&#xDE00; at the
fair &#56832;</news:title></news:news></url>
<url><loc>https://news.example/e/2</loc></url>
</urlset>"""


def test_an_emoji_written_as_two_surrogate_references_loses_no_feed_or_sitemap() -> None:
    # feedparser raised UnicodeEncodeError on these, lxml decoded them into unreadable text
    feed = parse_feed(EMOJI_FEED, BASE).links
    assert [link.title for link in feed] == [
        "Smile \U0001f600 at the fair",
        "Broken \ufffd half and \ufffd",
    ]
    sitemap = parse_sitemap(EMOJI_SITEMAP, "https://news.example/news-sitemap.xml").links
    assert [link.url for link in sitemap] == [
        "https://news.example/e/1",
        "https://news.example/e/2",
    ]
    assert sitemap[0].title == "Smile \U0001f600 at the fair \ufffd"


def test_a_pair_of_surrogate_references_is_joined_wherever_it_stands() -> None:
    assert repair_character_references(b"&#65;&#xD83D;&#xDE00;&#0;") == b"&#65;&#x1F600;&#xFFFD;"
    assert repair_character_references(b"&#xD83D;&#xD83D;&#xDE00;") == b"&#xFFFD;&#x1F600;"
    assert repair_character_references(b"a &#233; b") == b"a &#233; b"


def test_a_time_out_of_range_loses_that_time_not_the_document() -> None:
    # astimezone and fromtimestamp raised: parser_crashed, no link of the document recorded
    sitemap = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>https://news.example/a</loc><lastmod>0001-01-01T00:00:00+01:00</lastmod>"
        b"</url><url><loc>https://news.example/b</loc></url></urlset>"
    )
    found = parse_sitemap(sitemap, "https://news.example/sitemap.xml").links
    assert [(link.url, link.modified_at) for link in found] == [
        ("https://news.example/a", None),
        ("https://news.example/b", None),
    ]
    atom = (
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>'
        b'<entry><title>A</title><link href="https://news.example/a"/>'
        b"<published>9999-12-31T23:59:59-05:00</published></entry>"
        b'<entry><title>B</title><link href="https://news.example/b"/></entry></feed>'
    )
    links = parse_feed(atom, BASE).links
    assert [(link.url, link.published_at) for link in links] == [
        ("https://news.example/a", None),
        ("https://news.example/b", None),
    ]


def test_a_title_given_as_plain_text_keeps_its_angle_brackets() -> None:
    # parsed as HTML, "<bool>" and "<video>" were taken for tags and dropped with their text
    rss = (
        b'<rss version="2.0"><channel><title>t</title>'
        b"<item><title>Why std::vector&lt;bool&gt; is not a container</title>"
        b"<link>https://news.example/a</link></item>"
        b"<item><title>&lt;b&gt;Bold&lt;/b&gt; move</title><link>https://news.example/c</link>"
        b"</item></channel></rss>"
    )
    titles = [link.title for link in parse_feed(rss, BASE).links]
    assert titles == ["Why std::vector<bool> is not a container", "Bold move"]
    sitemap = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        b"<url><loc>https://news.example/v</loc><news:news>"
        b"<news:title>The &lt;video&gt; element turns 15</news:title></news:news></url></urlset>"
    )
    (link,) = parse_sitemap(sitemap, "https://news.example/news.xml").links
    assert link.title == "The <video> element turns 15"


def test_a_document_yields_no_more_links_than_the_sitemap_protocol_allows() -> None:
    locs = "".join(f"<url><loc>https://news.example/a/{n}</loc></url>" for n in range(50_010))
    xml = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
    found = parse_sitemap(xml.encode(), "https://news.example/sitemap.xml")
    assert (len(found.links), found.beyond_limit) == (50_000, 10)


def test_an_entry_without_an_address_is_refused_with_a_reason() -> None:
    xml = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<url><loc>   </loc></url><url><lastmod>2024-01-01</lastmod></url>"
        b"<url><loc>https://news.example/a</loc></url></urlset>"
    )
    found = parse_sitemap(xml, "https://news.example/sitemap.xml")
    assert [link.url for link in found.links] == ["https://news.example/a"]
    assert [why for _, why in found.refused] == ["entry without an address"] * 2


def test_an_items_publication_time_is_kept_apart_from_its_last_change() -> None:
    rdf = parse_feed(RDF, BASE).links[0]
    assert rdf.published_at == datetime(2021, 4, 6, 8, 0, tzinfo=UTC), "dc:date dates an item"
    assert rdf.title == "Café owners protest", "markup and entities go, spaces collapse"
    edited, published = parse_feed(ATOM_DATES, BASE).links
    assert edited.published_at is None, "Atom's <updated> is a change, not a publication"
    assert edited.modified_at == edited.dated == datetime(2021, 4, 9, tzinfo=UTC)
    assert published.published_at == datetime(2021, 4, 5, 6, 0, tzinfo=UTC)
    assert published.modified_at == datetime(2021, 4, 8, tzinfo=UTC)


def _rss_dated(*dates: str) -> bytes:
    items = "".join(
        f"<item><title>{n}</title><link>https://news.example/z/{n}</link><pubDate>{d}</pubDate></item>"
        for n, d in enumerate(dates)
    )
    return f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def test_item_times_are_read_in_the_zone_they_name_or_else_the_outlets() -> None:
    # feedparser takes a zone name it does not know for UTC: 18:00 KST stored 9 h late
    feed = _rss_dated(
        "Mon, 23 Nov 2020 18:00:00 KST",
        "Mon, 23 Nov 2020 18:00:00 CET",
        "Mon, 23 Nov 2020 18:00:00",  # no zone: the outlet's
        "Mon, 23 Nov 2020 6:00:00 PM +0000",
        "Mon, 23 Nov 2020 18:00:00 Z",
        "Mon, 23 Nov 20 18:00:00 +0100",  # a two-digit year: feedparser's reading is kept
    )
    links = parse_feed(feed, BASE, ZoneInfo("Asia/Seoul")).links
    assert [link.published_at for link in links] == [
        datetime(2020, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2020, 11, 23, 17, 0, tzinfo=UTC),
        datetime(2020, 11, 23, 9, 0, tzinfo=UTC),
        datetime(2020, 11, 23, 18, 0, tzinfo=UTC),
        datetime(2020, 11, 23, 18, 0, tzinfo=UTC),
        datetime(2020, 11, 23, 17, 0, tzinfo=UTC),
    ]


def test_an_item_dated_by_its_creation_is_dated() -> None:
    feed = (
        b'<rss version="2.0" xmlns:dcterms="http://purl.org/dc/terms/"><channel><title>t</title>'
        b"<item><title>a</title><link>https://news.example/c/1</link>"
        b"<dcterms:created>2021-04-06T10:00:00+02:00</dcterms:created></item></channel></rss>"
    )
    (link,) = parse_feed(feed, BASE).links
    assert link.published_at == datetime(2021, 4, 6, 8, 0, tzinfo=UTC)


def test_google_news_sitemap_with_dates_and_titles() -> None:
    found = parse_sitemap(NEWS_SITEMAP, "https://news.example/news-sitemap.xml")
    assert [link.url for link in found.links] == [
        "https://news.example/s/1",
        "https://news.example/s/2",
    ]
    assert found.links[0].published_at == datetime(2018, 6, 14, 17, 2, 11, tzinfo=UTC)
    assert found.links[0].title == "Story"
    plain = found.links[1]
    assert plain.published_at is None, "a lastmod is the page's last change"
    assert plain.modified_at == plain.dated == datetime(2018, 6, 15, tzinfo=UTC)
    assert len(found.refused) == 1


def test_sitemap_index_yields_child_sitemaps_not_articles() -> None:
    found = parse_sitemap(INDEX, "https://news.example/sitemap_index.xml")
    assert found.links == []
    assert found.sitemaps == [
        "https://news.example/post-sitemap.xml.gz",
        "https://news.example/news-sitemap.xml",
    ]


def test_gzipped_sitemap_is_unpacked() -> None:
    found = parse_sitemap(gzip.compress(NEWS_SITEMAP), "https://news.example/s.xml.gz")
    assert len(found.links) == 2


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>&lol2;</loc></url></urlset>"""


@pytest.mark.parametrize("parse", [parse_feed, parse_sitemap])
def test_entity_declarations_are_refused(parse: object) -> None:
    with pytest.raises(DiscoveryError, match="entit"):
        parse(BOMB, BASE)  # type: ignore[operator]


def test_html_served_as_a_feed_is_refused() -> None:
    html = b"<!doctype html><html><head><title>Home</title></head><body><a href='/x'>x</a></body>"
    with pytest.raises(DiscoveryError, match="not a"):
        parse_feed(html, BASE)
    with pytest.raises(DiscoveryError, match="not a sitemap"):
        parse_sitemap(html, BASE)


@pytest.mark.parametrize("garbage", [b"", b"\x00\xff\xfe garbage", b"<urlset><url><loc>"])
def test_garbage_never_crashes(garbage: bytes) -> None:
    for parse in (parse_feed, parse_sitemap):
        try:
            found = parse(garbage, BASE)
        except DiscoveryError:
            continue
        assert all(link.url.startswith("http") for link in found.links)
