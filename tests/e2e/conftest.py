"""Fixtures of the end-to-end tests (the ``running_stack`` itself is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.db.session import Database
from tests.e2e.chat import Shopper


@pytest.fixture
def shopper(running_stack: Any) -> Shopper:
    return Shopper.on(running_stack)


@pytest.fixture(scope="module")
def shop_db(running_stack: Any) -> Iterator[Database]:
    """The stack's database, to assert what a conversation changed."""
    database = Database(running_stack.config.database_url)
    yield database
    database.dispose()
