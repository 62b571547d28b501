"""Language: stated, detected, configured."""

from __future__ import annotations

import pytest

from worker.extraction.hints import Hint
from worker.extraction.language import choose, detect, normalise

ENGLISH = (
    "The United States takes its defense alliance with South Korea very seriously, a Pentagon "
    "spokesman said Monday, highlighting US efforts to ensure the countries' joint defense "
    "readiness at all times. John Kirby also said the US always evaluates its military "
    "exercises in any given year to make sure that the military is ready."
)
GERMAN = (
    "Nach monatelanger Debatte hat der Stadtrat am Montagabend den Ausbau des städtischen "
    "Radwegenetzes beschlossen. In den kommenden fünf Jahren sollen rund 40 Kilometer neue "
    "Radwege entstehen, viele davon baulich von der Fahrbahn getrennt. Die Entscheidung fiel "
    "mit 31 zu 18 Stimmen, nachdem die Verwaltung den Plan in Bürgerversammlungen vorgestellt "
    "hatte und die Opposition weitere Prüfungen gefordert hatte."
)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("en-US", "en"),
        ("en_US", "en"),
        ("EN", "en"),
        ("de-DE", "de"),
        ("zh-Hans", "zh"),
        ("eng", "en"),
        ("German", "de"),
        ("iw", "he"),
        ("x-default", None),
        ("", None),
        (None, None),
        ("klingon", None),
    ],
)
def test_normalise(value: str | None, code: str | None) -> None:
    assert normalise(value) == code


def test_detect() -> None:
    assert detect(ENGLISH)[0] == "en"
    assert detect(GERMAN)[0] == "de"
    assert detect("1234 5678") == (None, 0.0)


def test_detection_reads_further_when_the_opening_is_unsure() -> None:
    """A body opening with a results table (names and figures) is still told by its prose."""
    results = " ".join(f"Müller {i} Schmidt {i + 1}:{i + 2}" for i in range(80))[:1000]
    language, confidence = detect(results + " " + GERMAN * 4)
    assert language == "de"
    assert confidence >= 0.9


def test_stated_language_wins_when_the_text_agrees() -> None:
    assert choose([Hint("en-US", "json-ld")], ENGLISH, "de") == ("en", "json-ld")


def test_a_statement_the_opening_confirms_stands_beside_a_longer_quote() -> None:
    """A German report quoting an English press release at length: the page says "de", and
    its first sentences agree; detection only overrides a statement the text contradicts."""
    body = GERMAN[:300] + " " + ENGLISH * 4
    assert detect(body)[0] == "en"  # the whole text reads as English
    assert choose([Hint("de", "markup")], body, None) == ("de", "markup")


BOKMAL = (
    "Bystyret vedtok tirsdag et nytt budsjett for det kommende året etter flere måneder med "
    "debatt mellom representantene om prioriteringer og skatter. Tilhengerne sa at planen vil "
    "finansiere veireparasjoner, utvide åpningstidene på biblioteket og ansette flere lærere, "
    "mens kritikerne mente den i for stor grad bygger på engangsinntekter."
)


@pytest.mark.parametrize("stated", ["nb-NO", "nb", "nn", "no"])
def test_a_norwegian_statement_stands_though_the_model_knows_only_no(stated: str) -> None:
    assert detect(BOKMAL)[0] == "no"
    code = stated.split("-")[0]
    assert choose([Hint(stated, "markup")], BOKMAL * 3, None) == (code, "markup")


def test_template_language_is_overridden_by_a_clear_body() -> None:
    assert choose([Hint("en", "markup")], GERMAN, None) == ("de", "detected")


def test_detection_beats_configuration_when_sure() -> None:
    assert choose([], GERMAN, "en") == ("de", "detected")


def test_configuration_breaks_ties_when_detection_is_unsure() -> None:
    assert choose([], "Ok ok.", "ko") == ("ko", "config")


def test_no_body_uses_statement_then_configuration() -> None:
    assert choose([Hint("fr_FR", "meta")], "", "en") == ("fr", "meta")
    assert choose([], "", "en") == ("en", "config")
    assert choose([], "", None) == (None, None)
