"""The sources file's last good sync and its last refused edit.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 18:00:00

A bad edit of the sources file was only logged: the tick went on with the last good sync, as
documented, but `status` and `sources` showed nothing, and the next start of beat failed on it.
Each sync now records what it applied or refused here, which the CLI shows. Internal.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sources_file_syncs",
        sa.Column(
            "path",
            sa.String(1024),
            nullable=False,
            comment="The sources file, as the syncing process named it.",
        ),
        sa.Column(
            "synced_digest", sa.String(64), nullable=True, comment="SHA-256 of the content last synced."
        ),
        sa.Column(
            "synced_at", sa.DateTime(timezone=True), nullable=True, comment="When it was synced (UTC)."
        ),
        sa.Column(
            "refused_digest",
            sa.String(64),
            nullable=True,
            comment="SHA-256 of a later content that was refused; null: none since.",
        ),
        sa.Column(
            "refused_at", sa.DateTime(timezone=True), nullable=True, comment="When it was refused (UTC)."
        ),
        sa.Column("error", sa.Text(), nullable=True, comment="Why it was refused."),
        sa.PrimaryKeyConstraint("path", name=op.f("pk_sources_file_syncs")),
        comment="The sources file's last good sync and its last refused edit. Internal.",
    )


def downgrade() -> None:
    op.drop_table("sources_file_syncs")
