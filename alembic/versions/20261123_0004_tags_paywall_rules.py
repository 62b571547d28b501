"""Article tags and paywall flag; per-outlet extraction rules.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("articles") as batch:
        batch.add_column(
            sa.Column(
                "tags",
                sa.JSON(),
                nullable=False,
                server_default="[]",
                comment="Tags and keywords the page states, in page order.",
            )
        )
        batch.add_column(
            sa.Column(
                "paywalled",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
                comment="The page marks the article as not free; the body is the free part.",
            )
        )
    with op.batch_alter_table("outlets") as batch:
        batch.add_column(
            sa.Column(
                "extraction_rules",
                sa.JSON(),
                nullable=True,
                comment="CSS selectors from the sources file (body, title, byline, date, drop).",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outlets") as batch:
        batch.drop_column("extraction_rules")
    with op.batch_alter_table("articles") as batch:
        batch.drop_column("paywalled")
        batch.drop_column("tags")
