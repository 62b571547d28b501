"""Real pages from ../shared/corpus: body quality against plain trafilatura, and robustness.

Skipped when the corpora are not checked out beside the repository.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import trafilatura

from benchmarks.extraction import read_html
from benchmarks.metrics import page_scores, summary
from tests.extraction.support import shared_dir
from worker.errors import ExtractionError, NotAnArticle
from worker.extraction import ExtractedArticle, extract_article


def f1(scores: list[tuple[float, float]]) -> float:
    return summary(scores)[2]


def our_body(html: str, url: str) -> str:
    try:
        return extract_article(html, url).body
    except NotAnArticle:
        return ""


def test_zyte_dev_at_least_as_good_as_trafilatura() -> None:
    root = shared_dir("corpus", "zyte-dev")
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    ours, baseline = [], []
    for sha, page in truth.items():
        html = read_html(root / "html" / f"{sha}.html.gz")
        ours.append(page_scores(page["articleBody"], our_body(html, page["url"])))
        plain = trafilatura.extract(html, url=page["url"]) or ""
        baseline.append(page_scores(page["articleBody"], plain))
    assert f1(ours) >= f1(baseline)
    assert f1(ours) >= 0.97


@pytest.fixture(scope="module")
def eval_sample() -> list[tuple[dict[str, object], ExtractedArticle | None]]:
    """The first 150 trafilatura-eval pages with their annotations and our extraction."""
    root = shared_dir("corpus", "trafilatura-eval")
    annotations = json.loads((root / "annotations.json").read_text(encoding="utf-8"))
    results: list[tuple[dict[str, object], ExtractedArticle | None]] = []
    for url, note in list(annotations.items())[:150]:
        html = read_html(root / "html" / note["file"])
        try:
            results.append((note, extract_article(html, url)))
        except ExtractionError:  # NotAnArticle included; any other exception fails the test
            results.append((note, None))
    return results


def _clean(text: object) -> str:
    return " ".join(str(text or "").split())


def test_trafilatura_eval_snippets(eval_sample: list[tuple[dict[str, object], Any]]) -> None:
    found = missed = leaked = 0
    for note, article in eval_sample:
        body = _clean(article.body) if article else ""
        for snippet in note.get("with", []):  # type: ignore[attr-defined]
            if _clean(snippet) in body:
                found += 1
            else:
                missed += 1
        leaked += sum(_clean(s) in body for s in note.get("without", []))  # type: ignore[attr-defined]
    precision, recall = found / (found + leaked), found / (found + missed)
    assert 2 * precision * recall / (precision + recall) >= 0.88


@pytest.mark.parametrize(("field", "minimum"), [("title", 0.65), ("author", 0.55)])
def test_trafilatura_eval_metadata(
    eval_sample: list[tuple[dict[str, object], Any]], field: str, minimum: float
) -> None:
    right = total = 0
    for note, article in eval_sample:
        expected = note.get(field)
        if not expected or not isinstance(expected, str) or article is None:
            continue
        value = article.title if field == "title" else "; ".join(article.authors)
        total += 1
        right += _clean(value) == _clean(expected)
    assert total > 20
    assert right / total >= minimum
