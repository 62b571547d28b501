"""Subheadings and lists that trafilatura left out between the paragraphs it kept.

Where trafilatura finds no container it knows (no <article>, no "entry-content"), it gathers
the page's loose paragraphs, and only <p> elements: a page made with a page builder (Oxygen's
<span class="ct-span"> around the text) loses its subheadings and lists, and reads "... wie:"
with nothing after it. Between two kept paragraphs of one parent element, the headings that
introduce text and the lists that are not menus of links are put back where they stand.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from worker.extraction.body import Block
from worker.extraction.parsing import NOT_PARAGRAPH_TEXT, SUBHEADINGS, element_lines, tag_text

_LISTS = frozenset({"ul", "ol"})
# A list item's text without the list nested in it: that list's items follow as their own.
_ITEM_SKIP = NOT_PARAGRAPH_TEXT | _LISTS
# A heading or list whose text is more than this share of links is navigation.
_MAX_LINK_SHARE = 0.5
_MAX_TEXT = 5000
_MAX_CAPTION = 200


def restore_structure(root: HtmlElement, blocks: list[Block]) -> list[Block]:
    """``blocks`` with the headings and lists between its paragraphs put back, when it holds
    paragraphs only; ``blocks`` itself when there is nothing to put back."""
    if len(blocks) < 2 or any(block.kind in ("head", "item") for block in blocks):
        return blocks
    kept = _kept_paragraphs(root, {block.text for block in blocks if block.kind == "p"})
    siblings: dict[HtmlElement, list[HtmlElement]] = {}
    for paragraph in kept:
        if (parent := paragraph.getparent()) is not None:
            siblings.setdefault(parent, []).append(paragraph)
    after: dict[str, list[Block]] = {}
    for parent, paragraphs in siblings.items():
        if len(paragraphs) > 1:
            _put_back_between(parent, paragraphs, kept, after)
    texts = {block.text for block in blocks}
    if not after or any(block.text in texts for added in after.values() for block in added):
        return blocks  # trafilatura read these lines elsewhere: a second copy of the text
    restored: list[Block] = []
    for block in blocks:
        restored.append(block)
        restored.extend(after.pop(block.text, []))
    return restored


def _kept_paragraphs(root: HtmlElement, texts: set[str]) -> dict[HtmlElement, str]:
    """The page's <p> elements whose last line is a kept paragraph, with that line."""
    kept: dict[HtmlElement, str] = {}
    for paragraph in root.iter("p"):
        lines = element_lines(paragraph)
        if lines and lines[-1] in texts:
            kept[paragraph] = lines[-1]
    return kept


def _put_back_between(
    parent: HtmlElement,
    paragraphs: list[HtmlElement],
    kept: dict[HtmlElement, str],
    after: dict[str, list[Block]],
) -> None:
    """Record in ``after``, under the kept paragraph each follows, the headings and lists
    between the first and the last of ``paragraphs`` (children of ``parent``). A heading is
    put back only if text follows it (a picture between them aside): one over a gallery or a
    form labels that."""
    children = list(parent)
    start, end = children.index(paragraphs[0]), children.index(paragraphs[-1])
    anchor = kept[paragraphs[0]]
    headings: list[Block] = []
    for child in children[start + 1 : end + 1]:
        if child in kept:
            after.setdefault(anchor, []).extend(headings)
            headings, anchor = [], kept[child]
        elif child.tag in SUBHEADINGS and not _mostly_links(child):
            headings.extend(Block(line, "head") for line in element_lines(child))
        elif child.tag in _LISTS and not _mostly_links(child) and not _holds_kept(child, kept):
            items = [
                Block(line, "item")
                for item in child.iter("li")
                for line in element_lines(item, _ITEM_SKIP)
            ]
            after.setdefault(anchor, []).extend(headings + items)
            headings = []
        elif tag_text(child, 1) and not _picture(child):
            headings = []


def _picture(element: HtmlElement) -> bool:
    """An image and its caption ("Bild: shutterstock"), which may stand between a heading and
    its text."""
    has_image = next(element.iter("img", "picture"), None) is not None
    return has_image and len(tag_text(element, _MAX_CAPTION + 1)) <= _MAX_CAPTION


def _holds_kept(element: HtmlElement, kept: dict[HtmlElement, str]) -> bool:
    """Whether trafilatura kept paragraphs of this list already (<li><p>...</p></li>)."""
    return any(paragraph in kept for paragraph in element.iter("p"))


def _mostly_links(element: HtmlElement) -> bool:
    """A menu, or a list of other stories: more of its text in links than _MAX_LINK_SHARE."""
    total = len(tag_text(element, _MAX_TEXT))
    linked = sum(len(tag_text(link, _MAX_TEXT)) for link in element.iter("a"))
    return linked > _MAX_LINK_SHARE * total
