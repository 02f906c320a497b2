"""Fixtures for the shop data tests: the committed demo folder and table snapshots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.session import Database
from bot.schema import Base

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SHOP_TABLES = (
    "categories", "products", "variants", "customers", "payment_methods", "orders",
    "order_lines", "fulfilments", "transactions", "policy_passages",
)  # fmt: skip


@pytest.fixture(scope="session")
def demo_dir() -> Path:
    return PROJECT_ROOT / "data" / "shop" / "demo"


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every shop table, in primary-key order: equal snapshots, equal contents."""
    result = {}
    with db.session() as session:
        for name in SHOP_TABLES:
            table = Base.metadata.tables[name]
            rows = session.execute(select(table).order_by(*table.primary_key.columns)).all()
            result[name] = [tuple(row) for row in rows]
    return result


def row_counts(db: Database) -> dict[str, int]:
    return {name: len(rows) for name, rows in snapshot(db).items()}
