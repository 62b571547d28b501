"""Is a candidate really a copy of the same story? Decided on the texts, never on keys alone.

Two fingerprints are the same story when, within ``WINDOW``:

- their texts are the same after normalisation (``exact``), or
- their shingle sets are near (Jaccard >= ``NEAR_JACCARD``): headline, chrome, typography,
  a dateline or a sentence changed; or
- one is a trimmed or extended copy of the other: nearly all of the shorter text is in the
  longer one (containment >= ``CONTAINMENT``), the shorter keeps at least ``MIN_SHARE`` of the
  longer, and either the overlap covers most of the longer text (an added editor's note) or the
  shorter text is where the longer one starts (the usual wire trim).

And never when their figures disagree (templated market, weather, sports and lottery reports
share wording but not numbers: most figures of the text with fewer figures must be in the
other), nor when one of them is too short to judge (even word for word: identical one-line
briefs or paywall stubs are not one story).
A round-up that quotes a few paragraphs of several stories keeps too small a share of each.

Texts that share less than ``RELATED`` of the shorter one's shingles are simply different:
figures only contradict between texts that share their wording. That bound lets a stored
MinHash signature rule a candidate out before its text is fingerprinted (``may_be_related``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from worker.dedup.fingerprint import Fingerprint
from worker.dedup.minhash import Signature, estimated_containment

WINDOW = timedelta(days=7)
NEAR_JACCARD = 0.6
CONTAINMENT = 0.8
MIN_SHARE = 0.4
COVER_LONGER = 0.7
MIN_SHINGLES = 25
NUMBERS_AGREE = 0.6
MIN_NUMBERS = 1
# Below this containment two texts are unrelated, figures or not. Every "same" verdict needs
# more (0.6 for near copies, 0.8 for trimmed or extended ones); templated reports of two days
# share 0.6-0.7.
RELATED = 0.5
# The estimate from 128-value signatures is within 0.05 (one standard deviation) of the real
# containment near ``RELATED``: a candidate estimated below this floor is ruled out.
SIGNATURE_FLOOR = 0.35


@dataclass(frozen=True)
class Verdict:
    same: bool
    why: str
    jaccard: float = 0.0
    containment: float = 0.0


def compare(
    a: Fingerprint,
    b: Fingerprint,
    a_time: datetime | None = None,
    b_time: datetime | None = None,
) -> Verdict:
    """Whether ``a`` and ``b`` are copies of one story, with the evidence. Symmetric."""
    if outside_window(a_time, b_time):
        return Verdict(False, "outside_window")
    if min(a.size, b.size) < MIN_SHINGLES:
        # A one-line brief or a paywall stub says too little to tell two stories apart.
        return Verdict(False, "too_short")
    if a.exact == b.exact:
        return Verdict(True, "exact", 1.0, 1.0)
    shared = len(a.shingles & b.shingles)
    jaccard = shared / len(a.shingles | b.shingles)
    shorter, longer = (a, b) if (a.size, a.exact) <= (b.size, b.exact) else (b, a)
    containment = shared / shorter.size
    if containment < RELATED:
        return Verdict(False, "different", jaccard, containment)
    if _numbers_disagree(shorter, longer):
        return Verdict(False, "numbers_differ", jaccard, containment)
    if jaccard >= NEAR_JACCARD:
        return Verdict(True, "near", jaccard, containment)
    if containment >= CONTAINMENT and shorter.size / longer.size >= MIN_SHARE:
        if shared / longer.size >= COVER_LONGER:
            return Verdict(True, "extended", jaccard, containment)
        if _starts(shorter, longer):
            return Verdict(True, "trimmed", jaccard, containment)
    return Verdict(False, "different", jaccard, containment)


def may_be_related(a: Signature, a_size: int, b: Signature, b_size: int) -> bool:
    """Whether two texts, known by their MinHash signatures and shingle counts, may share
    ``RELATED`` of the shorter one: if not, ``compare`` would find them different. Rules out
    most lookup candidates without fingerprinting their texts; never decides "same"."""
    return estimated_containment(a, a_size, b, b_size) >= SIGNATURE_FLOOR


def outside_window(a_time: datetime | None, b_time: datetime | None) -> bool:
    """Published more than ``WINDOW`` apart: never one story, whatever the texts say."""
    return a_time is not None and b_time is not None and abs(a_time - b_time) > WINDOW


def _numbers_disagree(a: Fingerprint, b: Fingerprint) -> bool:
    """Most figures of the text with fewer figures are missing from the other.

    A copy keeps the figures of the part it keeps (a trimmed copy has fewer, all of them in the
    original); a templated report of another day has others. A rolling update that changes one
    figure of several still agrees on most of them.
    """
    fewer, other = (
        (a.numbers, b.numbers) if len(a.numbers) <= len(b.numbers) else (b.numbers, a.numbers)
    )
    if len(fewer) < MIN_NUMBERS:
        return False
    return len(fewer & other) / len(fewer) < NUMBERS_AGREE


def _starts(shorter: Fingerprint, longer: Fingerprint) -> bool:
    """The shorter text's opening paragraphs open the longer one too (the lede may differ)."""
    opening = shorter.lead_keys[:3]
    if not opening:
        return False
    window = set(longer.lead_keys[: len(opening) + 2])
    return sum(key in window for key in opening) >= max(1, len(opening) - 1)
