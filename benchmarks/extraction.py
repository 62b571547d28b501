"""Body extraction on the zyte-dev corpus: newsworker beside trafilatura, in the same run.

    python -m benchmarks.extraction [--corpus ../shared/corpus/zyte-dev]

Prints one table: precision, recall and F1 with the Zyte benchmark's metric (4-token shingles,
per-page normalised, averaged over pages; see ../shared/corpus/README.md), and the median and
95th-percentile time per page. A first version for the ingestion slice: the extraction issue
adds the trafilatura-eval corpus, readability-lxml and metadata accuracy.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import trafilatura

from benchmarks.metrics import page_scores, summary
from worker.errors import ExtractionError
from worker.extraction import extract_article

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "zyte-dev"


def ours(html: str, url: str) -> str:
    try:
        return extract_article(html, url).body
    except ExtractionError:
        return ""


def trafilatura_with(**options: bool) -> Callable[[str, str], str]:
    def run(html: str, url: str) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return run


EXTRACTORS: dict[str, Callable[[str, str], str]] = {
    "newsworker": ours,
    "trafilatura (default)": trafilatura_with(),
    "trafilatura (favor_precision)": trafilatura_with(favor_precision=True),
}


def _read(path: Path) -> str:
    return gzip.decompress(path.read_bytes()).decode("utf-8", "replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    corpus = parser.parse_args().corpus
    truth = json.loads((corpus / "ground-truth.json").read_text())
    pages = [
        (_read(corpus / "html" / f"{sha}.html.gz"), item["url"], item["articleBody"])
        for sha, item in truth.items()
    ]
    rows = []
    for name, extract in EXTRACTORS.items():
        scores, times = [], []
        for html, url, body in pages:
            started = time.perf_counter()
            prediction = extract(html, url)
            times.append(time.perf_counter() - started)
            scores.append(page_scores(body, prediction))
        precision, recall, f1 = summary(scores)
        p95 = statistics.quantiles(times, n=20)[-1]
        rows.append((name, precision, recall, f1, statistics.median(times) * 1000, p95 * 1000))
    reference = rows[1]
    print(f"zyte-dev, {len(pages)} pages")
    header = ("P", "R", "F1", "F1 ratio", "median ms", "p95 ms", "time ratio")
    widths = (6, 6, 6, 9, 10, 8, 11)
    print(f"{'extractor':32} " + " ".join(f"{h:>{w}}" for h, w in zip(header, widths, strict=True)))
    for name, precision, recall, f1, median, p95 in rows:
        print(
            f"{name:32} {precision:6.3f} {recall:6.3f} {f1:6.3f} {f1 / reference[3]:9.3f} "
            f"{median:10.1f} {p95:8.1f} {median / reference[4]:11.2f}"
        )
    print("ratios against trafilatura (default), measured in this run")


if __name__ == "__main__":
    main()
