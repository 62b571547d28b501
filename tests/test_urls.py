"""URL canonicalisation: one key per page, never one key for two different pages."""

from __future__ import annotations

import pytest

from worker.dedup.urls import UnusableURL, article_key, frontier_key, resolve, same_site
from worker.pipeline.decisions import choose_canonical


def test_frontier_key_drops_what_never_changes_the_page() -> None:
    assert (
        frontier_key("HTTPS://Www.Example.COM:443/a/b?utm_source=rss&id=3&fbclid=x&b=1#comments")
        == "https://www.example.com/a/b?b=1&id=3"
    )


def test_frontier_key_keeps_parameters_that_name_the_article() -> None:
    one = frontier_key("https://www.koreaherald.com/view.php?ud=20210406000123")
    two = frontier_key("https://www.koreaherald.com/view.php?ud=20210406000456")
    assert one != two
    assert frontier_key(one) == one
    # courlan counts these names among trackers; a site may name its pages by them
    for name in ("cid", "eid", "uid"):
        assert frontier_key(f"https://news.example/view.php?{name}=1001") != frontier_key(
            f"https://news.example/view.php?{name}=1002"
        )


@pytest.mark.parametrize(
    "query",
    [
        "wt_mc=rss.red.ho.ho.atom.beitrag.beitrag",  # heise (Webtrekk)
        "wt_zmc=sm.ext.zonaudev.rss.ref.zeitde.redpost.link.x",  # ZEIT
        "smid=tw-share",  # NYT
        "CMP=Share_iOSApp_Other",  # the Guardian
        "WT.mc_id=RSS",  # WebTrends
        "WT.tsrc=Twitter",
        "GEPC=s3",  # FAZ
        "ocid=msedgntp",  # MSN
        "icid=home",
        "ns_mchannel=social&ns_source=twitter",  # comScore
        "ftag=MSF0951a18",
        "__twitter_impression=true",
    ],
)
def test_frontier_key_drops_trackers_courlan_does_not_know(query: str) -> None:
    page = "https://www.example.com/news/some-story"
    assert frontier_key(f"{page}?{query}") == page
    assert choose_canonical(page, f"{page}?{query}&id=7", "") == f"{page}?id=7"


@pytest.mark.parametrize("name", ["id", "p", "page", "story", "s", "src", "mod", "article"])
def test_frontier_key_keeps_parameters_that_may_select_the_page(name: str) -> None:
    assert frontier_key(f"https://www.example.com/view?{name}=2") != frontier_key(
        f"https://www.example.com/view?{name}=3"
    )


@pytest.mark.parametrize(
    "amp",
    [
        "https://example.com/amp/news/story-1",
        "https://example.com/news/story-1/amp",
        "https://example.com/news/story-1?amp=1",
        "https://example.com/news/story-1?outputType=amp",
        "https://amp.example.com/news/story-1",
    ],
)
def test_article_key_folds_amp_variants(amp: str) -> None:
    assert article_key(amp) == "https://example.com/news/story-1"


def test_article_key_keeps_words_that_only_start_with_amp() -> None:
    assert article_key("https://example.com/ampere/story") == "https://example.com/ampere/story"


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "data:text/html,hi",
        "mailto:a@b.c",
        "",
        "   ",
        "ftp://x/y",
        "http://[ccpa-preferences]/x",  # a template's placeholder in brackets: no IPv6 address
        "https://example.com:99999/a",
        "https://example.com:port/a",
        "https://example.com/a\ud800b",  # a lone surrogate: no UTF-8, so no key and no request
    ],
)
def test_unusable_links_are_refused(link: str) -> None:
    with pytest.raises(UnusableURL):
        resolve(link, "https://example.com/feed.xml")


def test_relative_links_resolve_against_the_document() -> None:
    assert resolve("/view.php?ud=1", "https://ex.com/rss/a.xml") == "https://ex.com/view.php?ud=1"
    assert resolve("story", "https://ex.com/news/") == "https://ex.com/news/story"


@pytest.mark.parametrize("link", ["/news;", "news;", "//ex.com/news;"])
def test_a_trailing_semicolon_is_part_of_the_path_it_ends(link: str) -> None:
    """Python's urljoin drops it (empty parameters); the absolute link keeps it."""
    resolved = resolve(link, "https://ex.com/feed.xml")
    assert resolved == "https://ex.com/news;"
    assert frontier_key(resolved) == frontier_key("https://ex.com/news;")


def test_same_site_ignores_www_and_mobile_hosts() -> None:
    assert same_site("https://www.ex.com/a", "https://m.ex.com/b")
    assert not same_site("https://ex.com/a", "https://other.com/a")


def test_canonical_is_trusted_only_on_the_same_site() -> None:
    page = "https://outlet-b.example/2021/04/06/copy"
    assert choose_canonical(page, "https://outlet-b.example/story?utm_source=x", "") == (
        "https://outlet-b.example/story"
    )
    # A syndicated copy naming the original outlet stays an article of its own outlet.
    assert choose_canonical(page, "https://wire.example/original", "") == page
    assert choose_canonical(page, None, "") == page


def test_a_canonical_too_long_to_store_is_ignored() -> None:
    page = "https://ex.com/news/story"
    # percent-encoding triples each byte of a non-ASCII character in the cleaned URL
    assert choose_canonical(page, "https://ex.com/" + "\u00e9" * 1000, "") == page
    overlong = "https://ex.com/" + "\u00e9" * 1000
    assert choose_canonical(overlong, None, "") == overlong, "kept as fetched, never cut"


def test_amp_page_without_canonical_folds_onto_the_regular_page() -> None:
    html = '<!doctype html><html amp lang="en"><head></head>'
    assert choose_canonical("https://ex.com/amp/story", None, html) == "https://ex.com/story"
