"""A claimed poll in flight holds the next claim of its source back.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 19:00:00

The tick claimed a due source again though its last poll still waited in the queue (polls
share it with fetches): behind a two-hour fetch backlog a source polled every ten minutes
collected twelve polls, run back to back. ``claimed_at`` is set by the claim and cleared when
the poll ends; a claim older than the pending timeout is taken for lost.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(
            sa.Column(
                "claimed_at",
                sa.DateTime(timezone=True),
                nullable=True,
                comment="When the tick queued a poll that has not ended yet; null: none in flight.",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("claimed_at")
