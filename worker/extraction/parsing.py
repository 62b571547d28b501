"""Turning untrusted page text into one lxml tree, and small DOM helpers shared by the
collectors.

Fetched pages are arbitrary bytes decoded as ``str``: they may hold NUL bytes, lone surrogates
or an XML declaration. This module is the one boundary where those are neutralised and where
parser failures become ``ExtractionError``.

The page is parsed once, the way trafilatura parses it (``trafilatura.load_html``: comments
and processing instructions dropped), and every collector and trafilatura read that one tree.
A page that leaves a div open where a browser's end tag would close it is parsed again with
the end tags written in (``nesting``).
Measured on ../shared/corpus: parsing through BeautifulSoup and walking its tree took over half
of the extraction time; the tree, lxml's, is the same libxml2 parse without the Python copy.
"""

from __future__ import annotations

import copy
import functools
import re
import threading
from collections import Counter
from collections.abc import Collection, Container, Iterator
from typing import cast

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from worker.errors import ExtractionError
from worker.extraction.nesting import CLOSING_END_TAGS, close_open_content
from worker.extraction.urls import absolute, same_page
from worker.storable import C1_AS_CP1252

# Larger inputs are not news articles; parsing them would only burn time and memory.
MAX_HTML_CHARS = 15_000_000

_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
# A C1 control (U+0080-U+009F) in UTF-8: the lead byte 0xC2 and a byte 0x80-0x9F
_C1_CONTROL = re.compile(rb"\xc2[\x80-\x9f]")
_C1_MEANING = {c1.encode(): meant.encode() for c1, meant in C1_AS_CP1252.items()}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*>", re.IGNORECASE)
_NONCHARACTERS = ("\ufffe".encode(), "\uffff".encode())
_NUMERIC_REFERENCE = re.compile(rb"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});?")
# trafilatura's repairs (its DOCTYPE_TAG and FAULTY_HTML), on bytes
_FAULTY_DOCTYPE = re.compile(rb"^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_SELF_CLOSED_HTML = re.compile(rb"(<html.*?)\s*/>", re.IGNORECASE)

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
# Elements inside a paragraph whose text is not the paragraph's: captions, buttons, menus.
NOT_PARAGRAPH_TEXT = INVISIBLE_TAGS | {"figure", "figcaption", "button", "form", "nav", "aside"}
# The headings an article's text may hold (its <h1> is its headline).
SUBHEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
# Page regions that hold site chrome rather than the article.
CHROME_TAGS = frozenset({"nav", "footer", "aside"})
# Class and id words of readers' comments and their list
COMMENT_WORDS = frozenset({"comment", "comments", "commentlist", "commentslist"})

# libxml2 reports an end tag it ignores ("Opening and ending tag mismatch: aside and div") and
# stops reporting after this many errors, when an ignored one may go unreported.
_MISMATCH = re.compile(r"Opening and ending tag mismatch: (\w+) and")
_REPORTED_ERRORS = 100
_parsers = threading.local()  # a parser's error log is its last parse's: one per thread


def _parser() -> lxml.html.HTMLParser:
    """This thread's parser: trafilatura's settings (its HTML_PARSER), every element an
    HtmlElement chosen in C. lxml.html's own lookup calls Python for each element object it
    creates (to hand forms and inputs their own classes, which nothing here or in trafilatura
    uses); the extraction creates hundreds of thousands of them per page."""
    parser: lxml.html.HTMLParser | None = getattr(_parsers, "parser", None)
    if parser is None:
        parser = _parsers.parser = lxml.html.HTMLParser(
            collect_ids=False,
            default_doctype=False,  # type: ignore[call-arg]  # an lxml option the stubs lack
            encoding="utf-8",
            # past 256 levels libxml2 stops nesting and drops the rest of the page: a template
            # leaving one <div> open per paragraph lost every paragraph after the 252nd
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        parser.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=HtmlElement,
                comment=lxml.html.HtmlComment,
                pi=lxml.html.HtmlProcessingInstruction,
                entity=lxml.html.HtmlEntity,
            )
        )
    return parser


