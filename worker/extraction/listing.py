"""Recognising teasers: a heading that links to another page of the site plus a short blurb.

Section fronts, archives and search pages are made of them, and article pages carry a few in
"Check also"/"Related" boxes. trafilatura happily returns the blurbs as paragraphs, so the body
can look like an article. A body paragraph that sits inside a teaser (the largest element
around such a heading that holds no other teaser heading, starts with it or nearly, holds no
<h1> and stays short) is a teaser; when teasers outweigh the rest, the page is a listing, not
an article.
"""

from __future__ import annotations

from collections import Counter

from lxml.html import HtmlElement

from worker.extraction.body import Block
from worker.extraction.parsing import elements, link_elsewhere, tag_text
from worker.extraction.textkeys import loose_key
from worker.extraction.urls import host_label, same_page

# A teaser item is at most this long; an article's own container is far longer.
MAX_TEASER_CHARS = 700
# A body paragraph longer than this is never a blurb.
MAX_BLURB_CHARS = 450
# A listing has at least this many teasers in its extracted body.
MIN_LISTING_TEASERS = 3
_MAX_CLIMB = 8
# A teaser starts with its title, or with a date, a label or a picture's credit above it:
# at most this much text before the title (a short article with a related link below has more).
MAX_TEXT_ABOVE_TITLE = 150
# A heading of at most this many words can be a person's name
_MAX_NAME_WORDS = 3


def teaser_texts(root: HtmlElement, url: str, canonical: str | None) -> list[str]:
    """Normalised texts of the page's teaser items."""
    site = host_label(url)
    headings: list[tuple[HtmlElement, str]] = []
    for heading in elements(root, "h2", "h3", "h4", "h5"):
        target = link_elsewhere(heading, url)
        if target is None or (canonical and same_page(target, canonical)):
            continue
        if host_label(target) != site:
            continue  # product and source links go elsewhere; teasers stay on the site
        if len(tag_text(heading, MAX_TEASER_CHARS + 1)) > MAX_TEASER_CHARS:
            continue  # a heading left open (<h2>...</h3>) holds the article, not a teaser
        headings.append((heading, target))
    # A name that several headings link to is a person, not a story: forum posts and comments
    # head each entry with the poster's name, linked to the profile page. (A story teased in
    # two boxes is linked twice too, under a headline.) They still bound the other items.
    targets = Counter(target for _, target in headings)
    counts: dict[HtmlElement, int] = {}
    for heading, _ in headings:
        for depth, ancestor in enumerate(heading.iterancestors()):
            if depth >= _MAX_CLIMB * 4:
                break
            counts[ancestor] = counts.get(ancestor, 0) + 1
    texts = []
    for heading, target in headings:
        if targets[target] > 1 and len(tag_text(heading, 100).split()) <= _MAX_NAME_WORDS:
            continue
        item = heading
        for _ in range(_MAX_CLIMB):
            parent = item.getparent()
            if parent is None or parent.tag in ("body", "html"):
                break
            if counts.get(parent, 0) > 1:
                break
            if len(tag_text(parent, MAX_TEASER_CHARS + 1)) > MAX_TEASER_CHARS:
                break
            if (
                _text_before(item) > MAX_TEXT_ABOVE_TITLE
                or next(parent.iter("h1"), None) is not None
            ):
                break  # a short article, with a "related" box below or a linked kicker above
            item = parent
        texts.append(loose_key(tag_text(item, MAX_TEASER_CHARS + 1)))
    return texts


def _text_before(element: HtmlElement) -> int:
    """How much text comes before ``element`` inside its parent."""
    parent = element.getparent()
    size = len((parent.text or "").strip()) if parent is not None else 0
    for sibling in element.itersiblings(preceding=True):
        size += len(tag_text(sibling, MAX_TEXT_ABOVE_TITLE + 1)) + len((sibling.tail or "").strip())
        if size > MAX_TEXT_ABOVE_TITLE:
            break
    return size


def is_teaser(block: Block, teasers: list[str]) -> bool:
    """True when a body block is the blurb or headline of a teaser item."""
    if len(block.text) > MAX_BLURB_CHARS:
        return False
    key = loose_key(block.text)
    return len(key) >= 10 and any(key in teaser for teaser in teasers)


def split_teasers(blocks: list[Block], teasers: list[str]) -> tuple[list[Block], list[Block]]:
    """(article blocks, teaser blocks)."""
    if not teasers:
        return list(blocks), []
    own: list[Block] = []
    found: list[Block] = []
    for block in blocks:
        (found if is_teaser(block, teasers) else own).append(block)
    return own, found


def looks_like_listing(own: list[Block], teasers: list[Block]) -> bool:
    """Several teasers and less text of the page's own than teaser text."""
    blurbs = [block for block in teasers if block.kind != "head"]
    own_chars = sum(len(block.text) for block in own)
    teaser_chars = sum(len(block.text) for block in teasers)
    return len(blurbs) >= MIN_LISTING_TEASERS and teaser_chars > own_chars
