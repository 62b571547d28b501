"""Remembered listing canonicals: an address that two different articles name canonical.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 17:00:00

A misconfigured CMS names one listing page canonical on every article. The first article to
name it took it as its canonical URL and kept it; the second, sharing no text, keyed itself by
its own address. Now the second re-keys the first too and the address is remembered here, so
no later article takes it. Internal: readers see only articles keyed by their own addresses.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "listing_canonicals",
        sa.Column(
            "url", sa.String(2048), nullable=False, comment="The address, cleaned as articles name it."
        ),
        sa.Column(
            "outlet_id", sa.Integer(), nullable=False, comment="The outlet whose articles named it."
        ),
        sa.Column(
            "found_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When a second article named it (UTC).",
        ),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_listing_canonicals_outlet_id_outlets")
        ),
        sa.PrimaryKeyConstraint("url", name=op.f("pk_listing_canonicals")),
        comment="Addresses that different articles name canonical (a listing page): never an "
        "article's canonical URL. Internal.",
    )


def downgrade() -> None:
    op.drop_table("listing_canonicals")
