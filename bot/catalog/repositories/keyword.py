"""The keyword index's storage: its DDL and the full-text queries over it.

SQLite: ``product_fts`` is an FTS5 *external-content* table over the view
``product_search_doc`` (product name, brand, description, category name and the distinct
option values of its variants), kept in sync by triggers on products, variants and
categories; the text is stored once, in the shop tables. Because the document spans three
tables, the triggers remove a document with a BEFORE trigger (the view still shows the old
text, which FTS5 needs to un-index it) and add it back with an AFTER trigger.
The options column is the variants' JSON text (keys get indexed too, but a key such as
"color" occurs in most documents, so BM25 gives it almost no weight); ``json_each`` would be
cleaner but SQLite refuses table-valued functions inside an FTS5 content view.
Note: the FTS rowid is ``products.rowid``; after a ``VACUUM`` run ``rebuild_keyword_index``.

PostgreSQL: GIN indexes on ``tsvector`` expressions (no extra columns): weighted
name/brand/description on products, option values on variants, title/body on passages.

What a shopper's message turns into (content words, common words dropped) is decided in
bot/catalog/keyword.py; the SQL here is the tuned SQL of docs/performance.md.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

from bot.db.session import Database

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


# Chinese: one FTS5 table per source table over its ``search_zh`` column (characters and
# character pairs, space-separated, written by bot/texts/segment.py), so no tokenizer of ours
# has to run inside SQLite.
def _zh_fts(table: str, source: str) -> tuple[str, list[str]]:
    create = (
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {table} USING fts5(search_zh, "
        f"content='{source}', content_rowid='rowid', tokenize='unicode61')"
    )
    add = f"INSERT INTO {table}(rowid, search_zh) VALUES (new.rowid, new.search_zh);"
    drop = (
        f"INSERT INTO {table}({table}, rowid, search_zh) VALUES ('delete', old.rowid, "
        "old.search_zh);"
    )
    return create, [
        _trigger(f"{table}_ai", "AFTER INSERT", source, add),
        _trigger(f"{table}_ad", "AFTER DELETE", source, drop),
        _trigger(f"{table}_au", "AFTER UPDATE OF search_zh", source, drop + " " + add),
    ]


_SQLITE_PRODUCT_ZH_FTS, _SQLITE_PRODUCT_ZH_TRIGGERS = _zh_fts("product_zh_fts", "products")
_SQLITE_POLICY_ZH_FTS, _SQLITE_POLICY_ZH_TRIGGERS = _zh_fts("policy_zh_fts", "policy_passages")

_SQLITE_TRIGGER_NAMES = [
    stmt.split()[5]
    for stmt in _SQLITE_TRIGGERS
    + _SQLITE_POLICY_TRIGGERS
    + _SQLITE_PRODUCT_ZH_TRIGGERS
    + _SQLITE_POLICY_ZH_TRIGGERS
]  # "CREATE TRIGGER IF NOT EXISTS <name> ..."
SQLITE_DROP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGER_NAMES),
    "DROP TABLE IF EXISTS product_fts_vocab",  # made by earlier versions (document counts)
    "DROP TABLE IF EXISTS product_fts",
    "DROP TABLE IF EXISTS policy_fts",
    "DROP TABLE IF EXISTS product_zh_fts",
    "DROP TABLE IF EXISTS policy_zh_fts",
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
# Chinese: the pre-segmented column under the ``simple`` configuration (no stemming).
PG_ZH_VECTOR = "to_tsvector('simple', coalesce(search_zh, ''))"
PG_CREATE = [
    f"CREATE INDEX IF NOT EXISTS ix_products_fulltext ON products USING gin ({PG_PRODUCT_VECTOR})",
    "CREATE INDEX IF NOT EXISTS ix_variants_fulltext ON variants "
    f"USING gin (({PG_VARIANT_VECTOR}))",
    "CREATE INDEX IF NOT EXISTS ix_policy_passages_fulltext ON policy_passages "
    f"USING gin ({PG_POLICY_VECTOR})",
    f"CREATE INDEX IF NOT EXISTS ix_products_fulltext_zh ON products USING gin (({PG_ZH_VECTOR}))",
    "CREATE INDEX IF NOT EXISTS ix_policy_passages_fulltext_zh ON policy_passages "
    f"USING gin (({PG_ZH_VECTOR}))",
]
PG_DROP = [
    "DROP INDEX IF EXISTS ix_products_fulltext_zh",
    "DROP INDEX IF EXISTS ix_policy_passages_fulltext_zh",
    "DROP INDEX IF EXISTS ix_products_fulltext",
    "DROP INDEX IF EXISTS ix_variants_fulltext",
    "DROP INDEX IF EXISTS ix_policy_passages_fulltext",
]


def create_search_indexes(conn: Connection) -> None:
    """Create the keyword indexes on this connection (used by the migration and tests)."""
    if conn.dialect.name == "sqlite":
        wanted = {"product_fts", "policy_fts", *_SQLITE_ZH_TABLES, *_SQLITE_TRIGGER_NAMES}
        existing = set(conn.execute(text("SELECT name FROM sqlite_master")).scalars())
        for stmt in [
            _SQLITE_DOC_VIEW,
            _SQLITE_PRODUCT_FTS,
            _SQLITE_POLICY_FTS,
            _SQLITE_PRODUCT_ZH_FTS,
            _SQLITE_POLICY_ZH_FTS,
        ]:
            conn.exec_driver_sql(stmt)
        for stmt in (
            _SQLITE_TRIGGERS
            + _SQLITE_POLICY_TRIGGERS
            + _SQLITE_PRODUCT_ZH_TRIGGERS
            + _SQLITE_POLICY_ZH_TRIGGERS
        ):
            conn.exec_driver_sql(stmt)
        if not wanted <= existing:
            # Rows written while the index or a trigger was missing (data loaded before the
            # migration, a table rebuilt by a batch migration) must be indexed again.
            _rebuild_sqlite(conn)
    elif conn.dialect.name == "postgresql":
        for stmt in PG_CREATE:
            conn.exec_driver_sql(stmt)
    else:  # pragma: no cover - only two dialects are supported
        raise RuntimeError(f"keyword search does not support {conn.dialect.name}")


def drop_search_indexes(conn: Connection) -> None:
    for stmt in SQLITE_DROP if conn.dialect.name == "sqlite" else PG_DROP:
        conn.exec_driver_sql(stmt)


_SQLITE_ZH_TABLES = ("product_zh_fts", "policy_zh_fts")


def _rebuild_sqlite(conn: Connection) -> None:
    for table in ("product_fts", "policy_fts", *_SQLITE_ZH_TABLES):
        conn.exec_driver_sql(f"INSERT INTO {table}({table}) VALUES ('rebuild')")


def ensure_search_indexes(db: Database) -> None:
    """Idempotently create the keyword indexes (for databases made with ``create_all``)."""
    with db.engine.begin() as conn:
        create_search_indexes(conn)


def rebuild_keyword_index(db: Database) -> None:
    """Re-index everything after a bulk load (or a VACUUM on SQLite).

    PostgreSQL expression indexes are maintained by the server; there we only ANALYZE so
    the planner knows the new row counts.
    """
    ensure_search_indexes(db)
    with db.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            _rebuild_sqlite(conn)
        else:
            conn.exec_driver_sql("ANALYZE products")
            conn.exec_driver_sql("ANALYZE variants")
            conn.exec_driver_sql("ANALYZE policy_passages")


class KeywordIndex:
    """Full-text queries on one session (SQLite FTS5 or PostgreSQL full text)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.dialect = session.get_bind().dialect.name

    def product_count(self) -> int:
        return int(self.session.execute(text("SELECT count(*) FROM products")).scalar() or 0)

    def documents_with(self, term: str, cap: int) -> int:
        """How many products contain ``term`` (after stemming), counting no further than
        ``cap`` (SQLite's index: ``MATCH`` stems like the documents)."""
        query = (
            "SELECT count(*) FROM (SELECT 1 FROM product_fts WHERE product_fts MATCH :q LIMIT :cap)"
        )
        return int(self.session.execute(text(query), {"q": f'"{term}"', "cap": cap}).scalar() or 0)

    def product_scores(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        """Product ids scored for an OR query of ``terms`` (BM25 on SQLite, ``ts_rank`` on
        PostgreSQL), best first."""
        if self.dialect == "sqlite":
            match = " OR ".join(f'"{t}"' for t in terms)
            # Rank inside the FTS table first, then join only the top rows: joining every match
            # to products before the sort cost half the query at 100k products (p50 27 -> 12 ms).
            rows = self.session.execute(
                text(
                    "SELECT p.id, r.score FROM ("
                    " SELECT rowid, -bm25(product_fts, 8.0, 6.0, 1.0, 3.0, 2.0) AS score"
                    " FROM product_fts WHERE product_fts MATCH :q ORDER BY score DESC LIMIT :n"
                    ") r JOIN products p ON p.rowid = r.rowid ORDER BY r.score DESC"
                ),
                {"q": match, "n": limit},
            ).all()
            return [(r[0], float(r[1])) for r in rows]
        web = " or ".join(terms)
        rows = self.session.execute(
            text(
                f"""
                WITH q AS (SELECT websearch_to_tsquery('english', :q) AS q),
                hits AS (
                    SELECT p.id, ts_rank({PG_PRODUCT_VECTOR}, q.q) AS r
                    FROM products p, q WHERE {PG_PRODUCT_VECTOR} @@ q.q
                    UNION ALL
                    SELECT v.product_id, 0.4 * max(ts_rank({PG_VARIANT_VECTOR}, q.q))
                    FROM variants v, q WHERE {PG_VARIANT_VECTOR} @@ q.q GROUP BY v.product_id
                    UNION ALL
                    SELECT p.id, 0.5 * ts_rank(to_tsvector('english', c.name), q.q)
                    FROM categories c JOIN products p ON p.category_id = c.id, q
                    WHERE to_tsvector('english', c.name) @@ q.q
                )
                SELECT id, sum(r) AS score FROM hits GROUP BY id ORDER BY score DESC, id LIMIT :n
                """
            ),
            {"q": web, "n": limit},
        ).all()
        return [(r[0], float(r[1])) for r in rows]

    def policy_scores(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        """Policy passage ids scored for an OR query of ``terms``, best first."""
        if self.dialect == "sqlite":
            rows = self.session.execute(
                text(
                    "SELECT pp.id, -bm25(policy_fts, 5.0, 1.0, 2.0) AS score "
                    "FROM policy_fts JOIN policy_passages pp ON pp.rowid = policy_fts.rowid "
                    "WHERE policy_fts MATCH :q ORDER BY score DESC LIMIT :n"
                ),
                {"q": " OR ".join(f'"{t}"' for t in terms), "n": limit},
            ).all()
        else:
            rows = self.session.execute(
                text(
                    f"SELECT id, ts_rank({PG_POLICY_VECTOR}, "
                    "websearch_to_tsquery('english', :q)) AS s "
                    f"FROM policy_passages WHERE {PG_POLICY_VECTOR} @@ "
                    "websearch_to_tsquery('english', :q) ORDER BY s DESC, id LIMIT :n"
                ),
                {"q": " or ".join(terms), "n": limit},
            ).all()
        return [(r[0], float(r[1])) for r in rows]

    def product_scores_zh(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        """Product ids scored for an OR query of Chinese terms (characters or character
        pairs) over the Chinese index, best first."""
        return self._scored_zh(_ZH_PRODUCTS, terms, limit)

    def policy_scores_zh(self, terms: list[str], limit: int) -> list[tuple[str, float]]:
        """Chinese policy passage ids scored for an OR query of Chinese terms, best first."""
        return self._scored_zh(_ZH_POLICY, terms, limit)

    def _scored_zh(
        self, queries: dict[str, str], terms: list[str], limit: int
    ) -> list[tuple[str, float]]:
        """Run this dialect's query of ``queries`` (FTS5 MATCH or a ``simple`` tsquery)."""
        sqlite = self.dialect == "sqlite"
        query = _fts_or(terms) if sqlite else _pg_or(terms)
        rows = self.session.execute(
            text(queries["sqlite" if sqlite else "postgresql"]), {"q": query, "n": limit}
        ).all()
        return [(r[0], float(r[1])) for r in rows]


# The Chinese indexes' ranked queries per dialect (:q the OR query, :n the limit).
_ZH_PRODUCTS = {
    "sqlite": (
        "SELECT p.id, r.score FROM ("
        " SELECT rowid, -bm25(product_zh_fts) AS score FROM product_zh_fts"
        " WHERE product_zh_fts MATCH :q ORDER BY score DESC LIMIT :n"
        ") r JOIN products p ON p.rowid = r.rowid ORDER BY r.score DESC"
    ),
    "postgresql": (
        f"SELECT id, ts_rank({PG_ZH_VECTOR}, to_tsquery('simple', :q)) AS s "
        f"FROM products WHERE {PG_ZH_VECTOR} @@ to_tsquery('simple', :q) "
        "ORDER BY s DESC, id LIMIT :n"
    ),
}
_ZH_POLICY = {
    "sqlite": (
        "SELECT pp.id, -bm25(policy_zh_fts) AS score FROM policy_zh_fts "
        "JOIN policy_passages pp ON pp.rowid = policy_zh_fts.rowid "
        "WHERE policy_zh_fts MATCH :q ORDER BY score DESC LIMIT :n"
    ),
    "postgresql": (
        f"SELECT id, ts_rank({PG_ZH_VECTOR}, to_tsquery('simple', :q)) AS s "
        f"FROM policy_passages WHERE {PG_ZH_VECTOR} @@ to_tsquery('simple', :q) "
        "ORDER BY s DESC, id LIMIT :n"
    ),
}


def _fts_or(terms: list[str]) -> str:
    return " OR ".join('"' + t.replace('"', "") + '"' for t in terms)


def _pg_or(terms: list[str]) -> str:
    """``to_tsquery`` text: each term quoted as a lexeme, OR-ed."""
    return " | ".join("'" + t.replace("'", "").replace("\\", "") + "'" for t in terms)


@contextmanager
def pause_keyword_sync(db: Database) -> Iterator[dict[str, float]]:
    """Bulk loads: drop the SQLite sync triggers, then rebuild the index once at the end.

    With triggers every variant insert re-indexes its product twice; for 100k products one
    rebuild is far cheaper. PostgreSQL maintains its GIN indexes itself (only ANALYZE after).
    Yields a dict that receives ``rebuild_s``, the time the final index build took.
    """
    timing = {"rebuild_s": 0.0}
    if db.dialect == "sqlite":
        with db.engine.begin() as conn:
            for name in _SQLITE_TRIGGER_NAMES:
                conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
    yield timing
    started = time.perf_counter()
    if db.dialect == "sqlite":
        ensure_search_indexes(db)  # triggers were missing, so this rebuilds the index
    else:
        rebuild_keyword_index(db)
    timing["rebuild_s"] = time.perf_counter() - started
