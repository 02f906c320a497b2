"""Rasa's ``FailSafeTrackerStore`` turns a failed tracker read into "new conversation".

With an unreadable tracker record (here: a corrupted value in Redis, the same code path as a
read timeout), stock Rasa 3.6 starts a fresh conversation and saves it over the old record:
the shopper's identification and a half-finished order flow vanish without a word. Our input
channels read the real store first (``rasa_addons.input_limits.tracker_readable``) and refuse
the message honestly; the old record stays, and once it is readable again the conversation
continues where it was.
"""

from __future__ import annotations

import pytest
import redis

from tests.faults.conftest import FaultStack, assert_polite, events_of, say, texts
from tests.faults.test_outages import _identified

pytestmark = pytest.mark.e2e


def _tracker_key(client: redis.Redis, sender: str) -> bytes:
    keys = [k for k in client.scan_iter(match=f"*{sender}") if b"lock" not in k]
    assert len(keys) == 1, f"expected one tracker key for {sender}, found {keys}"
    return keys[0]


def test_unreadable_tracker_does_not_silently_restart_the_conversation(
    fault_stack: FaultStack,
) -> None:
    fs = fault_stack
    sender, _, order_id = _identified(fs, "failsafe", 4)
    reply = texts(say(fs.rasa_url, sender, f"I want to cancel order {order_id}"))
    client = redis.Redis.from_url(fs.redis.url)
    try:
        key = _tracker_key(client, sender)
        original = client.get(key)
        assert original is not None
        events_before = len(events_of(fs.database_url, sender))
        client.set(key, b"{corrupted")  # json.loads fails inside RedisTrackerStore.retrieve

        replies = say(fs.rasa_url, sender, "yes")
        assert_polite(replies)
        answer = texts(replies).lower()
        # not a fresh greeting or a silent new conversation: an explicit "can't continue"
        assert "can't" in answer or "cannot" in answer, answer
        assert client.get(key) == b"{corrupted", "Rasa saved a fresh tracker over the old one"
        new_events = events_of(fs.database_url, sender)[events_before:]
        assert not [e for e in new_events if e["event"] in ("session_started", "user")], (
            f"a new session was started: {new_events}"
        )

        client.set(key, original)  # the record is readable again
    finally:
        client.close()
    reply = texts(say(fs.rasa_url, sender, f"what is the status of order {order_id}?"))
    assert order_id in reply, f"the conversation did not continue with its state: {reply}"
