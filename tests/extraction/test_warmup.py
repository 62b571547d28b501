"""Warming extraction up loads its lazy models (the worker does it before its pool forks;
``tests/e2e/test_celery.py`` checks that in a real worker's log)."""

from __future__ import annotations

import subprocess
import sys

_PROBE = """
import trafilatura.external as fallback
from dateparser.languages.loader import LocaleDataLoader
from worker.extraction import language, warmup
warmup.warm_up()
print(
    language._identifier.cache_info().currsize,
    fallback.JT_STOPLIST is not None,
    len(LocaleDataLoader._loaded_languages) > 0,
)
"""


def test_warm_up_loads_the_language_model_the_stoplists_and_dateparsers_locales() -> None:
    """In a fresh interpreter (this one may have loaded them already)."""
    probe = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    assert probe.stdout.split() == ["1", "True", "True"], probe.stderr
