"""MinHash signatures and LSH band keys: candidate copies in constant time per article.

A signature is ``NUM_PERM`` minima of universal hashes over the article's shingle hashes, each
cut to 32 bits ``h``: ``(a * h + b) mod 2**64`` shifted right by 32 bits, with random 64-bit
``a`` and ``b`` (multiply-add-shift: strongly universal for 32-bit keys, and no modulus to
compute, which made up most of a signature's cost). Cut into ``BANDS`` bands of ``ROWS`` rows,
each band gives one key; two articles sharing any key are candidates. With 32 bands of 4 rows,
a pair with Jaccard similarity 0.6 is a candidate with probability 0.98, a pair at 0.3 with
0.23, an unrelated pair (0.02) with 5e-6, so a lookup stays a few index probes however many
articles are stored.
Candidates are always verified on the real texts (``worker.dedup.verify``).

The coefficients come from a fixed seed: signatures and keys are the same in every process and
release until ``STORY_FINGERPRINT_VERSION`` changes.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from worker.dedup.content import signed_key

NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT = np.uint64(32)
_rng = np.random.default_rng(20261202)
_A = _rng.integers(0, 1 << 64, size=NUM_PERM, dtype=np.uint64, endpoint=False)
_B = _rng.integers(0, 1 << 64, size=NUM_PERM, dtype=np.uint64, endpoint=False)

Signature = npt.NDArray[np.uint64]
_CHUNK = 8192  # shingles hashed at once: 8 MB of matrix, one chunk for all but huge texts


def signature(shingles: Iterable[int]) -> Signature:
    """The MinHash signature of a set of 64-bit shingle hashes (all ones for an empty set)."""
    values = np.fromiter(shingles, dtype=np.uint64) & _MASK32
    result: Signature = np.full(NUM_PERM, _MASK32, dtype=np.uint64)
    # in chunks: the hash matrix of a whole 6 MB body took 1 GB (8 bytes x 128 x shingles)
    for start in range(0, values.size, _CHUNK):
        hashed = np.outer(_A, values[start : start + _CHUNK])  # uint64 wraps: mod 2**64
        hashed += _B[:, None]
        hashed >>= _SHIFT
        np.minimum(result, hashed.min(axis=1), out=result)
    return result


def band_keys(sig: Signature) -> list[int]:
    """One key per band, a signed 64-bit integer (a database BIGINT) over the band's number
    and rows: the values an index is looked up by."""
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS].astype("<u8").tobytes()
        keys.append(signed_key(rows, b"band%02d" % band))
    return keys


def estimated_jaccard(a: Signature, b: Signature) -> float:
    """The share of equal signature positions: an unbiased estimate of Jaccard similarity."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def estimated_containment(a: Signature, a_size: int, b: Signature, b_size: int) -> float:
    """The share of the smaller set held by the larger one, estimated from the signatures and
    the set sizes: ``|A & B| = J (|A| + |B|) / (1 + J)``."""
    if min(a_size, b_size) <= 0:
        return 0.0
    jaccard = estimated_jaccard(a, b)
    return jaccard * (a_size + b_size) / ((1 + jaccard) * min(a_size, b_size))


def to_bytes(sig: Signature) -> bytes:
    """A signature as stored: ``NUM_PERM`` little-endian 32-bit values (its values are 32-bit)."""
    return sig.astype("<u4").tobytes()


def from_bytes(data: bytes) -> Signature:
    """A stored signature read back (``to_bytes``)."""
    result: Signature = np.frombuffer(data, dtype="<u4").astype(np.uint64)
    return result
