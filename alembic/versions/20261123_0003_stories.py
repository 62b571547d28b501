"""Stories: copies of one story across outlets grouped, with earlier texts kept.

Adds ``stories``, ``story_merges``, ``story_keys``, ``article_versions``, ``outlet_paragraphs``
and ``articles.story_id`` (never null), ``articles.story_hash``,
``articles.story_fingerprint_version``. Every article already stored becomes a story of one,
with the article's id as the story id; its lookup keys are built by ``newsworker stories
--rebuild-keys`` (or by reprocessing).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "first_article_id",
            sa.Integer(),
            nullable=True,
            comment="The copy published first (articles.id); set in the same transaction.",
        ),
        sa.Column(
            "first_published_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="Earliest publication (or fetch) time of its copies.",
        ),
        sa.Column("article_count", sa.Integer(), nullable=False, comment="Copies."),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="Last time a copy joined or a story was merged in.",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stories")),
        comment="One story, told by one or more copies (articles) across outlets.",
    )
    op.create_table(
        "story_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("from_story_id", sa.Integer(), nullable=False, comment="Gone story id."),
        sa.Column(
            "into_story_id",
            sa.Integer(),
            nullable=False,
            comment="The older story that took its copies.",
        ),
        sa.Column("article_ids", sa.JSON(), nullable=False, comment="Copies moved."),
        sa.Column(
            "cause_article_id", sa.Integer(), nullable=False, comment="The copy that joined them."
        ),
        sa.Column("merged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["into_story_id"], ["stories.id"], name=op.f("fk_story_merges_into_story_id_stories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_story_merges")),
        comment="Stories merged into an older one; their ids now mean that one.",
    )
    with op.batch_alter_table("story_merges") as batch:
        batch.create_index(batch.f("ix_story_merges_from_story_id"), ["from_story_id"])
        batch.create_index(batch.f("ix_story_merges_into_story_id"), ["into_story_id"])

    # Every stored article becomes a story of one, numbered like the article.
    op.execute(
        "INSERT INTO stories (id, first_article_id, first_published_at, article_count, "
        "created_at, updated_at) SELECT id, id, COALESCE(published_at, fetched_at), 1, "
        "created_at, changed_at FROM articles"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "SELECT setval(pg_get_serial_sequence('stories', 'id'), "
            "COALESCE((SELECT MAX(id) FROM stories), 0) + 1, false)"
        )
    with op.batch_alter_table("articles") as batch:
        batch.add_column(
            sa.Column(
                "story_id", sa.Integer(), nullable=True, comment="The story this copy belongs to."
            )
        )
        batch.add_column(
            sa.Column(
                "story_hash",
                sa.String(length=64),
                nullable=True,
                comment="SHA-256 of the story text (datelines, bylines, credits removed).",
            )
        )
        batch.add_column(
            sa.Column(
                "story_fingerprint_version",
                sa.Integer(),
                nullable=True,
                comment="Version of the story fingerprint and lookup keys; null: not indexed.",
            )
        )
    op.execute("UPDATE articles SET story_id = id")
    with op.batch_alter_table("articles") as batch:
        batch.alter_column("story_id", existing_type=sa.Integer(), nullable=False)
        batch.create_foreign_key(
            batch.f("fk_articles_story_id_stories"), "stories", ["story_id"], ["id"]
        )
        batch.create_index(batch.f("ix_articles_story_id"), ["story_id"])

    op.create_table(
        "story_keys",
        sa.Column("key", sa.BigInteger(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_story_keys_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key", "article_id", name=op.f("pk_story_keys")),
        comment="Lookup keys of each article's story fingerprint. Internal.",
    )
    with op.batch_alter_table("story_keys") as batch:
        batch.create_index(batch.f("ix_story_keys_article_id"), ["article_id"])

    op.create_table(
        "article_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column(
            "version", sa.Integer(), nullable=False, comment="1 for the first text, then 2..."
        ),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="The page's update time then.",
        ),
        sa.Column(
            "fetched_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When this text was fetched.",
        ),
        sa.Column(
            "replaced_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When a newer text replaced it.",
        ),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_article_versions_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_article_versions")),
        sa.UniqueConstraint(
            "article_id", "version", name=op.f("uq_article_versions_article_id_version")
        ),
        comment="Earlier texts of edited articles (same URL, new text).",
    )
    op.create_table(
        "outlet_paragraphs",
        sa.Column("outlet_id", sa.Integer(), nullable=False),
        sa.Column("paragraph_key", sa.BigInteger(), nullable=False),
        sa.Column("article_count", sa.Integer(), nullable=False),
        sa.Column(
            "sample", sa.Text(), nullable=False, comment="The paragraph (first 500 characters)."
        ),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["outlet_id"], ["outlets.id"], name=op.f("fk_outlet_paragraphs_outlet_id_outlets")
        ),
        sa.PrimaryKeyConstraint("outlet_id", "paragraph_key", name=op.f("pk_outlet_paragraphs")),
        comment="How many of an outlet's articles repeat each paragraph. Internal.",
    )


def downgrade() -> None:
    op.drop_table("outlet_paragraphs")
    op.drop_table("article_versions")
    op.drop_table("story_keys")
    with op.batch_alter_table("articles") as batch:
        batch.drop_index(batch.f("ix_articles_story_id"))
        batch.drop_constraint(batch.f("fk_articles_story_id_stories"), type_="foreignkey")
        batch.drop_column("story_fingerprint_version")
        batch.drop_column("story_hash")
        batch.drop_column("story_id")
    op.drop_table("story_merges")
    op.drop_table("stories")
