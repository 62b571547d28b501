"""What the database can hold of a value that comes from outside: the bounds of the public
contract (docs/schema.md), checked where values come in rather than met as a DataError when a
poll or a page is stored. Light on purpose: extraction, fetching and configuration import it
without the storage layer."""

from __future__ import annotations

import re

# The URL columns' length. A longer URL is refused where it comes in (a link, a redirect, a
# canonical or image address, a configured source), never cut: a cut URL is another page.
MAX_URL_CHARS = 2048

# C0 controls but tab and line breaks, DEL, and lone surrogates: PostgreSQL refuses NUL in text
# and no UTF-8 encodes a lone surrogate
_UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def storable_text(text: str) -> str:
    """``text`` without the characters the database refuses."""
    return _UNSTORABLE.sub("", text)
