"""An index on the paragraphs an outlet printed once, by when: the tick forgets old ones.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 21:00:00

``outlet_paragraphs`` counted every distinct paragraph of every stored article, with up to
500 characters of it, forever: 22 rows an article, 92 % of the body text again (review: 1.4 GB
beside 1.1 GB of articles at 300,000 articles), though only paragraphs an outlet repeats are
ever boilerplate. The tick now deletes those seen once and not again for 30 days, by this
partial index. Built inside the upgrade's transaction, as 0011's.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outlet_paragraphs_seen_once",
        "outlet_paragraphs",
        ["last_seen_at"],
        postgresql_where=sa.text("article_count = 1"),
        sqlite_where=sa.text("article_count = 1"),
    )


def downgrade() -> None:
    op.drop_index("ix_outlet_paragraphs_seen_once", table_name="outlet_paragraphs")
