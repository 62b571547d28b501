"""Per-outlet extraction rules: CSS selectors an operator sets in ``config/sources.toml``.

Most outlets need none. For one whose template defeats the generic extractor, the operator
names the body, title, byline and date elements and the elements to drop. Selectors are
checked when the sources file is read (``worker.sources``: a typo fails the config, not every
page). A value a rule finds wins over every other source, with provenance ``rules``. A body
selector that matches nothing on a page (a redesign) falls back to the generic extraction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import cast

from cssselect import SelectorError
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from worker.extraction.body import Block
from worker.extraction.hints import Hints
from worker.extraction.parsing import NOT_PARAGRAPH_TEXT, element_lines, tag_text, visible_text

FIELDS = ("body", "title", "byline", "date")
# Elements whose text is one paragraph of a rule-selected body.
_PARAGRAPH_TAGS = {
    "p": "p", "h1": "head", "h2": "head", "h3": "head", "h4": "head", "h5": "head",
    "h6": "head", "li": "item", "blockquote": "quote", "pre": "code",
}  # fmt: skip
_MAX_DEPTH = 60
_BLOCK_TAGS = (*_PARAGRAPH_TAGS, "div", "table", "td")


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


def compile_selector(selector: str) -> CSSSelector:
    """The compiled selector; ``ValueError`` (cssselect's ``SelectorError``) when it is not
    valid CSS that lxml can run. Cached: an outlet's few selectors run on every page."""
    return _compiled(selector.strip())


@functools.lru_cache(maxsize=256)
def _compiled(selector: str) -> CSSSelector:
    try:
        return CSSSelector(selector, translator="html")
    except SelectorError as exc:
        raise ValueError(f"invalid CSS selector {selector!r}: {exc}") from exc


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """The elements ``selector`` matches, in document order."""
    return cast(list[HtmlElement], compile_selector(selector)(root))


def drop_elements(root: HtmlElement, rules: Rules) -> int:
    """Remove the elements the ``drop`` selectors match (their tails stay); how many went."""
    removed = 0
    for selector in rules.drop:
        for element in select(root, selector):
            if element.getparent() is None:
                continue  # the root: nothing to drop it from
            element.drop_tree()
            removed += 1
    return removed


def collect(root: HtmlElement, rules: Rules) -> Hints:
    """Title, byline and date found by the outlet's selectors."""
    hints = Hints()
    if rules.title and (found := select(root, rules.title)):
        hints.add("title", tag_text(found[0]), "rules")
    if rules.byline:
        for element in select(root, rules.byline)[:10]:
            hints.add("authors", tag_text(element), "rules")
    if rules.date and (found := select(root, rules.date)):
        for attribute in ("datetime", "content"):
            hints.add("published", found[0].get(attribute), "rules")
        hints.add("published", tag_text(found[0]), "rules")
    return hints


def body_blocks(root: HtmlElement, rules: Rules) -> list[Block]:
    """The paragraphs of the elements the body selector matches; empty when none match."""
    if not rules.body:
        return []
    blocks: list[Block] = []
    for element in select(root, rules.body):
        blocks.extend(_blocks(element, 0))
    return blocks


def _blocks(element: HtmlElement, depth: int) -> Iterator[Block]:
    """Paragraph elements as blocks; loose text split at <br> (table layouts do that)."""
    loose: list[str] = [element.text or ""]
    for child in element:
        name = child.tag
        if not isinstance(name, str):
            pass
        elif name == "br":
            yield from _loose(loose)
        elif name in NOT_PARAGRAPH_TEXT:
            pass
        elif name in _PARAGRAPH_TAGS:
            yield from _loose(loose)
            kind = _PARAGRAPH_TAGS[name]
            for line in element_lines(child):
                yield Block(line, kind)
        elif _has_blocks(child) and depth < _MAX_DEPTH:
            yield from _loose(loose)
            yield from _blocks(child, depth + 1)
        else:
            loose.append(visible_text(child))
        loose.append(child.tail or "")
    yield from _loose(loose)


def _has_blocks(element: HtmlElement) -> bool:
    """A paragraph, a line break or a box below the element (itself not counted)."""
    return any(node is not element for node in element.iter("br", *_BLOCK_TAGS))


def _loose(parts: list[str]) -> Iterator[Block]:
    text = " ".join("".join(parts).split())  # inline elements sit between their own spaces
    parts.clear()
    if text:
        yield Block(text)
