"""Rasa's SQL event broker, but a database hiccup neither loses events nor the conversation.

Found by the fault tests (tests/faults): with the stock ``SQLEventBroker`` a failed INSERT
(PostgreSQL unreachable for a second, a pooled connection the server closed) raises inside
``TrackerStore.save``; Rasa's ``FailSafeTrackerStore`` then saves that turn into a private
``InMemoryTrackerStore`` instead of Redis, so the next message reads an older tracker from
Redis and the conversation silently loses the turn (an identified shopper is asked again),
and the events of that turn never reach the ``events`` table.

This broker never raises: each event goes into an in-process queue that is written in order;
when the database fails, the queue keeps the events (bounded) and the next publish writes
the backlog first, so the log stays complete and ordered per conversation. Connections are
checked before use (``pool_pre_ping``) and connecting gives up after a few seconds, so a
dead database cannot freeze the Rasa event loop for long.

Cost per event matters because Rasa publishes from its event loop: rows are inserted with one
Core ``INSERT`` per batch (not ORM objects), and on PostgreSQL the broker's connections use
``synchronous_commit = off``, so a commit does not wait for the WAL flush to disk (rows are
visible to readers at once; a PostgreSQL crash may lose the last fraction of a second of log
rows, never the conversation itself, which lives in the tracker store). Together they cut
the broker's share of the Rasa server's CPU under load (bench/turn_latency.py, py-spy) from
about a fifth to a few per cent.

One unwritable event must not stop the log (security review, finding 2): a sender id with a
lone surrogate or a NUL byte made every retry of its batch fail, so every later event of every
conversation stayed queued. Failures are now told apart: an operational one (database
unreachable, connection dropped) keeps the queue and retries it in order, as above; a data
one (DataError, IntegrityError, an encoding error or ValueError from the driver) splits the
batch in halves until the poisoned events are isolated, writes all the others in order, and
moves each poisoned event to ``events_dead_letter`` (its JSON made ASCII-safe, the error, the
time), or to a JSON-lines file if even that insert fails. The log line names the sender
(escaped) and the error type, never the message text.

endpoints.yml::

    event_broker:
      type: rasa_addons.event_broker.BufferedSQLEventBroker
      url: ...
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy
import sqlalchemy.event
import sqlalchemy.exc
import sqlalchemy.orm
from rasa.core.brokers.sql import SQLEventBroker

from rasa_addons.settings import current

log = logging.getLogger(__name__)

MAX_BUFFERED = 100_000
RETRY_AFTER_S = 1.0
CREATE_ATTEMPTS = 4
DEAD_LETTER_TABLE = "events_dead_letter"
DEFAULT_DEAD_LETTER_FILE = "var/logs/events_dead_letter.jsonl"

DEAD_LETTER_METADATA = sqlalchemy.MetaData()
DEAD_LETTER = sqlalchemy.Table(
    DEAD_LETTER_TABLE,
    DEAD_LETTER_METADATA,
    sqlalchemy.Column("id", sqlalchemy.Integer, primary_key=True),
    sqlalchemy.Column("sender_id", sqlalchemy.String(255)),
    sqlalchemy.Column("data", sqlalchemy.Text),
    sqlalchemy.Column("error", sqlalchemy.Text),
    sqlalchemy.Column("failed_at", sqlalchemy.DateTime(timezone=True)),
)


def _escaped(value: Any, limit: int) -> str:
    """``value`` as printable ASCII (JSON string escapes): storable and loggable anywhere."""
    text = value if isinstance(value, str) else repr(value)
    return json.dumps(text)[1:-1][:limit]


def _is_data_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the rows themselves (retrying them cannot help).

    SQLAlchemy wraps driver errors (``.orig``); an encoding error or a driver ``ValueError``
    (psycopg2 refuses NUL bytes that way) may also arrive unwrapped. Everything else, above
    all ``OperationalError``/``InterfaceError`` and ``ProgrammingError`` (a missing table), is
    treated as an outage and retried.
    """
    if isinstance(exc, (sqlalchemy.exc.DataError, sqlalchemy.exc.IntegrityError)):
        return True
    if isinstance(exc, sqlalchemy.exc.DBAPIError):
        return False
    cause = exc.orig if isinstance(exc, sqlalchemy.exc.StatementError) else exc
    return isinstance(cause, (UnicodeError, ValueError, TypeError))


