"""Redis goes away mid-conversation: answers continue (degraded, logged once), and memory
resumes when it comes back. Uses a private redis-server that the test kills and restarts."""

from __future__ import annotations

import logging

from fixture_shop import build_fixture_shop

from bot.answers.service import AnswerService
from bot.memory.redis_memory import RedisSessionMemory
from bot.memory.resilient import ResilientSessionMemory


async def test_answers_survive_a_redis_outage(sqlite_db, private_redis, caplog) -> None:
    build_fixture_shop(sqlite_db)
    memory = ResilientSessionMemory(
        RedisSessionMemory(private_redis.url, prefix="mem:", socket_timeout_s=0.3),
        retry_interval_s=0.0,
    )
    svc = AnswerService(sqlite_db, memory=memory, search_mode="keyword")

    first = await svc.answer("tell me about the stormshell rain jacket", sender_id="shopper")
    assert "Stormshell Rain Jacket" in first.text
    assert memory.primary.load("shopper").last_product_id == "SB-P0003"  # really in Redis

    private_redis.kill()
    caplog.set_level(logging.WARNING, logger="bot.memory.resilient")
    during = []
    for question in (
        "what is your return policy?",
        "something for a rainy hike under $120",
        "is the summit down parka in stock?",
    ):
        answer = await svc.answer(question, sender_id="shopper")
        assert answer.text and answer.grounded
        during.append(answer)
    assert "30 days" in during[0].text and "$109.00" in during[1].text
    assert memory.degraded
    outage_logs = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage_logs) == 1, "the outage is logged once, not once per call"

    private_redis.start()  # same port, empty (no persistence)
    caplog.clear()
    again = await svc.answer("tell me about the summit down parka", sender_id="shopper")
    assert "Summit Down Parka" in again.text
    assert not memory.degraded
    assert any("memory resumed" in r.getMessage() for r in caplog.records)
    follow = await svc.answer("do you have it in black?", sender_id="shopper")
    assert "Summit Down Parka" in follow.text and "Yes" in follow.text
    stored = memory.primary.load("shopper")
    assert stored.last_product_id == "SB-P0005"  # memory works in Redis again
    assert any("black" in t["text"] for t in stored.turns)
    memory.primary.close()
