"""Fixtures for answer tests: the fixture shop on SQLite and PostgreSQL, a scripted backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fixture_shop import build_fixture_shop

from bot.answers.service import AnswerService
from bot.db.session import Database
from bot.memory.base import InProcessSessionMemory
from bot.orders.policy import ShopPolicy
from bot.orders.service import OrderService


@pytest.fixture
def shop(db: Database) -> Database:
    """The fixture shop, once on SQLite and once on PostgreSQL."""
    build_fixture_shop(db)
    return db


@pytest.fixture
def sqlite_shop(sqlite_db: Database) -> Database:
    build_fixture_shop(sqlite_db)
    return sqlite_db


@pytest.fixture
def make_service() -> Iterator:
    def make(db: Database, backend=None, memory=None, orders=True) -> AnswerService:
        return AnswerService(
            db,
            backend=backend,
            memory=memory or InProcessSessionMemory(),
            orders=OrderService(db, ShopPolicy()) if orders is True else orders,
            search_mode="keyword",
        )

    yield make


@pytest.fixture
def demo_shop(sqlite_db: Database) -> Database:
    """The demo catalog, customers, orders and the real policy passages (SQLite)."""
    from pathlib import Path

    from bot.catalog.keyword import ensure_search_indexes
    from bot.shop.demo import read_demo
    from bot.shop.loader import load_shop_data

    load_shop_data(sqlite_db, read_demo(Path(__file__).resolve().parents[2] / "data/shop/demo"))
    ensure_search_indexes(sqlite_db)
    return sqlite_db
