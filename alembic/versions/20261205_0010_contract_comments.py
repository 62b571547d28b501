"""Column comments for every column downstream services read, matching docs/schema.md.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 09:00:00

Comments only: nothing else changes. SQLite keeps no comments, so there it is a no-op.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (table, column, comment before, comment after)
COMMENTS: list[tuple[str, str, str | None, str]] = [
    ('outlets', 'id', None, 'Primary key.'),
    ('outlets', 'created_at', None, 'First synced (UTC).'),
    ('stories', 'id', None, 'Primary key; of two merged stories the older id is kept.'),
    ('stories', 'first_article_id', 'The copy published first (articles.id); set in the same transaction.', 'The copy published first (an articles.id; no foreign key).'),
    ('stories', 'article_count', 'Copies.', 'Number of copies.'),
    ('stories', 'created_at', None, 'Row inserted (UTC).'),
    ('stories', 'updated_at', 'Last time a copy joined or a story was merged in.', 'Last time its copies were counted again: one joined or left, a story was merged in, a copy was edited or read again.'),
    ('articles', 'id', None, 'Primary key.'),
    ('articles', 'outlet_id', None, 'The outlet.'),
    ('articles', 'title', None, "Headline, without the outlet's name."),
    ('articles', 'authors', 'List of names.', 'Author names (an agency when it is the byline); [] if none.'),
    ('articles', 'published_at', 'UTC.', 'First publication (UTC).'),
    ('articles', 'updated_at', "UTC; the page's own update.", "The page's own last update (UTC); not a row timestamp."),
    ('articles', 'language', 'ISO 639-1.', 'ISO 639-1 code, stated by the page or detected.'),
    ('articles', 'section', None, 'Section or category the page states.'),
    ('articles', 'description', None, 'Standfirst or meta description, as a reader sees it.'),
    ('articles', 'image_url', None, 'Lead image (absolute URL).'),
    ('articles', 'fingerprint_version', None, 'Version of the normalisation behind content_hash.'),
    ('articles', 'extractor_version', None, 'Version of the extractor that produced the row.'),
    ('articles', 'created_at', None, 'Row inserted (UTC).'),
    ('articles', 'changed_at', 'Last change of this row.', 'Last change of this row (re-fetch, re-extraction, a new story_id).'),
    ('sources', 'id', None, 'Primary key.'),
    ('sources', 'outlet_id', None, 'The outlet.'),
    ('sources', 'url', None, 'The feed, sitemap or listing page; unique per outlet.'),
    ('sources', 'created_at', None, 'First synced (UTC).'),
    ('story_merges', 'id', None, 'Primary key.'),
    ('story_merges', 'merged_at', None, 'When (UTC).'),
    ('article_versions', 'id', None, 'Primary key.'),
    ('article_versions', 'article_id', None, 'The edited article.'),
    ('article_versions', 'title', None, 'The headline then.'),
    ('article_versions', 'body', None, 'The text then.'),
    ('article_versions', 'content_hash', None, 'SHA-256 of that text.'),
    ('article_versions', 'published_at', None, 'Publication time then (UTC).'),
    ('urls', 'id', None, 'Primary key.'),
    ('urls', 'reason', 'Why skipped or failed.', 'Reason code of a skipped, failed or duplicate URL; while pending, the last transient error.'),
    ('urls', 'first_seen_at', None, 'First time a source yielded it.'),
    ('urls', 'last_attempt_at', None, 'Last fetch attempt.'),
]


def upgrade() -> None:
    _comment(after=True)


def downgrade() -> None:
    _comment(after=False)


def _comment(*, after: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column, before, now in COMMENTS:
        op.alter_column(
            table,
            column,
            comment=now if after else before,
            existing_comment=before if after else now,
        )
