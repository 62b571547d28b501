"""The sources file: outlets and the feeds, sitemaps and listing pages to poll for each.

Owns parsing and validating ``config/sources.toml``. Syncing it into the database lives in
``worker.storage.repository``; polling lives in ``worker.pipeline``.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from worker.errors import ConfigError
from worker.extraction.rules import compile_selector
from worker.storable import MAX_INTERVAL_SECONDS, MAX_URL_CHARS

_DURATION = re.compile(r"^\s*(\d+)\s*([smh])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
_KEY_PART = r"[a-z0-9][a-z0-9_.-]*"
_KEY = re.compile(rf"^{_KEY_PART}$")
# an outlet's key, or several joined by '/' as the default '<outlet>/<kind>'; never '~', which
# marks the keys the sync gives removed sources
_SOURCE_KEY = re.compile(rf"^{_KEY_PART}(/{_KEY_PART})*$")
MIN_INTERVAL_SECONDS = 30


def parse_duration(text: str) -> int:
    """``"10m"`` -> 600. Accepts whole numbers of seconds, minutes or hours."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30s, 10m or 2h")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


SourceKind = Literal["feed", "sitemap", "listing"]


@functools.lru_cache(maxsize=256)
def compile_article_urls(pattern: str) -> re.Pattern[str]:
    """A source's ``article_urls``: a regular expression searched in each link's URL;
    ValueError naming the problem when it is none."""
    try:
        return re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"bad regular expression {pattern!r}: {exc}") from exc


class SourceConfig(BaseModel):
    """One feed, sitemap or listing page of an outlet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: SourceKind
    url: str
    every: str = "15m"
    key: str | None = Field(
        None, description="Stable name; defaults to '<outlet>/<kind>'.", max_length=200
    )
    enabled: bool = True
    article_urls: str | None = Field(
        None,
        description="Regular expression the URLs of the outlet's articles match (searched); "
        "links that do not match are not articles. For a listing page it replaces the guess.",
        max_length=500,
    )

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        """A key the CLI's ``--source`` can name, as an outlet's; "" is no default key."""
        if value is None:
            return None
        if not value:
            raise ValueError("empty key: leave `key` out for the default '<outlet>/<kind>'")
        if not _SOURCE_KEY.match(value):
            raise ValueError(
                f"{value!r} is not a key: lowercase letters, digits, '_', '-', '.' (a letter or "
                "digit first), parts joined by '/' as in 'yonhap/feed'"
            )
        return value

    @field_validator("article_urls")
    @classmethod
    def _article_urls(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.strip():
            raise ValueError("empty regular expression")
        compile_article_urls(value)
        return value

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        if len(value.strip()) > MAX_URL_CHARS:  # the sources table's column would refuse it
            raise ValueError(f"URL longer than {MAX_URL_CHARS} characters")
        return value.strip()

    @field_validator("every")
    @classmethod
    def _duration(cls, value: str) -> str:
        seconds = parse_duration(value)
        if seconds < MIN_INTERVAL_SECONDS:
            raise ValueError(f"{value!r} is shorter than {MIN_INTERVAL_SECONDS}s")
        if seconds > MAX_INTERVAL_SECONDS:
            raise ValueError(f"{value!r} is longer than {MAX_INTERVAL_SECONDS // 3600}h (7 days)")
        return value

    @property
    def interval_seconds(self) -> int:
        return parse_duration(self.every)


def check_selector(selector: str) -> str:
    """The selector, stripped; ValueError naming the problem when lxml cannot run it."""
    selector = selector.strip()
    if not selector:
        raise ValueError("empty CSS selector")
    try:
        compile_selector(selector)
    except ValueError as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc.__cause__}") from exc
    return selector


class ExtractionConfig(BaseModel):
    """CSS selectors for an outlet whose pages the generic extractor gets wrong."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    body: str | None = Field(None, description="The element(s) holding the article text.")
    title: str | None = Field(None, description="The headline element.")
    byline: str | None = Field(None, description="The element(s) naming the authors.")
    date: str | None = Field(None, description="The publication time element.")
    drop: list[str] = Field(default_factory=list, description="Elements removed before all else.")

    @field_validator("body", "title", "byline", "date")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        return check_selector(value) if value is not None else None

    @field_validator("drop")
    @classmethod
    def _selectors(cls, value: list[str]) -> list[str]:
        return [check_selector(item) for item in value]

    def stored(self) -> dict[str, object]:
        """The rules as kept in ``outlets.extraction_rules`` (only the fields that are set)."""
        return self.model_dump(exclude_none=True, exclude_defaults=True)


class OutletConfig(BaseModel):
    """A publication and its sources."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # the lengths of the outlets table's columns: a longer value failed the sync on PostgreSQL
    key: str = Field(max_length=100)
    name: str = Field(max_length=300)
    timezone: str | None = None
    language: str | None = None
    request_delay: float | None = Field(
        None, ge=0, le=3600, description="Seconds between two requests to this outlet's hosts."
    )
    max_connections: int | None = Field(
        None, ge=1, le=64, description="Requests in flight to one of its hosts at once."
    )
    extraction: ExtractionConfig | None = None
    sources: list[SourceConfig] = Field(default_factory=list)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"{value!r} is not an IANA time zone") from exc
        return value

    @field_validator("language")
    @classmethod
    def _language(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^[a-z]{2,3}$", value):
            raise ValueError(f"{value!r} is not a language code like 'en'")
        return value

    def source_keys(self) -> list[str]:
        """Each source's key: the explicit one, or '<outlet>/<kind>' numbered from the second."""
        keys: list[str] = []
        counts: dict[str, int] = {}
        for source in self.sources:
            if source.key is not None:
                keys.append(source.key)
                continue
            counts[source.kind] = counts.get(source.kind, 0) + 1
            suffix = "" if counts[source.kind] == 1 else f"-{counts[source.kind]}"
            keys.append(f"{self.key}/{source.kind}{suffix}")
        return keys


def read_sources_file(path: Path) -> bytes:
    """The sources file's bytes; a ConfigError says why they cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: sources file not found") from exc
    except OSError as exc:  # a directory, no permission: the sync is refused, not the tick
        raise ConfigError(f"{path}: cannot read the sources file: {exc.strerror}") from exc


def load_sources(path: Path, content: bytes | None = None) -> list[OutletConfig]:
    """Read and validate the sources file; a ConfigError names the outlet, key and problem.

    ``content``: the file's bytes, when the caller read them (to record the digest of exactly
    what it synced: a second read could see a later save)."""
    if content is None:
        content = read_sources_file(path)
    try:
        raw = tomllib.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:  # saved by an editor in cp1252 or Latin-1
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}: line {line} is not UTF-8: save the file as UTF-8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    return parse_sources(raw, origin=str(path))


def parse_sources(raw: dict[str, object], *, origin: str = "sources") -> list[OutletConfig]:
    """Validate an already parsed TOML document."""
    unknown = set(raw) - {"outlets"}
    if unknown:
        raise ConfigError(
            f"{origin}: unknown top-level key(s) {sorted(unknown)}; expected [outlets.*]"
        )
    outlets_raw = raw.get("outlets", {})
    if not isinstance(outlets_raw, dict) or not outlets_raw:
        raise ConfigError(f"{origin}: no outlets: add at least one [outlets.<key>] table")
    outlets: list[OutletConfig] = []
    seen_source_keys: dict[str, str] = {}
    outlet_keys = set(outlets_raw)
    url_owners: dict[str, tuple[str, str]] = {}
    for key, body in outlets_raw.items():
        if not _KEY.match(key):
            raise ConfigError(
                f"{origin}: outlet {key!r}: key must be lowercase letters, digits, '_', '-', '.'"
            )
        if not isinstance(body, dict):
            raise ConfigError(f"{origin}: outlet {key!r}: must be a table")
        try:
            outlet = OutletConfig.model_validate({"key": key, **body})
        except ValidationError as exc:
            raise ConfigError(_describe(origin, key, exc)) from exc
        _refuse_shared_keys(origin, outlet, outlet_keys, seen_source_keys)
        _refuse_duplicate_urls(origin, outlet, url_owners)
        outlets.append(outlet)
    return outlets


def _refuse_shared_keys(
    origin: str, outlet: OutletConfig, outlet_keys: set[str], seen: dict[str, str]
) -> None:
    """Refuse a source key used before (``seen``: source key -> outlet) or that is an outlet's
    key: ``--source KEY`` takes either, and would pick the other outlet's sources too."""
    for source_key in outlet.source_keys():
        if source_key in seen:
            raise ConfigError(
                f"{origin}: outlet {outlet.key!r}: source key {source_key!r} is already used "
                f"by outlet {seen[source_key]!r}"
            )
        if source_key in outlet_keys:
            raise ConfigError(
                f"{origin}: outlet {outlet.key!r}: source key {source_key!r} is the key of "
                f"outlet {source_key!r}: `--source {source_key}` would select both; "
                "choose another"
            )
        seen[source_key] = outlet.key


def _refuse_duplicate_urls(
    origin: str, outlet: OutletConfig, owners: dict[str, tuple[str, str]]
) -> None:
    """Refuse a URL listed twice; ``owners`` maps each URL seen so far to (outlet, source key).

    A source is its outlet's row for its URL: a second entry of one outlet would silently take
    over the first's row (its key and kind). Two outlets' sources would both poll the document,
    and the first to poll would own every article URL it yields (URLs are unique), read with
    its outlet's language and zone: a copied block whose URL was not changed.
    """
    for source_key, source in zip(outlet.source_keys(), outlet.sources, strict=True):
        first_outlet, first_key = owners.setdefault(source.url, (outlet.key, source_key))
        if first_key == source_key:
            continue
        if first_outlet == outlet.key:
            raise ConfigError(
                f"{origin}: outlet {outlet.key!r}: sources {first_key!r} and {source_key!r} "
                f"have the same URL {source.url!r}: keep one"
            )
        raise ConfigError(
            f"{origin}: outlet {outlet.key!r}: source {source_key!r} has the URL "
            f"{source.url!r} of source {first_key!r} of outlet {first_outlet!r}: a URL belongs "
            "to one outlet; change it or keep one"
        )


def _describe(origin: str, outlet: str, exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        location = ""
        for part in error["loc"]:
            location += f"[{part}]" if isinstance(part, int) else (f".{part}" if location else part)
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key"
        elif error["type"] == "missing":
            message = "required key is missing"
        problems.append(f"key {location!r}: {message}")
    return f"{origin}: outlet {outlet!r}: " + "; ".join(problems)
