"""Each indexed article's MinHash signature, to rule out lookup candidates before verifying.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "story_signatures",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column(
            "signature",
            sa.LargeBinary(),
            nullable=False,
            comment="MinHash signature of the story text: 128 little-endian 32-bit values.",
        ),
        sa.Column(
            "shingles", sa.Integer(), nullable=False, comment="How many shingles the text has."
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_signatures_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_story_signatures")),
        comment="MinHash signature of each indexed article's story text. Internal.",
    )


def downgrade() -> None:
    op.drop_table("story_signatures")
