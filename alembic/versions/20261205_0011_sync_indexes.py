"""Indexes for the queries readers sync by: articles.changed_at and stories.updated_at; the
heartbeats' comments name the beat rows.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 15:00:00

docs/schema.md tells readers to sync articles by ``changed_at`` and shows stories selected by
``updated_at``; without an index each such poll read the whole table. Built inside the
upgrade's one transaction (env.py: a second migrating process must wait for it), not
CONCURRENTLY: the build holds writers back, not readers, for the seconds it takes.

``newsworker beat`` now writes a heartbeat row of its own (``beat:<node name>``, kind
``beat``), which ``newsworker health --beat`` reads; the comments say so (PostgreSQL only:
SQLite keeps none).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = (
    ("ix_articles_changed_at", "articles", "changed_at"),
    ("ix_stories_updated_at", "stories", "updated_at"),
)


# (column, comment before, comment after)
HEARTBEAT_COMMENTS = (
    ("name", "`tick`, or `worker:<node name>`.", "`tick`, `beat:<node name>` or `worker:<node name>`."),
    ("kind", "tick | worker.", "tick | beat | worker."),
)
HEARTBEATS_TABLE = (
    "Last signs of life of the beat tick and of each worker. Internal.",
    "Last signs of life of the tick, of each beat and of each worker. Internal.",
)


def upgrade() -> None:
    for name, table, column in INDEXES:
        op.create_index(name, table, [column])
    _comment(after=True)


def downgrade() -> None:
    _comment(after=False)
    for name, table, _ in INDEXES:
        op.drop_index(name, table_name=table)


def _comment(*, after: bool) -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for column, before, now in HEARTBEAT_COMMENTS:
        op.alter_column(
            "heartbeats",
            column,
            comment=now if after else before,
            existing_comment=before if after else now,
        )
    before, now = HEARTBEATS_TABLE
    op.create_table_comment(
        "heartbeats", now if after else before, existing_comment=before if after else now
    )
