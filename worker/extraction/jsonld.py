"""Article metadata from schema.org JSON-LD blocks.

Publishers fill JSON-LD for search engines, so it is the most deliberate statement of headline,
authors and dates a page makes. CMS output varies a lot: a single object, a list, an ``@graph``
whose nodes point at each other by ``@id`` (Yoast), types given as lists or full IRIs. This
module flattens all of that and reads the one node that describes the article.
"""

from __future__ import annotations

import json
import math
import re
from collections import deque
from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag

from lxml.html import HtmlElement

from worker.extraction.authors import MAX_AUTHORS
from worker.extraction.hints import Hints
from worker.extraction.parsing import all_text, elements
from worker.extraction.paywall import declared_free
from worker.extraction.plaintext import as_read, decoded
from worker.extraction.textkeys import loose_key
from worker.extraction.urls import same_page

ARTICLE_TYPES = frozenset(
    {
        "article", "newsarticle", "reportagenewsarticle", "analysisnewsarticle",
        "opinionnewsarticle", "backgroundnewsarticle", "reviewnewsarticle",
        "askpublicnewsarticle", "satiricalarticle", "blogposting", "liveblogposting",
        "socialmediaposting", "techarticle", "scholarlyarticle", "report", "posting",
    }
)  # fmt: skip
# Page types whose dates and language describe the article when no article node exists.
PAGE_TYPES = frozenset({"webpage", "itempage"})
PERSON_TYPES = frozenset({"person"})

_MAX_SCRIPT_CHARS = 2_000_000
_MAX_NODES = 5_000
_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_WRAPPERS = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


def load_blocks(root: HtmlElement) -> list[Any]:
    """Every JSON value found in ``application/ld+json`` scripts; broken ones are skipped."""
    blocks: list[Any] = []
    for script in elements(root, "script"):
        if "ld+json" not in (script.get("type") or "").lower():
            continue
        text = all_text(script)
        if not text or len(text) > _MAX_SCRIPT_CHARS:
            continue
        blocks.extend(_decode(text))
    return blocks


def _decode(text: str) -> list[Any]:
    """Parse leniently: HTML comment/CDATA wrappers, trailing commas, concatenated objects."""
    text = _WRAPPERS.sub("", text.strip())
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        values: list[Any] = []
        decoder = json.JSONDecoder(strict=False)
        position = 0
        try:
            while position < len(candidate):
                value, position = decoder.raw_decode(candidate, position)
                values.append(value)
                while position < len(candidate) and candidate[position] in " \t\r\n;,":
                    position += 1
        except (ValueError, RecursionError):
            if values:
                return values
            continue
        return values
    return []


def _nodes(blocks: list[Any]) -> Iterator[tuple[dict[str, Any], int]]:
    """Every object in the blocks with its nesting depth, breadth-first, bounded in number."""
    queue: deque[tuple[Any, int]] = deque((block, 0) for block in blocks)
    seen = 0
    while queue and seen < _MAX_NODES:
        value, depth = queue.popleft()
        if isinstance(value, list):
            queue.extend((item, depth) for item in value)
        elif isinstance(value, dict):
            seen += 1
            yield value, depth
            for key, item in value.items():
                if isinstance(item, dict | list):
                    queue.append((item, depth if key == "@graph" else depth + 1))


def types_of(node: dict[str, Any]) -> set[str]:
    """Lower-case schema.org type names, whether given as "NewsArticle", a list or an IRI."""
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {re.split(r"[/:#]", v)[-1].lower() for v in values if isinstance(v, str) and v}


class _Graph:
    """All nodes of a page's JSON-LD with ``@id`` references resolvable."""

    def __init__(self, blocks: list[Any]) -> None:
        self.nodes = list(_nodes(blocks))
        self.by_id: dict[str, dict[str, Any]] = {}
        for node, _ in self.nodes:
            key = node.get("@id")
            if isinstance(key, str) and len(node) > len(self.by_id.get(key, {})):
                self.by_id[key] = node

    def resolve(self, value: Any) -> Any:
        """Follow a ``{"@id": ...}`` reference to the full node when the page defines it."""
        if isinstance(value, dict):
            key = value.get("@id")
            if isinstance(key, str) and key in self.by_id:
                return self.by_id[key]
        return value

    def first(self, wanted: frozenset[str], url: str) -> dict[str, Any] | None:
        """The node of a wanted type that describes this page: same URL first, then shallowest."""
        found = [(node, depth) for node, depth in self.nodes if types_of(node) & wanted]
        if not found:
            return None
        for node, _ in found:
            if any(same_page(link, url) for link in self._links(node)):
                return node
        return min(found, key=lambda item: item[1])[0]

    def _links(self, node: dict[str, Any]) -> Iterator[str]:
        for key in ("url", "mainEntityOfPage"):
            value = self.resolve(node.get(key))
            if isinstance(value, str):
                yield value
            elif isinstance(value, dict):
                for inner in (value.get("url"), value.get("@id")):
                    if isinstance(inner, str):
                        yield inner


