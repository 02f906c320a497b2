"""Rasa's Redis tracker store, storing the same JSON without replaying it five times a turn.

Rasa 3.6's ``RedisTrackerStore`` keeps a conversation as one JSON document (every event of
every session). Rebuilding a ``DialogueStateTracker`` from it means deserialising the events
and then *replaying* them one by one (slots, forms, latest message...). Per message the stock
store and our input guard rebuilt the tracker 6 times (py-spy, 8 concurrent conversations:
~25% of the Rasa server's time went to tracker reads and saves):

- the input guard's readability check (``rasa_addons.input_limits``): 1 retrieve;
- the processor's retrieve: 1;
  (each retrieve replays the whole document, then replays the last session again to split it)
- ``save``: ``stream_events`` retrieves again to count the stored events of the last session,
  then ``save`` reads the document once more, replays it, and replays the new tracker up to
  the stored last timestamp (``travel_back_in_time``) to see whether sessions must be merged.

This store gives the same trackers, stores the same JSON and streams the same events, with:

- ``retrieve``: the last session is found on the deserialised event list and only it is
  replayed (Rasa replays everything and then the last session);
- ``prefetch`` (the input guard's check) builds the tracker the processor will ask for and
  keeps it with the exact stored text it came from; the processor's ``retrieve`` reads Redis
  again and takes the kept tracker only if the text is identical (same text, same
  deterministic rebuild; each kept tracker is handed out once);
- ``save`` reads the document once, counts the stored last-session events on the event list,
  and compares the new tracker's events up to the stored last timestamp with the stored events
  directly (what ``travel_back_in_time`` + ``==`` did); only when they differ (a conversation
  whose older sessions are not in memory) does it take Rasa's merge on a rebuilt tracker.

Configured in endpoints.yml as ``type: rasa_addons.tracker_store.ShopbotRedisTrackerStore``
with the same arguments as Rasa's ``redis`` store. ``tests/rasa_side`` compares it with Rasa's
store on random multi-session conversations.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
from collections import OrderedDict
from typing import Any

import redis.asyncio
import redis.exceptions
from rasa.core.tracker_store import RedisTrackerStore, TrackerDeserialisationException
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, Event, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons import fast_json
from rasa_addons.settings import current

logger = logging.getLogger(__name__)

PREFETCH_LIMIT = 512  # kept trackers (one per conversation whose message is in flight)


def last_session_start(events: list[Event]) -> int:
    """Index where the last conversation session starts (0 if there is only one).

    The same split as ``rasa.shared.core.trackers.get_trackers_for_conversation_sessions``:
    a session starts at an ``ActionExecuted`` of ``action_session_start``.
    """
    for index in range(len(events) - 1, 0, -1):
        event = events[index]
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_SESSION_START_NAME:
            return index
    return 0


class ShopbotRedisTrackerStore(RedisTrackerStore):
    """``RedisTrackerStore`` with the same results and one replay per read."""

    def __init__(
        self,
        domain: Any,
        host: str = "localhost",
        port: int = 6379,
        db: int = 0,
        username: str | None = None,
        password: str | None = None,
        event_broker: Any = None,
        record_exp: float | None = None,
        key_prefix: str | None = None,
        use_ssl: bool = False,
        ssl_keyfile: str | None = None,
        ssl_certfile: str | None = None,
        ssl_ca_certs: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            domain, host, port, db, username, password, event_broker,
            record_exp if record_exp is not None else current().tracker_ttl_s,
            key_prefix, use_ssl, ssl_keyfile, ssl_certfile, ssl_ca_certs, **kwargs,
        )  # fmt: skip
        # The reads and writes of a turn go through an asyncio client, so the event loop
        # serves other conversations while Redis answers; ``self.red`` (Rasa's synchronous
        # client, same server) stays for Rasa's other uses (``keys``).
        self._async_options: dict[str, Any] = {
            "host": host, "port": port, "db": db, "username": username, "password": password,
            "ssl": use_ssl, "ssl_keyfile": ssl_keyfile, "ssl_certfile": ssl_certfile,
            "ssl_ca_certs": ssl_ca_certs, "decode_responses": True,
            # A pooled connection that a Redis restart closed fails on its next command;
            # such a command is sent once more on a new connection (GET and SET are safe
            # to repeat). While Redis is down the second try fails too and the error stands.
            "retry_on_error": [redis.exceptions.ConnectionError],
        }  # fmt: skip
        self._async_client: tuple[asyncio.AbstractEventLoop, redis.asyncio.Redis] | None = None
        self._prefetched: OrderedDict[str, tuple[str, DialogueStateTracker | None]] = OrderedDict()

    def _ared(self) -> redis.asyncio.Redis:
        """The asyncio client of the running event loop (a client cannot change loops)."""
        loop = asyncio.get_running_loop()
        if self._async_client is None or self._async_client[0] is not loop:
            self._async_client = (loop, redis.asyncio.StrictRedis(**self._async_options))
        return self._async_client[1]

    def serialise_tracker(self, tracker: DialogueStateTracker) -> str:
        """The same JSON value as Rasa's ``json.dumps(tracker.as_dialogue().as_dict())``."""
        return fast_json.dumps(tracker.as_dialogue().as_dict())

    def _stored_events(self, stored: str | bytes) -> list[Event]:
        try:
            document = json.loads(stored)
        except UnicodeDecodeError as e:  # the message Rasa gives for the same record
            raise TrackerDeserialisationException(
                "Tracker cannot be deserialised. Trackers must be serialised as json. "
                "Support for deserialising pickled trackers has been removed."
            ) from e
        return deserialise_events(document.get("events", []))

    def _last_session_tracker(self, sender_id: str, stored: str) -> DialogueStateTracker | None:
        """What Rasa's ``retrieve`` returns for this stored text."""
        if self.max_event_history is not None:  # truncating trackers: Rasa's own path
            tracker = self.deserialise_tracker(sender_id, stored)
            return _last_session_of(tracker) if tracker is not None else None
        events = self._stored_events(stored)
        start = last_session_start(events)
        if start > 0:  # as get_trackers_for_conversation_sessions builds the last session
            return DialogueStateTracker.from_events(sender_id, events[start:], self.domain.slots)
        tracker = self.init_tracker(sender_id)  # as deserialise_tracker builds it
        tracker.events.extend(events)
        tracker.replay_events()
        return tracker

    async def prefetch(self, sender_id: str) -> None:
        """Read the conversation now (raising what ``retrieve`` would raise) for the next read."""
        stored = await self._ared().get(self.key_prefix + sender_id)
        if stored is None:
            return
        tracker = self._last_session_tracker(sender_id, stored)
        self._prefetched[sender_id] = (stored, tracker)
        self._prefetched.move_to_end(sender_id)
        while len(self._prefetched) > PREFETCH_LIMIT:
            self._prefetched.popitem(last=False)

    async def _retrieve(
        self, sender_id: str, fetch_all_sessions: bool
    ) -> DialogueStateTracker | None:
        stored = await self._ared().get(self.key_prefix + sender_id)
        kept = self._prefetched.pop(sender_id, None)
        if stored is None:
            logger.debug(f"Could not find tracker for conversation ID '{sender_id}'.")
            return None
        if fetch_all_sessions:
            return self.deserialise_tracker(sender_id, stored)
        if kept is not None and kept[0] == stored:
            return kept[1]
        return self._last_session_tracker(sender_id, stored)

    async def save(self, tracker: DialogueStateTracker, timeout: float | None = None) -> None:
        """Stream the new events, merge older sessions if needed, store (as Rasa does)."""
        if self.max_event_history is not None:
            await super().save(tracker, timeout)
            return
        key = self.key_prefix + tracker.sender_id
        stored = await self._ared().get(key)
        prior = self._stored_events(stored) if stored is not None else []
        if self.event_broker is not None:
            # TrackerEventDiffEngine.event_difference(retrieve(sender), tracker)
            offset = len(prior) - last_session_start(prior)
            new_events = list(itertools.islice(tracker.events, offset, len(tracker.events)))
            await self._stream_new_events(self.event_broker, new_events, tracker.sender_id)
        if not timeout and self.record_exp:
            timeout = self.record_exp
        if prior:
            last_timestamp = prior[-1].timestamp
            past = list(
                itertools.takewhile(lambda e: e.timestamp <= last_timestamp, tracker.events)
            )
            if past != prior:
                prior_tracker = self.deserialise_tracker(tracker.sender_id, stored)  # type: ignore[arg-type]
                if prior_tracker is not None:
                    tracker = self._merge_trackers(prior_tracker, tracker)
        await self._ared().set(key, self.serialise_tracker(tracker), ex=timeout)


def _last_session_of(tracker: DialogueStateTracker) -> DialogueStateTracker:
    from rasa.shared.core.trackers import get_trackers_for_conversation_sessions

    sessions = get_trackers_for_conversation_sessions(tracker)
    return tracker if len(sessions) <= 1 else sessions[-1]
