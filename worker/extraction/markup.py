"""Article metadata from the page markup itself: <html lang>, <h1>, <title>, <time>, microdata
on visible elements, and elements whose class/id/itemprop/rel say byline, author, date or
section.

Themes name these parts consistently enough ("post-meta-author", "byline", "entry-date",
"article-section") to find them by the words in their class and id; the same words also appear
in site chrome and in teasers of other articles, so elements in nav/footer/aside or the page
header are skipped, and among the rest the ones nearest the article's headline win.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import islice
from typing import cast

from lxml import etree
from lxml.html import HtmlElement

from worker.extraction.authors import clean_authors, personal_shape
from worker.extraction.hints import Hints
from worker.extraction.parsing import (
    COMMENT_WORDS,
    class_words,
    elements,
    first,
    in_chrome,
    in_nested_item,
    in_page_header,
    link_elsewhere,
    named_elements,
    rel_words,
    tag_text,
)
from worker.extraction.urls import absolute, host_label, page_key, same_page

AUTHOR_WORDS = frozenset(
    {"author", "authors", "byline", "bylines", "writer", "creator", "byl", "authorname",
     "autor", "autorin", "autoren", "auteur", "autore", "verfasser"}
)  # fmt: skip
# Author boxes and lists describe people at length or link elsewhere; they are not bylines.
NOT_BYLINE_WORDS = frozenset(
    {
        "box", "bio", "biography", "avatar", "description", "desc", "about", "social",
        "follow", "image", "img", "photo", "pic", "picture", "more", "widget", "comment",
        "comments", "details", "card", "profile", "title",
    }
)  # fmt: skip
# The parts of an author box that describe the author
_ABOUT_WORDS = frozenset({"bio", "biography", "description", "desc", "about"})
PUBLISHED_WORDS = frozenset(
    {"published", "publish", "pubdate", "posted", "date", "dateline", "timestamp", "created",
     "datepublished", "time", "datetime", "publication",
     "datum", "fecha"}  # German and Dutch, Spanish
)  # fmt: skip
UPDATED_WORDS = frozenset({"updated", "modified", "lastmod", "update", "datemodified"})
NOT_DATE_WORDS = frozenset({"today", "current", "clock", "weather", "now", "reading", "read"})
SECTION_WORDS = frozenset(
    {"section", "sec", "category", "categories", "cat", "cats", "kicker", "rubric", "rubrik",
     "ressort", "channel", "eyebrow", "overline", "vertical"}
)  # fmt: skip
# A part of the headline element that is a label above the headline, not the headline itself
# (<h1><span class="dachzeile">Nach Corona-Lockerungen</span> <span>Autohäuser ...</span></h1>).
KICKER_WORDS = frozenset(
    {"kicker", "dachzeile", "spitzmarke", "topline", "overline", "eyebrow", "roofline",
     "supertitle", "topic"}
)  # fmt: skip
NOT_SECTION_WORDS = frozenset(
    {"nav", "menu", "list", "sections", "tags", "tag", "share", "related", "footer", "header",
     "wrapper", "container", "content", "body", "main", "title"}
)  # fmt: skip
BREADCRUMB_WORDS = frozenset({"breadcrumb", "breadcrumbs", "crumbs", "crumb", "trail"})
HOME_WORDS = frozenset({"home", "homepage", "start", "startseite", "accueil", "inicio", "portada"})

_MAX_LABEL_CHARS = 40
# A section label stands beside the headline: the kicker above it, the category line under it
# (1 to 10 elements away on the corpus pages). Farther, labels named like one are a sidebar's
# category list, a comment form's heading, a cookie dialog's tab or an ad slot's.
_LABEL_REACH = 10
# Elements too large to be a date (or not shown): never date candidates.
_NOT_DATE_ELEMENTS = frozenset({"html", "body", "meta", "script", "article", "main", "section"})
_MAX_BYLINE_CHARS = 200
_NO_WORDS: frozenset[str] = frozenset()
# How many elements come before an element in document order.
_ELEMENTS_BEFORE = etree.XPath("count(ancestor::*) + count(preceding::*)")
# The paragraphs among the elements that closely follow one (a headline), nearest first.
_PARAGRAPHS_AFTER = etree.XPath("following::*[position() <= $within][self::p]")
# How many elements up from a byline or a date its teaser card may start: in <div class="meta">
# <h4><a href="/other">Title</a></h4><div class="byline"><span><a>Name, the card's box is the
# name's link's third ancestor.
_CARD_LEVELS = 3
_CARD_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# A link to another page with this many words names it by its title (a teaser's), not by a
# category or a tag ("News", "Weitere Meldungen").
_TITLE_WORDS = 3
# A headline that the article's text follows this closely (elements between them: the byline,
# the date, a picture and its caption) heads the article: 30 keeps every headline of
# trafilatura-eval that tops a paragraph of text, and no site or section name there but two.
_HEADS_TEXT_WITHIN = 30
# ... and a paragraph of text is this long (a teaser line or a caption is shorter)
_TEXT_PARAGRAPH_CHARS = 100
# The paragraph that signs an article off holds its name and nothing but emphasis around it.
_EMPHASIS = frozenset({"strong", "b", "em", "i"})
_SIGNED_PARAGRAPH = etree.XPath("//p[normalize-space() = $line]")
# An <h2> in the page's header as long as this is a headline; a shorter one, a site's slogan.
_HEADER_H2_WORDS = 4


class _Page:
    """The tree plus the order of its marked elements, to rank candidates by where they stand
    from the headline."""

    def __init__(
        self, root: HtmlElement, names: dict[HtmlElement, frozenset[str]], url: str
    ) -> None:
        self.root = root
        self.url = url
        # Held for the page's lifetime, which keeps each one's Python proxy (and so its
        # identity, the key of ``order``).
        self.marked = list(names)
        self.order = {tag: index for index, tag in enumerate(self.marked)}
        self.words = names
        # The named ones (most marked elements) are what the collectors matching words scan.
        self.named = [(tag, words) for tag, words in names.items() if words]
        self.unnamed = [tag for tag, words in names.items() if not words]
        # (element, itemprop) of the elements with microdata (of the page's article: a cited
        # paper's or a review's properties are not); links with their rel words; elements
        # with a pubdate; elements labelled a breadcrumb trail. All in one pass: asking each
        # element for an attribute costs more than the rest of most collectors.
        self.itemprops: list[tuple[HtmlElement, str]] = []
        self.rel_links: list[tuple[HtmlElement, set[str]]] = []
        self.pubdate: set[HtmlElement] = set()
        self.labelled: list[HtmlElement] = []
        for tag in self.marked:
            get = tag.get
            if (prop := get("itemprop")) and not in_nested_item(tag):
                self.itemprops.append((tag, prop))
            if tag.tag == "a" and get("rel"):
                self.rel_links.append((tag, rel_words(tag)))
            if get("pubdate") is not None:
                self.pubdate.add(tag)
            if "breadcrumb" in (get("aria-label") or "").lower():
                self.labelled.append(tag)
        title = first(root, "title")
        self.title = _stripped_text(title) if title is not None else None
        self.headline, self.headline_certain = self._headline()
        self.anchor = self.order[self.headline] if self.headline is not None else 0
        # The elements holding the headline: the article's own containers, never a card; its
        # <article> elements among them (another <article> is a teaser card).
        self.around_headline = (
            set(self.headline.iterancestors()) if self.headline is not None else set()
        )
        self.own_articles = {tag for tag in self.around_headline if tag.tag == "article"}

    def in_chrome(self, tag: HtmlElement, *, own_footer: bool = False) -> bool:
        """``parsing.in_chrome``, a page-level <header> holding the headline being the
        article's own: its byline, date and section label are the article's."""
        return in_chrome(tag, own_footer=own_footer, own_headers=self.around_headline)

    def in_teaser(self, tag: HtmlElement) -> bool:
        """Inside a teaser card of another page, with that page's byline and date: an
        <article> other than the headline's, or a box (up to ``_CARD_LEVELS`` elements up,
        short of the headline's containers) in which a title linking to another page comes
        before the tag. Titles after it are the next cards, or a list of related articles
        below the article's own byline."""
        if self.in_other_article(tag):
            return True
        if self.headline is None:
            return False  # no article to tell a card from
        node = tag
        for _ in range(_CARD_LEVELS):
            parent = node.getparent()
            if parent is None or parent in self.around_headline:
                return False
            if any(self._titles_a_card(before) for before in node.itersiblings(preceding=True)):
                return True
            node = parent
        return False

    def _titles_a_card(self, element: HtmlElement) -> bool:
        """A title (three words or more, in a heading) linking to another page, alone in
        ``element``: a card's title, not a list of related articles with their teasers."""
        heading = next(element.iter(*_CARD_HEADINGS), None)
        if heading is None:
            return False
        title = tag_text(heading)
        if len(title.split()) < _TITLE_WORDS or len(tag_text(element)) > len(title) + 20:
            return False
        return link_elsewhere(heading, self.url) is not None

    def in_other_article(self, tag: HtmlElement) -> bool:
        """Inside an <article> that does not hold the headline (which itself is in one): a
        teaser card of another page, with that page's byline and date."""
        if not self.own_articles:
            return False
        outer = next(tag.iterancestors("article"), None)
        return outer is not None and outer not in self.own_articles

    def _headline(self) -> tuple[HtmlElement | None, bool]:
        """The article's <h1>: the only one outside chrome, or the one <title> repeats; and
        whether it is certainly the page's headline (not the first of several <h1>, taken for
        lack of a better one)."""
        heads = [h for h in elements(self.root, "h1") if not in_chrome(h) and tag_text(h)]
        if not heads:
            return self._headline_in_page_header(), True
        if len(heads) == 1:
            return heads[0], True
        title = (self.title or "").casefold()
        for head in heads:
            if tag_text(head).casefold() in title:
                return head, True
        inside = [h for h in heads if next(h.iterancestors("article", "main"), None) is not None]
        return (inside[0] if inside else heads[0]), False

    def _headline_in_page_header(self) -> HtmlElement | None:
        """The article's headline when no <h1> stands outside chrome, in a page-level
        <header>: an <h1> that starts the <title> and makes at least half of it (a logo's <h1>
        names the site, a shorter part of the title); else a named <h2> of four words or more
        that starts it, under an <h1> that is a strapline ("<h1 class=strapline>Strava-Update
        </h1><h2 class=title>Strava-Karten ab sofort mit mehr Infos</h2>", the title both)."""
        title = " ".join((self.title or "").split()).casefold()
        for head in elements(self.root, "h1"):
            if not in_page_header(head):
                continue
            text = tag_text(head).casefold()
            if text and title.startswith(text) and 2 * len(text) >= len(title):
                return head
        for head in elements(self.root, "h2"):
            # named: the page's order, from which bylines are ranked, counts those only
            if head not in self.order or not in_page_header(head):
                continue
            text = tag_text(head).casefold()
            if (
                len(text.split()) >= _HEADER_H2_WORDS
                and title.startswith(text)
                and not _links_home(head, self.url)
            ):
                return head
        return None

    def near_headline(self, tags: list[HtmlElement]) -> list[HtmlElement]:
        """Marked tags after the headline in document order, then those before it, nearest
        first."""
        tags = sorted(tags, key=self.order.__getitem__)
        after = [t for t in tags if self.order[t] >= self.anchor]
        before = [t for t in tags if self.order[t] < self.anchor]
        return after + before[::-1]

    def beside_headline(self, tags: list[HtmlElement], within: int) -> list[HtmlElement]:
        """The tags at most ``within`` elements from the headline, in either direction,
        nearest first (counted for these few only: numbering every element of the page costs
        more than all of them); none on a page without a headline."""
        if self.headline is None:
            return []
        anchor = _elements_before(self.headline)
        distances = {tag: abs(_elements_before(tag) - anchor) for tag in tags}
        return sorted((t for t in tags if distances[t] <= within), key=distances.__getitem__)


