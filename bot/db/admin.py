"""Server-level database chores (not a shop's data): creating a PostgreSQL database."""

from __future__ import annotations

from sqlalchemy import create_engine, text


def ensure_postgres_database(server_url: str, name: str) -> None:
    """Create database ``name`` on the PostgreSQL server at ``server_url`` unless it exists."""
    admin = create_engine(f"{server_url}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
