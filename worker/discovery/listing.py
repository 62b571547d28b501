"""Article links of a listing page (a section front, a home page, a blog's index), for outlets
without a feed or news sitemap.

A listing links to far more than its articles: sections, tags, authors, pagination, legal
pages, files, other sites. A link is taken as an article's when it stays on the listing's site,
stands outside the page's navigation, footer and page header, is none of those other kinds of
page, and either its URL is shaped like an article's (a slug of three words or more, a date
followed by more, a long number, an id parameter) or its text reads like a headline (four
words or more).

A wrong guess costs one fetch, and the page is never fetched again (skipped as ``not_article``
when the extractor sees a listing in it); a missed article is lost. So the rule leans to
taking, and an outlet whose listing it reads wrong states the shape of its article URLs
instead (``article_urls`` in the sources file).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from lxml.html import HtmlElement

from worker.dedup.urls import UnusableURL, frontier_key, resolve, same_site
from worker.discovery.links import Discovered, DiscoveredLink
from worker.errors import DiscoveryError, ExtractionError
from worker.extraction.parsing import parse_html, tag_text
from worker.fetching.decoding import decode_html

# More article links than any listing shows: a page linking to more is capped, not trusted.
MAX_LISTING_LINKS = 500
# A link text of this many words reads as a headline ("Politik", "About us", "Next page" do not).
HEADLINE_WORDS = 4
# A URL slug of this many words is an article's ("/world/", "/about-us/" are not).
SLUG_WORDS = 3

# Path segments of pages that list or serve rather than tell: taxonomy, people, pagination,
# accounts, legal and service pages (lower-cased, compared whole).
_NOT_ARTICLE_SEGMENTS = frozenset(
    {
        "tag", "tags", "schlagwort", "schlagworte", "category", "categories", "kategorie",
        "kategorien", "categoria", "categorie", "rubrik", "topic", "topics", "thema", "themen",
        "section", "sections", "by",
        "author", "authors", "autor", "autoren", "auteur", "user", "users", "profile", "profil",
        "archive", "archives", "archiv", "search", "suche", "login", "logout", "register",
        "signin", "signup", "account", "subscribe", "subscription", "abo", "newsletter",
        "newsletters", "feed", "feeds", "rss", "contact", "kontakt", "about", "impressum",
        "imprint", "privacy", "datenschutz", "terms", "agb", "cookies", "sitemap", "shop",
        "jobs", "karriere", "careers", "advertise", "werbung", "wp-admin", "wp-login.php",
        "cdn-cgi",
    }
)  # fmt: skip
# Pagination: "/page/2", "/seite/3"
_PAGE_NUMBER = re.compile(r"/(?:page|seite|p)/\d{1,4}/?$", re.IGNORECASE)
_FILE_EXTENSION = re.compile(
    r"\.(?:jpe?g|png|gif|webp|avif|svg|ico|bmp|tiff?|pdf|zip|gz|rar|7z|mp3|m4a|ogg|wav|mp4|"
    r"m4v|webm|mov|avi|doc|docx|xls|xlsx|ppt|pptx|odt|csv|css|js|json|xml|rss|atom|ics|vcf|"
    r"epub|exe|dmg|apk)$",
    re.IGNORECASE,
)
# An article's date in its path: 2024/05/17, 2024-05-17, 20240517, 2024/05
_DATE = re.compile(
    r"(?<!\d)(?:19|20)\d{2}[/_-]?(?:0?[1-9]|1[0-2])(?:[/_-]?(?:0?[1-9]|[12]\d|3[01]))?(?!\d)"
)
_LONG_NUMBER = re.compile(r"\d{5,}")
# An article's number as a query parameter: ?p=123 (WordPress), ?id=, ?storyid=, ?article_id=;
# not a category's, section's, tag's or writer's (?catid=7, ?sectionid=2)
_ID_PARAMETER = re.compile(
    r"(?:^|&)(?:p|(?!(?:cat|category|sec|section|tag|topic|author|user)_?id=)[a-z_]*id)=\d+"
    r"(?:&|$)",
    re.IGNORECASE,
)
# A listing by its CMS's own words (Joomla's view=category, view=section)
_LISTING_VIEW = re.compile(r"(?:^|&)view=(?:category|section|tag|archive)(?:&|$)", re.I)
_SLUG_SEPARATORS = re.compile(r"[-_+.,;~]+|\s+")
_PAGE_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|cms|jsp|cfm)$", re.IGNORECASE)


@dataclass
class _Candidate:
    url: str
    text: str
    rank: tuple[bool, bool, int]  # a headline's link, no fragment, length: the best text wins


def parse_listing(
    content: bytes,
    base_url: str,
    *,
    charset: str | None = None,
    article_urls: re.Pattern[str] | None = None,
) -> Discovered:
    """The article links of a listing page, each with its headline as title, in page order.

    ``article_urls``: the outlet's own rule, replacing the guess: a same-site link whose URL
    it matches (searched) is an article's, any other is not. DiscoveryError when the page
    cannot be read or links to no article at all (a changed layout, a wrong URL, a rule that
    matches nothing), so the source shows an error instead of polling nothing in silence.
    """
    text, _ = decode_html(content, charset)
    try:
        root = parse_html(text)
    except ExtractionError as exc:
        raise DiscoveryError(f"listing page unreadable: {exc}", reason="bad_listing") from exc
    base = _base_href(root, base_url)
    candidates = _same_site_links(root, base, base_url)
    found = Discovered()
    for candidate in candidates:
        matches = (
            bool(article_urls.search(candidate.url))
            if article_urls is not None
            else is_article_link(candidate.url, candidate.text)
        )
        if matches:  # resolved and checked already
            found.links.append(DiscoveredLink(candidate.url, title=candidate.text or None))
    if not found.links:
        rule = f"article_urls {article_urls.pattern!r}" if article_urls is not None else None
        raise DiscoveryError(
            f"no article links among the {len(candidates)} same-site links of the listing page"
            + (f" (none matches {rule})" if rule else " (set article_urls for this source)"),
            reason="no_article_links",
        )
    cap = f"beyond the listing's first {MAX_LISTING_LINKS} articles"
    found.refused.extend((dropped.url, cap) for dropped in found.links[MAX_LISTING_LINKS:])
    del found.links[MAX_LISTING_LINKS:]
    return found


def is_article_link(url: str, text: str) -> bool:
    """Whether a same-site link from a listing leads to an article (see the module's rule)."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    segments = [segment for segment in path.split("/") if segment]
    if not segments and not parts.query:
        return False  # the home page
    if _FILE_EXTENSION.search(path) or _PAGE_NUMBER.search(path):
        return False
    if any(segment.lower() in _NOT_ARTICLE_SEGMENTS for segment in segments):
        return False
    if _LISTING_VIEW.search(parts.query):
        return False
    if segments and all(segment.isdigit() for segment in segments):
        return False  # a date archive: /2024/, /2024/05/, /2024/05/17/
    if _url_shaped_like_article(path, parts.query, segments):
        return True
    return len(text.split()) >= HEADLINE_WORDS


def _url_shaped_like_article(path: str, query: str, segments: list[str]) -> bool:
    if _LONG_NUMBER.search(path) or _LONG_NUMBER.search(query) or _ID_PARAMETER.search(query):
        return True
    if _DATE.search(path) and not segments[-1].isdigit():
        return True  # a date followed by the article's slug or name
    return any(_slug_words(segment) >= SLUG_WORDS for segment in segments)


def _slug_words(segment: str) -> int:
    """Words with a letter in a path segment ("rafalska-finowie-wino-68379.html": 3)."""
    name = _PAGE_EXTENSION.sub("", segment)
    return sum(1 for word in _SLUG_SEPARATORS.split(name) if any(c.isalpha() for c in word))


def _base_href(root: HtmlElement, page_url: str) -> str:
    """The page's ``<base href>`` resolved against its URL, else its URL."""
    for element in root.iter("base"):
        href = element.get("href")
        if href:
            try:
                return resolve(href, page_url)
            except UnusableURL:
                break
    return page_url


def _same_site_links(root: HtmlElement, base: str, page_url: str) -> list[_Candidate]:
    """The page's links to its own site outside navigation, footer and page header, one per
    URL, in page order; never the listing itself. A URL's text is its headline's: the text of
    the link in a heading, else of one without a fragment (not "Leave a comment" on
    ``#respond``), else the longest."""
    own_key = frontier_key(page_url)
    by_key: dict[str, _Candidate] = {}
    for anchor in root.iter("a", "area"):
        href = anchor.get("href")
        if not href or href.lstrip().startswith("#") or _in_navigation(anchor):
            continue
        try:
            url, _, fragment = resolve(href, base).partition("#")
        except UnusableURL:
            continue
        if not _on_site(url, page_url):
            continue
        key = frontier_key(url)
        if key == own_key:
            continue
        text = tag_text(anchor, 300) or (anchor.get("title") or "").strip()
        rank = (_in_heading(anchor), not fragment, len(text))
        known = by_key.get(key)
        if known is None:
            by_key[key] = _Candidate(url, text, rank)
        elif rank > known.rank:
            known.text, known.rank = text, rank
    return list(by_key.values())


def _in_heading(anchor: HtmlElement) -> bool:
    """A link in a heading, or holding one: a teaser's headline."""
    return any(True for _ in anchor.iter(*_HEADINGS)) or any(
        True for _ in anchor.iterancestors(*_HEADINGS)
    )


_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _in_navigation(anchor: HtmlElement) -> bool:
    """Inside <nav>, <footer> or the page's <header> (not a teaser's, inside an <article> or
    <main>). An <aside> (most read, latest) links to articles and is read."""
    in_header = False
    for parent in anchor.iterancestors():
        name = parent.tag
        if name in ("nav", "footer"):
            return True
        if name in ("article", "main"):
            return False
        in_header = in_header or name == "header"
    return in_header


def _on_site(url: str, page_url: str) -> bool:
    """On the listing's site: the same host (but for www., m., amp.), or a subdomain of it or
    the other way round (news.x.com on www.x.com)."""
    if same_site(url, page_url):
        return True
    host, site = _host(url), _host(page_url)
    return host.endswith("." + site) or site.endswith("." + host)


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")
