"""catalog search indexes: SQLite FTS5 tables + sync triggers, PostgreSQL full-text GIN indexes

Revision ID: catalog_0001_search
Revises: 0001_shop
Create Date: 2026-11-29 23:30:00

Self-contained: the DDL below is a copy of ``bot.catalog.keyword``'s as it was at this
revision, so changing the live code never changes what this migration did. A new index shape
is a new revision; ``ensure_search_indexes`` (databases made with ``create_all``) follows the
live code.
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import text
from sqlalchemy.engine import Connection

revision = "catalog_0001_search"
down_revision = "0001_shop"
branch_labels = None
depends_on = None

# ---------------------------------------------------------------- SQLite DDL
_SQLITE_DOC_VIEW = """
CREATE VIEW IF NOT EXISTS product_search_doc AS
SELECT p.rowid AS doc_id, p.name AS name, p.brand AS brand, p.description AS description,
       coalesce((SELECT c.name FROM categories c WHERE c.id = p.category_id), '') AS category,
       coalesce((SELECT group_concat(v.options, ' ') FROM variants v
                 WHERE v.product_id = p.id), '') AS options
FROM products p
"""
_SQLITE_PRODUCT_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS product_fts USING fts5(
    name, brand, description, category, options,
    content='product_search_doc', content_rowid='doc_id',
    tokenize='porter unicode61 remove_diacritics 2'
)
"""
_COLS = "name, brand, description, category, options"
_ADD = (
    "INSERT INTO product_fts(rowid, "
    + _COLS
    + ") SELECT doc_id, "
    + _COLS
    + " FROM product_search_doc WHERE doc_id {cond};"
)
_DEL = (
    "INSERT INTO product_fts(product_fts, rowid, "
    + _COLS
    + ") SELECT 'delete', doc_id, "
    + _COLS
    + " FROM product_search_doc WHERE doc_id {cond};"
)
_BY_PRODUCT = "= (SELECT rowid FROM products WHERE id = {ref}.product_id)"
_BY_CATEGORY = "IN (SELECT rowid FROM products WHERE category_id = {ref}.id)"


def _trigger(name: str, timing: str, table: str, body: str) -> str:
    return f"CREATE TRIGGER IF NOT EXISTS {name} {timing} ON {table} BEGIN {body} END"


_SQLITE_TRIGGERS = [
    _trigger("product_fts_ai", "AFTER INSERT", "products", _ADD.format(cond="= new.rowid")),
    _trigger(
        "product_fts_bu",
        "BEFORE UPDATE OF name, brand, description, category_id",
        "products",
        _DEL.format(cond="= old.rowid"),
    ),
    _trigger(
        "product_fts_au",
        "AFTER UPDATE OF name, brand, description, category_id",
        "products",
        _ADD.format(cond="= new.rowid"),
    ),
    _trigger("product_fts_bd", "BEFORE DELETE", "products", _DEL.format(cond="= old.rowid")),
    _trigger(
        "variant_fts_bi",
        "BEFORE INSERT",
        "variants",
        _DEL.format(cond=_BY_PRODUCT.format(ref="new")),
    ),
    _trigger(
        "variant_fts_ai",
        "AFTER INSERT",
        "variants",
        _ADD.format(cond=_BY_PRODUCT.format(ref="new")),
    ),
    _trigger(
        "variant_fts_bu",
        "BEFORE UPDATE OF options",
        "variants",
        _DEL.format(cond=_BY_PRODUCT.format(ref="old")),
    ),
    _trigger(
        "variant_fts_au",
        "AFTER UPDATE OF options",
        "variants",
        _ADD.format(cond=_BY_PRODUCT.format(ref="new")),
    ),
    _trigger(
        "variant_fts_bd",
        "BEFORE DELETE",
        "variants",
        _DEL.format(cond=_BY_PRODUCT.format(ref="old")),
    ),
    _trigger(
        "variant_fts_ad",
        "AFTER DELETE",
        "variants",
        _ADD.format(cond=_BY_PRODUCT.format(ref="old")),
    ),
    _trigger(
        "category_fts_bu",
        "BEFORE UPDATE OF name",
        "categories",
        _DEL.format(cond=_BY_CATEGORY.format(ref="old")),
    ),
    _trigger(
        "category_fts_au",
        "AFTER UPDATE OF name",
        "categories",
        _ADD.format(cond=_BY_CATEGORY.format(ref="new")),
    ),
]

