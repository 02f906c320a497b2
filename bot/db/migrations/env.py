"""Alembic environment: the URL comes from the caller's config (bot/db/migrate.py sets it)."""

from __future__ import annotations

from alembic import context

from bot.db.session import make_engine
from bot.schema import metadata

config = context.config
target_metadata = metadata  # for autogenerate; the revisions themselves import nothing of ours


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if not url:  # there is no alembic.ini: `shopbot db upgrade` passes the configured URL
        raise RuntimeError("run migrations with `shopbot db upgrade` (bot/db/migrate.py)")
    return url


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(_url())
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
