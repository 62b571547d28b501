"""What the database can hold of a value that comes from outside: the bounds of the public
contract (docs/schema.md), checked where values come in rather than met as a DataError when a
poll or a page is stored. Light on purpose: extraction, fetching and configuration import it
without the storage layer."""

from __future__ import annotations

import re

# The URL columns' length. A longer URL is refused where it comes in (a link, a redirect, a
# canonical or image address, a configured source), never cut: a cut URL is another page.
MAX_URL_CHARS = 2048

# A source's longest polling interval, a week: past datetime's range a source's next poll
# overflowed every tick (SQLite), or the sources table's integer column (PostgreSQL).
MAX_INTERVAL_SECONDS = 7 * 24 * 3600

# C0 controls but tab and line breaks, DEL, and lone surrogates: PostgreSQL refuses NUL in text
# and no UTF-8 encodes a lone surrogate; and the C1 controls (U+0080-U+009F)
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _cp1252_meaning(code: int) -> str:
    """What byte ``code`` means in cp1252; nothing for the five bytes it leaves undefined."""
    try:
        return bytes([code]).decode("cp1252")
    except UnicodeDecodeError:
        return ""


# A C1 control in text is a cp1252 page's punctuation read as latin-1 ("\x96" its en dash,
# "\x92" its apostrophe): no text means the control itself.
C1_AS_CP1252 = {chr(code): _cp1252_meaning(code) for code in range(0x80, 0xA0)}


def storable_text(text: str) -> str:
    """``text`` without the characters the database refuses, and each C1 control the cp1252
    character it stands for."""
    return _UNSTORABLE.sub(_replacement, text)


def _replacement(found: re.Match[str]) -> str:
    return C1_AS_CP1252.get(found[0], "")
