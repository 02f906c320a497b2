"""Fixtures for the storefront tests: a seeded shop database and a TestClient on the router."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from store_fixtures import TOKEN_SECRET, build_store_app, seed_small_shop

from bot.db.session import Database
from bot.web.storefront import StoreConfig


@pytest.fixture
def shop_db(db: Database) -> Database:
    from bot.catalog.keyword import ensure_search_indexes

    ensure_search_indexes(db)
    seed_small_shop(db, extra_products=30)
    return db


@pytest.fixture
def store_config(shop_db: Database) -> StoreConfig:
    return StoreConfig(
        database=shop_db,
        widget_server="http://127.0.0.1:5999",
        customer_token_secret=SecretStr(TOKEN_SECRET),
        customer_token_ttl_s=600,
        demo_sign_in=True,
    )


@pytest.fixture
def client(store_config: StoreConfig) -> Iterator[TestClient]:
    with TestClient(build_store_app(store_config)) as c:
        yield c
