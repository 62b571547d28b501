"""Initial schema: outlets, sources, articles, the urls frontier and raw pages.

Revision ID: 0001
Revises: 
Create Date: 2026-11-23 14:14:22.269970
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    
    op.create_table('outlets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False, comment='Key in sources.toml.'),
    sa.Column('name', sa.String(length=300), nullable=False, comment='Display name.'),
    sa.Column('timezone', sa.String(length=64), nullable=True, comment='IANA zone for page times given without one.'),
    sa.Column('language', sa.String(length=8), nullable=True, comment='Configured language.'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outlets')),
    sa.UniqueConstraint('key', name=op.f('uq_outlets_key')),
    comment='Publications, synced from the sources file.'
    )
    op.create_table('articles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False, comment='URL the text was fetched from.'),
    sa.Column('canonical_url', sa.String(length=2048), nullable=False, comment="The page's canonical URL (same-site rel=canonical)."),
    sa.Column('title', sa.Text(), nullable=True),
    sa.Column('authors', sa.JSON(), nullable=False, comment='List of names.'),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True, comment='UTC.'),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True, comment="UTC; the page's own update."),
    sa.Column('language', sa.String(length=8), nullable=True, comment='ISO 639-1.'),
    sa.Column('section', sa.String(length=300), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('image_url', sa.String(length=2048), nullable=True),
    sa.Column('body', sa.Text(), nullable=False, comment='Plain text; paragraphs split by a blank line.'),
    sa.Column('content_hash', sa.String(length=64), nullable=False, comment='SHA-256 of the normalised body.'),
    sa.Column('fingerprint_version', sa.Integer(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False, comment='Field -> where its value came from.'),
    sa.Column('extractor_version', sa.String(length=32), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False, comment='When the page was fetched (UTC).'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False, comment='Last change of this row.'),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_articles_outlet_id_outlets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_articles')),
    sa.UniqueConstraint('canonical_url', name=op.f('uq_articles_canonical_url')),
    comment='One row per article page of one outlet.'
    )
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_articles_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index('ix_articles_outlet_id_published_at', ['outlet_id', 'published_at'], unique=False)

    op.create_table('sources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('outlet_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False, comment='Stable name for the CLI.'),
    sa.Column('kind', sa.String(length=20), nullable=False, comment='feed | sitemap.'),
    sa.Column('url', sa.String(length=2048), nullable=False),
    sa.Column('interval_seconds', sa.Integer(), nullable=False, comment='Polling interval.'),
    sa.Column('enabled', sa.Boolean(), nullable=False, comment='False once removed from the sources file.'),
    sa.Column('next_poll_at', sa.DateTime(timezone=True), nullable=False, comment='When the tick will next claim this source.'),
    sa.Column('last_polled_at', sa.DateTime(timezone=True), nullable=True, comment='Last poll attempt.'),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True, comment='Last poll that worked.'),
    sa.Column('last_error', sa.Text(), nullable=True, comment='Error of the last poll, if any.'),
    sa.Column('failure_count', sa.Integer(), nullable=False, comment='Consecutive failed polls.'),
    sa.Column('etag', sa.String(length=512), nullable=True, comment='ETag for conditional GET.'),
    sa.Column('last_modified', sa.String(length=128), nullable=True, comment='Last-Modified for conditional GET.'),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['outlet_id'], ['outlets.id'], name=op.f('fk_sources_outlet_id_outlets')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sources')),
    sa.UniqueConstraint('key', name=op.f('uq_sources_key')),
    sa.UniqueConstraint('outlet_id', 'url', name=op.f('uq_sources_outlet_id_url')),
    comment='Feeds and sitemaps polled for new article URLs.'
    )
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sources_next_poll_at'), ['next_poll_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sources_outlet_id'), ['outlet_id'], unique=False)

    op.create_table('urls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2048), nullable=False, comment='Cleaned URL (tracking parameters, fragment removed).'),
    sa.Column('source_id', sa.Integer(), nullable=True, comment='The source that first yielded it.'),
    sa.Column('state', sa.String(length=16), nullable=False, comment='pending|stored|duplicate|skipped|failed.'),
    sa.Column('reason', sa.String(length=64), nullable=True, comment='Why skipped or failed.'),
    sa.Column('detail', sa.Text(), nullable=True, comment='Human-readable cause.'),
    sa.Column('attempts', sa.Integer(), nullable=False, comment='Fetch attempts so far.'),
    sa.Column('http_status', sa.Integer(), nullable=True, comment='Last HTTP status.'),
    sa.Column('final_url', sa.String(length=2048), nullable=True, comment='After redirects.'),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False, comment='Last time a source yielded it.'),
    sa.Column('queued_at', sa.DateTime(timezone=True), nullable=True, comment='Last time a fetch was queued.'),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('article_id', sa.Integer(), nullable=True, comment='Stored article, or the one duplicated.'),
    sa.ForeignKeyConstraint(['article_id'], ['articles.id'], name=op.f('fk_urls_article_id_articles')),
    sa.ForeignKeyConstraint(['source_id'], ['sources.id'], name=op.f('fk_urls_source_id_sources')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_urls')),
    sa.UniqueConstraint('url', name=op.f('uq_urls_url')),
    comment='The frontier: every URL any source yielded, and where it ended.'
    )
    with op.batch_alter_table('urls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_urls_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_urls_source_id'), ['source_id'], unique=False)
        batch_op.create_index('ix_urls_state_last_attempt_at', ['state', 'last_attempt_at'], unique=False)

    op.create_table('raw_pages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('url_id', sa.Integer(), nullable=False),
    sa.Column('final_url', sa.String(length=2048), nullable=False),
    sa.Column('http_status', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=200), nullable=True),
    sa.Column('encoding', sa.String(length=64), nullable=True, comment='Charset used to decode.'),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('body_gzip', sa.LargeBinary(), nullable=False, comment='gzip of the raw body bytes.'),
    sa.Column('size', sa.BigInteger(), nullable=False, comment='Uncompressed size in bytes.'),
    sa.Column('extractor_version', sa.String(length=32), nullable=False, comment='Extractor that read it.'),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['url_id'], ['urls.id'], name=op.f('fk_raw_pages_url_id_urls')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_raw_pages')),
    sa.UniqueConstraint('url_id', name=op.f('uq_raw_pages_url_id')),
    comment='Raw article responses, gzip-compressed, for re-extraction.'
    )



def downgrade() -> None:
    
    op.drop_table('raw_pages')
    with op.batch_alter_table('urls', schema=None) as batch_op:
        batch_op.drop_index('ix_urls_state_last_attempt_at')
        batch_op.drop_index(batch_op.f('ix_urls_source_id'))
        batch_op.drop_index(batch_op.f('ix_urls_article_id'))

    op.drop_table('urls')
    with op.batch_alter_table('sources', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sources_outlet_id'))
        batch_op.drop_index(batch_op.f('ix_sources_next_poll_at'))

    op.drop_table('sources')
    with op.batch_alter_table('articles', schema=None) as batch_op:
        batch_op.drop_index('ix_articles_outlet_id_published_at')
        batch_op.drop_index(batch_op.f('ix_articles_content_hash'))

    op.drop_table('articles')
    op.drop_table('outlets')