def collect(root: HtmlElement, url: str) -> Hints:
    """Candidates from JSON-LD: the article node, then its page node, site and breadcrumbs."""
    hints = Hints()
    graph = _Graph(load_blocks(root))
    article = graph.first(ARTICLE_TYPES, url)
    page = graph.first(PAGE_TYPES, url)
    site = graph.first(frozenset({"website"}), url)
    publisher = _name(graph, article.get("publisher")) if article else None
    if site is not None:
        hints.add("site_name", _name(graph, site), "json-ld")
    hints.add("site_name", publisher, "json-ld")
    if article is not None:
        hints.add("type", "article", "json-ld")
    for node in (article, page if article is None else None):
        if node is not None:
            _read_article(graph, node, publisher, hints)
    if article is not None and page is not None:
        # Yoast and others put language and the canonical URL on the page node only.
        hints.add("language", _language(graph, page.get("inLanguage")), "json-ld")
        hints.add("canonical", _url(graph, page.get("url")), "json-ld")
        _read_access(graph, page, hints)  # some declare the paywall on the page only
    for crumb in _breadcrumb_section(graph, article, url):
        hints.add("section", crumb, "json-ld")
    for question, answer in _faq(graph):
        hints.add("faq", f"{question}\n{answer}", "json-ld", keep_lines=True)
    return hints


def _faq(graph: _Graph) -> Iterator[tuple[str, str]]:
    """The questions of the page's ``FAQPage`` nodes with the opening of their accepted answers
    (whitespace collapsed), in order; not a ``QAPage``'s, whose question is the headline."""
    for node, _ in graph.nodes:
        if "faqpage" not in types_of(node):
            continue
        entities = graph.resolve(node.get("mainEntity"))
        for entity in entities if isinstance(entities, list) else [entities]:
            question = graph.resolve(entity)
            if not isinstance(question, dict):
                continue
            answer = graph.resolve(question.get("acceptedAnswer"))
            if isinstance(answer, list):
                answer = graph.resolve(answer[0]) if answer else None
            name = _text(question.get("name"))
            text = _text(answer.get("text")) if isinstance(answer, dict) else None
            if name and text:
                yield " ".join(name.split()), " ".join(text.split())[:_FAQ_ANSWER_CHARS]


# Enough of an answer to find the paragraph it opens.
_FAQ_ANSWER_CHARS = 200


def _read_article(graph: _Graph, node: dict[str, Any], publisher: str | None, hints: Hints) -> None:
    hints.add("title", _text(node.get("headline")), "json-ld")
    if "headline" not in node:
        hints.add("title", _text(node.get("name")), "json-ld")
    for name, is_org in _authors(graph, node.get("author")):
        if is_org and publisher and _same_name(name, publisher):
            # The outlet named as author is not a byline; keep it only as a last resort.
            hints.add("outlet_author", name, "json-ld")
        else:
            hints.add("authors", name, "json-ld")
    for key in ("datePublished", "dateCreated", "uploadDate"):
        hints.add("published", _text(node.get(key)), "json-ld")
    hints.add("updated", _text(node.get("dateModified")), "json-ld")
    for section in _sections(node.get("articleSection")):
        hints.add("section", section, "json-ld")
    if description := _text(node.get("description")):  # rich text, escaped into it at times
        hints.add("description", as_read(description), "json-ld")
    for key in ("image", "thumbnailUrl"):
        hints.add("image", _url(graph, node.get(key)), "json-ld")
    hints.add("language", _language(graph, node.get("inLanguage")), "json-ld")
    for key in ("url", "mainEntityOfPage"):
        hints.add("canonical", _url(graph, node.get(key)), "json-ld")
    hints.add("article_body", _text(node.get("articleBody")), "json-ld", keep_lines=True)
    keywords = node.get("keywords")
    for value in keywords if isinstance(keywords, list) else [keywords]:
        hints.add("tags", _text(value), "json-ld")
    _read_access(graph, node, hints)


def _read_access(graph: _Graph, node: dict[str, Any], hints: Hints) -> None:
    """The node's ``isAccessibleForFree``, and a paid ``hasPart`` section: the article is
    paywalled."""
    hints.add("free", _flag(node.get("isAccessibleForFree")), "json-ld")
    parts = node.get("hasPart")
    for part in parts if isinstance(parts, list) else [parts]:
        part = graph.resolve(part)
        if (
            isinstance(part, dict)
            and declared_free(_flag(part.get("isAccessibleForFree"))) is False
        ):
            hints.add("free", "false", "json-ld")


def _flag(value: Any) -> str | None:
    """A schema.org boolean, given as true/false or as a string such as "False"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _text(value)


def _text(value: Any) -> str | None:
    """A string value; CMSs sometimes leave entities and tags in JSON-LD, so both are undone
    (entities escaped twice too: "enth&amp;uuml;llen")."""
    if isinstance(value, list) and value:
        value = value[0]
    if isinstance(value, str):
        return decoded(_TAG.sub(" ", value)) if "<" in value or "&" in value else value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # JSON's NaN and Infinity, which Python's parser takes, name nothing (an int of any
        # size is finite, and math.isfinite() cannot take one beyond a float)
        return None if isinstance(value, float) and not math.isfinite(value) else str(value)
    return None


def _order(position: Any, default: int) -> float:
    """A breadcrumb's stated position, unless it is no usable number (10**400, NaN)."""
    if isinstance(position, int | float) and not isinstance(position, bool):
        try:
            order = float(position)
        except OverflowError:
            return float(default)
        if math.isfinite(order):
            return order
    return float(default)