def _elements_before(tag: HtmlElement) -> int:
    return int(cast(float, _ELEMENTS_BEFORE(tag)))


def _stripped_text(tag: HtmlElement) -> str:
    """Each text of the element stripped, joined by single spaces (the <title> as a tab shows
    it)."""
    return " ".join(text.strip() for text in tag.itertext() if text.strip())


def collect(
    root: HtmlElement, url: str, names: dict[HtmlElement, frozenset[str]] | None = None
) -> Hints:
    """Candidates found in the markup, all with provenance "markup". ``names``: the page's
    ``named_elements``, if already worked out."""
    hints = Hints()
    page = _Page(root, named_elements(root) if names is None else names, url)
    html = first(root, "html")
    if html is not None:
        hints.add("language", _attr(html, "lang") or _attr(html, "xml:lang"), "markup")
    _titles(page, hints)
    _authors(page, hints)
    _dates(page, hints)
    _sections(page, hints)
    _tags(page, hints)
    return hints


def _tags(page: _Page, hints: Hints) -> None:
    """WordPress and many themes mark tag links rel="tag" (categories: rel="category tag")."""
    for tag, rels in page.rel_links:
        if "tag" in rels and "category" not in rels:
            hints.add("tags", tag_text(tag, 100), "markup")


def _attr(tag: HtmlElement, name: str) -> str | None:
    value = tag.get(name)
    return None if value is None else str(value)


