"""Settings: embedded defaults, the NEWSWORKER_ prefix, and a README that documents them all."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from worker.errors import ConfigError
from worker.settings import Settings, get_settings

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


def test_the_embedded_files_follow_var_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """NEWSWORKER_VAR_DIR moved the beat schedule and the host limits; the embedded database
    and broker stayed in ./var."""
    monkeypatch.chdir(tmp_path)
    for name in Settings.model_fields:
        monkeypatch.delenv(f"NEWSWORKER_{name.upper()}", raising=False)
    monkeypatch.setenv("NEWSWORKER_VAR_DIR", str(tmp_path / "state"))
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'state' / 'newsworker.sqlite'}"
    assert settings.broker_url == f"sqla+sqlite:///{tmp_path / 'state' / 'broker.sqlite'}"


@pytest.mark.parametrize("variable", ["DATABASE_URL", "BROKER_URL"])
def test_a_url_that_does_not_parse_is_refused_without_showing_it(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    # a port with a typo was a traceback at the first connection, password and all
    monkeypatch.setenv(f"NEWSWORKER_{variable}", "postgresql://news:s3cret@db:5432x/news")
    with pytest.raises(ConfigError) as refused:
        get_settings.__wrapped__()
    assert f"NEWSWORKER_{variable}: not a URL" in str(refused.value)
    assert "s3cret" not in str(refused.value)


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


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CONCURRENCY", "0"),
        ("CONCURRENCY", "-1"),
        ("HOST_CONCURRENCY", "0"),
        ("CONNECT_TIMEOUT", "-5"),
        ("READ_TIMEOUT", "0"),
        ("TOTAL_TIMEOUT", "-1"),
        ("TICK_SECONDS", "0"),
        ("MAX_ATTEMPTS", "0"),
        ("PENDING_TIMEOUT_SECONDS", "-60"),
        ("RETRY_BACKOFF_SECONDS", "-30"),
        ("MAX_REDIRECTS", "-1"),
        ("MAX_RESPONSE_BYTES", "0"),
        ("HEALTH_MAX_TICK_AGE_SECONDS", "-1"),
        ("LOG_LEVEL", "verbose"),
    ],
)
def test_values_that_cannot_work_are_refused_at_start(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    """Accepted, they failed later and elsewhere: no concurrency meant as many processes as CPUs,
    a zero tick sent thousands of ticks a second, a host concurrency of 0 never fetched."""
    monkeypatch.setenv(f"NEWSWORKER_{name}", value)
    with pytest.raises(ValidationError, match=name.lower()):
        Settings()


def test_the_log_level_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSWORKER_LOG_LEVEL", "debug")
    assert Settings().log_level == "DEBUG"


def test_an_unsupported_host_limits_url_is_refused_without_its_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only the first task that opened the store refused it, and beat's traceback printed it."""
    monkeypatch.setenv("NEWSWORKER_HOST_LIMITS_URL", "redis+sentinel://:s3cret@sentinel:26379/0")
    with pytest.raises(ValidationError) as raised:
        Settings()
    message = str(raised.value)
    assert "NEWSWORKER_HOST_LIMITS_URL: unsupported scheme 'redis+sentinel'" in message
    assert "s3cret" not in message
    for supported in ("redis://r:6379/1", "rediss://r/1", "sqlite:///var/h.sqlite", "none", ""):
        monkeypatch.setenv("NEWSWORKER_HOST_LIMITS_URL", supported)
        assert Settings().host_limits_url == supported


def test_a_refused_setting_prints_no_other_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    """An error about the whole model would show every value, the database password with them."""
    monkeypatch.setenv("NEWSWORKER_DATABASE_URL", "postgresql+psycopg://news:s3cret@db/news")
    monkeypatch.setenv("NEWSWORKER_TICK_SECONDS", "600")
    with pytest.raises(ValidationError) as raised:
        Settings()
    assert "s3cret" not in str(raised.value)


def test_health_allows_a_tick_age_of_at_least_two_tick_intervals(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ticks every 600 s against the default limit of 300 s: health failed half the time."""
    monkeypatch.setenv("NEWSWORKER_TICK_SECONDS", "600")
    with pytest.raises(ValidationError, match=r"at least twice NEWSWORKER_TICK_SECONDS \(600\)"):
        Settings()
    monkeypatch.setenv("NEWSWORKER_HEALTH_MAX_TICK_AGE_SECONDS", "1200")
    settings = Settings()
    assert (settings.tick_seconds, settings.health_max_tick_age_seconds) == (600, 1200)
