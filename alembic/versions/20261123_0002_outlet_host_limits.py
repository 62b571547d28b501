"""Per-outlet host limits: outlets.request_delay_seconds and outlets.max_connections.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outlets") as batch:
        batch.add_column(
            sa.Column(
                "request_delay_seconds",
                sa.Float(),
                nullable=True,
                comment="Seconds between requests to the outlet's hosts; null: the default.",
            )
        )
        batch.add_column(
            sa.Column(
                "max_connections",
                sa.Integer(),
                nullable=True,
                comment="Requests in flight to one of its hosts at once; null: the default.",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("outlets") as batch:
        batch.drop_column("max_connections")
        batch.drop_column("request_delay_seconds")
