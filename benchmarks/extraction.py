"""Extraction on both corpora of ../shared/corpus: newsworker beside its peers, in one run.

    python -m benchmarks.extraction [--corpora ../shared/corpus] [--limit N]

Every extractor reads the same pages in the same run:

- newsworker (``extract_article``: body and every metadata field);
- trafilatura 2 with its metadata (``bare_extraction(with_metadata=True)``: the same job), in
  its default and its ``favor_precision`` setting;
- readability-lxml (body and title only: it has no author or date).

Columns (metrics of ../shared/corpus/README.md):

- zyte-dev: body precision, recall and F1 over 4-token shingles, per page, averaged;
- trafilatura-eval: body precision, recall and F1 over the annotated snippets, summed;
- title, author, date: exact-match rate on the trafilatura-eval pages annotated with one.
  Titles and authors are compared after trimming and collapsing whitespace; authors as the
  set of names (split on ";", ",", "&", " and ", " und "), dates as days: the day the page
  states (our times keep the page's offset until storage converts them to UTC);
- median and 95th-percentile milliseconds per page over both corpora, and the ratio of the
  median to trafilatura (default)'s ("time x"), and the median of the ratios page by page
  ("page x": paired, so less swayed by which pages happen to sit at the median). Each
  extractor first reads one page untimed (what it loads on first use is no page's time); then
  they take turns page by page (the first one rotating), so drift in the machine's speed
  during the run does not favour any of them.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import lxml.html
import trafilatura
from readability import Document  # type: ignore[import-untyped]
from trafilatura.settings import Document as TrafilaturaDocument

from benchmarks.metrics import page_scores, summary
from worker.errors import ExtractionError
from worker.extraction import extract_article
from worker.fetching import decode_html

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpus"


@dataclass(frozen=True)
class Output:
    """What one extractor made of one page."""

    body: str = ""
    title: str | None = None
    authors: tuple[str, ...] = ()
    date: str | None = None  # YYYY-MM-DD


def newsworker(html: str, url: str) -> Output:
    try:
        article = extract_article(html, url)
    except ExtractionError:
        return Output()
    published = article.published_at.date().isoformat() if article.published_at else None
    return Output(article.body, article.title, tuple(article.authors), published)


def trafilatura_with(*, favor_precision: bool = False) -> Callable[[str, str], Output]:
    def run(html: str, url: str) -> Output:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, favor_precision=favor_precision
        )
        if not isinstance(doc, TrafilaturaDocument):
            return Output()
        authors = tuple(a.strip() for a in (doc.author or "").split(";") if a.strip())
        return Output(doc.text or "", doc.title, authors, doc.date)

    return run


def readability_lxml(html: str, url: str) -> Output:
    document = Document(html, url=url)
    summary_html = document.summary(html_partial=True)
    if not summary_html.strip():
        return Output(title=document.short_title())
    tree = cast(lxml.html.HtmlElement, lxml.html.fromstring(summary_html))
    blocks = cast(
        list[lxml.html.HtmlElement], tree.xpath("//p|//h1|//h2|//h3|//h4|//li|//blockquote|//pre")
    )
    texts = [" ".join(b.text_content().split()) for b in blocks] or [tree.text_content()]
    return Output("\n\n".join(t for t in texts if t), document.short_title())


EXTRACTORS: dict[str, Callable[[str, str], Output]] = {
    "newsworker": newsworker,
    "trafilatura (default)": trafilatura_with(),
    "trafilatura (favor_precision)": trafilatura_with(favor_precision=True),
    "readability-lxml": readability_lxml,
}
HAS_METADATA = {"newsworker", "trafilatura (default)", "trafilatura (favor_precision)"}


@dataclass(frozen=True)
class Page:
    corpus: str
    url: str
    html: str
    truth: dict[str, object]


@dataclass
class Tally:
    """One extractor's results over both corpora."""

    zyte: list[tuple[float, float]] = field(default_factory=list)
    found: int = 0
    missed: int = 0
    leaked: int = 0
    matches: dict[str, list[bool]] = field(
        default_factory=lambda: {"title": [], "author": [], "date": []}
    )
    times: list[float] = field(default_factory=list)


def read_html(path: Path) -> str:
    """The page as the worker decodes a fetched one (BOM, meta charset, UTF-8, detection), so
    that every extractor reads the Polish and Chinese pages as their text, not as cp1252."""
    text, _ = decode_html(gzip.decompress(path.read_bytes()))
    return text


def load_pages(root: Path, limit: int | None) -> Iterator[Page]:
    zyte = root / "zyte-dev"
    truth = json.loads((zyte / "ground-truth.json").read_text(encoding="utf-8"))
    for sha, item in list(truth.items())[:limit]:
        yield Page("zyte-dev", item["url"], read_html(zyte / "html" / f"{sha}.html.gz"), item)
    evaluation = root / "trafilatura-eval"
    notes = json.loads((evaluation / "annotations.json").read_text(encoding="utf-8"))
    for url, note in list(notes.items())[:limit]:
        yield Page("trafilatura-eval", url, read_html(evaluation / "html" / note["file"]), note)


