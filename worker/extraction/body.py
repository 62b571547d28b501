"""The article body from trafilatura, as a list of text blocks that keep their kind.

trafilatura finds the main content well but returns it as an XML tree (p, head, list/item,
quote, table/row/cell, code, lb). Blocks keep that kind so the clean-up can treat a heading or a
list item differently from a paragraph; a <br> inside a paragraph starts a new block, because
CMSs such as the Korea Herald's separate paragraphs with <br><br> only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement

from worker.errors import ExtractionError
from worker.extraction.parsing import elements, named_elements, tag_text

# Measured on zyte-dev (plain trafilatura, zyte F1): precision mode with tables 0.975, the
# default mode 0.962, precision without tables 0.968. The caller retries in balanced mode
# (``favor_precision=False``) when precision mode keeps too little.
TRAFILATURA_OPTIONS: dict[str, Any] = {
    "favor_precision": True,
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "with_metadata": False,
    "deduplicate": False,
    # Not "python": that format also renders the body as text, which is thrown away here (we
    # read the body tree); 0.14 ms a call.
    "output_format": "txt",
}
_MAX_DEPTH = 40
# An element named like an image box that holds an image and little text is the image and its
# caption ("<div class=image-zone><img><p class=desc>Cherry trees ... (Yonhap)</p></div>"):
# trafilatura drops <figure>/<figcaption> but keeps such a <p> as body text. Those texts are
# removed from trafilatura's output; removing the boxes from its input instead changes which
# container it picks (zyte-dev F1 0.9837 -> 0.9806, one page losing half its text).
_IMAGE_BOX_WORDS = frozenset(
    {"image", "images", "img", "photo", "photos", "figure", "picture", "pic", "thumb", "gallery"}
)
_IMAGE_BOX_MAX_TEXT = 300
_IMAGE_BOX_TAGS = frozenset({"div", "span", "section", "aside", "p", "a"})
# trafilatura's block elements that are never inline (a <quote> or <code> may be)
_BLOCK_TAGS = frozenset({"p", "head", "list", "item", "table", "row", "cell"})


@dataclass(frozen=True)
class Block:
    """One paragraph-level piece of text: kind is p, head, item, quote, row or code."""

    text: str
    kind: str = "p"


def extract_blocks(
    html: str | HtmlElement,
    url: str,
    captions: frozenset[str] | set[str] = frozenset(),
    **options: Any,
) -> list[Block]:
    """Main-content blocks of a page, without ``captions``; empty when trafilatura finds none."""
    settings = {**TRAFILATURA_OPTIONS, **options}
    try:
        document = trafilatura.bare_extraction(html, url=url or None, **settings)
    except RecursionError as exc:
        raise ExtractionError("markup too deeply nested to extract") from exc
    except Exception as exc:  # third-party internals: any failure means unparsable input
        raise ExtractionError(f"body extraction failed: {exc!r}") from exc
    body = getattr(document, "body", None)
    if body is None:
        return []
    blocks: list[Block] = []
    _add(blocks, body.text or "", "p")
    for child in body:
        _collect(child, blocks, 0)
        _add(blocks, child.tail or "", "p")  # loose text between blocks is content too
    return [block for block in blocks if _normal(block.text) not in captions]


def image_box_texts(
    root: HtmlElement, names: dict[HtmlElement, frozenset[str]] | None = None
) -> set[str]:
    """Normalised texts found inside image boxes (see _IMAGE_BOX_WORDS): captions, credits.
    ``names``: the page's ``named_elements``, if already worked out."""
    texts: set[str] = set()
    for element, words in (named_elements(root) if names is None else names).items():
        if element.tag not in _IMAGE_BOX_TAGS or not _IMAGE_BOX_WORDS & words:
            continue
        if not any(True for _ in element.iter("img")):
            continue
        if len(tag_text(element, _IMAGE_BOX_MAX_TEXT + 1)) > _IMAGE_BOX_MAX_TEXT:
            continue
        texts.update(tag_text(part) for part in elements(element))
    texts.discard("")
    return texts


def _normal(text: str) -> str:
    return " ".join(text.split())


def _collect(element: Any, blocks: list[Block], depth: int) -> None:
    tag = element.tag
    if not isinstance(tag, str) or tag in ("graphic", "lb"):
        return
    if depth > _MAX_DEPTH:
        _add(blocks, _text(element, depth=_MAX_DEPTH), "p")
    elif tag == "list":
        for item in element:
            if item.tag == "item":
                _add(blocks, _text(item, skip=("list",)), "item")
                for nested in item:
                    if nested.tag == "list":
                        _collect(nested, blocks, depth + 1)
    elif tag == "table":
        for row in element.iter("row"):
            cells = [" ".join(_text(cell).split()) for cell in row if cell.tag == "cell"]
            _add(blocks, " | ".join(cell for cell in cells if cell), "row")
    elif tag == "quote" and any(child.tag in ("p", "list", "quote", "head") for child in element):
        _add(blocks, element.text or "", "quote")
        for child in element:
            _collect(child, blocks, depth + 1)
            _add(blocks, child.tail or "", "quote")
    elif tag == "code":
        code = re.sub(r"\n\s*\n+", "\n", _text(element)).strip("\n")
        if code.strip():
            blocks.append(Block(code, "code"))
    else:
        kind = tag if tag in ("p", "head", "quote") else "p"
        _add(blocks, _text(element), kind)


def _add(blocks: list[Block], text: str, kind: str) -> None:
    """Append one block per line of ``text`` (a <br> became a line break)."""
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line:
            blocks.append(Block(line, kind))


def _text(element: Any, skip: tuple[str, ...] = (), depth: int = 0) -> str:
    """Text of an element with <lb/> as a newline, leaving out child elements in ``skip``."""
    if depth >= _MAX_DEPTH:
        return " ".join(element.itertext())
    parts = [element.text or ""]
    for child in element:
        if child.tag == "lb":
            parts.append("\n")
        elif child.tag not in skip:
            inner = _text(child, skip, depth + 1)
            # a block inside a block (a <p> in a table cell) is a line of its own
            parts.append(f"\n{inner}\n" if child.tag in _BLOCK_TAGS else inner)
        parts.append(child.tail or "")
    return "".join(parts)


def join(blocks: list[Block]) -> str:
    """The body as plain text: blocks separated by exactly one blank line."""
    return "\n\n".join(block.text for block in blocks)
