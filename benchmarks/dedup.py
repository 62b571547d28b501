"""Story grouping on a synthetic syndication corpus: pairwise precision and recall, and cost
per article as the index grows, beside datasketch's MinHashLSH.

    python -m benchmarks.dedup [--sizes 10000,100000,1000000] [--seed 1]

The corpus is made from real article texts (the ``articleBody`` of ``../shared/corpus/zyte-dev``
and the two seed articles). Each original is republished with the edits wire copies get: other
chrome and a byline, the tail cut (keeping 55-90% of the words), an editor's note, a dateline
and agency tag, a rolling update that rewrites the lede, other typography, and all of these at
once. The negatives: a follow-up that quotes two sentences of the original in new text, and a
templated report with the original's wording but other figures. Copies of one original are one
story; every negative is a story of its own.

- newsworker: the store's own code (``worker.pipeline.grouping``) on a SQLite database, one
  transaction per article: fingerprint, lookup keys, index probes, verification on the texts,
  story assignment, key insert.
- datasketch: ``MinHashLSH`` (128 permutations, threshold 0.5) in memory over the same
  shingles, a candidate taken as a copy (it has no verification step).

Each is then timed per article with the index already holding 10 thousand, 100 thousand and
1 million other articles (random keys / signatures): the cost must stay flat.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from worker.dedup.fingerprint import fingerprint
from worker.dedup.minhash import NUM_PERM
from worker.pipeline import grouping
from worker.storage.db import make_engine
from worker.storage.models import Article, Base, Outlet

SHARED = Path(__file__).resolve().parents[2] / "shared"
GROUND_TRUTH = SHARED / "corpus" / "zyte-dev" / "ground-truth.json"
MIN_WORDS = 120
KEYS_PER_ARTICLE = 41  # exact + up to 8 lead paragraphs + 32 bands
WHEN = datetime(2024, 3, 3, 9, tzinfo=UTC)


@dataclass(frozen=True)
class Doc:
    id: int
    story: int  # ground truth: same number, same story
    kind: str
    body: str


# --- the corpus --------------------------------------------------------------------------------


def load_originals() -> list[list[str]]:
    if not GROUND_TRUTH.is_file():
        sys.exit(f"no corpus at {GROUND_TRUTH}: the benchmark needs ../shared")
    texts = [entry["articleBody"] for entry in json.loads(GROUND_TRUTH.read_text()).values()]
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.localweb.sites import article_paragraphs

    texts += ["\n\n".join(article_paragraphs(seed)) for seed in ("000", "003")]
    originals = []
    for text in texts:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n|\n", text) if p.strip()]
        if len(re.findall(r"\w+", text)) >= MIN_WORDS and len(paragraphs) >= 3:
            originals.append(paragraphs)
    return originals


_AGENCIES = ["AP", "Reuters", "AFP", "Yonhap", "Kyodo"]
_CITIES = ["WASHINGTON", "LONDON", "SEOUL", "PARIS", "TOKYO", "BERLIN"]


def _trim(paragraphs: list[str], rng: random.Random) -> list[str]:
    words = [len(p.split()) for p in paragraphs]
    goal = sum(words) * rng.uniform(0.55, 0.9)
    kept, total = [], 0
    for paragraph, count in zip(paragraphs, words, strict=True):
        kept.append(paragraph)
        total += count
        if total >= goal:
            break
    return kept


def _dateline(paragraphs: list[str], rng: random.Random) -> list[str]:
    agency = rng.choice(_AGENCIES)
    first = f"{rng.choice(_CITIES)} ({agency}) \u2014 {paragraphs[0]}"
    return [first, *paragraphs[1:-1], f"{paragraphs[-1]} ({agency})"]


def _typeset(paragraphs: list[str]) -> list[str]:
    table = str.maketrans(
        {"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"',
         "\u2014": "--", "\u2013": "-", "'": "\u2019", '"': "\u201d"}
    )  # fmt: skip
    return [p.translate(table).replace(" ", "  ", 1) for p in paragraphs]


def _new_text(donor: list[str], rng: random.Random, sentences: int) -> list[str]:
    """Sentences of another article with their words shuffled: fresh wording, no shared runs."""
    words = " ".join(donor).split()
    out = []
    for _ in range(sentences):
        start = rng.randrange(max(1, len(words) - 25))
        chunk = words[start : start + 22]
        rng.shuffle(chunk)
        out.append(" ".join(chunk).capitalize() + ".")
    return [" ".join(out[i : i + 2]) for i in range(0, len(out), 2)]


def _renumber(paragraphs: list[str], rng: random.Random) -> list[str]:
    def other(match: re.Match[str]) -> str:
        return "".join(str((int(d) + rng.randint(1, 9)) % 10) for d in match.group())

    return [re.sub(r"\d+", other, p) for p in paragraphs]


def make_corpus(originals: list[list[str]], seed: int) -> list[Doc]:
    rng = random.Random(seed)
    docs: list[Doc] = []
    story = 0

    def add(kind: str, paragraphs: list[str], story_id: int) -> None:
        docs.append(Doc(len(docs) + 1, story_id, kind, "\n\n".join(paragraphs)))

    for n, original in enumerate(originals):
        story += 1
        donor = originals[(n + 7) % len(originals)]
        agency = rng.choice(_AGENCIES)
        add("original", original, story)
        add("headline+chrome", [f"By {agency}", *original, "Share this article",
                                "\u00a9 2024 The Daily. All rights reserved."], story)  # fmt: skip
        add("trimmed", _trim(original, rng), story)
        add("editor's note", ["Editor's note: this story has been updated with new details.",
                              *original], story)  # fmt: skip
        add("dateline", _dateline(original, rng), story)
        add("new lede", [*_new_text(donor, rng, 2), *original[1:]], story)
        add("typography", _typeset(original), story)
        add("all edits", _typeset(_dateline(_trim(original, rng), rng)), story)
        sentences = re.split(r"(?<=[.!?])\s+", " ".join(original))
        story += 1
        add("follow-up (negative)", [*_new_text(donor, rng, 4), *sentences[1:3],
                                     *_new_text(donor, rng, 6)], story)  # fmt: skip
        if len(re.findall(r"\d+", " ".join(original))) >= 3:
            story += 1
            add("other figures (negative)", _renumber(original, rng), story)
    rng.shuffle(docs)
    return docs


# --- scoring -----------------------------------------------------------------------------------


def pairs(groups: Iterable[Iterable[int]]) -> set[tuple[int, int]]:
    return {tuple(sorted(p)) for g in groups for p in combinations(sorted(g), 2)}  # type: ignore[misc]


def score(docs: list[Doc], predicted: list[set[int]]) -> tuple[float, float, dict[str, float]]:
    truth_groups: dict[int, set[int]] = {}
    for doc in docs:
        truth_groups.setdefault(doc.story, set()).add(doc.id)
    truth, found = pairs(truth_groups.values()), pairs(predicted)
    precision = len(truth & found) / len(found) if found else 1.0
    recall = len(truth & found) / len(truth) if truth else 1.0
    group_of = {doc_id: n for n, group in enumerate(predicted) for doc_id in group}
    original = {d.story: d.id for d in docs if d.kind == "original"}
    kinds: dict[str, list[bool]] = {}
    for doc in docs:
        if doc.kind == "original":
            continue
        if "negative" in doc.kind:  # merged with anything: a false merge
            merged = sum(1 for other in group_of if group_of[other] == group_of[doc.id]) > 1
            kinds.setdefault(doc.kind, []).append(not merged)
        else:
            kinds.setdefault(doc.kind, []).append(group_of[doc.id] == group_of[original[doc.story]])
    return precision, recall, {k: sum(v) / len(v) for k, v in kinds.items()}


def union_find(edges: Iterable[tuple[int, int]], ids: Iterable[int]) -> list[set[int]]:
    parent = {i: i for i in ids}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in edges:
        parent[root(a)] = root(b)
    groups: dict[int, set[int]] = {}
    for i in parent:
        groups.setdefault(root(i), set()).add(i)
    return list(groups.values())


# --- newsworker: the store's grouping on SQLite --------------------------------------------------


class OurIndex:
    def __init__(self, directory: Path) -> None:
        self.path = directory / "stories.sqlite"
        self.engine = make_engine(f"sqlite:///{self.path}")
        Base.metadata.create_all(self.engine)
        with Session(self.engine) as session, session.begin():
            session.add_all(Outlet(id=n, key=f"o{n}", name=f"O{n}") for n in range(1, 13))
        self.filler = 0

    def grow_to(self, size: int) -> None:
        """Add other articles' keys (random: they never match) until ``size`` are indexed."""
        connection = sqlite3.connect(self.path)
        connection.execute("PRAGMA synchronous=OFF")
        connection.execute("PRAGMA cache_size=-2000000")
        rng = np.random.default_rng(size)
        step = 50_000
        while self.filler < size:
            count = min(step, size - self.filler)
            ids = np.arange(10_000_000 + self.filler, 10_000_000 + self.filler + count)
            shape = (count, KEYS_PER_ARTICLE)
            keys = rng.integers(-(2**63), 2**63 - 1, size=shape, dtype=np.int64).ravel().tolist()
            rows = zip(keys, np.repeat(ids, KEYS_PER_ARTICLE).tolist(), strict=True)
            connection.executemany("INSERT INTO story_keys (key, article_id) VALUES (?, ?)", rows)
            connection.commit()
            self.filler += count
        connection.close()

    def store(self, doc: Doc, session: Session) -> None:
        copies = grouping.find_copies(session, doc.body, WHEN)
        values = {
            "outlet_id": doc.id % 12 + 1, "url": f"https://o.example/{doc.id}",
            "canonical_url": f"https://o.example/{doc.id}", "title": None, "authors": [],
            "body": doc.body, "content_hash": f"{doc.id:064d}", "fingerprint_version": 1,
            "provenance": {}, "extractor_version": "bench", "fetched_at": WHEN,
            "changed_at": WHEN, "published_at": WHEN,
        }  # fmt: skip
        grouping.insert_grouped(session, values, copies, WHEN)

    def run(self, docs: list[Doc], keep: bool) -> tuple[list[float], list[set[int]]]:
        """Store every doc, one (nested) transaction each; roll all back unless ``keep``."""
        times: list[float] = []
        with Session(self.engine) as session:
            outer = session.begin()
            for doc in docs:
                start = time.perf_counter()
                with session.begin_nested():
                    self.store(doc, session)
                times.append(time.perf_counter() - start)
            rows = session.execute(select(Article.url, Article.story_id)).all()
            if keep:
                outer.commit()
            else:
                outer.rollback()
        groups: dict[int, set[int]] = {}
        for url, story_id in rows:
            groups.setdefault(story_id, set()).add(int(url.rsplit("/", 1)[1]))
        return times, list(groups.values())


