"""What a source announced about each URL: its title and publication time.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("urls") as batch:
        batch.add_column(
            sa.Column(
                "announced_title",
                sa.Text(),
                nullable=True,
                comment="Title the feed, news sitemap or listing gave it.",
            )
        )
        batch.add_column(
            sa.Column(
                "announced_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="Publication time the feed or news sitemap gave it (UTC).",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("urls") as batch:
        batch.drop_column("announced_at")
        batch.drop_column("announced_title")
