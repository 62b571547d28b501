"""The keys an article is indexed and looked up by, to find candidate copies in a few probes.

Three kinds, all signed 64-bit integers (a database BIGINT), salted apart so they never collide:

- the exact hash of the story text (identical copies);
- one key per substantial leading paragraph (a trimmed copy keeps the first paragraphs);
- one key per MinHash band (near copies: edits, rewrites, a dateline added).

Two articles that could be judged the same story share at least one key, so locking an article's
keys serialises exactly the stores that could group with each other.
"""

from __future__ import annotations

from worker.dedup.content import signed_key
from worker.dedup.fingerprint import Fingerprint
from worker.dedup.minhash import Signature, band_keys, signature
from worker.dedup.verify import MIN_SHINGLES


def lookup_keys(fp: Fingerprint, sig: Signature | None = None) -> list[int]:
    """The sorted, distinct keys of a fingerprint; none for a text too short to judge.
    ``sig``: its MinHash signature, when the caller has it already."""
    if fp.size < MIN_SHINGLES:
        return []
    keys = {signed_key(fp.exact.encode("ascii"), b"exact")}
    keys.update(signed_key(key.encode("ascii"), b"lead") for key in fp.lead_keys)
    keys.update(band_keys(signature(fp.shingles) if sig is None else sig))
    return sorted(keys)