def _titles(page: _Page, hints: Hints) -> None:
    for tag, prop in page.itemprops:
        if prop == "headline" and tag.tag != "meta" and not in_chrome(tag):
            hints.add("title", tag_text(tag, 500), "markup")
            break
    if page.title is not None and page.headline is not None and not page.headline_certain:
        # several <h1>, none of which the <title> repeats: the first is a guess, the <title> not
        hints.add("title", page.title, "markup")
    if page.headline is not None:
        headline = tag_text(page.headline, 500)
        hints.add("title", headline, "markup")
        hints.add("visible_headline", headline, "markup")
        if (
            page.headline_certain
            and _heads_text(page.headline)
            and not _links_home(page.headline, page.url)
        ):
            hints.add("text_headline", headline, "markup")
        hints.add("lead_label", _leading_label(page.headline), "markup")
    # Kickers the headline marks, and those of another heading outside chrome and teasers:
    # an <h2> "<span class=kicker>Covid-19</span> <span>Lässt sich ...</span>" is the printed
    # headline where the <h1> is a breadcrumb's last crumb repeating the title.
    for heading in page.root.iter(*_CARD_HEADINGS):
        parts = [
            p for p in heading.iterdescendants() if page.words.get(p, _NO_WORDS) & KICKER_WORDS
        ]
        if not parts or (
            heading is not page.headline and (in_chrome(heading) or page.in_teaser(heading))
        ):
            continue
        for part in parts:
            hints.add("kicker", tag_text(part, _MAX_LABEL_CHARS * 2), "markup")
    if page.title is not None:
        hints.add("title", page.title, "markup")


