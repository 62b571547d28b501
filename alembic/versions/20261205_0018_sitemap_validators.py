"""Conditional GET for the children of a sitemap index: ``sitemap_validators``.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 23:00:00

Only a source's own document was fetched conditionally: when a sitemap index changed (a news
site's adds a child every day), every child it lists was downloaded in full again, up to
``NEWSWORKER_MAX_SITEMAP_CHILDREN`` of them, though most had not changed. Each child's ETag
and Last-Modified are kept here and sent back; a 304 child is read as unchanged. Internal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sitemap_validators",
        sa.Column(
            "source_id", sa.Integer(), nullable=False, comment="The source whose index lists it."
        ),
        sa.Column("url", sa.String(2048), nullable=False, comment="The child sitemap."),
        sa.Column("etag", sa.String(512), nullable=True, comment="Its ETag."),
        sa.Column("last_modified", sa.String(128), nullable=True, comment="Its Last-Modified."),
        sa.Column(
            "checked_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When it was last read or answered 304 (UTC).",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_sitemap_validators_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("source_id", "url", name=op.f("pk_sitemap_validators")),
        comment="The ETag and Last-Modified of each child sitemap a source's index lists, sent "
        "back at the next walk. Internal.",
    )


def downgrade() -> None:
    op.drop_table("sitemap_validators")