def parse_html(html: str) -> HtmlElement:
    """The page's root element, parsed as trafilatura parses it (see ``_load_html``).

    A text trafilatura rejects as not HTML (no ``html`` near its start and a single element) is
    still parsed here, for its metadata."""
    data = _parser_input(html)
    try:
        tree = _load_html(data)
        if tree is None:
            tree = lxml.html.document_fromstring(data or b"<html></html>", parser=_parser())
    except etree.ParserError:  # "Document is empty": whitespace or nothing parseable
        tree = lxml.html.document_fromstring("<html></html>", parser=_parser())
    except Exception as exc:  # lxml raises a variety of types on hostile input
        raise ExtractionError(f"unparsable HTML: {exc}") from exc
    if not isinstance(tree, HtmlElement):
        raise ExtractionError(f"unparsable HTML: parsed to {type(tree).__name__}")
    return tree


def _parser_input(html: str) -> bytes:
    """A decoded page as the UTF-8 bytes lxml parses safely: no lone surrogates, control
    characters, noncharacters (U+FFFE, U+FFFF) or XML prolog; a C1 control, left of a cp1252
    page read as latin-1, is the cp1252 character it stands for ("\x96" an en dash).

    Bytes, not text: lxml converts a ``str`` before libxml2 reads it (measured on the corpus
    pages: 0.99 against 1.27 ms a parse, median), and every character trafilatura's repair
    removes with a regex over the whole text (0.4 ms) is dropped here as bytes. In UTF-8 a
    control character is one byte that never occurs inside another character, so deleting
    those bytes is exact."""
    if not isinstance(html, str):
        raise ExtractionError(f"expected HTML as str, got {type(html).__name__}")
    if len(html) > MAX_HTML_CHARS:
        raise ExtractionError(f"page too large to extract ({len(html)} characters)")
    data = html.encode("utf-8", "replace").translate(None, _CONTROL_BYTES)
    data = _C1_CONTROL.sub(_c1_meaning, data)
    for noncharacter in _NONCHARACTERS:
        if noncharacter in data:
            data = data.replace(noncharacter, b"")
    if b"&#" in data:  # the same characters written as references: "&#1;", "&#xFFFE;"
        data = _NUMERIC_REFERENCE.sub(_without_forbidden, data)
    return _XML_DECLARATION.sub(b"", data, count=1)


def _c1_meaning(control: re.Match[bytes]) -> bytes:
    return _C1_MEANING[control[0]]


def _without_forbidden(reference: re.Match[bytes]) -> bytes:
    """A numeric character reference, or nothing where it names a character that the parsed
    tree would carry into trafilatura, which then drops the whole text ("&#1;": XML refuses it)."""
    digits = reference[1]
    try:
        code = int(digits[1:], 16) if digits[:1] in (b"x", b"X") else int(digits)
    except ValueError:
        return reference[0]
    forbidden = (
        (code < 0x20 and code not in (0x09, 0x0A, 0x0D))
        or code == 0x7F
        or (0x80 <= code <= 0x9F and not C1_AS_CP1252[chr(code)])  # libxml2 maps the rest
        or 0xD800 <= code <= 0xDFFF
        or code in (0xFFFE, 0xFFFF)
        or code > 0x10FFFF
    )
    return b"" if forbidden else reference[0]


def _load_html(data: bytes) -> HtmlElement | None:
    """``trafilatura.load_html`` on the page's bytes, step by step, with our parser: the same
    repair (a faulty doctype, a self-closing ``<html/>``), the same parse and the same rejection
    of text that is not HTML (None). trafilatura parses a ``str`` first and its bytes when that
    fails; here the bytes are parsed once."""
    beginning = data[:200].decode("utf-8", "ignore")[:50].lower()  # trafilatura's 50 characters
    if "doctype" in beginning:  # libxml2 misreads a doctype with a slash (lxml bug 1955915)
        first_line, _, rest = data.partition(b"\n")
        data = _FAULTY_DOCTYPE.sub(b"", first_line, count=1) + b"\n" + rest
    for line in data[:4096].splitlines()[:4]:
        if b"<html" in line and line.endswith(b"/>"):
            data = _SELF_CLOSED_HTML.sub(rb"\1>", data, count=1)
            break
    parser = _parser()
    try:
        tree: HtmlElement = lxml.html.fromstring(data, parser=parser)
    except Exception:  # trafilatura gives up on a page whose bytes do not parse
        return None
    if _ignored_block_end(parser.error_log):
        tree = lxml.html.fromstring(close_open_content(data), parser=parser)
    if "html" not in beginning and len(tree) < 2:
        return None
    return tree


