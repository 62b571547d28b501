"""The extraction targets on the real pages of ../shared/corpus, measured as
``benchmarks/extraction.py`` measures them (without the times).

All 1,081 pages, each through our extractor and both trafilatura settings (four to five
minutes): a change that cuts body text, lets chrome in or loses metadata fails here rather than in
the next benchmark run. The first 150 trafilatura-eval pages alone would not do: on them
trafilatura's F1 was above ours when this test was widened (0.934 against 0.928), on all 990
it is well below. The body
floors are the issue's targets; the metadata floors sit six to nine pages below today's figures
(in the comments), which miss the targets. Any exception other than ``ExtractionError`` fails
too. Skipped when the corpora are not checked out beside the repository.
"""

from __future__ import annotations

import pytest

from benchmarks.extraction import (
    EXTRACTORS,
    HAS_METADATA,
    Tally,
    eval_scores,
    load_pages,
    match_rate,
    score,
)
from benchmarks.metrics import summary
from tests.extraction.support import shared_dir

# Reading every page with three extractors takes four to five minutes on a 2-core machine
# (the suite's default limit is five, which one slow run exceeded)
pytestmark = pytest.mark.timeout(1200)

OURS = "newsworker"
# the benchmark's extractors that state metadata: ours and trafilatura's two settings
COMPARED = {name: EXTRACTORS[name] for name in sorted(HAS_METADATA)}


@pytest.fixture(scope="module")
def tallies() -> dict[str, Tally]:
    """Each extractor's scores on every page of both corpora."""
    results = {name: Tally() for name in COMPARED}
    for page in load_pages(shared_dir("corpus"), limit=None):
        for name, extract in COMPARED.items():
            score(results[name], page, extract(page.html, page.url))
    assert results[OURS].zyte, "no zyte-dev page read"
    return results


def test_zyte_dev_body_meets_the_targets(tallies: dict[str, Tally]) -> None:
    """F1 at least 0.975 with precision at least 0.97, above trafilatura's best setting
    (today: 0.980 / 0.984 / 0.982 against 0.975)."""
    precision, _, f1 = summary(tallies[OURS].zyte)
    assert precision >= 0.97
    assert f1 >= 0.975
    for name in COMPARED.keys() - {OURS}:
        assert f1 > summary(tallies[name].zyte)[2], name


def test_trafilatura_eval_body_beats_trafilatura(tallies: dict[str, Tally]) -> None:
    """Snippets found against missed and leaked: above trafilatura on the same pages (today
    0.945 against 0.923)."""
    f1 = eval_scores(tallies[OURS])[2]
    assert f1 >= 0.93
    for name in COMPARED.keys() - {OURS}:
        assert f1 > eval_scores(tallies[name])[2], name


@pytest.mark.parametrize(
    ("field", "minimum"),
    # today: title 736 of 845 (0.871), author 378 of 538 (0.703), date 655 of 728 (0.900)
    [("title", 0.86), ("author", 0.69), ("date", 0.89)],
)
def test_trafilatura_eval_metadata(tallies: dict[str, Tally], field: str, minimum: float) -> None:
    """Exact matches of the annotated title, authors (as a set of names) and date, above
    trafilatura's own metadata."""
    assert len(tallies[OURS].matches[field]) > 20
    rate = match_rate(tallies[OURS], field)
    assert rate >= minimum
    for name in COMPARED.keys() - {OURS}:
        assert rate > match_rate(tallies[name], field), name
