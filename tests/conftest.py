"""Shared fixtures: real databases (SQLite and the machine's PostgreSQL) and real Redis.

Every test session gets its own PostgreSQL database (created from the ``test`` database's
server, dropped at the end) so parallel runs never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.db.session import Database

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TAU_DIR = PROJECT_ROOT.parent / "shared" / "data" / "tau_retail"
PG_ADMIN_URL = os.environ.get(
    "SHOPBOT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_TEST_URL = os.environ.get("SHOPBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _pg_url_for(dbname: str) -> str:
    base, _ = PG_ADMIN_URL.rsplit("/", 1)
    return f"{base}/{dbname}"


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session; dropped afterwards."""
    name = f"shopbot_t_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # pragma: no cover - the machine runs PostgreSQL
        pytest.fail(f"PostgreSQL at {PG_ADMIN_URL} is not reachable: {exc}")
    yield _pg_url_for(name)
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def _reset(db: Database) -> None:
    from bot.db.registry import Base, import_all_models

    import_all_models()
    Base.metadata.drop_all(db.engine)
    Base.metadata.create_all(db.engine)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """An empty shop database, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        database = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    else:
        database = Database(request.getfixturevalue("pg_server_url"))
    _reset(database)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'shop.db'}")
    _reset(database)
    yield database
    database.dispose()


@pytest.fixture
def pg_db(pg_server_url: str) -> Iterator[Database]:
    database = Database(pg_server_url)
    _reset(database)
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def tau_dir() -> Path:
    if not (TAU_DIR / "products.json").exists():
        pytest.skip(f"τ-bench retail data not found at {TAU_DIR}")
    return TAU_DIR


@pytest.fixture
def redis_url() -> Iterator[str]:
    """The machine's real Redis; keys written by a test use a unique prefix via this URL."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL)
    try:
        client.ping()
    except Exception as exc:  # pragma: no cover
        pytest.fail(f"Redis at {REDIS_TEST_URL} is not reachable: {exc}")
    finally:
        client.close()
    yield REDIS_TEST_URL
