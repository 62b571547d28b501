"""Heartbeats of the tick and the workers; raw page retention index; read-only views.

The views answer downstream services' two common questions without joins of their own:
``latest_articles`` (articles of the last seven days with their outlet and story) and
``story_copies`` (one row per story with its copies). Their SQL differs by dialect only in the
JSON aggregate and the clock.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LATEST = """
CREATE VIEW latest_articles AS
SELECT a.id AS article_id, o.key AS outlet, o.name AS outlet_name, a.story_id,
       s.article_count AS story_copies, a.url, a.canonical_url, a.title, a.authors,
       a.published_at, a.updated_at, a.language, a.section, a.description, a.image_url,
       a.tags, a.paywalled, a.body, a.fetched_at
FROM articles a
JOIN outlets o ON o.id = a.outlet_id
JOIN stories s ON s.id = a.story_id
WHERE COALESCE(a.published_at, a.fetched_at) >= {since}
"""

_STORY_COPIES = """
CREATE VIEW story_copies AS
SELECT s.id AS story_id, s.article_count, s.first_published_at, s.updated_at,
       f.title AS headline, f.url AS first_url,
       {outlets} AS outlets, {ids} AS article_ids, {urls} AS urls
FROM stories s
JOIN {copies} c ON c.story_id = s.id
LEFT JOIN articles f ON f.id = s.first_article_id
GROUP BY s.id, s.article_count, s.first_published_at, s.updated_at, f.title, f.url
"""
_ARRAYS = {"outlets": "key", "ids": "id", "urls": "url"}
_COPIES = "(SELECT a.id, a.story_id, a.url, o.key FROM articles a JOIN outlets o ON o.id = a.outlet_id{order})"


def upgrade() -> None:
    op.create_table(
        "heartbeats",
        sa.Column(
            "name", sa.String(200), nullable=False, comment="`tick`, or `worker:<node name>`."
        ),
        sa.Column("kind", sa.String(20), nullable=False, comment="tick | worker."),
        sa.Column(
            "started_at",
            sa.DateTime(timezone=True),
            nullable=False,
            comment="When this process (or ticking) began.",
        ),
        sa.Column(
            "last_seen_at", sa.DateTime(timezone=True), nullable=False, comment="Last sign of life."
        ),
        sa.Column(
            "detail",
            sa.JSON(),
            nullable=False,
            comment="pid, concurrency, state (running|stopped).",
        ),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_heartbeats")),
        comment="Last signs of life of the beat tick and of each worker. Internal.",
    )
    op.create_index("ix_raw_pages_fetched_at", "raw_pages", ["fetched_at"])
    postgres = op.get_bind().dialect.name == "postgresql"
    since = "now() - interval '7 days'" if postgres else "datetime('now', '-7 days')"
    op.execute(_LATEST.format(since=since))
    # The three arrays list each story's copies in one order, by article id. SQLite before 3.44
    # has no ORDER BY inside an aggregate; it aggregates in the order of an ordered subquery.
    if postgres:
        arrays = {f: f"json_agg(c.{col} ORDER BY c.id)" for f, col in _ARRAYS.items()}
        copies = _COPIES.format(order="")
    else:
        arrays = {f: f"json_group_array(c.{col})" for f, col in _ARRAYS.items()}
        copies = _COPIES.format(order=" ORDER BY a.id")
    op.execute(_STORY_COPIES.format(copies=copies, **arrays))


def downgrade() -> None:
    op.execute("DROP VIEW story_copies")
    op.execute("DROP VIEW latest_articles")
    op.drop_index("ix_raw_pages_fetched_at", table_name="raw_pages")
    op.drop_table("heartbeats")
