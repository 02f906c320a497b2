"""catalog in Chinese: Chinese product copy, Chinese policy passages, their keyword indexes,
and the multilingual-e5 vectors

Revision ID: catalog_0002_chinese
Revises: catalog_0001_search
Create Date: 2026-12-05 07:00:00

Self-contained like catalog_0001: the DDL below is a copy of bot/catalog/repositories/keyword.py
as it was at this revision. ``search_zh`` holds the Chinese text cut into characters and
character pairs (bot/texts/segment.py); the loaders fill it, so rows loaded before this revision
are indexed once the shop is imported again (``shopbot shop import``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "catalog_0002_chinese"
down_revision = "catalog_0001_search"
branch_labels = None
depends_on = None


def _trigger(name: str, timing: str, table: str, body: str) -> str:
    return f"CREATE TRIGGER IF NOT EXISTS {name} {timing} ON {table} BEGIN {body} END"


def _zh_fts(table: str, source: str) -> list[str]:
    add = f"INSERT INTO {table}(rowid, search_zh) VALUES (new.rowid, new.search_zh);"
    drop = (
        f"INSERT INTO {table}({table}, rowid, search_zh) VALUES ('delete', old.rowid, "
        "old.search_zh);"
    )
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(search_zh, "
        f"content='{source}', content_rowid='rowid', tokenize='unicode61')",
        _trigger(f"{table}_ai", "AFTER INSERT", source, add),
        _trigger(f"{table}_ad", "AFTER DELETE", source, drop),
        _trigger(f"{table}_au", "AFTER UPDATE OF search_zh", source, drop + " " + add),
        f"INSERT INTO {table}({table}) VALUES ('rebuild')",
    ]


PG_ZH_VECTOR = "to_tsvector('simple', coalesce(search_zh, ''))"
PG_CREATE = [
    f"CREATE INDEX IF NOT EXISTS ix_products_fulltext_zh ON products USING gin (({PG_ZH_VECTOR}))",
    "CREATE INDEX IF NOT EXISTS ix_policy_passages_fulltext_zh ON policy_passages "
    f"USING gin (({PG_ZH_VECTOR}))",
]
_ZH_TABLES = ("product_zh_fts", "policy_zh_fts")


def upgrade() -> None:
    product_columns: list[sa.Column[Any]] = [
        sa.Column("name_zh", sa.String(length=200), nullable=True),
        sa.Column("description_zh", sa.Text(), nullable=True),
        sa.Column("search_zh", sa.Text(), nullable=False, server_default=""),
        sa.Column("embedding_e5", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_e5_hash", sa.String(length=64), nullable=True),
    ]
    for column in product_columns:
        op.add_column("products", column)
    passage_columns: list[sa.Column[Any]] = [
        sa.Column("language", sa.String(length=8), nullable=False, server_default="en"),
        sa.Column("search_zh", sa.Text(), nullable=False, server_default=""),
        sa.Column("embedding_e5", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_e5_hash", sa.String(length=64), nullable=True),
    ]
    for column in passage_columns:
        op.add_column("policy_passages", column)
    op.create_index("ix_policy_passages_language", "policy_passages", ["language"])
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for stmt in _zh_fts("product_zh_fts", "products") + _zh_fts(
            "policy_zh_fts", "policy_passages"
        ):
            conn.exec_driver_sql(stmt)
    else:
        for stmt in PG_CREATE:
            conn.exec_driver_sql(stmt)


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        for table in _ZH_TABLES:
            for suffix in ("ai", "ad", "au"):
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
            conn.exec_driver_sql(f"DROP TABLE IF EXISTS {table}")
    else:
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_products_fulltext_zh")
        conn.exec_driver_sql("DROP INDEX IF EXISTS ix_policy_passages_fulltext_zh")
    conn.exec_driver_sql("DROP INDEX IF EXISTS ix_policy_passages_language")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): env.py renders SQLite operations as
    # batches, and a batch copy of ``products`` breaks the variants' foreign keys.
    dropped = {
        "policy_passages": ("embedding_e5_hash", "embedding_e5", "search_zh", "language"),
        "products": ("embedding_e5_hash", "embedding_e5", "search_zh", "description_zh", "name_zh"),
    }
    for table, columns in dropped.items():
        for column in columns:
            conn.exec_driver_sql(f"ALTER TABLE {table} DROP COLUMN {column}")
