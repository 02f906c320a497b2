"""catalog search indexes: SQLite FTS5 tables + sync triggers, PostgreSQL full-text GIN indexes

Revision ID: catalog_0001_search
Revises: 0001_shop
Create Date: 2026-11-29 23:30:00

The DDL lives in ``bot.catalog.keyword`` so the migration, ``ensure_search_indexes`` (tests,
databases made with ``create_all``) and ``rebuild_keyword_index`` cannot drift apart.
"""

from __future__ import annotations

from alembic import op

revision = "catalog_0001_search"
down_revision = "0001_shop"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from bot.catalog.keyword import create_search_indexes

    create_search_indexes(op.get_bind())


def downgrade() -> None:
    from bot.catalog.keyword import drop_search_indexes

    drop_search_indexes(op.get_bind())
