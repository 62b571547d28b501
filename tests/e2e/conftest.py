"""The test web (three outlets on 127.0.0.1) for end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.localweb.sites import TestWeb, build_test_web, require_seeds


@pytest.fixture
def web(tmp_path: Path) -> Iterator[TestWeb]:
    require_seeds()
    with build_test_web(tmp_path) as test_web:
        yield test_web