def _ignored_block_end(log: etree._ListErrorLog) -> bool:
    """Whether libxml2 ignored (or may have ignored) an end tag that a browser honours by
    closing the divs left open inside its element (see ``nesting``)."""
    if len(log) >= _REPORTED_ERRORS:
        return True
    for entry in log:
        match = _MISMATCH.match(entry.message)
        if match and match.group(1) in CLOSING_END_TAGS:
            return True
    return False


def elements(root: HtmlElement, *names: str) -> Iterator[HtmlElement]:
    """The elements under ``root`` (itself included) in document order, of ``names`` if given;
    never comments or processing instructions."""
    # etree.Element as the tag filter: elements only, chosen in C
    return cast(Iterator[HtmlElement], root.iter(*(names or (etree.Element,))))


def first(root: HtmlElement, name: str) -> HtmlElement | None:
    """The first ``name`` element under ``root`` (itself included), in document order."""
    return next(root.iter(name), None)


def class_words(tag: HtmlElement) -> frozenset[str]:
    """Lower-case words of an element's class, id and itemprop, split on - and _.

    ``post-meta-author`` yields {"post", "meta", "author"}: CMS themes name their parts this way,
    so a whole-word match is far less error-prone than a substring match ("authority").
    """
    get = tag.get
    words = _NO_WORDS
    for name in (get("class"), get("id"), get("itemprop")):
        if name:
            words = words | _name_words(name) if words else _name_words(name)
    return words


_NO_WORDS: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=16384)
def _name_words(name: str) -> frozenset[str]:
    """The words of a class, id or itemprop value; cached: a theme repeats the same few names
    thousands of times per page (measured: a quarter of extraction time went here uncached)."""
    words = set(_NAME_SEPARATORS.split(name.lower()))
    words.discard("")
    if not _PLAIN_NAME.fullmatch(name):  # camelCase ("articleByline"), digits ("h2title")
        words.update(w.lower() for w in _NAME_PIECES.findall(name))
    return frozenset(words)


_NAME_SEPARATORS = re.compile(r"[-_\s]+")
_NAME_PIECES = re.compile(r"[A-Z]?[a-z]+")
_PLAIN_NAME = re.compile(r"[a-z\s_-]+")  # its pieces are the separated words themselves
# The only elements the collectors look at: those with a class, id, itemprop, pubdate,
# aria-label or rel, <time>, and <h1> (the headline candidates). Selected in C, in document
# order; a page has several times as many elements without any of these, and asking each for
# its names was most of the time of the markup collectors.
_MARKED = etree.XPath(
    "descendant-or-self::*[@class or @id or @itemprop or @pubdate or @aria-label or @rel]"
    " | descendant-or-self::time | descendant-or-self::h1"
)


def named_elements(root: HtmlElement) -> dict[HtmlElement, frozenset[str]]:
    """The marked elements (see ``_MARKED``) in document order, with their words
    (``class_words``, empty for a <time> or an <h1> without a name): worked out once per page
    for every collector that looks for names."""
    return {tag: class_words(tag) for tag in cast(list[HtmlElement], _MARKED(root))}


def rel_words(tag: HtmlElement) -> set[str]:
    """Lower-case keywords of an element's ``rel`` ("category tag" -> {"category", "tag"})."""
    return {item.lower() for item in (tag.get("rel") or "").split()}


