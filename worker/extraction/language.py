"""The article's language as an ISO 639-1 code.

What the page states (JSON-LD inLanguage, <html lang>, og:locale, Content-Language) is used
unless the body text clearly says otherwise and its opening does not agree with it: CMS
templates often keep a default lang="en" on pages written in another language, and a long body
classified with high confidence is better evidence than a template attribute. The outlet's
configured language is only a tie-breaker for pages that state nothing and whose text is too
short or mixed for a confident detection (many outlets publish in more than one language, so
configuration must not override the page).
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from worker.extraction.hints import Hint, Source

# Detection this sure is trusted over configuration.
CONFIDENT = 0.9
# Detection this sure, on at least OVERRIDE_MIN_CHARS of text, overrides what the page states.
OVERRIDE_CONFIDENCE = 0.97
OVERRIDE_MIN_CHARS = 300
# Detection reads the first _FIRST_CHARS of the body and, unless that already makes it
# SURE, the first _DETECT_CHARS (its time grows with the text). On the 1,074 bodies of
# ../shared/corpus this gives the same language, and the same side of CONFIDENT and
# OVERRIDE_CONFIDENCE, as always reading 2,000 characters, in 45% of the time.
_FIRST_CHARS = 1_000
_DETECT_CHARS = 2_000
SURE = 0.99
# A statement the body's first _AGREEMENT_CHARS confirm stands without reading further:
# detection only overrides a statement the text contradicts (a template's lang="en" on a German
# page contradicts it from the first sentence). On the 1,081 corpus pages this changes one
# language, a German page quoting an English press release at length (en -> de, as stated),
# and takes detection from 1.8 to 0.9 ms a page in the extraction (0.5 -> 0.2 ms alone: the
# model's tables are out of the CPU's caches when a page's extraction comes to them).
_AGREEMENT_CHARS = 300

_ISO_639_1_TEXT = (
    "aa ab ae af ak am an ar as av ay az ba be bg bh "
    "bi bm bn bo br bs ca ce ch co cr cs cu cv cy da "
    "de dv dz ee el en eo es et eu fa ff fi fj fo fr "
    "fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz "
    "ia id ie ig ii ik io is it iu ja jv ka kg ki kj "
    "kk kl km kn ko kr ks ku kv kw ky la lb lg li ln "
    "lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb "
    "nd ne ng nl nn no nr nv ny oc oj om or os pa pi "
    "pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk "
    "sl sm sn so sq sr ss st su sv sw ta te tg th ti "
    "tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo "
    "wa wo xh yi yo za zh zu "
)
ISO_639_1 = frozenset(_ISO_639_1_TEXT.split())
_ALIASES = {
    "iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro",
    "eng": "en", "deu": "de", "ger": "de", "fra": "fr", "fre": "fr", "spa": "es", "ita": "it",
    "por": "pt", "nld": "nl", "dut": "nl", "rus": "ru", "zho": "zh", "chi": "zh", "jpn": "ja",
    "kor": "ko", "ara": "ar", "tur": "tr", "pol": "pl", "swe": "sv", "ukr": "uk", "hin": "hi",
    "english": "en", "german": "de", "deutsch": "de", "french": "fr", "français": "fr",
    "spanish": "es", "español": "es", "italian": "it", "italiano": "it", "portuguese": "pt",
    "português": "pt", "dutch": "nl", "nederlands": "nl", "russian": "ru", "chinese": "zh",
    "japanese": "ja", "korean": "ko", "arabic": "ar", "turkish": "tr", "polish": "pl",
}  # fmt: skip


def normalise(value: str | None) -> str | None:
    """ "en-US", "en_US", "EN", "eng", "English" -> "en"; None when it is not a language."""
    if not value:
        return None
    code = re.split(r"[-_\s,;]", value.strip().lower(), maxsplit=1)[0]
    code = _ALIASES.get(code, code)
    return code if code in ISO_639_1 else None


@cache
def _identifier() -> Any:
    """py3langid's model restricted to languages with a two-letter code (loaded once)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages([label for label in identifier.labels if label in ISO_639_1])
    # set_languages leaves its table as a column slice (Fortran order, float16), so each text
    # gathers its features' rows across strides; a row-ordered float32 copy classifies 1,000
    # characters in a third of the time (0.44 -> 0.14 ms; 0.65 ms off the median page) for
    # 23 MB more, loaded before the worker's pool forks (warmup) and so shared by its processes.
    identifier.nb_ptc = identifier.nb_ptc.astype("float32", order="C")
    return identifier


def detect(text: str) -> tuple[str | None, float]:
    """Most likely language of a text and the model's probability for it."""
    if not any(ch.isalpha() for ch in text[:_DETECT_CHARS]):
        # a body that opens with a table of figures: its words come later
        text = "\n".join(line for line in text.splitlines() if any(ch.isalpha() for ch in line))
        if not text:
            return None, 0.0
    sample = text[:_FIRST_CHARS]
    label, confidence = _identifier().classify(sample)
    if confidence < SURE and len(text) > _FIRST_CHARS:
        label, confidence = _identifier().classify(text[:_DETECT_CHARS])
    return normalise(str(label)), float(confidence)


def choose(
    stated: list[Hint], body: str, configured: str | None
) -> tuple[str | None, Source | None]:
    """Pick the language and its provenance from statements, detection and configuration."""
    claim = next(((code, h.source) for h in stated if (code := normalise(h.value))), None)
    config = normalise(configured)
    if not body.strip():
        if claim:
            return claim
        return (config, "config") if config else (None, None)
    if claim is not None and _agree(detect(body[:_AGREEMENT_CHARS])[0], claim[0]):
        return claim
    detected, confidence = detect(body)
    if claim is not None:
        overrides = confidence >= OVERRIDE_CONFIDENCE and len(body) >= OVERRIDE_MIN_CHARS
        if detected and not _agree(detected, claim[0]) and overrides:
            return detected, "detected"
        return claim
    if detected and confidence >= CONFIDENT:
        return detected, "detected"
    if config:
        return config, "config"
    return (detected, "detected") if detected else (None, None)


# Languages the model cannot tell apart, or knows under one label only (it has "no", never
# "nb" or "nn"): a page stating one of them is not contradicted by detecting another.
_CLOSE = (frozenset({"no", "nb", "nn"}), frozenset({"sr", "hr", "bs"}), frozenset({"ms", "id"}))


def _agree(detected: str | None, stated: str) -> bool:
    return detected == stated or any({detected, stated} <= family for family in _CLOSE)
