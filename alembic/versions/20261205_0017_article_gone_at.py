"""A withdrawn article is marked, not left looking live: ``articles.gone_at``.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-05 22:00:00

A stored article whose page answered 404 or 410 when fetched again (an outlet took it down)
kept its row unchanged: its ``changed_at`` did not move, so a reader syncing by it never
learnt, and its URL row let go of it. ``gone_at`` is set by such a fetch (``changed_at`` moves
with it) and cleared when the page is stored again. The view ``latest_articles`` gains the
column (views gain columns at the end, never lose one): PostgreSQL replaces it in place,
SQLite has no ``CREATE OR REPLACE VIEW`` and recreates it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LATEST = """
{create} VIEW latest_articles AS
SELECT a.id AS article_id, o.key AS outlet, o.name AS outlet_name, a.story_id,
       s.article_count AS story_copies, a.url, a.canonical_url, a.title, a.authors,
       a.published_at, a.updated_at, a.language, a.section, a.description, a.image_url,
       a.tags, a.paywalled, a.body, a.fetched_at{gone}
FROM articles a
JOIN outlets o ON o.id = a.outlet_id
JOIN stories s ON s.id = a.story_id
WHERE COALESCE(a.published_at, a.fetched_at) >= {since}
"""


def upgrade() -> None:
    # A plain ADD COLUMN on both: a batch would reflect the table, and SQLite's reflection
    # cannot read the expression index ix_articles_article_time (it would drop it on a rebuild).
    op.add_column(
        "articles",
        sa.Column(
            "gone_at",
            sa.DateTime(timezone=True),
            nullable=True,
            comment="When a fetch of its page answered 404 or 410 (withdrawn); "
            "null: the page was there when last fetched.",
        ),
    )
    if _postgres():
        op.execute(_latest_articles("CREATE OR REPLACE", gone=True))  # keeps the view's grants
    else:
        op.execute("DROP VIEW latest_articles")
        op.execute(_latest_articles("CREATE", gone=True))


def downgrade() -> None:
    # the view first: neither engine drops a column a view selects
    op.execute("DROP VIEW latest_articles")
    op.drop_column("articles", "gone_at")  # SQLite 3.35 and later drop it in place
    op.execute(_latest_articles("CREATE", gone=False))


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _latest_articles(create: str, *, gone: bool) -> str:
    since = "now() - interval '7 days'" if _postgres() else "datetime('now', '-7 days')"
    return _LATEST.format(create=create, gone=", a.gone_at" if gone else "", since=since)