def _heads_text(headline: HtmlElement) -> bool:
    """A paragraph of text follows the headline closely: it heads the article, not a page
    of links (a blog's name above a list of posts) or the page's chrome."""
    paragraphs = cast(list[HtmlElement], _PARAGRAPHS_AFTER(headline, within=_HEADS_TEXT_WITHIN))
    return any(len(tag_text(p, _TEXT_PARAGRAPH_CHARS)) >= _TEXT_PARAGRAPH_CHARS for p in paragraphs)


def _links_home(headline: HtmlElement, url: str) -> bool:
    """The headline is a link to the site's home page: the site's name (a blog theme's
    "<h1><a href="/">Blog name</a></h1>" above the post), not the article's headline."""
    home = absolute("/", url) or ""
    text = tag_text(headline)
    return any(
        tag_text(link) == text and same_page(absolute(link.get("href"), url) or "", home)
        for link in headline.iter("a")
    )


def _leading_label(headline: HtmlElement) -> str | None:
    """The text of the element the headline starts with, when more text follows it: a label
    printed before the headline ("<span class="label">Patch Notes</span> Patchnotes 4.47"),
    whatever its class. Wrappers around the whole headline (a link) are looked into."""
    node = headline
    while not (node.text or "").strip():
        child = next((c for c in node if isinstance(c.tag, str)), None)
        if child is None:
            return None
        text = tag_text(child, _MAX_LABEL_CHARS * 2)
        if text != tag_text(node, _MAX_LABEL_CHARS * 2):
            return text if 0 < len(text) <= _MAX_LABEL_CHARS * 2 else None
        node = child
    return None


