"""Golden pages: every field of the extractor's output against the reviewed expected JSON.

A deliberate extractor change is recorded with ``python -m tests.extraction.golden.regenerate``
and reviewed in the diff; any other change to any field of any page fails here.
"""

from __future__ import annotations

import json

import pytest

from tests.extraction.golden.regenerate import expected_path, extract, names
from worker.extraction import ExtractedArticle

FIELDS = sorted(ExtractedArticle.__dataclass_fields__)


@pytest.mark.parametrize("name", names())
def test_every_field_matches_the_golden_file(name: str) -> None:
    expected = json.loads(expected_path(name).read_text(encoding="utf-8"))
    actual = extract(name)
    assert sorted(expected) == FIELDS, "regenerate: the golden file lacks or has extra fields"
    for field in FIELDS:
        assert actual[field] == expected[field], f"{name}: {field}"


def test_the_golden_set_covers_the_cms_styles_and_the_seeds() -> None:
    assert {
        "arc_publishing", "amp_article", "table_layout", "wire_copy_wordpress",
        "paywall_truncated", "korea_herald_style", "wordpress_yoast",
    } <= set(names())  # fmt: skip


@pytest.mark.parametrize(
    ("name", "paywalled", "tags"),
    [
        ("arc_publishing", True, ["transit", "Senate", "infrastructure", "Congress"]),
        ("paywall_truncated", True, ["Verkehr", "Kirchberg", "ÖPNV"]),
        ("amp_article", False, ["Busan", "hydrogen", "ferries", "shipping", "climate"]),
    ],
)
def test_paywall_and_tags(name: str, paywalled: bool, tags: list[str]) -> None:
    record = extract(name)
    assert record["paywalled"] is paywalled
    assert record["tags"] == tags


def test_a_truncated_page_keeps_the_free_part_only() -> None:
    record = extract("paywall_truncated")
    body = str(record["body"])
    assert body.count("\n\n") == 1  # two paragraphs
    assert "Abonnent" not in body and "weiterlesen" not in body.lower()
    assert record["provenance"]["paywalled"] == "heuristic"


def test_outlet_rules_select_the_body_of_a_table_layout() -> None:
    record = extract("table_layout")
    body = str(record["body"])
    assert record["provenance"]["body"] == "rules"
    assert body.startswith("MILLBROOK -- Harlan County commissioners voted 4-1")
    assert body.endswith("The meeting is open to the public.")
    for chrome in ("DETOUR ROUTE", "Email this story", "More Local News", "Police Blotter"):
        assert chrome not in body
    assert record["authors"] == ["Dale Hutchins", "Karen Wojcik"]
