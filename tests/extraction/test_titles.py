"""Headlines without the outlet's name."""

from __future__ import annotations

import pytest

from worker.extraction.titles import clean_title, strip_outlet

NAMES = ["The Korea Herald", "Muslim Times", "koreaherald"]


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (
            "US takes alliance commitment with S. Korea very seriously: Pentagon spokesman"
            " - The Korea Herald",
            "US takes alliance commitment with S. Korea very seriously: Pentagon spokesman",
        ),
        ("Headline | Muslim Times", "Headline"),
        ("Headline – Korea Herald", "Headline"),
        ("Headline — koreaherald.com", "Headline"),
        ("Muslim Times | Headline - with a dash", "Headline - with a dash"),
        ("Man bites dog - a true story", "Man bites dog - a true story"),
        ("Pentagon: no change", "Pentagon: no change"),
        ("Headline of the day › Muslim Times", "Headline of the day"),
    ],
)
def test_strip_outlet(raw: str, title: str) -> None:
    assert strip_outlet(raw, NAMES) == title


def test_clean_title_rejects_empty_and_outlet_only() -> None:
    assert clean_title("  ", NAMES) is None
    assert clean_title("The Korea Herald", NAMES) is None
    assert clean_title("x" * 500, NAMES) is None
    assert clean_title("A real headline", []) == "A real headline"
