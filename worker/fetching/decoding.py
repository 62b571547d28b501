"""Bytes -> text for HTML pages, with the best evidence available.

Order of evidence: a byte-order mark, the charset the server declared (if it decodes the bytes
cleanly), the document's own ``<meta charset>``, strict UTF-8 (bytes that decode as UTF-8 almost
always are), UTF-8 with a few stray bytes (what a browser shows for a page declared UTF-8),
then detection by charset-normalizer. The last resort is UTF-8 with replacement characters: a
page is never refused for its encoding.

A single-byte label (Latin-1, windows-1252, ...) decodes any bytes "cleanly", so it is no
evidence against bytes that are valid UTF-8 with non-ASCII characters in them: text in a
single-byte encoding almost never is, while a server's default "charset=iso-8859-1" header
often labels a UTF-8 page. Such bytes are UTF-8.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SINGLE_BYTE_LATIN = re.compile(r"^(cp125[0-8]|iso8859_(1|2|3|4|9|10|13|14|15|16)|latin_1|mac_)")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)


def decode_html(content: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode ``content``; returns the text and the name of the encoding used."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace"), name
    labels = (declared, _meta_charset(content))
    # a single-byte label decodes anything: valid UTF-8 is asked first (see the docstring)
    utf8_first = not content.isascii() and any(map(_single_byte, labels))
    for candidate in ("utf-8", *labels) if utf8_first else (*labels, "utf-8"):
        decoded = _try_decode(content, candidate)
        if decoded is not None:
            return decoded
    if (text := _mostly_utf8(content)) is not None:
        return text, "utf-8"
    best = from_bytes(content[:200_000]).best()
    if best is not None and best.encoding:
        # Detection tells single-byte Latin code pages apart badly (French text in windows-1252
        # comes out as Baltic cp1257); for that family do what browsers do: windows-1252.
        guess = "cp1252" if _SINGLE_BYTE_LATIN.match(best.encoding) else best.encoding
        decoded = _try_decode(content, guess, errors="replace")
        if decoded is not None:
            return decoded
    return content.decode("utf-8", errors="replace"), "utf-8"


def _mostly_utf8(content: bytes) -> str | None:
    """The page as UTF-8, a replacement character for each invalid byte, when its valid
    multi-byte characters outnumber those at least twice: a UTF-8 page with a few stray bytes
    (a Latin-1 comment in a script, a teaser cut inside a character). Detection reads such a
    page, mostly ASCII, as windows-1252 and garbles every other character ("Ã¤" for "ä") on 4
    corpus pages. Text in a legacy encoding almost never forms valid UTF-8 sequences."""
    text = content.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd")
    valid = len(text) - len(text.encode("ascii", errors="ignore")) - invalid
    return text if valid >= 2 * invalid else None


def _single_byte(label: str | None) -> bool:
    """A label of a single-byte encoding, in which any bytes decode."""
    try:
        name = codecs.lookup(label.strip().lower()).name if label else ""
    except LookupError:
        return False
    return _SINGLE_BYTE.match(name) is not None


_SINGLE_BYTE = re.compile(r"(cp125\d|iso8859-\d+|mac-|koi8-|tis-620|cp437|cp850)")


def _meta_charset(content: bytes) -> str | None:
    """The ``<meta charset>`` label, read as the HTML standard reads it: a page whose markup
    names its encoding in ASCII is no UTF-16 (or UTF-32) document, so such a label means
    UTF-8 (decoded as UTF-16, any even number of bytes turns "cleanly" into CJK noise)."""
    match = _META_CHARSET.search(content[:8192])
    if match is None:
        return None
    label = match.group(1).decode("ascii", errors="ignore")
    try:  # the codec the label names, as decoding would look it up ("UTF16LE", "utf_32")
        name = codecs.lookup(label).name
    except LookupError:
        return label
    return "utf-8" if name.startswith(("utf-16", "utf-32")) else label


def _try_decode(
    content: bytes, encoding: str | None, errors: str = "strict"
) -> tuple[str, str] | None:
    if not encoding:
        return None
    try:
        name = codecs.lookup(encoding.strip().lower()).name
    except LookupError:
        return None
    if name == "latin-1" or name == "iso8859-1":
        name = "cp1252"  # what browsers do with a latin-1 label
    try:
        return content.decode(name, errors=errors), name
    except (UnicodeError, LookupError):  # codecs such as "undefined" raise UnicodeError itself
        return None
