"""Child sitemaps left for the next poll when a walk was cut short (the host busy, the walk's
time or links spent).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column(
                "pending_sitemaps",
                sa.JSON(none_as_null=True),
                nullable=True,
                comment="Child sitemaps of its index the next poll reads first (a walk cut "
                "short: the host busy, the walk's time or links spent); null: none.",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("pending_sitemaps")