def in_chrome(
    tag: HtmlElement,
    max_depth: int = 400,
    *,
    include_self: bool = False,
    own_footer: bool = False,
    own_headers: Container[HtmlElement] = (),
) -> bool:
    """True for an element inside nav/footer/aside or a page-level header (not an article's).

    ``include_self``: the element itself counts (the element holding a text). ``own_footer``:
    a footer inside the article is the article's own, like its header (themes put "Posted by
    <a rel=author>" there). ``own_headers``: elements known to hold the article's headline; a
    page-level header among them is the article's own too (a theme without <article> puts the
    headline, the byline and the date in the page's <header>). Only ``max_depth`` ancestors
    are looked at, so absurdly nested markup stays cheap.
    """
    framed = False  # inside a page header (or the article's own footer)
    chain = tag.iterancestors()
    if include_self:
        chain = _self_and(tag, chain)
    for depth, parent in enumerate(chain):
        if depth >= max_depth:
            break
        name = parent.tag
        if name == "footer" and own_footer:
            framed = True
        elif name in CHROME_TAGS:
            return True
        elif name == "header":
            if parent in own_headers:
                return False
            framed = True
        elif name in ("article", "main"):
            return False  # a header (or footer) inside the article is the article's own
    return framed


def in_page_header(tag: HtmlElement, max_depth: int = 400) -> bool:
    """Inside a page-level <header> that no nav/footer/aside holds: where themes without
    <article> put the article's headline (and logos put the site's)."""
    framed = False
    for depth, parent in enumerate(tag.iterancestors()):
        if depth >= max_depth:
            return False
        name = parent.tag
        if name in CHROME_TAGS or name in ("article", "main"):
            return False
        framed = framed or name == "header"
    return framed


def _self_and(tag: HtmlElement, rest: Iterator[HtmlElement]) -> Iterator[HtmlElement]:
    yield tag
    yield from rest


def tag_text(tag: HtmlElement, limit: int = 2000, skip: Collection[HtmlElement] = ()) -> str:
    """Visible text of an element with collapsed whitespace, cut at ``limit`` characters,
    without the text of the ``skip`` elements inside it."""
    parts: list[str] = []
    size = 0
    for text in _visible_texts(tag, skip):
        words = text.split()
        if words:
            # collapsed before it is counted: a text node of JSON or code indented with runs
            # of spaces would otherwise stop the reading long before ``limit`` characters
            part = " ".join(words)
            parts.append(part)
            size += len(part) + 1
            if size > limit:
                break
    return " ".join(parts)[:limit]


def visible_text(tag: HtmlElement) -> str:
    """An element's visible text as it stands, whitespace kept."""
    return "".join(_visible_texts(tag))


def _visible_texts(tag: HtmlElement, skip: Collection[HtmlElement] = ()) -> Iterator[str]:
    """The texts under an element whose own element is not an invisible one, in document
    order, but for those of ``skip`` elements (their tails are read). A generator, so
    ``tag_text`` stops reading a large container at its limit: the XPath
    ``descendant::text()[not(parent::script or ...)]`` it replaces read the whole subtree, 3
    to 6 times slower on the elements the collectors look at (measured on 300 corpus pages,
    the same texts)."""
    parents: list[object] = []  # tags of the open elements
    walk = etree.iterwalk(tag, events=("start", "end"))
    for event, node in walk:
        if event == "start":
            if skip and node in skip:
                walk.skip_subtree()  # its "end" still comes, with its tail
            elif node.text and node.tag not in INVISIBLE_TAGS:
                yield node.text
            parents.append(node.tag)
        else:
            parents.pop()
            if parents and node.tail and parents[-1] not in INVISIBLE_TAGS:
                yield node.tail


def element_lines(
    element: HtmlElement, skip_tags: Collection[str] = NOT_PARAGRAPH_TEXT
) -> list[str]:
    """Text of a paragraph-like element, one line per <br>-separated part, whitespace
    collapsed; the elements named in ``skip_tags`` below it left out."""
    parts: list[str] = []
    _line_parts(element, parts, skip_tags, 0)
    return [" ".join(line.split()) for line in "".join(parts).split("\n") if line.strip()]


def _line_parts(
    element: HtmlElement, parts: list[str], skip_tags: Collection[str], depth: int
) -> None:
    parts.append(element.text or "")
    for child in element:
        name = child.tag
        if name == "br":
            parts.append("\n")
        elif isinstance(name, str) and name not in skip_tags and depth < _MAX_LINE_DEPTH:
            _line_parts(child, parts, skip_tags, depth + 1)
        parts.append(child.tail or "")


_MAX_LINE_DEPTH = 60


