"""The agency a wire story's dateline credits (``datelines``)."""

from __future__ import annotations

import pytest

from tests.extraction.support import GERMAN_PARAGRAPHS
from worker.extraction import extract_article
from worker.extraction.datelines import dateline_agencies


@pytest.mark.parametrize(
    ("paragraph", "agencies"),
    [
        ("Hamburg (dpa/lno) – Trotz eines Gespräches ...", ["dpa/lno"]),
        ("Frankfurt/Main (dpa) - Die Börse ...", ["dpa"]),
        ("WASHINGTON (AP) — The Senate ...", ["AP"]),
        ("New York City (Reuters) - Stocks ...", ["Reuters"]),
        ("Berlin (AFP/dpa) - Die Regierung ...", ["AFP", "dpa"]),
        ("Montpellier (SID) – Alexander Zverev ...", ["SID"]),
        ("Rostow (Russland) - Fünf Kinder ...", []),  # a country
        ("AUSTIN (KXAN) — Voters ...", []),  # a station
        ("Hamburg (dpa) Trotz eines Gespräches ...", []),  # no dash: no dateline
        ("Der Rat (dpa) hat gestern ...", []),  # no place: a sentence
        ("Trotz eines Gespräches zwischen Lucke (AfD) – und ...", []),
    ],
)
def test_a_dateline_credits_the_agencies_it_names(paragraph: str, agencies: list[str]) -> None:
    assert dateline_agencies(paragraph) == agencies


def test_wire_copy_without_a_byline_is_credited_to_its_agency() -> None:
    html = (
        "<html><head><title>Haushalt beschlossen</title></head><body><article>"
        "<h1>Haushalt beschlossen</h1><p>Hamburg (dpa/lno) – Der Senat hat am Dienstag den "
        f"Haushalt beschlossen.</p>{GERMAN_PARAGRAPHS}</article></body></html>"
    )
    article = extract_article(html, "https://example.com/haushalt")
    assert article.authors == ["dpa/lno"]
    assert article.provenance["authors"] == "heuristic"


def test_a_byline_wins_over_the_dateline() -> None:
    html = (
        "<html><head><title>Haushalt beschlossen</title></head><body><article>"
        "<h1>Haushalt beschlossen</h1><p>Von Jana Roth</p><p>Hamburg (dpa) – Der Senat hat am "
        f"Dienstag den Haushalt beschlossen.</p>{GERMAN_PARAGRAPHS}</article></body></html>"
    )
    assert extract_article(html, "https://example.com/haushalt").authors == ["Jana Roth"]
