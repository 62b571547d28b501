"""The end tags a browser implies where a page leaves a ``<div>`` open inside a block.

HTML's parsing rules let ``</aside>``, ``</section>``, ``</ul>`` (and the other block end tags
in ``CLOSES_OPEN_CONTENT``) close every element still open inside their element, and a new
``<li>`` close the item before it. libxml2, which lxml and trafilatura parse with, ignores such
an end tag when a ``<div>`` inside is still open (a div outranks those elements in its rules),
so everything after it lands inside the sidebar, the header or the list item: an article after
a sidebar whose widget left a div open is read as sidebar, and dropped with it.

``close_open_content`` writes those implied end tags into the page before it is parsed again.
It follows the open elements libxml2 keeps (a ``<div/>`` is closed at once, tables are left to
libxml2, whose end tags close what their cells hold), so it adds only what a browser closes
and libxml2 would not.
"""

from __future__ import annotations

import re

# Block elements whose end tag closes what is open inside them ("in scope"), per the HTML
# standard; ``form`` and ``button`` follow other rules and are left out.
CLOSES_OPEN_CONTENT = frozenset(
    {
        "address", "article", "aside", "blockquote", "center", "details", "dialog", "dir", "dl",
        "fieldset", "figcaption", "figure", "footer", "header", "hgroup", "listing", "main",
        "menu", "nav", "ol", "pre", "search", "section", "summary", "ul",
    }
)  # fmt: skip
# Every end tag that closes the divs left open inside its element: those blocks' and </li>.
CLOSING_END_TAGS = CLOSES_OPEN_CONTENT | {"li"}
# An end tag does not reach out of these: what is open beyond them is out of its scope.
_SCOPE_BOUNDARIES = frozenset({"table", "template", "object", "applet", "marquee"})
_LIST_BOUNDARIES = _SCOPE_BOUNDARIES | {"ol", "ul"}
_TRACKED = CLOSES_OPEN_CONTENT | _SCOPE_BOUNDARIES | {"div", "li"}
# Elements whose content is text, not markup: a "</div>" inside a script is no end tag.
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes")
_RAW_TEXT_END = {
    name: re.compile(rb"</" + name.encode() + rb"[\s/>]", re.IGNORECASE) for name in _RAW_TEXT
}
_MARKUP = re.compile(
    rb"<!--.*?(?:-->|\Z)"  # a comment: no tags inside
    rb"|<(/?)([a-zA-Z][^\s/>]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>",
    re.DOTALL,
)


def close_open_content(data: bytes) -> bytes:
    """``data`` with the end tags a browser implies written in where libxml2 would ignore an
    end tag (or nest a list item) because a ``<div>`` is still open inside."""
    open_elements: list[str] = []
    pieces: list[bytes] = []
    copied = 0
    position = 0
    while (match := _MARKUP.search(data, position)) is not None:
        position = match.end()
        slash, raw_name, attributes = match.groups()
        if raw_name is None:  # a comment
            continue
        name = raw_name.lower().decode("ascii", "replace")
        implied: list[str] = []
        if slash:
            implied = _end_tag(open_elements, name)
        elif name in _RAW_TEXT_END:
            end = _RAW_TEXT_END[name].search(data, position)
            position = end.start() if end else len(data)
            continue
        elif attributes.endswith(b"/"):  # libxml2 closes <div/> at once
            continue
        elif name == "li":
            implied = _new_list_item(open_elements)
        elif name in _TRACKED:
            open_elements.append(name)
        if implied:
            pieces += [data[copied : match.start()], "".join(implied).encode()]
            copied = match.start()
    return b"".join([*pieces, data[copied:]]) if pieces else data


def _end_tag(open_elements: list[str], name: str) -> list[str]:
    """Take ``name``'s element off the stack; the end tags libxml2 needs first to close it as
    a browser does (none if it would close it itself)."""
    if name not in _TRACKED:
        return []
    boundaries = _LIST_BOUNDARIES if name == "li" else _SCOPE_BOUNDARIES
    for index in range(len(open_elements) - 1, -1, -1):
        current = open_elements[index]
        if current == name:
            inside = open_elements[index + 1 :]
            del open_elements[index:]
            needed = name in CLOSING_END_TAGS and "div" in inside
            return [f"</{tag}>" for tag in reversed(inside)] if needed else []
        if current in boundaries and name not in _SCOPE_BOUNDARIES:
            return []
    return []


def _new_list_item(open_elements: list[str]) -> list[str]:
    """A new ``<li>`` closes the open item before it, through divs (but not through a list or
    another block); libxml2 closes it only when it is the current element."""
    for index in range(len(open_elements) - 1, -1, -1):
        current = open_elements[index]
        if current == "li":
            inside = open_elements[index + 1 :]
            open_elements[index:] = ["li"]  # the new item, where the old one was
            return [f"</{tag}>" for tag in reversed(inside)] + ["</li>"] if inside else []
        if current not in ("div", "address"):
            break
    open_elements.append("li")
    return []
