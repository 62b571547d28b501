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
