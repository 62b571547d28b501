"""Fingerprints of an article body for finding copies of one story across outlets.

Taken on the cleaned body, after the parts that differ between copies of one wire story and
say nothing about the story are removed: datelines ("SEOUL, April 6 (Yonhap) --"), bylines,
photo credits, copyright and agency lines. What is left gives:

- ``exact``: a hash of the whole normalised text (typography folded, see ``normalize_text``);
- ``shingles``: hashed 5-word shingles (4-character shingles for Chinese, Japanese, Korean),
  digits kept, so templated reports with other figures stay apart. A shingle's hash is mixed
  from its words' hashes, all shingles of a text at once (numpy), at about a third of the cost
  of hashing each shingle's string;
- ``lead_keys``: hashes of the first substantial paragraphs, to find trimmed copies;
- ``numbers``: the figures of the text, to tell templated reports apart.

Pure functions; ``STORY_FINGERPRINT_VERSION`` changes whenever a parameter here does, or what
the index keeps of a fingerprint (``newsworker reindex-stories`` brings stored articles up to it).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from itertools import islice

import numpy as np
import numpy.typing as npt

from worker.dedup.content import normalize_text

# 2: the index also holds each article's MinHash signature (``story_signatures``).
# 3: shingle hashes mixed from word hashes; MinHash by multiply-shift (``worker.dedup.minhash``).
# 4: invisible characters (soft hyphens, zero-width spaces) dropped (``fold_typography``).
# 5: a short paragraph opening with "by", "from"... that holds a figure is no byline.
STORY_FINGERPRINT_VERSION = 5
WORD_SHINGLE = 5
CHAR_SHINGLE = 4
LEAD_PARAGRAPHS = 8
MIN_PARAGRAPH_WORDS = 8
MIN_PARAGRAPH_CHARS_CJK = 20

_CJK = re.compile(
    r"[\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]"
)
_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# "SEOUL, April 6 (Yonhap) -- ", "WASHINGTON (AP) — ", "SEOUL, March 3 -- " (as printed)
_CAPS_DATELINE = re.compile(
    r"^[A-Z][A-Z .'/-]{1,40}(?:,[\w .]{1,30})?\s*(?:\([^()]{2,30}\)\s*)?(?:--|[-\u2013\u2014:])\s+"
)
# "seoul, april 6 (yonhap) -- ", "paris, 3 mars (afp) - " (after case folding)
_DATELINE = re.compile(r"^[\w .,'/-]{2,60}?\(\s*[\w .&/-]{2,30}\)\s*[-:]{1,2}\s*")
# No digit in it: "From Monday, a single ride will cost 1,500 won." is the story, and dropping
# it dropped the one figure two templated reports differ by (judged the same text)
_BYLINE = re.compile(r"^(?:by|from|von|par|por)\s+(?:[^\W\d]|[ .,'&-]){2,80}$")
# "(AFP-Yonhap)", "(Yonhap)", "Photo: Reuters", "File photo by ...", "Credit: Getty Images"
_CREDIT = re.compile(r"^\([^()]{1,60}\)$|^(?:photo|file photo|image|credit|getty images)\b")
_COPYRIGHT = re.compile(r"^\W*(?:©|\(c\)|copyright\b)|all rights reserved|redistribution")
_TRAILING_AGENCY = re.compile(r"\s*\((?:yonhap|ap|afp|reuters|xinhua|kyodo|efe|dpa|ansa)\)$")


@dataclass(frozen=True)
class Fingerprint:
    exact: str
    shingles: frozenset[int]
    lead_keys: tuple[str, ...]
    numbers: frozenset[str]
    paragraphs: tuple[str, ...]  # the story's normalised paragraphs, chrome removed

    @property
    def size(self) -> int:
        return len(self.shingles)


def fingerprint(body: str) -> Fingerprint:
    """The fingerprint of a cleaned article body (paragraphs split by blank lines)."""
    paragraphs = story_paragraphs(body)
    text = "\n".join(paragraphs)
    return Fingerprint(
        exact=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        shingles=frozenset(shingle_hashes(text).tolist()),
        lead_keys=tuple(islice((_key(p) for p in paragraphs if _substantial(p)), LEAD_PARAGRAPHS)),
        numbers=frozenset(_NUMBER.findall(text)),
        paragraphs=tuple(paragraphs),
    )


def story_paragraphs(body: str) -> list[str]:
    """Normalised paragraphs of the story, without datelines, bylines, credits, copyright."""
    kept: list[str] = []
    for raw in re.split(r"\n\s*\n|\n", body):
        # A dateline in capitals opens the story, which an editor's note may precede.
        raw = _CAPS_DATELINE.sub("", raw.strip(), count=1)
        text = normalize_text(raw)
        if not text or _is_chrome(text):
            continue
        if not kept:
            text = _DATELINE.sub("", text, count=1)
        kept.append(_TRAILING_AGENCY.sub("", text))
    return kept


def is_cjk(text: str) -> bool:
    """Mostly Chinese, Japanese or Korean script: shingled by characters, not words."""
    if _CJK.search(text) is None:  # the common case, answered without counting
        return False
    letters = sum(1 for c in text if c.isalpha())
    return letters > 0 and len(_CJK.findall(text)) / letters > 0.3


def shingle_hashes(text: str) -> npt.NDArray[np.uint64]:
    """64-bit hashes of word 5-grams, or of character 4-grams for CJK text (digits kept),
    sorted, without repeats.

    A shingle's hash is a polynomial over its units' hashes (so order counts), put through
    splitmix64's finaliser so that every output bit depends on every input bit.
    """
    if is_cjk(text):
        units = [c for c in text if c.isalnum()]
        size = CHAR_SHINGLE
    else:
        units = _WORD.findall(text)
        size = WORD_SHINGLE
    if not units:
        return np.empty(0, dtype=np.uint64)
    hashes = np.fromiter(map(_unit_hash, units), dtype=np.uint64, count=len(units))
    width = min(size, len(units))  # a text shorter than a shingle is one shingle
    count = len(units) - width + 1
    mixed = hashes[:count].copy()
    for offset in range(1, width):  # uint64 arithmetic wraps around: modulo 2**64
        mixed *= _MULTIPLIER
        mixed += hashes[offset : offset + count]
    return np.unique(_finalise(mixed))


_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_UNIT_HASHES: dict[str, int] = {}
_UNIT_CACHE_SIZE = 1 << 15  # words recur from article to article; a few MB at most


def _unit_hash(unit: str) -> int:
    value = _UNIT_HASHES.get(unit)
    if value is None:
        if len(_UNIT_HASHES) >= _UNIT_CACHE_SIZE:
            _UNIT_HASHES.clear()
        digest = hashlib.blake2b(unit.encode("utf-8"), digest_size=8).digest()
        value = _UNIT_HASHES[unit] = int.from_bytes(digest, "big")
    return value


def _finalise(values: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    values ^= values >> np.uint64(30)
    values *= np.uint64(0xBF58476D1CE4E5B9)
    values ^= values >> np.uint64(27)
    values *= np.uint64(0x94D049BB133111EB)
    values ^= values >> np.uint64(31)
    return values


def _is_chrome(text: str) -> bool:
    if len(text) > 120:
        return False
    return bool(_BYLINE.match(text) or _CREDIT.match(text) or _COPYRIGHT.search(text))


def _substantial(paragraph: str) -> bool:
    if is_cjk(paragraph):
        return len(paragraph) >= MIN_PARAGRAPH_CHARS_CJK
    words = islice(_WORD.finditer(paragraph), MIN_PARAGRAPH_WORDS)  # enough once there are
    return sum(1 for _ in words) >= MIN_PARAGRAPH_WORDS


def _key(paragraph: str) -> str:
    return hashlib.blake2b(paragraph.encode("utf-8"), digest_size=8).hexdigest()