def _named_tags(
    page: _Page,
    wanted: frozenset[str],
    unwanted: frozenset[str],
    skip: tuple[str, ...],
    fits: Callable[[str], bool],
    max_chars: int,
) -> list[HtmlElement]:
    """Tags outside chrome whose class/id words say ``wanted`` (and not ``unwanted``) and whose
    text ``fits``: the bylines and section labels themes name in their markup."""
    return [
        tag
        for tag, words in page.named
        if words & wanted
        and not words & unwanted
        and tag.tag not in skip
        and not page.in_chrome(tag)
        and fits(tag_text(tag, max_chars))
    ]


def _innermost(tags: list[HtmlElement]) -> list[HtmlElement]:
    """Drop candidates that contain another candidate: the specific element says more."""
    wanted = set(tags)
    contains: set[HtmlElement] = set()
    for tag in tags:
        for parent in tag.iterancestors():
            if parent in wanted:
                contains.add(parent)
    return [tag for tag in tags if tag not in contains]


def _authors(page: _Page, hints: Hints) -> None:
    marked = (tag for tag, prop in page.itemprops if prop == "author" and tag.tag != "meta")
    for tag in islice(marked, _MAX_AUTHOR_TAGS):
        if not _byline_elsewhere(page, tag):
            name = next((n for n in tag.iterdescendants() if n.get("itemprop") == "name"), None)
            if name is not None:
                hints.add("authors", _attr(name, "content") or tag_text(name, 200), "markup")
            else:
                hints.add("authors", _byline_text(page, tag), "markup")
    linked = (tag for tag, rels in page.rel_links if "author" in rels)
    for tag in islice(linked, _MAX_AUTHOR_TAGS):
        if not _byline_elsewhere(page, tag):
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
        if not (page.in_teaser(tag) or _in_form(tag) or _in_comments(page, tag))
        and clean_authors(_byline_text(page, tag))
    ]
    if ranked:
        first = ranked[0]
        group = [first] + [
            t
            for t in ranked[1:]
            if t.getparent() is first.getparent() and t.get("class") == first.get("class")
        ]
        hints.add("authors", ", ".join(_byline_text(page, t) for t in group), "markup")
    if not hints.get("authors"):
        _author_page_link(page, hints)


def _author_page_link(page: _Page, hints: Hints) -> None:
    """The first link to an author's page ("/author/jane-doe/": WordPress, XenForo, Drupal
    themes), where nothing in the markup is named a byline: its text without its picture's
    credit ("Alles von Jane Doe", "<picture>© Jane Doe</picture> Jane Doe")."""
    for link in page.root.iter("a"):
        href = link.get("href") or ""
        # a substring test before the regex: a page has hundreds of links
        if "/aut" not in href.lower() or not _AUTHOR_PAGE.search(href):
            continue
        if _byline_elsewhere(page, link):
            continue
        pictures = _parts_named(page, link, _PICTURE_WORDS, _PICTURE_TAGS)
        text = tag_text(link, _MAX_BYLINE_CHARS, pictures)
        if clean_authors(text):
            hints.add("authors", text, "markup")
            return


_AUTHOR_PAGE = re.compile(
    r"/(?:author|authors|autor|autoren|auteur|autore)/[^/?#]+/?(?:[?#]|$)", re.IGNORECASE
)
_PICTURE_TAGS = frozenset({"picture", "figure", "figcaption"})
_PICTURE_WORDS = frozenset({"avatar", "image", "img", "photo", "pic", "picture"})


def _byline_text(page: _Page, tag: HtmlElement) -> str:
    """A byline element's text without an author box's biography ("author-bio")."""
    return tag_text(tag, _MAX_BYLINE_CHARS, _parts_named(page, tag, _ABOUT_WORDS))


def _parts_named(
    page: _Page, tag: HtmlElement, words: frozenset[str], tags: frozenset[str] = frozenset()
) -> set[HtmlElement]:
    """The elements inside ``tag`` whose class words include one of ``words``, or whose tag is
    one of ``tags``: the parts of a byline that are not its name."""
    return {
        inner
        for inner in tag.iterdescendants()
        if inner.tag in tags or page.words.get(inner, _NO_WORDS) & words
    }


# Author links or itemprops read of one page: each is checked against the cards before it,
# so a page of thousands (an index of writers) took seconds per thousand
_MAX_AUTHOR_TAGS = 100


def _byline_elsewhere(page: _Page, tag: HtmlElement) -> bool:
    """A byline of the site's chrome, of a teaser card, of a comment or a comment form."""
    return (
        page.in_chrome(tag, own_footer=True)
        or page.in_teaser(tag)
        or _in_form(tag)
        or _in_comments(page, tag)
    )


