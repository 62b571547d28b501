"""Listing pages as sources, and a source's rule for the URLs of its articles.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KIND = "feed | sitemap."
_KIND_WITH_LISTING = "feed | sitemap | listing."
_TABLE = "Feeds and sitemaps polled for new article URLs."
_TABLE_WITH_LISTING = "Feeds, sitemaps and listing pages polled for new article URLs."


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column(
                "article_urls",
                sa.String(length=500),
                nullable=True,
                comment="Regular expression the URLs of its articles match, if set.",
            )
        )
    _comments(_KIND_WITH_LISTING, _KIND, _TABLE_WITH_LISTING, _TABLE)


def downgrade() -> None:
    _comments(_KIND, _KIND_WITH_LISTING, _TABLE, _TABLE_WITH_LISTING)
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("article_urls")


def _comments(kind: str, old_kind: str, table: str, old_table: str) -> None:
    """Column and table comments; SQLite keeps none (and would rebuild the table for them)."""
    if op.get_bind().dialect.name == "sqlite":
        return
    op.alter_column(
        "sources",
        "kind",
        existing_type=sa.String(length=20),
        existing_nullable=False,
        comment=kind,
        existing_comment=old_kind,
    )
    op.create_table_comment("sources", table, existing_comment=old_table)
