"""Engine and transactions: the only place that knows how to talk to the database."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

log = logging.getLogger(__name__)


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
    can share the file; PostgreSQL gets pre-ping so a restarted server is noticed.
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
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    return create_engine(url, **kwargs)


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

    def create_all(self) -> None:
        """Create every table directly (tests); production uses ``shopbot db upgrade``."""
        from bot.db import models  # noqa: F401  (register the shop tables)
        from bot.db.registry import Base, import_all_models

        import_all_models()
        Base.metadata.create_all(self.engine)

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