_SQLITE_POLICY_FTS = """
CREATE VIRTUAL TABLE IF NOT EXISTS policy_fts USING fts5(
    title, body, topic, content='policy_passages', content_rowid='rowid',
    tokenize='porter unicode61 remove_diacritics 2'
)
"""
_P_COLS = "title, body, topic"
_SQLITE_POLICY_TRIGGERS = [
    _trigger(
        "policy_fts_ai",
        "AFTER INSERT",
        "policy_passages",
        f"INSERT INTO policy_fts(rowid, {_P_COLS}) VALUES (new.rowid, new.title, new.body, "
        "new.topic);",
    ),
    _trigger(
        "policy_fts_ad",
        "AFTER DELETE",
        "policy_passages",
        f"INSERT INTO policy_fts(policy_fts, rowid, {_P_COLS}) VALUES ('delete', old.rowid, "
        "old.title, old.body, old.topic);",
    ),
    _trigger(
        "policy_fts_au",
        "AFTER UPDATE OF title, body, topic",
        "policy_passages",
        f"INSERT INTO policy_fts(policy_fts, rowid, {_P_COLS}) VALUES ('delete', old.rowid, "
        "old.title, old.body, old.topic); "
        f"INSERT INTO policy_fts(rowid, {_P_COLS}) VALUES (new.rowid, new.title, new.body, "
        "new.topic);",
    ),
]

_SQLITE_TRIGGER_NAMES = [
    stmt.split()[5] for stmt in _SQLITE_TRIGGERS + _SQLITE_POLICY_TRIGGERS
]  # "CREATE TRIGGER IF NOT EXISTS <name> ..."
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGER_NAMES),
    "DROP TABLE IF EXISTS product_fts_vocab",  # made by earlier versions (document counts)
    "DROP TABLE IF EXISTS product_fts",
    "DROP TABLE IF EXISTS policy_fts",
    "DROP VIEW IF EXISTS product_search_doc",
]  # fmt: skip

# ------------------------------------------------------------ PostgreSQL DDL
PG_PRODUCT_VECTOR = (
    "(setweight(to_tsvector('english', coalesce(name, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(brand, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(description, '')), 'C'))"
)
PG_VARIANT_VECTOR = "to_tsvector('english', options)"
PG_POLICY_VECTOR = (
    "(setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'C'))"
)
PG_CREATE = [
    f"CREATE INDEX IF NOT EXISTS ix_products_fulltext ON products USING gin ({PG_PRODUCT_VECTOR})",
    "CREATE INDEX IF NOT EXISTS ix_variants_fulltext ON variants "
    f"USING gin (({PG_VARIANT_VECTOR}))",
    "CREATE INDEX IF NOT EXISTS ix_policy_passages_fulltext ON policy_passages "
    f"USING gin ({PG_POLICY_VECTOR})",
]
PG_DROP = [
    "DROP INDEX IF EXISTS ix_products_fulltext",
    "DROP INDEX IF EXISTS ix_variants_fulltext",
    "DROP INDEX IF EXISTS ix_policy_passages_fulltext",
]


def _create(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        wanted = {"product_fts", "policy_fts", *_SQLITE_TRIGGER_NAMES}
        existing = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
        for stmt in [_SQLITE_DOC_VIEW, _SQLITE_PRODUCT_FTS, _SQLITE_POLICY_FTS]:
            conn.exec_driver_sql(stmt)
        for stmt in _SQLITE_TRIGGERS + _SQLITE_POLICY_TRIGGERS:
            conn.exec_driver_sql(stmt)
        if not wanted <= existing:
            # Rows written before the index existed must be indexed too.
            conn.exec_driver_sql("INSERT INTO product_fts(product_fts) VALUES ('rebuild')")
            conn.exec_driver_sql("INSERT INTO policy_fts(policy_fts) VALUES ('rebuild')")
    elif conn.dialect.name == "postgresql":
        for stmt in PG_CREATE:
            conn.exec_driver_sql(stmt)
    else:  # pragma: no cover - only two dialects are supported
        raise RuntimeError(f"keyword search does not support {conn.dialect.name}")


def upgrade() -> None:
    _create(op.get_bind())


def downgrade() -> None:
    conn = op.get_bind()
    for stmt in SQLITE_DROP if conn.dialect.name == "sqlite" else PG_DROP:
        conn.exec_driver_sql(stmt)