def all_text(tag: HtmlElement) -> str:
    """Every text under an element, scripts included (what ``text_content`` gives)."""
    return "".join(tag.itertext())


def heading_texts(root: HtmlElement) -> list[tuple[str, str]]:
    """The page's headings, <h1> to <h4>, as (tag, visible text), but for those in its chrome
    and its page-level header, where the site's name stands as a heading."""
    return [
        (tag.tag, tag_text(tag, 500))
        for tag in root.iter("h1", "h2", "h3", "h4")
        if not in_chrome(tag)
    ]


def visible_lines(root: HtmlElement) -> list[str]:
    """The page's visible text as a reader sees it: one line per block, chrome regions included.

    A text belongs to its nearest enclosing block element; a line ends where the owner of the
    next text differs, and at every <br>. One pass over the tree's start and end events (the
    hot loop of the extraction's own work, so kept in one function).
    """
    lines: list[str] = []
    current: list[str] = []
    line_owner: object = None  # the block of the texts in ``current``
    blocks: list[HtmlElement | None] = [None]  # the open block elements
    hidden = 0  # open invisible elements
    for event, node in etree.iterwalk(root, events=("start", "end")):
        tag = node.tag
        if event == "start":
            if tag in INVISIBLE_TAGS:
                hidden += 1
            if tag in BLOCK_TAGS:
                blocks.append(node)
                if tag == "br":
                    if current:
                        _flush(current, lines)
                    line_owner = _BREAK
            text = node.text
        else:
            if tag in BLOCK_TAGS:
                blocks.pop()
            if tag in INVISIBLE_TAGS:
                hidden -= 1
            text = node.tail if node is not root else None
        if text and not hidden:
            owner = blocks[-1]
            if owner is not line_owner:
                if current:
                    _flush(current, lines)
                line_owner = owner
            current.append(text)
    _flush(current, lines)
    return lines


_BREAK = object()  # the owner of a line that a <br> ended


def text_size_outside_chrome(root: HtmlElement) -> int:
    """Characters of visible text outside nav, aside and footer, whitespace collapsed (words
    plus one space each): the most an extractor can take from the page without its chrome."""
    size = 0
    skipped = 0  # open invisible or chrome elements
    for event, node in etree.iterwalk(root, events=("start", "end")):
        tag = node.tag
        if event == "start":
            if tag in INVISIBLE_TAGS or tag in CHROME_TAGS:
                skipped += 1
            text = node.text
        else:
            if tag in INVISIBLE_TAGS or tag in CHROME_TAGS:
                skipped -= 1
            text = node.tail if node is not root else None
        if text and not skipped:
            size += sum(len(word) + 1 for word in text.split())
    return size


def _flush(current: list[str], lines: list[str]) -> None:
    text = " ".join(" ".join(current).split())
    if text:
        lines.append(text)
    current.clear()


def texts_containing(root: HtmlElement, needle: str) -> list[HtmlElement]:
    """The elements holding a text (whitespace collapsed) that contains ``needle``. Only the
    texts holding its longest word are read in Python, found by XPath in C (measured on 271
    corpus pages: the same elements in half the time of reading every text of the page)."""
    found = []
    word = max(needle.split(), key=len, default="")
    for text in cast(list[etree._ElementUnicodeResult], _TEXTS_WITH(root, word=word)):
        if needle in " ".join(text.split()):
            parent = text.getparent()
            if parent is not None and text.is_tail:
                parent = parent.getparent()
            if parent is not None:
                found.append(parent)
    return found


_TEXTS_WITH = etree.XPath("//text()[contains(., $word)]")


def comment_sections(names: dict[HtmlElement, frozenset[str]]) -> list[HtmlElement]:
    """The outermost elements of the page's ``named_elements`` named as readers' comments or
    their list (<div id="comments">, <li class="comment">), but not one that holds an <h1> (a
    "post has-comments" element is the article) nor the page's body or main element."""
    named = [
        element
        for element, words in names.items()
        if words & COMMENT_WORDS
        and element.tag not in _PAGE_WRAPPERS
        and next(element.iter("h1"), None) is None
    ]
    inside = set(named)
    return [element for element in named if not any(a in inside for a in element.iterancestors())]


_PAGE_WRAPPERS = frozenset({"html", "body", "main"})


