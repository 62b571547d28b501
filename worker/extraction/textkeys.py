"""One loose comparison of short texts for every collector: headlines, names, teasers and
lines match when they differ only in case, spacing and punctuation."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"\W+")


def loose_key(text: str) -> str:
    """``text`` case-folded, with all but letters, digits and underscores removed: "Jane
    Doe!" and "jane doe" have the same key."""
    return _NOT_WORD.sub("", text.casefold())