# --- datasketch --------------------------------------------------------------------------------


class SketchIndex:
    def __init__(self) -> None:
        from datasketch import MinHashLSH

        self.lsh = MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
        self.filler = 0

    def grow_to(self, size: int) -> None:
        from datasketch import LeanMinHash

        rng = np.random.default_rng(size)
        while self.filler < size:
            values = rng.integers(0, 2**32, size=NUM_PERM, dtype=np.uint64)
            sketch = LeanMinHash(seed=1, hashvalues=values, scheme="affine32")
            self.lsh.insert(f"f{self.filler}", sketch)
            self.filler += 1

    def run(self, docs: list[Doc]) -> tuple[list[float], list[set[int]]]:
        from datasketch import MinHash

        times: list[float] = []
        edges: list[tuple[int, int]] = []
        inserted = []
        for doc in docs:
            start = time.perf_counter()
            fp = fingerprint(doc.body)
            sketch = MinHash(num_perm=NUM_PERM)
            sketch.update_batch([h.to_bytes(8, "big") for h in fp.shingles])
            found = [key for key in self.lsh.query(sketch) if isinstance(key, int)]
            self.lsh.insert(doc.id, sketch)
            times.append(time.perf_counter() - start)
            inserted.append(doc.id)
            edges.extend((doc.id, other) for other in found)
        for doc_id in inserted:  # leave the index as it was, for the next size
            self.lsh.remove(doc_id)
        return times, union_find(edges, [d.id for d in docs])


