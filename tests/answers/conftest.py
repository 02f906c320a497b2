"""Fixtures for answer tests: the fixture shop on SQLite and PostgreSQL, a scripted backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence

import pytest
from fixture_shop import build_fixture_shop

from bot.answers.service import AnswerService
from bot.db.session import Database
from bot.llm.base import ChatMessage, LLMError
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


class ScriptedBackend:
    """A real backend class whose "model" replies with scripted texts, in order.

    A reply of ``LLMError`` raises it (a failing server). Every prompt is recorded so tests
    can read what would have left the machine.
    """

    name = "scripted"

    def __init__(self, replies: Sequence[str | type[Exception]]) -> None:
        self.replies = list(replies)
        self.prompts: list[list[ChatMessage]] = []

    async def generate(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> str:
        self.prompts.append(list(messages))
        reply = self.replies.pop(0) if self.replies else ""
        if isinstance(reply, type) and issubclass(reply, Exception):
            raise reply("scripted failure")
        return str(reply)

    async def stream(
        self, messages: Sequence[ChatMessage], *, max_new_tokens: int = 200, timeout: float = 8.0
    ) -> AsyncIterator[str]:
        yield await self.generate(messages, max_new_tokens=max_new_tokens, timeout=timeout)

    async def aclose(self) -> None:
        return None


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


__all__ = ["LLMError", "ScriptedBackend"]
