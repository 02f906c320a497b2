"""The real web app (``create_app()`` with the process settings) under a chosen environment.

The storefront and the console read the process-wide settings and database, so a test sets the
``SHOPBOT_*`` variables, clears the settings cache and points the default database at its own.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from bot.bootstrap import Services, install
from bot.db.session import Database
from bot.settings import Settings
from tests.conftest import REDIS_TEST_URL

STRONG = {
    "SHOPBOT_SECRET_KEY": secrets.token_hex(32),
    "SHOPBOT_RASA_TOKEN": secrets.token_hex(32),
    "SHOPBOT_CUSTOMER_TOKEN_SECRET": secrets.token_hex(32),
}
PUBLIC_RASA_URL = "https://bot.shop.test"

WebApp = Callable[..., TestClient]


def web_app_factory(
    monkeypatch: pytest.MonkeyPatch, database: Database
) -> Iterator[Callable[..., TestClient]]:
    """``make(embedded=..., **env)``: a TestClient on ``create_app()`` with that environment."""

    def make(*, embedded: bool, **env: str) -> TestClient:
        from bot.web.app import create_app

        for name in list(os.environ):
            if name.startswith("SHOPBOT_") or name in ("DATABASE_URL", "REDIS_URL"):
                monkeypatch.delenv(name)
        # Embedded = SQLite and no Redis; the routes use ``database`` either way (set below).
        sqlite = database.url if database.url.startswith("sqlite") else "sqlite:///unused.db"
        monkeypatch.setenv("DATABASE_URL", sqlite if embedded else database.url)
        if not embedded:
            monkeypatch.setenv("REDIS_URL", REDIS_TEST_URL)
        monkeypatch.setenv("SHOPBOT_PUBLIC_RASA_URL", PUBLIC_RASA_URL)
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        # The process's services, as `uvicorn --factory` builds them, on ``database``.
        install(Services(Settings(), database=database))
        return TestClient(create_app(), raise_server_exceptions=False)

    yield make
    install(None)