def copy_without(root: HtmlElement, parts: list[HtmlElement]) -> HtmlElement:
    """A copy of the page without ``parts``, elements of ``root`` (one may hold another)."""
    tree = copy.deepcopy(root)
    if parts:
        own, copied = root.getroottree(), tree.getroottree()
        found = [copied.xpath(own.getpath(part)) for part in parts]  # all, before any goes
        for element in (element for matches in found for element in matches):
            if element.getparent() is not None:
                element.drop_tree()
    return tree


def page_chrome(root: HtmlElement) -> list[HtmlElement]:
    """The page's own chrome, outermost first: its nav, footer, aside and header elements
    outside the article (none inside an <article> or <main>, none holding one) and, for a
    header, not the article's (none holding the <h1>). What dates them is the site's: a
    masthead's "Tuesday, 14 November 2023", a footer's "Copyright © 19.12.2019 - 12:14 h"."""
    found: list[HtmlElement] = []
    for element in root.iter(*CHROME_TAGS, "header"):
        if any(a.tag in ("article", "main") or a in found for a in element.iterancestors()):
            continue  # the article's own, or inside chrome already found
        holds = ("article", "main", "h1") if element.tag == "header" else ("article", "main")
        if next(element.iterdescendants(*holds), None) is None:
            found.append(element)
    return found


def chrome_only_lines(page_lines: list[str], chrome: list[HtmlElement]) -> frozenset[str]:
    """The visible lines the page prints only in its ``chrome``: as many times there as on
    the whole page (a masthead's date of the day that the article's dateline also prints is
    printed twice on the page, once outside the chrome)."""
    in_chrome = Counter(line for element in chrome for line in visible_lines(element))
    on_page = Counter(page_lines)
    return frozenset(line for line, count in in_chrome.items() if on_page[line] <= count)


def copy_for_date_search(root: HtmlElement, comments: list[HtmlElement]) -> HtmlElement:
    """A copy of the page for htmldate's search of all of it, without what dates other things
    than the article: readers' ``comments``, its nav, footer and aside elements (the dates of
    other pages' teasers, of an archive list), the addresses links lead to (a link's date is
    its page's) and those of its style sheets, scripts and icons, which carry cache-busting
    versions ("print.css?v=2022-06-15"). Inline scripts stay (data the search may read), and
    so does the page's own address in its head (a canonical link with the day in it)."""
    tree = copy_without(root, comments)
    for element in list(tree.iter(*CHROME_TAGS, "link", "script", "a")):
        if element.tag == "a":
            element.attrib.pop("href", None)
        elif element.getparent() is not None and _dates_something_else(element):
            element.drop_tree()
    return tree


def _dates_something_else(element: HtmlElement) -> bool:
    """Chrome, a script file or a file a <link> loads (not a script's data, not a page)."""
    if element.tag == "script":
        return element.get("src") is not None
    if element.tag == "link":
        return bool(rel_words(element) & _ASSET_RELS)
    return True


# A <link> to a file the page loads, not to a page.
_ASSET_RELS = frozenset({
    "stylesheet", "preload", "prefetch", "modulepreload", "icon", "apple-touch-icon",
    "manifest", "dns-prefetch", "preconnect",
})  # fmt: skip


def drop_unrendered(root: HtmlElement) -> None:
    """Remove what a browser never shows as text: <template> content (client-side templates,
    "{{#title}}" and all), <style> sheets (CSS-in-JS themes put them inside headings) and <svg>
    drawings. trafilatura reads a template's text; every walk of the tree after this, its
    copies and XPath passes included, is shorter (measured: 0.6 ms a page, median).

    Scripts stay (JSON-LD, and dates htmldate finds in a page's script data: removing them lost
    two right dates on the corpus), and so does <noscript>, the page as a reader without
    JavaScript sees it (two corpus pages hold their article there, one whole, one two thirds)."""
    for element in list(root.iter("template", "style", "svg")):
        if element.getparent() is not None:
            element.drop_tree()


