"""Helpers for the extraction tests: the test pages and the optional ../shared corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

PAGES = Path(__file__).resolve().parent / "pages"
SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def read_page(name: str) -> str:
    """A test page (or its expected body) from tests/extraction/pages."""
    return (PAGES / name).read_text(encoding="utf-8")


def shared_dir(*parts: str) -> Path:
    """A directory under ../shared, or skip the test when the checkout does not have it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not found: {path}")
    return path


# Two paragraphs of a German article: body text for test pages built around them.
GERMAN_PARAGRAPHS = "".join(
    f"<p>{text}</p>"
    for text in (
        "Der Stadtrat hat am Dienstag nach langer Debatte den Haushalt für das kommende Jahr "
        "beschlossen, mit mehr Geld für Schulen, Straßen und den Hafen.",
        "Die Bürgermeisterin sagte, die Abstimmung kläre die Frage für ein Jahr; die Opposition "
        "verlangte eine Prüfung der Hafenarbeiten, bevor neues Geld ausgegeben wird.",
    )
)


# Four paragraphs of an English local story: body text for test pages built around them.
HARBOUR_PARAGRAPHS = [
    "The council agreed on Tuesday to rebuild the old harbour wall, which storms damaged twice "
    "in the last decade, at a cost of four million euros.",
    "Work will start in spring and should take two years, during which the ferry will use a "
    "temporary pier north of the town.",
    "Residents asked for the footpath along the wall to stay open on weekends, and the council "
    "promised to consider it.",
    "The harbour master said the new wall would also allow larger fishing boats to moor safely "
    "in winter.",
]
