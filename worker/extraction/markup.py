"""Article metadata from the page markup itself: <html lang>, <h1>, <title>, <time>, microdata
on visible elements, and elements whose class/id/itemprop/rel say byline, author, date or
section.

Themes name these parts consistently enough ("post-meta-author", "byline", "entry-date",
"article-section") to find them by the words in their class and id; the same words also appear
in site chrome and in teasers of other articles, so elements in nav/footer/aside or the page
header are skipped, and among the rest the ones nearest the article's headline win.
"""

from __future__ import annotations

from collections.abc import Callable

from bs4 import BeautifulSoup, Tag

from worker.extraction.authors import clean_authors
from worker.extraction.hints import Hints
from worker.extraction.parsing import class_words, in_chrome, rel_words, tag_text
from worker.extraction.urls import same_page

AUTHOR_WORDS = frozenset({"author", "authors", "byline", "bylines", "writer", "creator", "byl"})
# Author boxes and lists describe people at length or link elsewhere; they are not bylines.
NOT_BYLINE_WORDS = frozenset(
    {
        "box", "bio", "biography", "avatar", "description", "desc", "about", "social",
        "follow", "image", "img", "photo", "pic", "picture", "more", "widget", "comment",
        "comments", "info", "details", "card", "profile", "title", "label",
    }
)  # fmt: skip
PUBLISHED_WORDS = frozenset(
    {"published", "publish", "pubdate", "posted", "date", "dateline", "timestamp", "created",
     "datepublished", "time", "datetime", "publication"}
)  # fmt: skip
UPDATED_WORDS = frozenset({"updated", "modified", "lastmod", "update", "datemodified"})
NOT_DATE_WORDS = frozenset({"today", "current", "clock", "weather", "now", "reading", "read"})
SECTION_WORDS = frozenset(
    {"section", "sec", "category", "categories", "cat", "cats", "kicker", "rubric", "rubrik",
     "ressort", "channel", "eyebrow", "overline", "vertical"}
)  # fmt: skip
NOT_SECTION_WORDS = frozenset(
    {"nav", "menu", "list", "sections", "tags", "tag", "share", "related", "footer", "header",
     "wrapper", "container", "content", "body", "main", "title"}
)  # fmt: skip
BREADCRUMB_WORDS = frozenset({"breadcrumb", "breadcrumbs", "crumbs", "crumb", "trail"})
HOME_WORDS = frozenset({"home", "homepage", "start", "startseite", "accueil", "inicio", "portada"})

_MAX_LABEL_CHARS = 40
_MAX_BYLINE_CHARS = 200


class _Page:
    """The soup plus document positions, to rank candidates by distance from the headline."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.tags = [tag for tag in soup.find_all(True) if isinstance(tag, Tag)]
        self.position = {id(tag): index for index, tag in enumerate(self.tags)}
        self.headline = self._headline()
        self.anchor = self.position.get(id(self.headline), 0) if self.headline else 0

    def _headline(self) -> Tag | None:
        """The article's <h1>: the only one outside chrome, or the one <title> repeats."""
        heads = [h for h in self.tags if h.name == "h1" and not in_chrome(h) and tag_text(h)]
        if len(heads) <= 1:
            return heads[0] if heads else None
        title = self.soup.title.get_text(" ", strip=True).casefold() if self.soup.title else ""
        for head in heads:
            if tag_text(head).casefold() in title:
                return head
        inside = [h for h in heads if h.find_parent(["article", "main"]) is not None]
        return inside[0] if inside else heads[0]

    def near_headline(self, tags: list[Tag]) -> list[Tag]:
        """Tags after the headline in document order, then those before it, nearest first."""
        after = [t for t in tags if self.position.get(id(t), 0) >= self.anchor]
        before = [t for t in tags if self.position.get(id(t), 0) < self.anchor]
        return after + before[::-1]


def collect(soup: BeautifulSoup, url: str) -> Hints:
    """Candidates found in the markup, all with provenance "markup"."""
    hints = Hints()
    page = _Page(soup)
    html = soup.find("html")
    if isinstance(html, Tag):
        hints.add("language", _attr(html, "lang") or _attr(html, "xml:lang"), "markup")
    _titles(page, hints)
    _authors(page, hints)
    _dates(page, hints)
    _sections(page, url, hints)
    _tags(page, hints)
    return hints


def _tags(page: _Page, hints: Hints) -> None:
    """WordPress and many themes mark tag links rel="tag" (categories: rel="category tag")."""
    for tag in page.tags:
        if tag.name != "a":
            continue
        rels = rel_words(tag)
        if "tag" in rels and "category" not in rels:
            hints.add("tags", tag_text(tag, 100), "markup")


def _attr(tag: Tag, name: str) -> str | None:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value


def _titles(page: _Page, hints: Hints) -> None:
    for tag in page.tags:
        if _attr(tag, "itemprop") == "headline" and tag.name != "meta" and not in_chrome(tag):
            hints.add("title", tag_text(tag, 500), "markup")
            break
    if page.headline is not None:
        hints.add("title", tag_text(page.headline, 500), "markup")
        hints.add("visible_headline", tag_text(page.headline, 500), "markup")
    if page.soup.title is not None:
        hints.add("title", page.soup.title.get_text(" ", strip=True), "markup")


