"""Pooled PostgreSQL connections: checked when they rested, not before every use.

A connection the server closed while it rested in the pool is replaced before anyone uses it;
one handed back moments ago is used at once (no extra round trip), and if the server dropped
it anyway the one failing statement makes SQLAlchemy renew the pool for the next.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from bot.db.session import Database


def _backend_pid(db: Database) -> int:
    with db.session() as s:
        return int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _terminate(admin: Database, pid: int) -> None:
    with admin.transaction() as s:
        s.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def _pings(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.connection.info.get("pings", 0))


@pytest.fixture
def pool(pg_server_url: str) -> Iterator[Callable[[str, int], Database]]:
    """A factory of small pools whose resting threshold is given (disposed afterwards)."""
    made: list[Database] = []

    def make(idle_s: str, size: int) -> Database:
        made.append(
            Database(pg_server_url, ping_idle_s=float(idle_s), pool_size=size, max_overflow=0)
        )
        return made[-1]

    yield make
    for db in made:
        db.dispose()


@pytest.fixture
def admin(pg_server_url: str) -> Iterator[Database]:
    database = Database(pg_server_url)
    yield database
    database.dispose()


def test_recently_used_connection_is_not_pinged(pool: Callable[[str, int], Database]) -> None:
    db = pool("60", 1)
    first = _backend_pid(db)
    before = _pings(db)
    assert _backend_pid(db) == first  # the same pooled connection, used at once
    assert _pings(db) == before  # without a ping


def test_rested_connection_killed_by_the_server_is_replaced_before_use(
    pool: Callable[[str, int], Database], admin: Database
) -> None:
    db = pool("0.2", 1)
    first = _backend_pid(db)
    _terminate(admin, first)
    time.sleep(0.3)
    assert _backend_pid(db) != first  # no error reached the caller
    time.sleep(0.3)
    assert _pings(db) >= 1  # the replacement rested too, and was checked


def test_fresh_connection_killed_fails_once_then_the_pool_recovers(
    pool: Callable[[str, int], Database], admin: Database
) -> None:
    db = pool("60", 2)
    first = _backend_pid(db)
    _terminate(admin, first)
    with pytest.raises(OperationalError):
        _backend_pid(db)
    assert _backend_pid(db) != first
