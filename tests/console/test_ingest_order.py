"""Ingest misses no committed event when transactions commit out of id order (issue 18, item 7).

Two Rasa replicas (or one with concurrent requests) take ids from one sequence but commit in
any order; an ingest that only reads past the highest id seen skips the late one for good.
"""

from __future__ import annotations

import json
import time

from sqlalchemy import (
    Column,
    Connection,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    insert,
    select,
)

from bot.console.demo import Script, script_events
from bot.console.ingest import GAP_GRACE_S, ingest_new_events
from bot.console.models import Conversation, IngestedEvent, IngestState
from bot.db.session import Database

T0 = time.time() - 3600


def _rows(sender: str, text: str, intent: str) -> list[dict[str, object]]:
    events = script_events(Script(sender, T0).user(text, intent).action("utter_greet").bot("Hi"))
    return [{"sender_id": sender, "data": json.dumps(e)} for e in events]


# Rasa's table with the columns the console does not read (bot/db/events.py has the read model).
RASA_EVENTS = Table(
    "events",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("sender_id", String),
    Column("type_name", String),
    Column("timestamp", Float),
    Column("data", Text),
)


def _insert(
    conn: Connection, rows: list[dict[str, object]], first_id: int | None = None
) -> list[int]:
    ids = []
    for n, row in enumerate(rows):
        values = {**row, "type_name": json.loads(str(row["data"]))["event"], "timestamp": T0}
        if first_id is not None:
            values["id"] = first_id + n
        stmt = insert(RASA_EVENTS).values(**values).returning(RASA_EVENTS.c.id)
        ids.append(conn.execute(stmt).scalar_one())
    return ids


def _summary(db: Database) -> dict[str, tuple[int, list[str]]]:
    with db.session() as s:
        return {
            c.sender_id: (c.turns, json.loads(c.intents)) for c in s.scalars(select(Conversation))
        }


def test_an_event_committed_after_a_later_id_is_not_skipped(pg_cdb: Database) -> None:
    db = pg_cdb
    slow = db.engine.connect()
    slow_tx = slow.begin()
    slow_ids = _insert(slow, _rows("replica-a", "hello", "greet"))  # ids taken, not committed
    with db.engine.begin() as fast:
        fast_ids = _insert(fast, _rows("replica-b", "hi there", "greet"))
    assert max(slow_ids) < min(fast_ids)  # the later ids commit first

    assert ingest_new_events(db) == len(fast_ids)
    assert _summary(db) == {"replica-b": (1, ["greet"])}
    with db.session() as s:  # the watermark waits below the open transaction's ids
        assert s.get(IngestState, "events").last_event_id < min(slow_ids)

    slow_tx.commit()
    slow.close()
    assert ingest_new_events(db) == len(slow_ids)
    assert _summary(db) == {"replica-a": (1, ["greet"]), "replica-b": (1, ["greet"])}
    # Nothing is folded in twice, and the bookkeeping shrinks back once the gap is filled.
    assert ingest_new_events(db) == 0
    assert _summary(db)["replica-b"] == (1, ["greet"])
    with db.session() as s:
        assert s.get(IngestState, "events").last_event_id == max(fast_ids)
        assert s.scalar(select(func.count()).select_from(IngestedEvent)) == 0


def test_a_rolled_back_gap_is_given_up_after_the_grace(cdb: Database) -> None:
    with cdb.engine.begin() as conn:
        first = _insert(conn, _rows("early", "hello", "greet"))
    with cdb.engine.begin() as conn:  # ids in between were taken by a rolled-back transaction
        later = _insert(conn, _rows("later", "hi", "greet"), first_id=max(first) + 5)
    now = time.time()
    ingest_new_events(cdb, now=now)
    assert set(_summary(cdb)) == {"early", "later"}
    with cdb.session() as s:
        assert s.get(IngestState, "events").last_event_id == max(first)
    ingest_new_events(cdb, now=now + GAP_GRACE_S - 1)  # still waiting
    with cdb.session() as s:
        assert s.get(IngestState, "events").last_event_id == max(first)
    assert ingest_new_events(cdb, now=now + GAP_GRACE_S + 1) == 0
    with cdb.session() as s:
        assert s.get(IngestState, "events").last_event_id == max(later)
        assert s.scalar(select(func.count()).select_from(IngestedEvent)) == 0
    assert _summary(cdb)["later"] == (1, ["greet"])
