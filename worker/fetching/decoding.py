"""Bytes -> text for HTML pages, with the best evidence available.

Order of evidence: a byte-order mark, the charset the server declared (if it decodes the bytes
cleanly), the document's own ``<meta charset>``, strict UTF-8 (bytes that decode as UTF-8 almost
always are), UTF-8 with a few stray bytes (what a browser shows for a page declared UTF-8),
then detection by charset-normalizer. The last resort is UTF-8 with replacement characters: a
page is never refused for its encoding. Labels are read as browsers read them (``charsets``):
a label outside the WHATWG Encoding Standard is ignored, the others decode with the wider
codec browsers use.

A single-byte label (Latin-1, windows-1252, ...) decodes any bytes "cleanly", so it is no
evidence against bytes that are valid UTF-8 with non-ASCII characters in them: text in a
single-byte encoding almost never is, while a server's default "charset=iso-8859-1" header
often labels a UTF-8 page. Such bytes are UTF-8.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from worker.fetching.charsets import SINGLE_BYTE, codec_for_label

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
    labels = (_declared_codec(declared, content), _meta_charset(content))
    # a single-byte label decodes anything: valid UTF-8 is asked first (see the docstring)
    utf8_first = not content.isascii() and any(label in SINGLE_BYTE for label in labels)
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
        # Otherwise its codec widened as a browser's would be ("euc_kr" to Windows-949).
        guess = (
            "cp1252"
            if _SINGLE_BYTE_LATIN.match(best.encoding)
            else codec_for_label(best.encoding.replace("_", "-")) or best.encoding
        )
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


def _declared_codec(declared: str | None, content: bytes) -> str | None:
    """The codec of the server's charset. A UTF-16 label on bytes without a single NUL is the
    server's mistake: text in UTF-16 has one in nearly every ASCII character, and ASCII
    markup decoded as UTF-16 turns "cleanly" into CJK noise."""
    codec = codec_for_label(declared)
    if codec is not None and codec.startswith("utf-16") and b"\x00" not in content[:8192]:
        return None
    return codec


def _meta_charset(content: bytes) -> str | None:
    """The codec of the ``<meta charset>`` label, read as the HTML standard reads it: a page
    whose markup names its encoding in ASCII is no UTF-16 document, so such a label means
    UTF-8 (decoded as UTF-16, any even number of bytes turns "cleanly" into CJK noise)."""
    match = _META_CHARSET.search(content[:8192])
    if match is None:
        return None
    codec = codec_for_label(match.group(1).decode("ascii", errors="ignore"))
    return "utf-8" if codec is not None and codec.startswith("utf-16") else codec


def _try_decode(
    content: bytes, encoding: str | None, errors: str = "strict"
) -> tuple[str, str] | None:
    """``content`` in the codec ``encoding`` (a name, not a page's label), if it decodes."""
    if not encoding:
        return None
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return None
    try:
        return content.decode(name, errors=errors), name
    except (UnicodeError, LookupError):  # codecs such as "undefined" raise UnicodeError itself
        return None
