"""Rasa's ``events`` table: a read model over the columns every Rasa variant writes.

Rasa's SQL event broker writes it, not us. ``EVENTS`` sits in its own ``MetaData`` so
``create_all`` and our migrations never create or drop Rasa's table. It lives in ``bot.db``
because the console (transcripts) and insights (profiles) both read it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

RASA_METADATA = MetaData()
EVENTS = Table(
    "events",
    RASA_METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255)),
    Column("data", Text),
)


def create_rasa_events_table(engine) -> None:  # type: ignore[no-untyped-def]
    """Create ``events`` like Rasa's SQL tracker store does (tests and demos only)."""
    Table(
        "events",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String(255), nullable=False, index=True),
        Column("type_name", String(255), nullable=False),
        Column("timestamp", Float),
        Column("intent_name", String(255)),
        Column("action_name", String(255)),
        Column("data", Text),
    ).create(engine, checkfirst=True)


def insert_rasa_events(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert rows with Rasa's columns (``sender_id``, ``type_name``, ``timestamp``,
    ``intent_name``, ``action_name``, ``data``) as its broker would (tests and demos only)."""
    table = Table(
        "events",
        MetaData(),
        Column("id", Integer, primary_key=True),
        Column("sender_id", String),
        Column("type_name", String),
        Column("timestamp", Float),
        Column("intent_name", String),
        Column("action_name", String),
        Column("data", Text),
    )
    session.execute(insert(table), rows)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def events_mentioning(session: Session, text: str) -> list[tuple[str, str | None]]:
    """(sender_id, data) of events whose JSON mentions ``"text"``; [] without Rasa's table.

    A database without the events table (the action server's tests, a fresh shop) is normal,
    so a failing read ends in an empty list inside a savepoint, not in an error.
    """
    try:
        with session.begin_nested():
            rows = session.execute(
                select(EVENTS.c.sender_id, EVENTS.c.data).where(
                    EVENTS.c.data.like(f'%"{_like_escape(text)}"%', escape="\\")
                )
            ).all()
    except SQLAlchemyError:
        log.info("no Rasa events table here; nothing read from the transcripts")
        return []
    return [(sender, data) for sender, data in rows]


def events_of(session: Session, senders: Iterable[str]) -> list[tuple[int, str | None]]:
    """(id, data) of every event of these conversations, oldest first."""
    return [
        (event_id, data)
        for event_id, data in session.execute(
            select(EVENTS.c.id, EVENTS.c.data)
            .where(EVENTS.c.sender_id.in_(list(senders)))
            .order_by(EVENTS.c.id)
        )
    ]