def collapse(text: object) -> str:
    """Whitespace collapsed; a list (four pages annotate their authors as one) joined by
    "; ", so that its names are compared, not its Python spelling."""
    if isinstance(text, list):
        text = "; ".join(str(item) for item in text)
    return " ".join(str(text or "").split())


def names(value: str | tuple[str, ...]) -> set[str]:
    """A byline as a set of names, so that "A and B", "A; B" and ["A", "B"] compare equal."""
    joined = "; ".join(value) if isinstance(value, tuple) else value
    parts = re.split(r"\s*(?:;|,|&|\band\b|\bund\b)\s*", collapse(joined))
    return {part for part in parts if part}


def score(tally: Tally, page: Page, output: Output) -> None:
    if page.corpus == "zyte-dev":
        tally.zyte.append(page_scores(str(page.truth["articleBody"]), output.body))
        return
    body = collapse(output.body)
    for snippet in page.truth.get("with", []):  # type: ignore[attr-defined]
        if collapse(snippet) in body:
            tally.found += 1
        else:
            tally.missed += 1
    tally.leaked += sum(
        collapse(s) in body
        for s in page.truth.get("without", [])  # type: ignore[attr-defined]
    )
    expected = {key: collapse(page.truth.get(key)) for key in ("title", "author", "date")}
    if expected["title"]:
        tally.matches["title"].append(collapse(output.title) == expected["title"])
    if expected["author"]:
        tally.matches["author"].append(names(output.authors) == names(expected["author"]))
    if expected["date"]:
        tally.matches["date"].append(output.date == expected["date"][:10])


def ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def eval_scores(tally: Tally) -> tuple[float, float, float]:
    """Precision, recall and F1 of the trafilatura-eval snippets: found against leaked, found
    against missed."""
    precision = ratio(tally.found, tally.found + tally.leaked)
    recall = ratio(tally.found, tally.found + tally.missed)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def match_rate(tally: Tally, field: str) -> float:
    """The share of pages annotated with ``field`` where the extractor's value matches."""
    matches = tally.matches[field]
    return ratio(sum(matches), len(matches))


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (default all)")
    args = parser.parse_args()
    pages = list(load_pages(args.corpora, args.limit))
    tallies = {name: Tally() for name in EXTRACTORS}
    warnings.simplefilter("ignore")
    names = list(EXTRACTORS)
    for name in names:  # first use loads models and stoplists: not a page's time
        EXTRACTORS[name](pages[0].html, pages[0].url)
    for index, page in enumerate(pages):
        # Page by page, each extractor in turn, the first one rotating: a machine that slows
        # down or speeds up during the run (a shared VM does, by 15%) then weighs on all alike.
        # Each page is read once: a second reading would find its strings in the caches of
        # htmldate and of both extractors, which no page fetched once does.
        shift = index % len(names)
        for name in names[shift:] + names[:shift]:
            started = time.perf_counter()
            output = EXTRACTORS[name](page.html, page.url)
            tallies[name].times.append(time.perf_counter() - started)
            score(tallies[name], page, output)
    zyte_count = sum(p.corpus == "zyte-dev" for p in pages)
    counts = {k: len(v) for k, v in tallies["newsworker"].matches.items()}
    print(
        f"zyte-dev: {zyte_count} pages; trafilatura-eval: {len(pages) - zyte_count} pages "
        f"(title on {counts['title']}, author on {counts['author']}, date on {counts['date']})"
    )
    header = (
        f"{'extractor':30} {'zyte P':>7} {'R':>6} {'F1':>6} {'eval P':>7} {'R':>6} {'F1':>6} "
        f"{'title':>6} {'author':>6} {'date':>6} {'med ms':>7} {'p95 ms':>7} {'time x':>7} "
        f"{'page x':>7}"
    )
    print(header)
    print("-" * len(header))
    base_times = tallies["trafilatura (default)"].times
    base_median = statistics.median(base_times)
    for name, tally in tallies.items():
        zp, zr, zf = summary(tally.zyte) if tally.zyte else (0.0, 0.0, 0.0)
        ep, er, ef = eval_scores(tally)
        rates = [
            f"{match_rate(tally, key):6.3f}" if name in HAS_METADATA or key == "title" else "     -"
            for key in tally.matches
        ]
        median = statistics.median(tally.times)
        p95 = statistics.quantiles(tally.times, n=20)[-1]
        paired = statistics.median(t / b for t, b in zip(tally.times, base_times, strict=True))
        print(
            f"{name:30} {zp:7.3f} {zr:6.3f} {zf:6.3f} {ep:7.3f} {er:6.3f} {ef:6.3f} "
            f"{' '.join(rates)} {median * 1000:7.1f} {p95 * 1000:7.1f} "
            f"{median / base_median:7.2f} {paired:7.2f}"
        )
    print(
        "time x: median time per page against trafilatura (default)'s; page x: the median of "
        "the ratios page by page; both measured in this run"
    )


if __name__ == "__main__":
    main()