def link_elsewhere(element: HtmlElement, url: str) -> str | None:
    """Where the first link in ``element`` that has an address leads, resolved against the
    page's ``url``; None without one, or when it leads back to this page (a teaser's title
    links to another page, a headline often to its own)."""
    link = next((a for a in element.iter("a") if a.get("href") is not None), None)
    if link is None:
        return None
    target = absolute(str(link.get("href")), url)
    return None if target is None or same_page(target, url) else target


def drop_ruby_readings(root: HtmlElement) -> None:
    """Keep ruby's base text and drop its readings (<rt>, with the <rp> brackets for browsers
    without ruby): "<ruby>子<rt>こ</rt></ruby>ども" is the word 子ども, and its reading printed
    above it is no part of the text. Unwrapping <ruby> joins the base to the text around it,
    which every reader of the tree would otherwise split at the element's edge."""
    for reading in list(root.iter("rt", "rp")):
        if reading.getparent() is not None:
            reading.drop_tree()
    for ruby in list(root.iter("ruby")):
        if ruby.getparent() is not None:
            ruby.drop_tag()


def strip_anchors(root: HtmlElement) -> None:
    """Neutralise in-page link targets, which a reader never sees, where trafilatura's
    precision mode would drop the text around them:

    - the empty <span>s in subheadings that a table-of-contents plugin puts around each
      heading's text (WordPress' Easy Table of Contents: <h2><span class="ez-toc-section"
      id="..."></span>Heading<span class="ez-toc-section-end"></span></h2>): a heading whose
      text stands after one is dropped (3 corpus pages lost their subheadings);
    - named anchors (<a name="q7">Question?</a>, no href), whose text it counts as a link's: a
      paragraph or heading made of one reads as a link (ndr.de's podcast transcript lost its
      questions) — unwrapped, their text stays.
    """
    for heading in list(root.iter(*SUBHEADINGS)):
        for span in heading.findall("span"):
            if len(span) == 0 and not (span.text or "").strip():
                span.drop_tree()  # its tail, the heading's text, stays
    for anchor in list(root.iter("a")):
        if anchor.get("href") is None and anchor.get("name") is not None:
            anchor.drop_tag()


def drop_hover_cards(root: HtmlElement, names: dict[HtmlElement, frozenset[str]]) -> bool:
    """Remove the cards a link opens on hover inside a paragraph: a politician's photo, full
    name and latest headlines after "Rep. <a>Ilhan Omar</a>", a glossary's definition after its
    term. Style sheets hide them until the pointer rests on the link, so a reader never sees
    them in the sentence, which an extractor would otherwise run on into them. A card is a
    <span> named as a tooltip, popover, hover card or rollover (``names``: the page's
    ``named_elements``), right after a link (its trigger), in a paragraph or list item. Not a
    <div>: those are a theme's image overlays in teaser lists and menus (measured on the
    corpus: 18 such, one holding the page's dates). True when one was removed (``names`` is
    then stale)."""
    cards = [
        element
        for element, words in names.items()
        if element.tag == "span"
        and words & _HOVER_CARD_WORDS
        and next(element.iterancestors("p", "li"), None) is not None
        and _after_a_link(element)
    ]
    for card in cards:
        if card.getparent() is not None:
            card.drop_tree()
    return bool(cards)


_HOVER_CARD_WORDS = frozenset({"tooltip", "popover", "hovercard", "rollover"})


def _after_a_link(card: HtmlElement) -> bool:
    """A link comes right before ``card``: no text between them, textless icons aside."""
    for sibling in card.itersiblings(preceding=True):
        if (sibling.tail or "").strip():
            return False
        if sibling.tag == "a" or next(sibling.iter("a"), None) is not None:
            return True
        if sibling.text_content().strip():
            return False
    return False


# Item properties that hold the page's own article, not another thing it mentions
_MAIN_ITEM_PROPS = frozenset({"mainentity", "mainentityofpage"})


def in_nested_item(tag: HtmlElement) -> bool:
    """A microdata property of an item that is itself a property of another (a cited paper's
    author, a review's date, a teaser's headline in an item list), not of the page's article."""
    scope = next((a for a in tag.iterancestors() if a.get("itemscope") is not None), None)
    prop = str(scope.get("itemprop") or "") if scope is not None else ""
    return bool(prop.strip()) and prop.strip().lower() not in _MAIN_ITEM_PROPS