# --- the table -----------------------------------------------------------------------------------


def _ms(times: list[float]) -> str:
    return f"{statistics.mean(times) * 1000:.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    originals = load_originals()
    docs = make_corpus(originals, args.seed)
    print(f"corpus: {len(originals)} originals, {len(docs)} articles, "
          f"{sum(1 for d in docs if 'negative' in d.kind)} negatives", flush=True)  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        ours, sketch = OurIndex(Path(tmp)), SketchIndex()
        ours_times: dict[int, list[float]] = {}
        sketch_times: dict[int, list[float]] = {}
        ours_groups: list[set[int]] = []
        sketch_groups: list[set[int]] = []
        for size in sizes:
            started = time.perf_counter()
            ours.grow_to(size)
            sketch.grow_to(size)
            print(f"index at {size:,} other articles ({time.perf_counter() - started:.0f}s "
                  "to fill)", flush=True)  # fmt: skip
            ours_times[size], groups = ours.run(docs, keep=False)
            ours_groups = ours_groups or groups
            sketch_times[size], groups = sketch.run(docs)
            sketch_groups = sketch_groups or groups

    rows = [("newsworker", ours_groups, ours_times), ("datasketch", sketch_groups, sketch_times)]
    header = ["method", "precision", "recall"] + [f"ms/article @{s:,}" for s in sizes]
    header += [f"x @{sizes[-1]:,} vs @{sizes[0]:,}"]
    print()
    print(" | ".join(header))
    print(" | ".join("---" for _ in header))
    scores = {}
    for name, groups, times in rows:
        precision, recall, kinds = score(docs, groups)
        scores[name] = kinds
        growth = statistics.mean(times[sizes[-1]]) / statistics.mean(times[sizes[0]])
        cells = [name, f"{precision:.4f}", f"{recall:.4f}"]
        cells += [_ms(times[s]) for s in sizes] + [f"{growth:.2f}"]
        print(" | ".join(cells))
    ratio = [
        f"{statistics.mean(ours_times[s]) / statistics.mean(sketch_times[s]):.2f}" for s in sizes
    ]
    print(" | ".join(["newsworker / datasketch", "", "", *ratio, ""]))
    print()
    print("share of each kind grouped right (copies with their original; negatives alone):")
    for kind in scores["newsworker"]:
        print(f"  {kind:26s} newsworker {scores['newsworker'][kind]:.3f}   "
              f"datasketch {scores['datasketch'][kind]:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
