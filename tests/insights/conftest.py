"""Insight fixtures: the demo shop loaded (SQLite and PostgreSQL) or an empty shop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.bootstrap import Services, install
from bot.catalog.keyword import ensure_search_indexes
from bot.db.session import Database
from bot.settings import Settings
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEMO_DIR = PROJECT_ROOT / "data" / "shop" / "demo"


@pytest.fixture
def shop(db: Database) -> Iterator[Database]:
    """The demo shop in the test database, used by services and actions."""
    load_shop_data(db, read_demo(DEMO_DIR))
    ensure_search_indexes(db)
    install(Services(Settings(), database=db))  # fresh session memory too
    yield db
    install(None)


@pytest.fixture
def empty_shop(db: Database) -> Iterator[Database]:
    install(Services(Settings(), database=db))
    yield db
    install(None)
