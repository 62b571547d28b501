"""Settings: the only reader of the environment.

Every setting is typed, defaulted and documented here and in the README (a test keeps the two in
step). With no environment at all, the worker runs embedded: SQLite under ``./var/`` and a
SQLite-backed Celery broker that a separate worker and beat process can share.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from worker.errors import ConfigError

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]

# the stores of the per-host limits (worker/fetching/hoststores.py), besides "none"
HOST_LIMITS_SCHEMES = ("redis://", "rediss://", "unix://", "sqlite:///")


class Settings(BaseSettings):
    """Runtime configuration, read from ``NEWSWORKER_*`` environment variables (and ``.env``)."""

    model_config = SettingsConfigDict(
        env_prefix="NEWSWORKER_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # URLs carry passwords, and an error of the whole model would print every value
        hide_input_in_errors=True,
    )

    database_url: str = Field(
        "",
        description="SQLAlchemy URL of the article database "
        "(production: postgresql+psycopg://user:pass@host/db). "
        "Empty: the embedded sqlite:///<var_dir>/newsworker.sqlite.",
    )
    broker_url: str = Field(
        "",
        description="Celery broker URL (production: redis://host:6379/0). "
        "Empty: an embedded SQLite broker that needs no server, <var_dir>/broker.sqlite.",
    )
    sources_file: Path = Field(
        Path("config/sources.toml"), description="TOML file of outlets and their sources."
    )
    user_agent: str = Field(
        "newsworker/0.1 (+https://github.com/newsworker/newsworker)",
        description="User-Agent sent on every request; keep a contact URL in it.",
    )
    connect_timeout: float = Field(10.0, gt=0, description="Seconds to open a connection.")
    read_timeout: float = Field(20.0, gt=0, description="Seconds to wait for each read.")
    total_timeout: float = Field(60.0, gt=0, description="Seconds a whole download may take.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed before giving up.")
    max_response_bytes: int = Field(
        10_000_000, ge=1, description="Largest response body read (bytes); larger ones are skipped."
    )
    robots_ttl_seconds: int = Field(
        86400, ge=0, description="How long a host's robots.txt is trusted before it is read again."
    )
    allow_networks: str = Field(
        "",
        description="Comma-separated CIDR blocks exempt from the refusal to fetch private, "
        "loopback, link-local and metadata addresses (e.g. `10.20.0.0/16`). Empty: none.",
    )
    host_delay_seconds: float = Field(
        1.0,
        ge=0,
        description="Default seconds between two requests to one host, across all workers "
        "(an outlet's `request_delay` or a longer robots.txt Crawl-delay overrides it).",
    )
    host_concurrency: int = Field(
        2, ge=1, description="Default requests in flight to one host at once, across all workers."
    )
    host_max_wait_seconds: float = Field(
        20.0,
        ge=0,
        description="Longest a fetch waits for its host's turn; beyond it the task is queued "
        "again for later (no attempt is used up).",
    )
    host_limits_url: str = Field(
        "",
        description="Where the shared per-host limits live: `redis://...`, `sqlite:///path` or "
        "`none` (off). Empty: the broker's Redis, or `<var_dir>/hosts.sqlite` when the broker is "
        "not Redis (one machine).",
    )
    max_attempts: int = Field(
        4, ge=1, description="Attempts at a URL (transient failures only) before it is `failed`."
    )
    retry_backoff_seconds: float = Field(
        30.0, gt=0, description="First retry delay; doubles each attempt (capped at one hour)."
    )
    tick_seconds: float = Field(
        30.0, gt=0, description="How often beat sends the tick that claims due sources."
    )
    refresh_within_hours: float = Field(
        48.0,
        ge=0,
        description="A stored article whose source (a sitemap's lastmod, an Atom entry's updated) "
        "says it changed since it was fetched is fetched again, at most hourly, while its URL is "
        "younger than this many hours. 0: never.",
    )
    pending_timeout_seconds: int = Field(
        3600,
        ge=0,
        description="A URL pending this long past its due time (a lost task) is queued again "
        "by the next tick.",
    )
    max_memory_per_child_kb: int = Field(
        # Celery compares its peak resident memory, which counts the pages it shares with its
        # worker (the extraction libraries and models loaded before the fork): a fresh pool
        # process starts at 340 MB of it. At 400 MB each was replaced every 11 minutes.
        800_000,
        ge=0,
        description="A worker pool process is replaced after its task once its peak resident "
        "memory (shared pages counted) exceeds this many KiB (Celery "
        "`worker_max_memory_per_child`). 0: off.",
    )
    soft_shutdown_seconds: float = Field(
        0.0,
        ge=0,
        description="On a cold shutdown (SIGQUIT, or SIGTERM with `REMAP_SIGTERM=SIGQUIT` as in "
        "docker-compose.yml) a busy worker waits this long, then puts the tasks still running "
        "back on the queue and exits (Celery `worker_soft_shutdown_timeout`). 0: at once.",
    )
    fetch_time_limit_seconds: float = Field(
        600.0,
        ge=0,
        description="A fetch task still running after this many seconds (a page the extractor "
        "cannot get through, a stalled download) has its pool process killed and replaced; its "
        "URL is queued again by the lost-task sweep and fails as `too_many_attempts` after "
        "`NEWSWORKER_MAX_ATTEMPTS` such attempts (Celery `time_limit`). 0: none.",
    )
    poll_time_limit_seconds: float = Field(
        900.0,
        ge=0,
        description="A poll task still running after this many seconds (a document too large or "
        "slow to read) has its pool process killed and replaced, and the poll is recorded as "
        "the source's error (`time_limit`, backed off like any failed poll); a sitemap walk "
        "pauses on its own after five minutes (Celery `time_limit`). 0: none.",
    )
    max_sitemap_children: int = Field(
        50, ge=0, description="Child sitemaps followed from one sitemap index per poll."
    )
    raw_retention_days: float = Field(
        30.0,
        ge=0,
        description="Days raw responses are kept for `newsworker reprocess`; older ones are "
        "deleted by the tick. 0: kept forever.",
    )
    health_max_tick_age_seconds: float = Field(
        300.0,
        gt=0,
        description="`newsworker health` fails when the last tick (beat -> broker -> worker) is "
        "older than this, `health --beat` when this beat's last tick sent is; at least twice "
        "`NEWSWORKER_TICK_SECONDS`.",
    )
    concurrency: int = Field(2, ge=1, description="Worker processes (`newsworker worker`/`run`).")
    prefetch_multiplier: int = Field(
        2,
        ge=1,
        description="Messages a worker holds per process (Celery `worker_prefetch_multiplier`): "
        "2 has the next task ready when one ends, 1 takes it from the broker only then (a "
        "fifth fewer pages per second for one process, measured; spreads long tasks more "
        "evenly over workers).",
    )
    metrics_port: int = Field(
        9808,
        ge=0,
        le=65535,
        description="Port of the Prometheus metrics endpoint of `newsworker worker`/`run`; 0: off.",
    )
    metrics_address: str = Field(
        "0.0.0.0",  # noqa: S104 - scraped from other machines or containers
        description="Address the metrics endpoint listens on (`127.0.0.1`: this machine only).",
    )
    inline_concurrency: int = Field(
        8, ge=1, description="Hosts fetched at once by `newsworker crawl --inline`."
    )
    log_level: LogLevel = Field(
        "INFO", description="Log level: DEBUG, INFO, WARNING, ERROR, CRITICAL (any case)."
    )
    log_json: bool = Field(
        True, description="JSON log lines (true) or human-readable console lines (false)."
    )
    var_dir: Path = Field(
        Path("var"), description="Directory for the embedded database, broker and beat state."
    )

    @field_validator("allow_networks")
    @classmethod
    def _cidr_blocks(cls, value: str) -> str:
        parse_networks(value)
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level_in_any_case(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("host_limits_url")
    @classmethod
    def _host_limits_store(cls, value: str) -> str:
        """Refused here, where it is read, rather than by the first task that opens the store
        (beat died on it with a traceback that printed the URL, password and all)."""
        if value in ("", "none") or value.startswith(HOST_LIMITS_SCHEMES):
            return value
        raise ValueError(unsupported_host_limits_url(value))

    @model_validator(mode="after")
    def _embedded_files_in_var_dir(self) -> Self:
        """The embedded database and broker live in ``var_dir`` unless given: a var_dir set
        elsewhere moved only the beat schedule and the host limits, and the two files stayed
        in ./var."""
        if not self.database_url:
            self.database_url = f"sqlite:///{self.var_dir / 'newsworker.sqlite'}"
        if not self.broker_url:
            self.broker_url = f"sqla+sqlite:///{self.var_dir / 'broker.sqlite'}"
        return self

    @field_validator("database_url", "broker_url")
    @classmethod
    def _parses(cls, value: str) -> str:
        """A URL that does not parse (a port "5432x") was a traceback at the first connection;
        refused here (the message names the variable, never the value: it may hold a
        password)."""
        if value:
            try:
                _ = make_url(value.removeprefix("sqla+")).port
            except (ArgumentError, ValueError):
                raise ValueError(
                    "not a URL of the form scheme://[user[:password]@]host[:port]/..."
                ) from None
        return value

    @model_validator(mode="after")
    def _health_outlasts_a_tick(self) -> Self:
        """Beat ticks every ``tick_seconds``: a tick age limit under that fails health for part
        of every interval though nothing is wrong (600 s ticks against 300 s, half the time)."""
        if self.health_max_tick_age_seconds < 2 * self.tick_seconds:
            raise ValueError(
                f"NEWSWORKER_HEALTH_MAX_TICK_AGE_SECONDS ({self.health_max_tick_age_seconds:g}) "
                f"must be at least twice NEWSWORKER_TICK_SECONDS ({self.tick_seconds:g}): beat "
                "sends a tick only that often, so health would fail between two ticks"
            )
        return self

    @property
    def allowed_networks(self) -> tuple[IPNetwork, ...]:
        return parse_networks(self.allow_networks)


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """``"127.0.1.0/24, 10.2.0.0/16"`` -> networks; raises ValueError naming a bad block."""
    networks: list[IPNetwork] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise ValueError(f"{part!r} is not a CIDR block: {exc}") from exc
    return tuple(networks)


def unsupported_host_limits_url(url: str) -> str:
    """Why ``url`` names no store of the per-host limits, showing its scheme and not the rest
    (where a password would be)."""
    scheme = url.partition("://")[0]
    shown = f"scheme {scheme!r}" if re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*", scheme) else "value"
    return (
        f"NEWSWORKER_HOST_LIMITS_URL: unsupported {shown}; expected redis://..., rediss://..., "
        "unix://..., sqlite:///path or none"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once; a ConfigError names each variable set wrong."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError(describe_invalid(exc)) from exc


def describe_invalid(exc: ValidationError) -> str:
    """``NEWSWORKER_MAX_ATTEMPTS='4x': <the problem>`` for each bad value, not pydantic's
    field names and links."""
    problems = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = f"NEWSWORKER_{field.upper()}" if field else "settings"
        message = error["msg"].removeprefix("Value error, ")
        # a URL's value is not shown: it may hold a password
        shown = "" if not field or field.endswith("_url") else f"={error['input']!r}"
        problems.append(f"{name}{shown}: {message}")
    return "bad setting: " + "; ".join(problems)
