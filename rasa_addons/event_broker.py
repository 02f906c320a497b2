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
from typing import Any

import sqlalchemy
import sqlalchemy.event
import sqlalchemy.exc
import sqlalchemy.orm
from rasa.core.brokers.sql import SQLEventBroker

log = logging.getLogger(__name__)

MAX_BUFFERED = 100_000
RETRY_AFTER_S = 1.0
CREATE_ATTEMPTS = 4


def _asynchronous_commit(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("SET synchronous_commit TO OFF")
    cursor.close()


class BufferedSQLEventBroker(SQLEventBroker):
    """``SQLEventBroker`` with an ordered retry buffer instead of exceptions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
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
        """Write the queued events in order; stop at the first failure (retried later)."""
        with self._write_lock:
            if time.monotonic() < self._retry_at:
                return
            while True:
                with self._queue_lock:
                    batch = list(itertools.islice(self._pending, 500))
                if not batch:
                    break
                try:
                    with self.engine.begin() as connection:
                        connection.execute(
                            self._insert,
                            [
                                {"sender_id": e.get("sender_id"), "data": json.dumps(e)}
                                for e in batch
                            ],
                        )
                except Exception as exc:
                    self._retry_at = time.monotonic() + RETRY_AFTER_S
                    log.warning(
                        "event log unavailable (%s); %d events kept for retry",
                        type(exc).__name__,
                        len(self._pending),
                    )
                    return
                with self._queue_lock:
                    for event in batch:  # (a full buffer may have dropped some meanwhile)
                        if self._pending and self._pending[0] is event:
                            self._pending.popleft()
            if self._retry_at:
                log.info("event log reachable again; backlog written")
                self._retry_at = 0.0

    @property
    def pending(self) -> int:
        return len(self._pending)