def _in_comments(page: _Page, tag: HtmlElement) -> bool:
    """Inside a comment or the list of comments (<li class="comment">, <div id="comments">):
    the commenter's name, not the article's byline. An element around the headline is the
    article's own, whatever its class says ("post has-comments")."""
    for parent in tag.iterancestors():
        if parent in page.around_headline:
            return False
        if class_words(parent) & COMMENT_WORDS:
            return True
    return False


def signature(root: HtmlElement, line: str) -> str | None:
    """The name that signs the article off on the line after its text, set apart in bold or
    italics as the last paragraph of the text's box (``<p>...</p><p><b><i>Jane Doe</i></b></p>
    </div>``): regional papers and magazines credit their author there and nowhere else. A
    plain line or a heading there is a teaser list's title ("Weitere Artikel", "Related
    Topics"), as is a paragraph that a list follows; a link is a contact's."""
    if not personal_shape(line):
        return None
    for paragraph in cast(list[HtmlElement], _SIGNED_PARAGRAPH(root, line=line)):
        inner = list(paragraph.iterdescendants())
        loose_text = (paragraph.text or "").strip() or any(
            (child.tail or "").strip() for child in paragraph
        )
        closes_text = paragraph.getnext() is None and paragraph.getprevious() is not None
        emphasised = bool(inner) and all(child.tag in _EMPHASIS for child in inner)
        if emphasised and not loose_text and closes_text:
            return line
    return None


def _in_form(tag: HtmlElement) -> bool:
    """Inside a form of the article (a comment form's "Please enter your name"), not a form
    around the whole page (ASP.NET's), which holds the article instead."""
    for parent in tag.iterancestors():
        name = parent.tag
        if name == "form":
            return True
        if name in ("article", "main", "body"):
            return False
    return False


# The current time a forum or portal prints in its header ("Aktuelle Zeit: 14.10.2020, 12:18",
# phpBB's "It is currently Wed Oct 14, 2020"), in a date-classed element: no article's date.
_CLOCK = re.compile(
    r"\s*(?:aktuelle\s+zeit|current\s+time|it\s+is\s+currently|heure\s+actuelle"
    r"|nous\s+sommes\s+le|hora\s+actual|ora\s+attuale|huidige\s+tijd|het\s+is\s+nu)\b",
    re.IGNORECASE,
)


def _date_value(tag: HtmlElement) -> str | None:
    """The date a tag states, with the time its next sibling prints when it states none:
    "<time>3 de mayo de 2022</time><time>21:25</time>" is one moment."""
    value = next(
        (v for a in _DATE_ATTRIBUTES if (v := _attr(tag, a)) and any(c.isdigit() for c in v)),
        None,
    ) or tag_text(tag, 200)
    after = tag.getnext()
    if value and after is not None and not _HAS_TIME.search(value):
        clock = tag_text(after, 20) if isinstance(after.tag, str) else ""
        if _BARE_TIME.fullmatch(clock):
            return f"{value} {clock}"
    return value


_DATE_ATTRIBUTES = ("datetime", "content", "data-timestamp", "data-datetime", "title")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|T\d{2}")
_BARE_TIME = re.compile(r"\d{1,2}[:.h]\d{2}(?:\s*(?:uhr|h|am|pm|a\.m\.|p\.m\.))?", re.IGNORECASE)


def _dated_elsewhere(page: _Page, tag: HtmlElement) -> bool:
    """A date in chrome, in a teaser, a list of links to other pages or a comment: another
    page's, the site's or a reader's."""
    return (
        page.in_chrome(tag)
        or _links_elsewhere(tag, page.url)
        or page.in_teaser(tag)
        or _in_comments(page, tag)
        or _in_listed_link(page, tag)
    )


def _in_listed_link(page: _Page, tag: HtmlElement) -> bool:
    """In a list item that links to another page by its title: "<li><time>10.08.2022</time>
    <a href="/other"><strong>Wieviel Haus kann ich mir leisten?</strong></a></li>" under
    "More press releases" is that page's date, whichever side of the title it stands."""
    item = next(tag.iterancestors("li"), None)
    if item is None or item in page.around_headline:
        return False
    return any(
        len(tag_text(link).split()) >= _TITLE_WORDS and _links_elsewhere(link, page.url)
        for link in item.iter("a")
    )