def _named_tags(
    page: _Page,
    wanted: frozenset[str],
    unwanted: frozenset[str],
    skip: tuple[str, ...],
    fits: Callable[[str], bool],
    max_chars: int,
) -> list[Tag]:
    """Tags outside chrome whose class/id words say ``wanted`` (and not ``unwanted``) and whose
    text ``fits``: the bylines and section labels themes name in their markup."""
    found = []
    for tag in page.tags:
        if tag.name in skip:
            continue
        words = class_words(tag)
        named = words & wanted and not words & unwanted
        if named and not in_chrome(tag) and fits(tag_text(tag, max_chars)):
            found.append(tag)
    return found


def _innermost(tags: list[Tag]) -> list[Tag]:
    """Drop candidates that contain another candidate: the specific element says more."""
    ids = {id(tag) for tag in tags}
    contains: set[int] = set()
    for tag in tags:
        for parent in tag.parents:
            if id(parent) in ids:
                contains.add(id(parent))
    return [tag for tag in tags if id(tag) not in contains]


def _authors(page: _Page, hints: Hints) -> None:
    for tag in page.tags:
        if _attr(tag, "itemprop") == "author" and tag.name != "meta" and not in_chrome(tag):
            name = tag.find(itemprop="name")
            if isinstance(name, Tag):
                hints.add("authors", _attr(name, "content") or tag_text(name, 200), "markup")
            else:
                hints.add("authors", tag_text(tag, _MAX_BYLINE_CHARS), "markup")
    for tag in page.tags:
        rel = tag.get("rel")
        rels = rel if isinstance(rel, list) else str(rel or "").split()
        if tag.name == "a" and "author" in rels and not in_chrome(tag):
            hints.add("authors", tag_text(tag, 200), "markup")
    candidates = _named_tags(
        page,
        AUTHOR_WORDS,
        NOT_BYLINE_WORDS,
        ("html", "body", "meta", "link", "script", "img", "article", "main"),
        lambda text: 0 < len(text) <= _MAX_BYLINE_CHARS,
        _MAX_BYLINE_CHARS + 1,
    )
    # "Posted" in a "meta-prep-author" span sits nearer the headline than the name after it
    ranked = [
        tag
        for tag in page.near_headline(_innermost(candidates))
        if clean_authors(tag_text(tag, _MAX_BYLINE_CHARS))
    ]
    if ranked:
        first = ranked[0]
        group = [first] + [
            t
            for t in ranked[1:]
            if t.parent is first.parent and t.get("class") == first.get("class")
        ]
        hints.add("authors", ", ".join(tag_text(t, 200) for t in group), "markup")


def _date_value(tag: Tag) -> str | None:
    for attr in ("datetime", "content", "data-timestamp", "data-datetime", "title"):
        value = _attr(tag, attr)
        if value and any(ch.isdigit() for ch in value):
            return value
    return tag_text(tag, 200)


def _dates(page: _Page, hints: Hints) -> None:
    for field, prop in (("published", "datePublished"), ("updated", "dateModified")):
        for tag in page.tags:
            if _attr(tag, "itemprop") == prop and tag.name != "meta" and not in_chrome(tag):
                hints.add(field, _date_value(tag), "markup")
    published: list[Tag] = []
    updated: list[Tag] = []
    plain_times: list[Tag] = []
    for tag in page.tags:
        if tag.name in ("html", "body", "meta", "script", "article", "main", "section"):
            continue
        words = class_words(tag)
        if tag.has_attr("pubdate"):
            words.add("published")
        if not words and tag.name == "time":
            if not in_chrome(tag):
                plain_times.append(tag)
            continue
        if words & NOT_DATE_WORDS or words & AUTHOR_WORDS:
            continue
        if words & UPDATED_WORDS:
            if not in_chrome(tag):
                updated.append(tag)
        elif (words & PUBLISHED_WORDS or tag.name == "time") and not in_chrome(tag):
            published.append(tag)
    for field, tags in (("published", published), ("updated", updated)):
        for tag in page.near_headline(_innermost(tags))[:3]:
            hints.add(field, _date_value(tag), "markup")
    for tag in page.near_headline(plain_times)[:1]:
        hints.add("published", _date_value(tag), "markup")


def _sections(page: _Page, url: str, hints: Hints) -> None:
    for tag in page.tags:
        if _attr(tag, "itemprop") == "articleSection" and tag.name != "meta":
            hints.add("section", tag_text(tag, 100), "markup")
    title = tag_text(page.headline, 500).casefold() if page.headline else ""
    for trail in page.tags:
        words = class_words(trail)
        label = str(trail.get("aria-label") or "").lower()
        if not (words & BREADCRUMB_WORDS or "breadcrumb" in label):
            continue
        crumbs = [
            tag_text(a, 100)
            for a in trail.find_all("a")
            if isinstance(a, Tag) and not same_page(str(a.get("href") or ""), url)
        ]
        crumbs = [
            c for c in crumbs if c and c.casefold() not in HOME_WORDS and c.casefold() != title
        ]
        if crumbs:
            hints.add("section", crumbs[-1], "markup")
        break
    labels = _named_tags(
        page,
        SECTION_WORDS,
        NOT_SECTION_WORDS,
        ("html", "body", "meta", "script", "section", "article", "main", "nav"),
        lambda text: (
            2 <= len(text) <= _MAX_LABEL_CHARS
            and len(text.split()) <= 4
            and not any(ch.isdigit() for ch in text)
        ),
        _MAX_LABEL_CHARS + 1,
    )
    for tag in _nearest(page, _innermost(labels))[:1]:
        hints.add("section", tag_text(tag, _MAX_LABEL_CHARS), "markup")


def _nearest(page: _Page, tags: list[Tag]) -> list[Tag]:
    """Tags ordered by distance from the headline in either direction."""
    return sorted(tags, key=lambda t: abs(page.position.get(id(t), 0) - page.anchor))
