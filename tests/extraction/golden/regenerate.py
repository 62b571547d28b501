"""Rewrite the expected output of every golden page from the current extractor.

    python -m tests.extraction.golden.regenerate [NAME ...]

Run it after a deliberate change to the extractor, then read the diff of the ``.expected.json``
files before committing it: the diff is the change users will see. Each page is
``<name>.html`` (or the file named by ``"page"``) with ``<name>.input.json`` giving the URL and
the outlet's zone, language, name and CSS rules, as the worker would pass them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from worker.errors import ExtractionError
from worker.extraction import extract_article
from worker.extraction.rules import Rules

GOLDEN = Path(__file__).resolve().parent


def names() -> list[str]:
    """Every golden page, by name."""
    return sorted(path.name.removesuffix(".input.json") for path in GOLDEN.glob("*.input.json"))


def extract(name: str) -> dict[str, Any]:
    """What the extractor makes of one golden page, as JSON-ready values."""
    options = json.loads((GOLDEN / f"{name}.input.json").read_text(encoding="utf-8"))
    page = GOLDEN / options.pop("page", f"{name}.html")
    rules = Rules.from_mapping(options.pop("rules", None))
    html = page.read_text(encoding="utf-8")
    try:
        return extract_article(html, rules=rules, **options).to_record()
    except ExtractionError as exc:
        return {"error": exc.reason, "detail": str(exc)}


def expected_path(name: str) -> Path:
    return GOLDEN / f"{name}.expected.json"


def main(argv: list[str]) -> None:
    for name in argv or names():
        record = extract(name)
        text = json.dumps(record, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        expected_path(name).write_text(text, encoding="utf-8")
        print(f"wrote {expected_path(name).relative_to(GOLDEN.parents[2])}")


if __name__ == "__main__":
    main(sys.argv[1:])
