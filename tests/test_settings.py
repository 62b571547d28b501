"""Settings: embedded defaults, the NEWSWORKER_ prefix, and a README that documents them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from worker.settings import Settings

REPO = Path(__file__).resolve().parents[1]


def test_defaults_are_the_embedded_mode(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no .env around
    for name in Settings.model_fields:
        monkeypatch.delenv(f"NEWSWORKER_{name.upper()}", raising=False)
    settings = Settings()
    assert settings.database_url == "sqlite:///var/newsworker.sqlite"
    assert settings.broker_url == "sqla+sqlite:///var/broker.sqlite"
    assert settings.sources_file == Path("config/sources.toml")
    assert "+http" in settings.user_agent, "the user agent carries a contact URL"


def test_environment_overrides_with_the_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWORKER_DATABASE_URL", "postgresql+psycopg://u@db/news")
    monkeypatch.setenv("NEWSWORKER_BROKER_URL", "redis://redis:6379/0")
    monkeypatch.setenv("NEWSWORKER_MAX_ATTEMPTS", "7")
    settings = Settings()
    assert settings.database_url == "postgresql+psycopg://u@db/news"
    assert settings.broker_url == "redis://redis:6379/0"
    assert settings.max_attempts == 7


def test_readme_documents_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [f"NEWSWORKER_{name.upper()}" for name in Settings.model_fields]
    missing = [name for name in missing if f"`{name}`" not in readme]
    assert not missing, f"settings missing from the README: {missing}"
