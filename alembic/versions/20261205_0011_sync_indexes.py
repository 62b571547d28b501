"""Indexes for the queries readers sync by: articles.changed_at and stories.updated_at.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 15:00:00

docs/schema.md tells readers to sync articles by ``changed_at`` and shows stories selected by
``updated_at``; without an index each such poll read the whole table. Built inside the
upgrade's one transaction (env.py: a second migrating process must wait for it), not
CONCURRENTLY: the build holds writers back, not readers, for the seconds it takes.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_articles_changed_at", "articles", "changed_at"),
    ("ix_stories_updated_at", "stories", "updated_at"),
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])


def downgrade() -> None:
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)
