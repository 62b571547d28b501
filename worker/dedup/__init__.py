"""Duplicate detection, as pure functions that decide sameness (never the storage of results).

``urls`` (canonical URL keys), ``content`` (exact body hash, typography folding),
``fingerprint`` (story text, shingles, figures), ``minhash`` and ``lookup`` (the keys copies are
found by), ``verify`` (the verdict on a candidate pair), ``boilerplate`` (an outlet's repeated
paragraphs). ``worker.pipeline.grouping`` stores and groups with them.
"""
