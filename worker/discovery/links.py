"""What a feed or sitemap yields, and the checks every yielded link goes through."""

from __future__ import annotations

import gzip
import io
import re
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html
from lxml import etree

from worker.dedup.urls import UnusableURL, resolve
from worker.errors import DiscoveryError
from worker.storable import storable_text

MAX_DECOMPRESSED_BYTES = 50_000_000
MAX_TITLE_CHARS = 500
# Links read of one document: the sitemap protocol's own limit. Beyond it, a 10 MB document
# of bare links took minutes to record and its poll held a worker process.
MAX_LINKS = 50_000
_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_CHARACTER_REFERENCE = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


@dataclass(frozen=True)
class DiscoveredLink:
    """An article URL (absolute, http(s)) with what the source said about it: its publication
    time (an RSS ``pubDate``, an Atom ``published``, a news sitemap's ``publication_date``), its
    last change (a sitemap's ``lastmod``, an Atom ``updated``: a modification, not a
    publication) and its title."""

    url: str
    published_at: datetime | None = None
    title: str | None = None
    modified_at: datetime | None = None

    @property
    def dated(self) -> datetime | None:
        """The best time the source gives, for windows that any of them fits (backfills)."""
        return self.published_at or self.modified_at


@dataclass
class Discovered:
    """Links of one document, child sitemaps to follow, and links refused with a reason."""

    links: list[DiscoveredLink] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)
    sitemap_lastmod: dict[str, datetime] = field(default_factory=dict)
    beyond_limit: int = 0  # links past MAX_LINKS, not read (counted, logged by the poll)

    def add(
        self,
        raw: str | None,
        base: str,
        *,
        published_at: datetime | None = None,
        title: str | None = None,
        modified_at: datetime | None = None,
        title_is_html: bool = True,
    ) -> None:
        """Keep ``raw`` as an article link if it is fetchable; otherwise remember why not.
        ``title_is_html``: false for a title the document gives as plain text."""
        if len(self.links) >= MAX_LINKS:
            self.beyond_limit += 1
            return
        url = self._resolve(raw, base)
        if url:
            shown = plain_title(title, markup=title_is_html)
            self.links.append(DiscoveredLink(url, published_at, shown, modified_at))

    def keep_matching(self, article_urls: re.Pattern[str]) -> int:
        """Keep the links whose URL the source's ``article_urls`` matches; how many went."""
        kept = [link for link in self.links if article_urls.search(link.url)]
        dropped = len(self.links) - len(kept)
        self.links = kept
        return dropped

    def add_sitemap(self, raw: str | None, base: str, lastmod: datetime | None = None) -> None:
        """Keep ``raw`` as a child sitemap to follow (with its ``lastmod``, for backfills)."""
        url = self._resolve(raw, base)
        if url:
            self.sitemaps.append(url)
            if lastmod is not None:
                self.sitemap_lastmod[url] = lastmod

    def _resolve(self, raw: str | None, base: str) -> str | None:
        if not raw or not raw.strip():  # a sitemap entry without a <loc>, or an empty one
            self.refused.append(("(none)", "entry without an address"))
            return None
        try:
            return resolve(raw, base)
        except UnusableURL as exc:
            self.refused.append((raw[:300], str(exc)))
            return None


def plain_title(title: str | None, *, markup: bool = True) -> str | None:
    """A title as text: feeds may carry markup and entities in it ("Caf&eacute; <i>x</i>"), and
    control characters, which feedparser's lenient parser passes on and PostgreSQL refuses in
    text (a NUL would fail the whole poll). Not ``markup``: a title given as plain text, whose
    "<" is a character ("std::vector<bool>", "The <video> element")."""
    if not title:
        return None
    title = storable_text(title[: MAX_TITLE_CHARS * 10])
    if markup and ("<" in title or "&" in title):
        with suppress(etree.ParserError, ValueError):  # not markup after all: kept as given
            title = lxml.html.fragment_fromstring(title, create_parent="div").text_content()
            title = storable_text(title)  # "&#0;" decodes to one
    return " ".join(title.split())[:MAX_TITLE_CHARS] or None


def prepare_xml(content: bytes) -> bytes:
    """Gunzip if needed (capped), refuse entity declarations (billion-laughs bombs), and repair
    the character references no parser reads (see ``repair_character_references``)."""
    if content[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(content)) as unzipped:
                content = unzipped.read(MAX_DECOMPRESSED_BYTES + 1)
        except (OSError, EOFError) as exc:
            raise DiscoveryError(f"broken gzip data: {exc}", reason="bad_gzip") from exc
        if len(content) > MAX_DECOMPRESSED_BYTES:
            raise DiscoveryError(
                f"decompresses to more than {MAX_DECOMPRESSED_BYTES} bytes", reason="too_large"
            )
    if _ENTITY_DECLARATION.search(content[:65536]):
        raise DiscoveryError(
            "XML declares entities (refused: entity expansion)", reason="xml_entities"
        )
    return repair_character_references(content)


def repair_character_references(content: bytes) -> bytes:
    """Numeric character references made readable: a UTF-16 surrogate pair written as two
    references (how some CMSs write an emoji: "&#55357;&#56832;") becomes the one character it
    encodes; a lone surrogate, NUL or a number beyond Unicode becomes U+FFFD.

    feedparser raises UnicodeEncodeError on them and lxml decodes them into text it cannot read
    back: either way one emoji in one title lost the whole feed or sitemap, at every poll."""
    if b"&#" not in content:
        return content
    # Written as it goes (not a list of every reference first): a 48 KB gzip of "&#0;" made
    # 12 million tuples, 4.5 GB.
    out: io.BytesIO | None = None
    last = consumed = 0
    for match in _CHARACTER_REFERENCE.finditer(content):
        if match.start() < consumed:
            continue  # the low half of a pair written out with its high half
        code = _code(match)
        if not _unreadable(code):
            continue
        end = match.end()
        low = _CHARACTER_REFERENCE.match(content, end) if 0xD800 <= code <= 0xDBFF else None
        if low is not None and 0xDC00 <= (low_code := _code(low)) <= 0xDFFF:
            code = 0x10000 + ((code - 0xD800) << 10) + (low_code - 0xDC00)
            end = consumed = low.end()
        out = out or io.BytesIO()
        out.write(content[last : match.start()])
        out.write(b"&#x%X;" % (code if not _unreadable(code) else 0xFFFD))
        last = end
    if out is None:
        return content
    out.write(content[last:])
    return out.getvalue()


def _code(reference: re.Match[bytes]) -> int:
    return int(reference[1], 16) if reference[1] else int(reference[2])


def _unreadable(code: int) -> bool:
    return code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF
