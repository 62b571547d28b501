"""The database schema: a public contract read by downstream services (see docs/schema.md).

Change it only through an Alembic migration, additively where possible. All timestamps are
timezone-aware and stored in UTC; every column downstream services read carries a comment.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from worker.storable import MAX_URL_CHARS

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

URL_STATES = ("pending", "stored", "duplicate", "skipped", "failed")
FINAL_URL_STATES = ("stored", "duplicate", "skipped", "failed")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on every backend (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ClippedString(TypeDecorator[str]):
    """Text a server chooses (an ETag, a Content-Type, a section name) in a bounded column:
    clipped to the column's length on write. PostgreSQL refuses a longer value with an error
    that failed the whole poll or page; SQLite stored it whole."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        length = cast(String, self.impl_instance).length
        return value[:length] if value is not None and length else value


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime}


class Outlet(Base):
    __tablename__ = "outlets"
    __table_args__ = {"comment": "Publications, synced from the sources file."}

    id: Mapped[int] = mapped_column(primary_key=True, comment="Primary key.")
    key: Mapped[str] = mapped_column(String(100), unique=True, comment="Key in sources.toml.")
    name: Mapped[str] = mapped_column(String(300), comment="Display name.")
    timezone: Mapped[str | None] = mapped_column(
        String(64), comment="IANA zone for page times given without one."
    )
    language: Mapped[str | None] = mapped_column(String(8), comment="Configured language.")
    request_delay_seconds: Mapped[float | None] = mapped_column(
        Float, comment="Seconds between requests to the outlet's hosts; null: the default."
    )
    max_connections: Mapped[int | None] = mapped_column(
        Integer, comment="Requests in flight to one of its hosts at once; null: the default."
    )
    extraction_rules: Mapped[dict[str, Any] | None] = mapped_column(
        JSON,
        comment="CSS selectors from the sources file (body, title, byline, date, drop).",
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="First synced (UTC).")

    sources: Mapped[list[Source]] = relationship(back_populates="outlet")


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        UniqueConstraint("outlet_id", "url"),
        {"comment": "Feeds, sitemaps and listing pages polled for new article URLs."},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Primary key.")
    outlet_id: Mapped[int] = mapped_column(
        ForeignKey("outlets.id"), index=True, comment="The outlet."
    )
    key: Mapped[str] = mapped_column(String(200), unique=True, comment="Stable name for the CLI.")
    kind: Mapped[str] = mapped_column(String(20), comment="feed | sitemap | listing.")
    url: Mapped[str] = mapped_column(
        String(MAX_URL_CHARS), comment="The feed, sitemap or listing page; unique per outlet."
    )
    article_urls: Mapped[str | None] = mapped_column(
        String(500), comment="Regular expression the URLs of its articles match, if set."
    )
    interval_seconds: Mapped[int] = mapped_column(Integer, comment="Polling interval.")
    enabled: Mapped[bool] = mapped_column(
        Boolean, default=True, comment="False once removed from the sources file."
    )
    next_poll_at: Mapped[datetime] = mapped_column(
        default=utcnow, index=True, comment="When the tick will next claim this source."
    )
    claimed_at: Mapped[datetime | None] = mapped_column(
        comment="When the tick queued a poll that has not ended yet; null: none in flight."
    )
    last_polled_at: Mapped[datetime | None] = mapped_column(comment="Last poll attempt.")
    last_success_at: Mapped[datetime | None] = mapped_column(comment="Last poll that worked.")
    last_error: Mapped[str | None] = mapped_column(Text, comment="Error of the last poll, if any.")
    failure_count: Mapped[int] = mapped_column(
        Integer, default=0, comment="Consecutive failed polls."
    )
    etag: Mapped[str | None] = mapped_column(
        ClippedString(512), comment="ETag for conditional GET."
    )
    last_modified: Mapped[str | None] = mapped_column(
        ClippedString(128), comment="Last-Modified for conditional GET."
    )
    pending_sitemaps: Mapped[list[str] | None] = mapped_column(
        JSON(none_as_null=True),
        comment="Child sitemaps of its index the next poll reads first (a walk cut short: "
        "the host busy, the walk's time or links spent); null: none.",
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="First synced (UTC).")

    outlet: Mapped[Outlet] = relationship(back_populates="sources")


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (
        Index("ix_articles_outlet_id_published_at", "outlet_id", "published_at"),
        Index("ix_articles_changed_at", "changed_at"),  # readers sync by it
        {"comment": "One row per article page of one outlet."},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Primary key.")
    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), comment="The outlet.")
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id"), index=True, comment="The story this copy belongs to."
    )
    url: Mapped[str] = mapped_column(
        String(MAX_URL_CHARS), comment="URL the text was fetched from."
    )
    canonical_url: Mapped[str] = mapped_column(
        String(MAX_URL_CHARS),
        unique=True,
        comment="The page's canonical URL (same-site rel=canonical).",
    )
    title: Mapped[str | None] = mapped_column(Text, comment="Headline, without the outlet's name.")
    authors: Mapped[list[str]] = mapped_column(
        JSON, default=list, comment="Author names (an agency when it is the byline); [] if none."
    )
    published_at: Mapped[datetime | None] = mapped_column(comment="First publication (UTC).")
    updated_at: Mapped[datetime | None] = mapped_column(
        comment="The page's own last update (UTC); not a row timestamp."
    )
    language: Mapped[str | None] = mapped_column(
        String(8), comment="ISO 639-1 code, stated by the page or detected."
    )
    section: Mapped[str | None] = mapped_column(
        ClippedString(300), comment="Section or category the page states."
    )
    description: Mapped[str | None] = mapped_column(
        Text, comment="Standfirst or meta description, as a reader sees it."
    )
    image_url: Mapped[str | None] = mapped_column(
        String(MAX_URL_CHARS), comment="Lead image (absolute URL)."
    )
    body: Mapped[str] = mapped_column(Text, comment="Plain text; paragraphs split by a blank line.")
    content_hash: Mapped[str] = mapped_column(
        String(64), index=True, comment="SHA-256 of the normalised body."
    )
    fingerprint_version: Mapped[int] = mapped_column(
        Integer, default=1, comment="Version of the normalisation behind content_hash."
    )
    story_hash: Mapped[str | None] = mapped_column(
        String(64), comment="SHA-256 of the story text (datelines, bylines, credits removed)."
    )
    story_fingerprint_version: Mapped[int | None] = mapped_column(
        Integer, comment="Version of the story fingerprint and lookup keys; null: not indexed."
    )
    tags: Mapped[list[str]] = mapped_column(
        JSON,
        default=list,
        server_default="[]",
        comment="Tags and keywords the page states, in page order.",
    )
    paywalled: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        comment="The page marks the article as not free; the body is the free part.",
    )
    provenance: Mapped[dict[str, str]] = mapped_column(
        JSON, default=dict, comment="Field -> where its value came from."
    )
    extractor_version: Mapped[str] = mapped_column(
        String(32), comment="Version of the extractor that produced the row."
    )
    fetched_at: Mapped[datetime] = mapped_column(comment="When the page was fetched (UTC).")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="Row inserted (UTC).")
    changed_at: Mapped[datetime] = mapped_column(
        default=utcnow,
        onupdate=utcnow,
        comment="Last change of this row (re-fetch, re-extraction, a new story_id).",
    )
    gone_at: Mapped[datetime | None] = mapped_column(
        comment="When a fetch of its page answered 404 or 410 (withdrawn); "
        "null: the page was there when last fetched.",
    )


# The time readers filter recent articles by (the view latest_articles, `newsworker stories`):
# without an index each such query read the whole table.
Index("ix_articles_article_time", func.coalesce(Article.published_at, Article.fetched_at))


class Url(Base):
    __tablename__ = "urls"
    __table_args__ = (
        Index("ix_urls_state_last_attempt_at", "state", "last_attempt_at"),
        {"comment": "The frontier: every URL any source yielded, and where it ended."},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Primary key.")
    url: Mapped[str] = mapped_column(
        String(MAX_URL_CHARS),
        unique=True,
        comment="Cleaned URL (tracking parameters, fragment removed).",
    )
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sources.id"), index=True, comment="The source that first yielded it."
    )
    state: Mapped[str] = mapped_column(
        String(16), default="pending", comment="pending|stored|duplicate|skipped|failed."
    )
    reason: Mapped[str | None] = mapped_column(
        String(64),
        comment="Reason code of a skipped, failed or duplicate URL; while pending, the last "
        "transient error.",
    )
    detail: Mapped[str | None] = mapped_column(Text, comment="Human-readable cause.")
    attempts: Mapped[int] = mapped_column(Integer, default=0, comment="Fetch attempts so far.")
    http_status: Mapped[int | None] = mapped_column(Integer, comment="Last HTTP status.")
    final_url: Mapped[str | None] = mapped_column(String(MAX_URL_CHARS), comment="After redirects.")
    first_seen_at: Mapped[datetime] = mapped_column(
        default=utcnow, comment="First time a source yielded it."
    )
    last_seen_at: Mapped[datetime] = mapped_column(
        default=utcnow, comment="Last time a source yielded it."
    )
    queued_at: Mapped[datetime | None] = mapped_column(comment="Last time a fetch was queued.")
    last_attempt_at: Mapped[datetime | None] = mapped_column(comment="Last fetch attempt.")
    article_id: Mapped[int | None] = mapped_column(
        ForeignKey("articles.id"), index=True, comment="Stored article, or the one duplicated."
    )
    announced_title: Mapped[str | None] = mapped_column(
        Text, comment="Title the feed, news sitemap or listing gave it."
    )
    announced_at: Mapped[datetime | None] = mapped_column(
        comment="Publication time the feed or news sitemap gave it (UTC)."
    )


class RawPage(Base):
    __tablename__ = "raw_pages"
    __table_args__ = (
        Index("ix_raw_pages_fetched_at", "fetched_at"),
        {"comment": "Raw article responses, gzip-compressed, for re-extraction."},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url_id: Mapped[int] = mapped_column(ForeignKey("urls.id"), unique=True)
    final_url: Mapped[str] = mapped_column(String(MAX_URL_CHARS))
    http_status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(ClippedString(200))
    encoding: Mapped[str | None] = mapped_column(
        ClippedString(64), comment="Charset used to decode."
    )
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    body_gzip: Mapped[bytes] = mapped_column(LargeBinary, comment="gzip of the raw body bytes.")
    size: Mapped[int] = mapped_column(BigInteger, comment="Uncompressed size in bytes.")
    extractor_version: Mapped[str] = mapped_column(String(32), comment="Extractor that read it.")
    fetched_at: Mapped[datetime] = mapped_column()


class Story(Base):
    __tablename__ = "stories"
    __table_args__ = (
        Index("ix_stories_updated_at", "updated_at"),  # readers select stories by it
        {"comment": "One story, told by one or more copies (articles) across outlets."},
    )

    id: Mapped[int] = mapped_column(
        primary_key=True, comment="Primary key; of two merged stories the older id is kept."
    )
    first_article_id: Mapped[int | None] = mapped_column(
        Integer, comment="The copy published first (an articles.id; no foreign key)."
    )
    first_published_at: Mapped[datetime | None] = mapped_column(
        comment="Earliest publication (or fetch) time of its copies."
    )
    article_count: Mapped[int] = mapped_column(Integer, default=1, comment="Number of copies.")
    created_at: Mapped[datetime] = mapped_column(default=utcnow, comment="Row inserted (UTC).")
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow,
        comment="Last time its copies were counted again: one joined or left, a story was "
        "merged in, a copy was edited or read again.",
    )


class StoryMerge(Base):
    __tablename__ = "story_merges"
    __table_args__ = {"comment": "Stories merged into an older one; their ids now mean that one."}

    id: Mapped[int] = mapped_column(primary_key=True, comment="Primary key.")
    from_story_id: Mapped[int] = mapped_column(Integer, index=True, comment="Gone story id.")
    into_story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id"), index=True, comment="The older story that took its copies."
    )
    article_ids: Mapped[list[int]] = mapped_column(JSON, comment="Copies moved.")
    cause_article_id: Mapped[int] = mapped_column(Integer, comment="The copy that joined them.")
    merged_at: Mapped[datetime] = mapped_column(default=utcnow, comment="When (UTC).")


class ListingCanonical(Base):
    __tablename__ = "listing_canonicals"
    __table_args__ = {
        "comment": "Addresses that different articles name canonical (a listing page): never "
        "an article's canonical URL. Internal."
    }

    url: Mapped[str] = mapped_column(
        String(MAX_URL_CHARS), primary_key=True, comment="The address, cleaned as articles name it."
    )
    outlet_id: Mapped[int] = mapped_column(
        ForeignKey("outlets.id"), comment="The outlet whose articles named it."
    )
    found_at: Mapped[datetime] = mapped_column(
        default=utcnow, comment="When a second article named it (UTC)."
    )


class SitemapValidator(Base):
    __tablename__ = "sitemap_validators"
    __table_args__ = {
        "comment": "The ETag and Last-Modified of each child sitemap a source's index lists, "
        "sent back at the next walk. Internal."
    }

    source_id: Mapped[int] = mapped_column(
        ForeignKey("sources.id"), primary_key=True, comment="The source whose index lists it."
    )
    url: Mapped[str] = mapped_column(
        String(MAX_URL_CHARS), primary_key=True, comment="The child sitemap."
    )
    etag: Mapped[str | None] = mapped_column(ClippedString(512), comment="Its ETag.")
    last_modified: Mapped[str | None] = mapped_column(
        ClippedString(128), comment="Its Last-Modified."
    )
    checked_at: Mapped[datetime] = mapped_column(
        comment="When it was last read or answered 304 (UTC)."
    )


class StoryKey(Base):
    __tablename__ = "story_keys"
    __table_args__ = {"comment": "Lookup keys of each article's story fingerprint. Internal."}

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class StorySignature(Base):
    __tablename__ = "story_signatures"
    __table_args__ = {
        "comment": "MinHash signature of each indexed article's story text. Internal."
    }

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    signature: Mapped[bytes] = mapped_column(
        LargeBinary,
        comment="MinHash signature of the story text: 128 little-endian 32-bit values.",
    )
    shingles: Mapped[int] = mapped_column(Integer, comment="How many shingles the text has.")


class ArticleVersion(Base):
    __tablename__ = "article_versions"
    __table_args__ = (
        UniqueConstraint("article_id", "version"),
        {"comment": "Earlier texts of edited articles (same URL, new text)."},
    )

    id: Mapped[int] = mapped_column(primary_key=True, comment="Primary key.")
    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), comment="The edited article."
    )
    version: Mapped[int] = mapped_column(Integer, comment="1 for the first text, then 2...")
    title: Mapped[str | None] = mapped_column(Text, comment="The headline then.")
    body: Mapped[str] = mapped_column(Text, comment="The text then.")
    content_hash: Mapped[str] = mapped_column(String(64), comment="SHA-256 of that text.")
    published_at: Mapped[datetime | None] = mapped_column(comment="Publication time then (UTC).")
    updated_at: Mapped[datetime | None] = mapped_column(comment="The page's update time then.")
    fetched_at: Mapped[datetime] = mapped_column(comment="When this text was fetched.")
    replaced_at: Mapped[datetime] = mapped_column(comment="When a newer text replaced it.")


class OutletBoilerplate(Base):
    __tablename__ = "outlet_paragraphs"
    __table_args__ = (
        # the paragraphs seen once, by age: those never seen again are forgotten
        Index(
            "ix_outlet_paragraphs_seen_once",
            "last_seen_at",
            postgresql_where=text("article_count = 1"),
            sqlite_where=text("article_count = 1"),
        ),
        {"comment": "How many of an outlet's articles repeat each paragraph. Internal."},
    )

    outlet_id: Mapped[int] = mapped_column(ForeignKey("outlets.id"), primary_key=True)
    paragraph_key: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    article_count: Mapped[int] = mapped_column(Integer, default=1)
    sample: Mapped[str] = mapped_column(Text, comment="The paragraph (first 500 characters).")
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class SourcesFileSync(Base):
    __tablename__ = "sources_file_syncs"
    __table_args__ = {
        "comment": "The sources file's last good sync and its last refused edit. Internal."
    }

    path: Mapped[str] = mapped_column(
        String(1024), primary_key=True, comment="The sources file, as the syncing process named it."
    )
    synced_digest: Mapped[str | None] = mapped_column(
        String(64), comment="SHA-256 of the content last synced."
    )
    synced_at: Mapped[datetime | None] = mapped_column(comment="When it was synced (UTC).")
    refused_digest: Mapped[str | None] = mapped_column(
        String(64), comment="SHA-256 of a later content that was refused; null: none since."
    )
    refused_at: Mapped[datetime | None] = mapped_column(comment="When it was refused (UTC).")
    error: Mapped[str | None] = mapped_column(Text, comment="Why it was refused.")


class Heartbeat(Base):
    __tablename__ = "heartbeats"
    __table_args__ = {
        "comment": "Last signs of life of the tick, of each beat and of each worker. Internal."
    }

    name: Mapped[str] = mapped_column(
        String(200), primary_key=True, comment="`tick`, `beat:<node name>` or `worker:<node name>`."
    )
    kind: Mapped[str] = mapped_column(String(20), comment="tick | beat | worker.")
    started_at: Mapped[datetime] = mapped_column(comment="When this process (or ticking) began.")
    last_seen_at: Mapped[datetime] = mapped_column(comment="Last sign of life.")
    detail: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="pid, concurrency, state (running|stopped)."
    )