def _name(graph: _Graph, value: Any) -> str | None:
    value = graph.resolve(value)
    if isinstance(value, list):
        value = graph.resolve(value[0]) if value else None
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, dict):
        name = _text(value.get("name"))
        if name:
            return name
        parts = [_text(value.get(key)) for key in ("givenName", "familyName")]
        joined = " ".join(part for part in parts if part)
        return joined or None
    return None


def _authors(graph: _Graph, value: Any) -> Iterator[tuple[str, bool]]:
    """Author names with a flag telling organisations from people."""
    values = value if isinstance(value, list) else [value]
    for item in values[:MAX_AUTHORS]:
        item = graph.resolve(item)
        name = _name(graph, item)
        if not name:
            continue
        is_org = isinstance(item, dict) and not (types_of(item) & PERSON_TYPES)
        if isinstance(item, dict) and not is_org and " " not in name:
            name = _full_name_in_bio(name, _text(item.get("description"))) or name
        yield name, is_org and bool(types_of(item))


def _full_name_in_bio(name: str, bio: str | None) -> str | None:
    """The full name a person's biography opens with when the CMS shows a first name or a
    user name alone: Yoast's "Stefanus" with the description "Stefanus Stahl - Maschinenbauer,
    Abenteurer ...". The surname must end at a separator or a verb of being, so that the
    start of a sentence ("Stefanus Reviews bikes") is not read as one."""
    if not bio:
        return None
    match = _BIO_NAME.match(bio)
    if match is None or match["first"].casefold() != name.casefold():
        return None
    return f"{match['first']} {match['rest']}"


_BIO_NAME = re.compile(
    r"(?P<first>[^\W\d_][\w.-]*)\s+(?P<rest>[A-ZÀ-Ý][^\W\d_'’-]*(?:[-'’][^\W\d_]+)?"
    r"(?:\s+[A-ZÀ-Ý][^\W\d_'’-]*(?:[-'’][^\W\d_]+)?)?)"
    r"\s*(?:[-–—,|(:]|\b(?:is|was|ist|war|est)\b)"
)


def _url(graph: _Graph, value: Any) -> str | None:
    """A URL from a string, an ImageObject/WebPage node or a list of them."""
    for _ in range(3):  # follow at most a few references
        value = graph.resolve(value)
        if isinstance(value, list):
            value = value[0] if value else None
        elif isinstance(value, dict):
            inner = value.get("url") or value.get("contentUrl")
            if inner is None:
                key = value.get("@id")
                return urldefrag(key)[0] if isinstance(key, str) else None
            value = inner
        else:
            break
    return value if isinstance(value, str) else None


def _language(graph: _Graph, value: Any) -> str | None:
    value = graph.resolve(value)
    if isinstance(value, dict):
        return _text(value.get("alternateName")) or _text(value.get("name"))
    return _text(value)


def _sections(value: Any) -> list[str]:
    """The sections an ``articleSection`` names, in its order: a list, or a string that joins
    one with commas ("Articles,Highlight,Legal,National", "Region, News, Wirtschaft": plugins
    that serialise a post's categories so), each a section of its own as a list's items are.
    A name with a comma of its own ("Arts, Culture") is cut too: rarer than the joined list."""
    items = value if isinstance(value, list) else [value]
    texts = [text for item in items if (text := _text(item))]
    return [part.strip() for text in texts for part in text.split(",") if part.strip()]


def _breadcrumb_section(graph: _Graph, article: dict[str, Any] | None, url: str) -> list[str]:
    """The breadcrumb level above the article itself ("Home > World > Headline" -> "World")."""
    trail = next((n for n, _ in graph.nodes if "breadcrumblist" in types_of(n)), None)
    if trail is None:
        return []
    items = trail.get("itemListElement")
    if not isinstance(items, list):
        return []
    crumbs: list[tuple[float, str, str]] = []
    for item in items:
        if not isinstance(item, dict):
            continue
        target = graph.resolve(item.get("item"))
        name = _text(item.get("name")) or _name(graph, target)
        link = target if isinstance(target, str) else _url(graph, target) or ""
        position = item.get("position")
        order = _order(position, len(crumbs))
        if name:
            crumbs.append((order, " ".join(name.split()), link))
    crumbs.sort(key=lambda crumb: crumb[0])
    headline = _text(article.get("headline")) if article else None
    kept = [
        name
        for _, name, link in crumbs
        if not (link and same_page(link, url))
        and not (headline and _same_name(name, headline))
        and name.casefold() not in {"home", "start", "startseite", "accueil", "inicio"}
    ]
    return kept[-1:]


def _same_name(a: str, b: str) -> bool:
    return loose_key(a) == loose_key(b)
