"""Candidate field values collected from one page, each tagged with where it was found.

Collectors (JSON-LD, meta tags, markup, visible text) only gather raw strings; the article
builder later cleans them and picks, per field, the first candidate that survives cleaning. Keeping
the source next to the value is what lets every output field carry its provenance.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Literal

from worker.storable import storable_text

Source = Literal[
    "rules", "json-ld", "meta", "markup", "heuristic", "announced", "config", "detected"
]

# The order in which sources are trusted when several state the same field. "rules" are the
# outlet's own CSS selectors from the sources file: an operator's statement beats the page's.
SOURCE_ORDER: tuple[Source, ...] = (
    "rules", "json-ld", "meta", "markup", "heuristic", "announced", "config", "detected"
)  # fmt: skip


# Template syntax of Twig, Jinja, Liquid, Smarty and TYPO3 Fluid left unrendered, and
# nothing else
_PLACEHOLDER = re.compile(r"(?:\{\{[^{}]*\}\}|\{%[^{}]*%\}|\{\$[\w.\[\]'\"-]+\}|\s)+")


# fields holding an address, in which a tab or line break is no part of it
_ADDRESSES = frozenset({"canonical", "image"})
_TAB_OR_NEWLINE = str.maketrans("", "", "\t\n\r")


@dataclass(frozen=True)
class Hint:
    """One raw value for one field, as the page states it."""

    value: str
    source: Source


@dataclass
class Hints:
    """Raw candidates per field name, in the order they were found."""

    fields: dict[str, list[Hint]] = field(default_factory=lambda: defaultdict(list))

    def add(self, name: str, value: object, source: Source, *, keep_lines: bool = False) -> None:
        """Record a candidate; non-strings, blank strings and a template's unfilled
        placeholder ("{{ seomatic.helper.extractTextFromField(entry.teaser) }}",
        "{$plugin.tx_news.opengraph.site_name}") are ignored.

        Whitespace is collapsed unless ``keep_lines`` (a body whose line breaks carry meaning).
        A text is composed (NFC) here, before any field's candidates are compared or
        deduplicated: "Mu\u0308nchen" (a CMS fed from macOS, a JSON "\u0308") and "München" are
        one tag, one author.
        """
        if not isinstance(value, str):
            return
        # the HTML parser yields no such character, but JSON's "\u0000" and "\ud83d" do
        value = storable_text(value)
        if name in _ADDRESSES:  # a URL parser drops tabs and line breaks (WHATWG URL)
            value = value.translate(_TAB_OR_NEWLINE)
        else:  # an address stays as written: composed, it may name another file
            value = unicodedata.normalize("NFC", value)
        text = value.strip() if keep_lines else " ".join(value.split())
        if text and not ("{" in text and _PLACEHOLDER.fullmatch(text)):
            self.fields[name].append(Hint(text, source))

    def get(self, name: str, order: tuple[Source, ...] = SOURCE_ORDER) -> list[Hint]:
        """Candidates for a field, most trusted source first, page order within a source.

        ``order`` overrides the general trust order for fields where a page-level statement is
        more deliberate than structured data (the canonical link, for instance).
        """
        found = [hint for hint in self.fields.get(name, []) if hint.source in order]
        return sorted(found, key=lambda hint: order.index(hint.source))

    def drop(self, name: str, values: set[str]) -> None:
        """Forget the candidates for a field whose case-folded value is one of ``values``."""
        kept = [hint for hint in self.fields.get(name, []) if hint.value.casefold() not in values]
        self.fields[name] = kept

    def merge(self, other: Hints) -> None:
        """Append every candidate of another collection."""
        for name, hints in other.fields.items():
            self.fields[name].extend(hints)
