"""Session memory: in-process and real Redis behave alike; updates are atomic; erase works."""

from __future__ import annotations

import threading
import time

import pytest
import redis

from bot.memory.base import InProcessSessionMemory, MemoryUnavailable
from bot.memory.redis_memory import RedisSessionMemory
from bot.memory.state import MAX_TURNS, SessionState


@pytest.fixture(params=["inprocess", "redis"])
def memory(request, redis_url, key_prefix):
    if request.param == "inprocess":
        yield InProcessSessionMemory(ttl_s=60)
        return
    store = RedisSessionMemory(redis_url, prefix=key_prefix, ttl_s=60)
    yield store
    store.close()


def test_round_trip_and_per_shopper_isolation(memory) -> None:
    memory.update("s1", lambda s: s.saw_products(["SB-P0001"]))
    memory.update("s1", lambda s: s.set_preferences({"size": "44", "colour": "red", "x": "1"}))
    memory.update("s1", lambda s: setattr(s, "customer_id", "alice_smith_1234"))
    state = memory.load("s1")
    assert state.last_product_id == "SB-P0001"
    assert state.preferences == {"size": "44", "colour": "red"}
    assert state.customer_id == "alice_smith_1234"
    assert memory.load("s2").is_empty()


def test_rolling_summary_keeps_recent_turns_and_folds_older(memory) -> None:
    for i in range(MAX_TURNS + 3):
        memory.update("s", lambda s, i=i: s.add_turn("user", f"question {i}"))
    state = memory.load("s")
    assert len(state.turns) == MAX_TURNS
    assert state.turns[-1]["text"] == f"question {MAX_TURNS + 2}"
    assert "question 0" in state.summary and "question 2" in state.summary
    assert "question 3" not in state.summary


def test_turns_are_stored_with_pii_masked(memory) -> None:
    memory.update("p", lambda s: s.add_turn("user", "I am bob@example.com, 415-555-0199"))
    text = memory.load("p").turns[0]["text"]
    assert "bob@example.com" not in text and "[email]" in text and "[phone]" in text


def test_recommended_products_become_viewed_and_most_recent_first(memory) -> None:
    memory.update("r", lambda s: s.saw_products(["A", "B"]))
    memory.update("r", lambda s: s.saw_products(["C", "A"], recommended=True))
    state = memory.load("r")
    assert state.recommended[:2] == ["C", "A"]
    assert state.viewed[0] == "C"
    assert state.viewed.count("A") == 1


def test_erase_forgets_the_shopper(memory) -> None:
    memory.update("e", lambda s: s.saw_products(["X"]))
    assert memory.erase("e") is True
    assert memory.load("e").is_empty()
    assert memory.erase("e") is False


def test_concurrent_updates_lose_nothing(memory) -> None:
    def worker(n: int) -> None:
        for i in range(10):
            memory.update("c", lambda s, n=n, i=i: s.recommended.append(f"{n}-{i}"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(memory.load("c").recommended) == 40


def test_redis_uses_json_per_shopper_key_with_ttl(redis_url, key_prefix) -> None:
    store = RedisSessionMemory(redis_url, prefix=key_prefix, ttl_s=120)
    store.update("shopper-9", lambda s: s.set_preferences({"budget": "120"}))
    raw = redis.Redis.from_url(redis_url).get(f"{key_prefix}shopper-9")
    assert b'"budget": "120"' in raw
    assert 0 < store.ttl("shopper-9") <= 120
    store.close()


def test_in_process_ttl_expires() -> None:
    store = InProcessSessionMemory(ttl_s=0)
    store.update("t", lambda s: s.saw_products(["A"]))
    time.sleep(0.01)
    assert store.load("t").is_empty()


def test_unreachable_redis_raises_memory_unavailable() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    store = RedisSessionMemory(f"redis://127.0.0.1:{port}/0", socket_timeout_s=0.2)
    with pytest.raises(MemoryUnavailable):
        store.load("x")
    with pytest.raises(MemoryUnavailable):
        store.update("x", lambda s: None)


def test_state_survives_unknown_json() -> None:
    state = SessionState.from_dict("z", {"viewed": ["A"], "unknown": 1})
    assert state.viewed == ["A"] and state.sender_id == "z"


def test_factory_picks_resilient_redis_or_in_process(redis_url) -> None:
    from bot.memory import make_memory
    from bot.memory.resilient import ResilientSessionMemory
    from bot.settings import Settings

    assert isinstance(make_memory(Settings(redis_url=None)), InProcessSessionMemory)
    store = make_memory(Settings(redis_url=redis_url))
    assert isinstance(store, ResilientSessionMemory)
    assert isinstance(store.primary, RedisSessionMemory)
