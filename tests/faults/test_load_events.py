"""200 concurrent conversations × 10 turns: every message answered, every event logged once.

The REST transcript each shopper saw is compared with Rasa's SQL event log (``events``
table): per conversation the user events must be exactly the ten messages sent, in order,
and the bot events between two user events exactly the replies that turn returned.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from sqlalchemy import text

from bench.loadgen import run_load
from bench.turn_latency import _shop_sample, conversation_script
from bot.db.session import Database
from tests.faults.conftest import FaultStack

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CONVERSATIONS = 200
TURNS = 10


def _reply_text(reply: dict[str, Any]) -> Any:
    return reply.get("text") if reply.get("text") is not None else reply.get("custom")


def _bot_value(event: dict[str, Any]) -> Any:
    if event.get("text") is not None:
        return event["text"]
    return (event.get("data") or {}).get("custom")


def test_200_conversations_every_message_answered_and_logged_once(
    fault_stack: FaultStack,
) -> None:
    rows = _shop_sample(fault_stack.database_url, CONVERSATIONS, seed=3)
    scripts = [conversation_script(i, *row)[:TURNS] for i, row in enumerate(rows)]
    assert len(scripts) == CONVERSATIONS
    prefix = f"load-{int(time.time())}"

    result = asyncio.run(
        run_load(fault_stack.rasa_url, scripts, prefix, request_timeout_s=400, max_duration_s=1800)
    )

    failed = [t for t in result.turns if not t.ok]
    unanswered = [t for t in result.turns if t.ok and t.replies == 0]
    assert len(result.turns) == CONVERSATIONS * TURNS
    problems: list[str] = []
    if failed:
        problems.append(f"{len(failed)} turns failed, e.g. {failed[:3]}")
    if unanswered:
        problems.append(f"{len(unanswered)} turns got no reply, e.g. {unanswered[:3]}")
    failed_turns = {(t.conversation, t.index) for t in failed}

    db = Database(fault_stack.database_url)
    try:
        with db.session() as s:
            data = s.execute(
                text("SELECT sender_id, data FROM events WHERE sender_id LIKE :p ORDER BY id"),
                {"p": f"{prefix}-%"},
            ).all()
    finally:
        db.dispose()
    by_sender: dict[str, list[dict[str, Any]]] = {}
    for sender, raw in data:
        by_sender.setdefault(sender, []).append(json.loads(raw))
    if len(by_sender) != CONVERSATIONS:
        problems.append(f"{len(by_sender)} conversations in the event log")
    seen = {(t.conversation, t.index): [_reply_text(r) for r in t.bodies] for t in result.turns}
    for number, script in enumerate(scripts):
        events = by_sender.get(f"{prefix}-{number}", [])
        turns: list[tuple[str, list[Any]]] = []
        for event in events:
            if event["event"] == "user":
                turns.append((event.get("text"), []))
            elif event["event"] == "bot":
                assert turns, f"bot event before any user event in conversation {number}"
                turns[-1][1].append(_bot_value(event))
        if [t[0] for t in turns] != script:
            problems.append(f"user events of conversation {number}: {[t[0] for t in turns]}")
            continue
        for index, (_, bot_events) in enumerate(turns):
            # exactly the replies the shopper received that turn, once each, in order
            # (a turn whose HTTP call timed out has no REST transcript to compare with)
            if (number, index) not in failed_turns and bot_events != seen[(number, index)]:
                problems.append(f"conversation {number} turn {index}: {bot_events}")
    assert not problems, "\n".join(problems[:20])
