"""The Alembic revision creates the keyword indexes; data loaded afterwards is searchable."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.catalog import SearchFilters, search_products
from bot.db import migrate
from bot.db.models import Product, Variant
from bot.db.session import Database
from tests.conftest import PG_ADMIN_URL, _pg_url_for


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.db'}"
        return
    name = f"shopbot_mig_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield _pg_url_for(name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _search_objects(db: Database) -> set[str]:
    with db.engine.connect() as conn:
        if db.dialect == "sqlite":
            rows = conn.execute(text("SELECT name FROM sqlite_master WHERE name LIKE '%fts%'"))
        else:
            rows = conn.execute(
                text("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%fulltext%'")
            )
        return {r[0] for r in rows}


def test_upgrade_creates_indexes_and_downgrade_removes_them(empty_url: str) -> None:
    migrate.upgrade(empty_url)
    db = Database(empty_url)
    try:
        objects = _search_objects(db)
        if db.dialect == "sqlite":
            assert {"product_fts", "policy_fts", "product_fts_ai", "variant_fts_ai"} <= objects
            assert {"product_zh_fts", "policy_zh_fts", "product_zh_fts_ai"} <= objects
        else:
            assert objects == {
                "ix_products_fulltext",
                "ix_variants_fulltext",
                "ix_policy_passages_fulltext",
                "ix_products_fulltext_zh",
                "ix_policy_passages_fulltext_zh",
            }
        with db.transaction() as s:
            s.add(Product(id="SB-P0100", name="Glacier Headlamp", description="Bright beam."))
            s.flush()
            s.add(Variant(id="SB-V010001", product_id="SB-P0100", options={"color": "teal"},
                          price=Decimal("30.00"), stock=2))  # fmt: skip
        hits = search_products(db, "teal headlamp", mode="keyword", filters=SearchFilters())
        assert [h.product_id for h in hits] == ["SB-P0100"]
        migrate.downgrade(empty_url, "catalog_0001_search")  # drops the Chinese indexes only
        remaining = _search_objects(db)
        assert remaining and not any("zh" in name for name in remaining)
        migrate.downgrade(empty_url, "catalog_0001_search@-1")
        assert _search_objects(db) == set()
    finally:
        db.dispose()
