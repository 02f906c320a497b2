"""Engine and transactions: the only place that knows how to talk to the database."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError, IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)

# What the rest of bot/ may name without importing SQLAlchemy (tests/architecture/
# test_data_layer.py): the unit of work it passes to repositories, and the errors it turns
# into a friendly reply. Building queries stays in the data layer.
__all__ = [
    "Database",
    "DatabaseError",
    "DuplicateRowError",
    "Session",
    "get_database",
    "make_engine",
    "normalise_url",
    "set_database",
]
DatabaseError = SQLAlchemyError
DuplicateRowError = IntegrityError


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common ``postgres(ql)://`` form."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with the same behaviour on SQLite and PostgreSQL.

    SQLite gets foreign keys on and WAL journaling so the action server and the web app
    can share the file; PostgreSQL connections that rested are checked before use, so a
    restarted server is noticed.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if parsed.database and parsed.database != ":memory:":
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_when_idle(engine, float(os.environ.get("SHOPBOT_DB_PING_IDLE_S", "5")))
    return engine


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    """Check a pooled connection before use if it rested ``idle_s`` seconds or more.

    SQLAlchemy's ``pool_pre_ping`` pings before *every* checkout: one extra round trip per
    session, ~10% of the action server's time under load (py-spy, docs/performance.md). A
    connection handed back moments ago is alive unless PostgreSQL restarted in between; then
    the statement fails, SQLAlchemy invalidates the whole pool and the service answers with
    its polite database-error reply once (tests/faults). Connections that rested longer (and
    may have been closed by the server or a proxy) are still pinged; a failed ping makes the
    pool replace the connection before anyone uses it.
    """

    @event.listens_for(engine, "connect")
    def _connected(_dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is not None and time.monotonic() - returned < idle_s:
            return
        record.info["pings"] = record.info.get("pings", 0) + 1
        try:
            cursor = dbapi_conn.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
            dbapi_conn.rollback()
        except Exception as exc:
            log.warning("pooled database connection is dead (%s); replacing it", type(exc).__name__)
            raise DisconnectionError() from exc


class Database:
    """An engine plus a session factory; pass one instance down instead of globals."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A session for reads; nothing is committed."""
        with self._sessions() as session:
            yield session

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: committed on success, rolled back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


_default: Database | None = None


def get_database(url: str | None = None) -> Database:
    """The process-wide database for the configured URL (created on first use)."""
    global _default
    if url is not None:
        return Database(url)
    if _default is None:
        from bot.settings import get_settings

        _default = Database(get_settings().database_url)
    return _default


def set_database(database: Database | None) -> None:
    """Make ``database`` the process-wide default (tests point actions at their database).

    ``None`` forgets the override, so the next ``get_database()`` reads the settings again.
    """
    global _default
    _default = database
