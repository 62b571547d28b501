"""Turning untrusted page text into a BeautifulSoup tree, and small DOM helpers shared by the
collectors.

Fetched pages are arbitrary bytes decoded as ``str``: they may hold NUL bytes, lone surrogates
or an XML declaration. This module is the one boundary where those are neutralised and where
parser failures become ``ExtractionError``.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Iterator

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString, PageElement

from worker.errors import ExtractionError

# Larger inputs are not news articles; parsing them would only burn time and memory.
MAX_HTML_CHARS = 15_000_000

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)

# Elements whose text never belongs to what a reader sees.
INVISIBLE_TAGS = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "title", "meta", "link", "iframe"}
)
# Elements that start a new line of visible text.
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "dd", "details", "div", "dl",
        "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre", "section", "summary",
        "table", "td", "th", "tr", "ul",
    }
)  # fmt: skip
# Page regions that hold site chrome rather than the article.
CHROME_TAGS = frozenset({"nav", "footer", "aside"})


def sanitize(html: str) -> str:
    """Make a decoded page safe for lxml: no lone surrogates, control characters or XML prolog."""
    if not isinstance(html, str):
        raise ExtractionError(f"expected HTML as str, got {type(html).__name__}")
    if len(html) > MAX_HTML_CHARS:
        raise ExtractionError(f"page too large to extract ({len(html)} characters)")
    text = html.encode("utf-8", "replace").decode("utf-8", "replace")
    text = _CONTROL_CHARS.sub("", text)
    return _XML_DECLARATION.sub("", text, count=1)


def parse_html(html: str) -> BeautifulSoup:
    """Parse sanitised HTML with lxml; bs4's advisory warnings are not errors for a crawler."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return BeautifulSoup(html, "lxml", multi_valued_attributes=None)
    except Exception as exc:  # lxml/bs4 raise a variety of types on hostile input
        raise ExtractionError(f"unparsable HTML: {exc}") from exc


def class_words(tag: Tag) -> set[str]:
    """Lower-case words of an element's class, id and itemprop, split on - and _.

    ``post-meta-author`` yields {"post", "meta", "author"}: CMS themes name their parts this way,
    so a whole-word match is far less error-prone than a substring match ("authority").
    """
    names: list[str] = []
    for attr in ("class", "id", "itemprop"):
        value = tag.get(attr)
        if value is not None:
            names.extend(value if isinstance(value, list) else str(value).split())
    return set(_name_words(tuple(names))) if names else set()


@functools.lru_cache(maxsize=8192)
def _name_words(names: tuple[str, ...]) -> frozenset[str]:
    """The words of class/id names; cached: a theme repeats the same few names thousands of
    times per page (measured: a quarter of extraction time went here uncached)."""
    words: set[str] = set()
    for item in names:
        words.update(w for w in re.split(r"[-_\s]+", item.lower()) if w)
        # camelCase names such as "articleByline"
        words.update(w.lower() for w in re.findall(r"[A-Z]?[a-z]+", item) if w)
    return frozenset(words)


def rel_words(tag: Tag) -> set[str]:
    """Lower-case keywords of an element's ``rel`` ("category tag" -> {"category", "tag"})."""
    rel = tag.get("rel")
    items = rel if isinstance(rel, list) else str(rel or "").split()
    return {item.lower() for item in items}


def in_chrome(tag: PageElement, max_depth: int = 400) -> bool:
    """True for an element inside nav/footer/aside or a page-level header (not an article's).

    Only ``max_depth`` ancestors are looked at, so absurdly nested markup stays cheap.
    """
    in_header = False
    for depth, parent in enumerate(tag.parents):
        if depth >= max_depth:
            break
        name = parent.name
        if name in CHROME_TAGS:
            return True
        if name == "header":
            in_header = True
        elif name in ("article", "main"):
            return False  # a header inside the article is the article's own
    return in_header


def tag_text(tag: Tag, limit: int = 2000) -> str:
    """Visible text of an element with collapsed whitespace, cut at ``limit`` characters."""
    parts: list[str] = []
    size = 0
    for node in tag.descendants:
        if type(node) is NavigableString:
            if node.parent is not None and node.parent.name in INVISIBLE_TAGS:
                continue
            parts.append(str(node))
            size += len(node)
            if size > limit:
                break
    return " ".join(" ".join(parts).split())[:limit]


def _block_parent(node: NavigableString) -> int:
    """Identity of the nearest enclosing block element (or <br> boundary) of a text node."""
    for parent in node.parents:
        if parent.name in BLOCK_TAGS:
            return id(parent)
    return 0


def visible_lines(soup: BeautifulSoup) -> list[str]:
    """The page's visible text as a reader sees it: one line per block, chrome regions included."""
    lines: list[str] = []
    current: list[str] = []
    block = -1
    for node in _text_nodes(soup):
        if node is None:  # a <br>
            block = -1
            _flush(current, lines)
            continue
        owner = _block_parent(node)
        if owner != block:
            _flush(current, lines)
            block = owner
        current.append(str(node))
    _flush(current, lines)
    return lines


def _text_nodes(soup: BeautifulSoup) -> Iterator[NavigableString | None]:
    """Visible text nodes in document order; ``None`` marks a <br>."""
    for node in soup.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                yield None
            continue
        if type(node) is not NavigableString:  # comments, doctype, CDATA, script bodies
            continue
        if any(parent.name in INVISIBLE_TAGS for parent in node.parents):
            continue
        yield node


def _flush(current: list[str], lines: list[str]) -> None:
    text = " ".join(" ".join(current).split())
    if text:
        lines.append(text)
    current.clear()
