"""Per-outlet extraction rules: CSS selectors an operator sets in ``config/sources.toml``.

Most outlets need none. For one whose template defeats the generic extractor, the operator
names the body, title, byline and date elements and the elements to drop. Selectors are
checked when the sources file is read (``worker.sources``: a typo fails the config, not every
page). A value a rule finds wins over every other source, with provenance ``rules``. A body
selector that matches nothing on a page (a redesign) falls back to the generic extraction.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from worker.extraction.body import Block
from worker.extraction.hints import Hints
from worker.extraction.parsing import INVISIBLE_TAGS, tag_text

FIELDS = ("body", "title", "byline", "date")
# Elements whose text is one paragraph of a rule-selected body.
_PARAGRAPH_TAGS = {
    "p": "p", "h1": "head", "h2": "head", "h3": "head", "h4": "head", "h5": "head",
    "h6": "head", "li": "item", "blockquote": "quote", "pre": "code",
}  # fmt: skip
_SKIP_TAGS = INVISIBLE_TAGS | {"figure", "figcaption", "button", "form", "nav", "aside"}
_MAX_DEPTH = 60


@dataclass(frozen=True)
class Rules:
    """CSS selectors for one outlet; None means "no rule for this field"."""

    body: str | None = None
    title: str | None = None
    byline: str | None = None
    date: str | None = None
    drop: tuple[str, ...] = ()

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object] | None) -> Rules | None:
        """Rules as stored in ``outlets.extraction_rules`` (or None when there are none)."""
        if not raw:
            return None
        values = {name: raw.get(name) for name in FIELDS}
        drop = raw.get("drop") or ()
        return cls(
            **{name: value for name, value in values.items() if isinstance(value, str)},
            drop=tuple(str(item) for item in drop) if isinstance(drop, list | tuple) else (),
        )


def drop_elements(soup: BeautifulSoup, rules: Rules) -> int:
    """Remove the elements the ``drop`` selectors match; how many went."""
    removed = 0
    for selector in rules.drop:
        for element in soup.select(selector):
            element.decompose()
            removed += 1
    return removed


def collect(soup: BeautifulSoup, rules: Rules) -> Hints:
    """Title, byline and date found by the outlet's selectors."""
    hints = Hints()
    if rules.title and (element := soup.select_one(rules.title)):
        hints.add("title", tag_text(element), "rules")
    if rules.byline:
        for element in soup.select(rules.byline)[:10]:
            hints.add("authors", tag_text(element), "rules")
    if rules.date and (element := soup.select_one(rules.date)):
        for attribute in ("datetime", "content"):
            hints.add("published", element.get(attribute), "rules")
        hints.add("published", tag_text(element), "rules")
    return hints


def body_blocks(soup: BeautifulSoup, rules: Rules) -> list[Block]:
    """The paragraphs of the elements the body selector matches; empty when none match."""
    if not rules.body:
        return []
    blocks: list[Block] = []
    for element in soup.select(rules.body):
        blocks.extend(_blocks(element, 0))
    return blocks


def _blocks(element: Tag, depth: int) -> Iterator[Block]:
    """Paragraph elements as blocks; loose text split at <br> (table layouts do that)."""
    loose: list[str] = []
    for child in element.children:
        if isinstance(child, Tag):
            if child.name == "br":
                yield from _loose(loose)
            elif child.name in _SKIP_TAGS:
                continue
            elif child.name in _PARAGRAPH_TAGS:
                yield from _loose(loose)
                kind = _PARAGRAPH_TAGS[child.name]
                for line in _lines(child):
                    yield Block(line, kind)
            elif _has_blocks(child) and depth < _MAX_DEPTH:
                yield from _loose(loose)
                yield from _blocks(child, depth + 1)
            else:
                loose.append(child.get_text())
        elif type(child) is NavigableString:
            loose.append(str(child))
    yield from _loose(loose)


def _has_blocks(element: Tag) -> bool:
    return element.find(["br", *_PARAGRAPH_TAGS, "div", "table", "td"]) is not None


def _lines(element: Tag) -> list[str]:
    """Text of a paragraph element, one line per <br>-separated part."""
    parts: list[str] = []
    for node in element.descendants:
        if isinstance(node, Tag) and node.name == "br":
            parts.append("\n")
        elif type(node) is NavigableString and not _hidden(node, element):
            parts.append(str(node))
    return [" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip()]


def _hidden(node: NavigableString, within: Tag) -> bool:
    """A text node inside a skipped element (a caption, a button) below ``within``."""
    for parent in node.parents:
        if parent is within:
            return False
        if parent.name in _SKIP_TAGS:
            return True
    return False


def _loose(parts: list[str]) -> Iterator[Block]:
    text = " ".join("".join(parts).split())  # inline elements sit between their own spaces
    parts.clear()
    if text:
        yield Block(text)