def _asynchronous_commit(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()


class BufferedSQLEventBroker(SQLEventBroker):
    """``SQLEventBroker`` with an ordered retry buffer instead of exceptions."""

    def __init__(self, *args: Any, dead_letter_file: str | None = None, **kwargs: Any) -> None:
        # Rasa's broker creates the ``events`` table on start-up. Two replicas starting at once
        # on a fresh PostgreSQL database race in CREATE TABLE and the loser dies with a
        # duplicate-key error on pg_type (seen in the multi-replica test); once the winner has
        # created it, create_all finds the table and does nothing, so try again.
        for attempt in range(1, CREATE_ATTEMPTS + 1):
            try:
                super().__init__(*args, **kwargs)
                break
            except (sqlalchemy.exc.IntegrityError, sqlalchemy.exc.ProgrammingError) as exc:
                if attempt == CREATE_ATTEMPTS:
                    raise
                log.info("events table created concurrently (%s); retrying", type(exc).__name__)
                time.sleep(0.2 * attempt)
        url = self.engine.url
        connect_args = {"connect_timeout": 3} if url.get_backend_name() == "postgresql" else {}
        self.engine.dispose()
        self.engine = sqlalchemy.create_engine(url, pool_pre_ping=True, connect_args=connect_args)
        if url.get_backend_name() == "postgresql":
            sqlalchemy.event.listen(self.engine, "connect", _asynchronous_commit)
        self._insert = sqlalchemy.insert(self.SQLBrokerEvent.__table__)
        self.sessionmaker = sqlalchemy.orm.sessionmaker(bind=self.engine)
        self._pending: deque[dict[str, Any]] = deque()
        self._queue_lock = threading.Lock()  # held for queue operations only, never for I/O
        self._write_lock = threading.Lock()  # one writer at a time keeps the order
        self._retry_at = 0.0
        self._dropped = 0
        DEAD_LETTER_METADATA.create_all(self.engine)  # (checkfirst; a racing replica is harmless)
        self.dead_letter_file = Path(
            dead_letter_file or current().dead_letter_file or DEFAULT_DEAD_LETTER_FILE
        )
        self.dead_lettered = 0

    def publish(self, event: dict[str, Any]) -> None:
        self.publish_many([event])

    def publish_many(self, events: list[dict[str, Any]]) -> None:
        """Queue the events of one tracker save and write them in one transaction.

        Rasa calls ``publish`` once per event; ``rasa_addons.speedups`` makes the tracker
        store hand over a save's new events together when the broker offers this method.
        """
        self._enqueue(events)
        self.flush()

    async def publish_many_async(self, events: list[dict[str, Any]]) -> None:
        """``publish_many`` without blocking the event loop on the database.

        The events join the queue at once (so the order is the order of the saves), then a
        worker thread writes the queue; this returns when they are written (or kept for
        retry), as ``publish_many`` does, while the loop serves other conversations.
        """
        self._enqueue(events)
        await asyncio.get_running_loop().run_in_executor(None, self.flush)

    def _enqueue(self, events: list[dict[str, Any]]) -> None:
        with self._queue_lock:
            for event in events:
                if len(self._pending) >= MAX_BUFFERED:
                    self._pending.popleft()
                    self._dropped += 1
                    log.error("event buffer full; %d oldest events dropped so far", self._dropped)
                self._pending.append(event)

    def flush(self) -> None:
        """Write the queued events in order; stop at the first outage (retried later)."""
        with self._write_lock:
            if time.monotonic() < self._retry_at:
                return
            while True:
                with self._queue_lock:
                    batch = list(itertools.islice(self._pending, 500))
                if not batch:
                    break
                try:
                    self._write(batch)
                except Exception as exc:
                    self._retry_at = time.monotonic() + RETRY_AFTER_S
                    log.warning(
                        "event log unavailable (%s); %d events kept for retry",
                        type(exc).__name__,
                        len(self._pending),
                    )
                    return
            if self._retry_at:
                log.info("event log reachable again; backlog written")
                self._retry_at = 0.0

    def _write(self, batch: Sequence[dict[str, Any]]) -> None:
        """Write ``batch`` in order, bisecting around events the database refuses.

        Each written (or dead-lettered) part leaves the queue at once, so an outage in the
        middle keeps exactly the unwritten rest, still in order. Raises on an outage.
        """
        try:
            with self.engine.begin() as connection:
                connection.execute(
                    self._insert,
                    [{"sender_id": e.get("sender_id"), "data": json.dumps(e)} for e in batch],
                )
        except Exception as exc:
            if not _is_data_error(exc):
                raise
            if len(batch) > 1:
                middle = len(batch) // 2
                self._write(batch[:middle])
                self._write(batch[middle:])
                return
            self._dead_letter(batch[0], exc)
        self._done(batch)

    def _done(self, batch: Sequence[dict[str, Any]]) -> None:
        with self._queue_lock:
            for event in batch:  # (a full buffer may have dropped some meanwhile)
                if self._pending and self._pending[0] is event:
                    self._pending.popleft()

    def _dead_letter(self, event: dict[str, Any], exc: BaseException) -> None:
        """Keep a refused event out of the way: the dead-letter table, else a file, else the log.

        Raises on an outage (the event then stays queued and is tried again later).
        """
        cause = getattr(exc, "orig", None) or exc
        error = f"{type(cause).__name__}: {_escaped(str(cause), 1000)}"
        try:
            data = json.dumps(event, default=repr)  # ASCII: lone surrogates and NUL escaped
        except Exception:  # (a circular structure)
            data = json.dumps({"unserialisable": _escaped(event, 100_000)})
        row = {
            "sender_id": _escaped(event.get("sender_id"), 255),
            "data": data,
            "error": error,
            "failed_at": datetime.now(timezone.utc),  # noqa: UP017 (Python 3.10)
        }
        self.dead_lettered += 1
        what = f"event {_escaped(event.get('event'), 40)} of sender {row['sender_id'][:80]}"
        try:
            with self.engine.begin() as connection:
                connection.execute(sqlalchemy.insert(DEAD_LETTER), [row])
        except Exception as table_exc:
            if not _is_data_error(table_exc):
                self.dead_lettered -= 1
                raise
        else:
            log.error(
                "%s refused by the database (%s); moved to %s",
                what,
                type(cause).__name__,
                DEAD_LETTER_TABLE,
            )
            return
        try:
            self.dead_letter_file.parent.mkdir(parents=True, exist_ok=True)
            with self.dead_letter_file.open("a", encoding="ascii") as out:
                out.write(json.dumps({**row, "failed_at": row["failed_at"].isoformat()}) + "\n")
        except OSError as file_exc:
            log.error(
                "%s refused by the database (%s) and by %s; no dead-letter file (%s): dropped",
                what,
                type(cause).__name__,
                DEAD_LETTER_TABLE,
                type(file_exc).__name__,
            )
        else:
            log.error(
                "%s refused by the database (%s) and by %s; written to %s",
                what,
                type(cause).__name__,
                DEAD_LETTER_TABLE,
                self.dead_letter_file,
            )

    @property
    def pending(self) -> int:
        return len(self._pending)
