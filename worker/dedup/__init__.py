"""Duplicate detection: URL canonicalisation and exact content fingerprints.

Near-duplicates across outlets (MinHash, stories) are a later addition; this package owns the
pure functions that decide sameness, never the storage of their results.
"""