def _links_elsewhere(tag: HtmlElement, url: str) -> bool:
    """True inside a link to another page: the date of a teaser ("Nr. 34 vom 8. November"),
    not of this article (a theme's permalink around its own date links to this page)."""
    link = tag if tag.tag == "a" else next(tag.iterancestors("a"), None)
    if link is None:
        return False
    target = absolute(link.get("href"), url)
    return target is not None and not same_page(target, url)


def _dates(page: _Page, hints: Hints) -> None:
    for field, prop in (("published", "datePublished"), ("updated", "dateModified")):
        for tag, value in page.itemprops:
            if value == prop and tag.tag != "meta" and not _dated_elsewhere(page, tag):
                hints.add(field, _date_value(tag), "markup")
    published: list[HtmlElement] = []
    updated: list[HtmlElement] = []
    plain_times: list[HtmlElement] = []
    for tag in page.unnamed:
        if tag.tag == "time" and tag not in page.pubdate and not _dated_elsewhere(page, tag):
            plain_times.append(tag)
    # a pubdate attribute makes an element a publication date's, named or not
    stated = page.named + [(tag, _NO_WORDS) for tag in page.unnamed if tag in page.pubdate]
    for tag, words in stated:
        name = tag.tag
        if name in _NOT_DATE_ELEMENTS:
            continue
        if tag in page.pubdate:
            words = words | _PUBDATE
        if words & NOT_DATE_WORDS or words & AUTHOR_WORDS:
            continue
        if words & UPDATED_WORDS:
            found = updated
        elif words & PUBLISHED_WORDS or name == "time":
            found = published
        else:
            continue
        if not _dated_elsewhere(page, tag) and not _CLOCK.match(tag_text(tag, 200)):
            found.append(tag)
    for field, tags in (("published", published), ("updated", updated)):
        for tag in page.near_headline(_innermost(tags))[:3]:
            hints.add(field, _date_value(tag), "markup")
    for tag in page.near_headline(plain_times)[:1]:
        hints.add("published", _date_value(tag), "markup")


_PUBDATE = frozenset({"published"})
# Themes put "has-breadcrumbs" on the whole page's container: no trail.
_PAGE_CONTAINERS = frozenset({"html", "body", "main", "article"})


def _crumbs(trail: HtmlElement, url: str) -> list[str]:
    """The texts of a breadcrumb trail's links to other pages of the site: not the tools
    sharing its bar (print, mail, "back to top": javascript:, mailto:, #; "tweeten": another
    site), not the article itself (relative
    links resolved first; its crumb names the page, not its section). A page linked twice
    counts where it comes last, under its first text: the trail after a menu that also links
    to it, a "‹ Back" link after the crumb it goes back to."""
    own = page_key(url)
    site = host_label(url)
    texts: dict[str, str] = {}
    for link in trail.iter("a"):
        target = absolute(link.get("href"), url)
        key = page_key(target) if target is not None else own
        elsewhere = bool(site) and target is not None and host_label(target) != site
        if link is trail or key == own or elsewhere:
            continue
        texts[key] = texts.pop(key, "") or tag_text(link, 100)
    return list(texts.values())


def _sections(page: _Page, hints: Hints) -> None:
    for tag, prop in page.itemprops:
        if prop == "articleSection" and tag.tag != "meta":
            hints.add("section", tag_text(tag, 100), "markup")
    title = tag_text(page.headline, 500).casefold() if page.headline is not None else ""
    trails = [
        tag
        for tag, words in page.named
        if words & BREADCRUMB_WORDS and tag.tag not in _PAGE_CONTAINERS
    ] + page.labelled
    for trail in sorted(trails, key=page.order.__getitem__)[:1]:
        crumbs = [
            c
            for c in _crumbs(trail, page.url)
            if c and c.casefold() not in HOME_WORDS and c.casefold() != title
        ]
        if crumbs:
            hints.add("section", crumbs[-1], "markup")
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
    for tag in page.beside_headline(_innermost(labels), _LABEL_REACH)[:1]:
        hints.add("section", tag_text(tag, _MAX_LABEL_CHARS), "markup")
