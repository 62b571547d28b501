"""Exact content fingerprint of an article body.

The hash is taken on a normalised body so that copies differing only in typography (curly vs
straight quotes, dashes, Unicode forms, case, spacing, invisible line-break hints) get the same
hash.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# 2: invisible characters dropped (``INVISIBLE``).
FINGERPRINT_VERSION = 2

# Hints for breaking lines that print nothing: soft hyphens (German outlets hyphenate every
# long word server-side: "Ita\xadli\xadens"), zero-width spaces, word joiners, byte-order marks.
# Zero-width joiners and non-joiners are not among them: emoji sequences and Indic and Persian
# scripts need them.
INVISIBLE = "\xad\u200b\u2060\ufeff"

_FOLDS = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
    } | dict.fromkeys(INVISIBLE)
)  # fmt: skip
_SPACE = re.compile(r"\s+")


def fold_typography(text: str) -> str:
    """NFKC ("…" -> "..."), curly quotes and dashes folded to ASCII, invisible characters
    dropped, whitespace collapsed. Without the soft hyphens, a copy an outlet hyphenates shares
    its words, and so its shingles, with the other outlets' copies."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text).translate(_FOLDS)).strip()


def normalize_text(text: str) -> str:
    """``fold_typography``, then case-folded."""
    return fold_typography(text).casefold()


def signed_key(data: bytes, kind: bytes) -> int:
    """A signed 64-bit key (a database BIGINT) of ``data``, salted by ``kind`` so that keys of
    different kinds never collide."""
    digest = hashlib.blake2b(data, digest_size=8, person=kind).digest()
    return int.from_bytes(digest, "big", signed=True)


def content_hash(body: str) -> str:
    """SHA-256 hex digest of the normalised body."""
    return hashlib.sha256(normalize_text(body).encode("utf-8")).hexdigest()
