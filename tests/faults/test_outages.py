"""Outages during conversations: the action server, Redis, PostgreSQL and the LLM server.

Each test starts a conversation that has state (an identified shopper), breaks one
dependency, checks the shopper gets a polite answer in time with no traceback, repairs it,
and checks the conversation continues with its state (the bot still knows who the shopper is).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import models as m
from bot.db.session import Database
from bot.runtime.stack import _terminate
from tests.faults.conftest import (
    LLM_TIMEOUT_S,
    FaultStack,
    assert_polite,
    new_sender,
    say,
    tail_logs,
    texts,
)

pytestmark = pytest.mark.e2e


def _customer_with_order(database_url: str, offset: int) -> tuple[str, str, str]:
    """(email, first name, order id) of a τ-bench customer."""
    db = Database(database_url)
    try:
        with db.session() as s:
            order = s.scalars(
                select(m.Order).where(m.Order.id.like("#W%")).order_by(m.Order.id).offset(offset)
            ).first()
            assert order is not None
            return order.customer.email, order.customer.first_name, order.id
    finally:
        db.dispose()


def _identified(fs: FaultStack, tag: str, offset: int) -> tuple[str, str, str]:
    """A conversation in which the shopper has been identified by e-mail."""
    email, first, order_id = _customer_with_order(fs.database_url, offset)
    sender = new_sender(tag)
    say(fs.rasa_url, sender, "where is my order?")
    reply = texts(say(fs.rasa_url, sender, f"my email is {email}, order {order_id}"))
    assert first in reply, f"identification failed before the fault: {reply}\n{tail_logs(fs.stack)}"
    return sender, first, order_id


def _still_knows_shopper(fs: FaultStack, sender: str, order_id: str) -> str:
    """After recovery: asking for an order's status works without identifying again."""
    reply = texts(say(fs.rasa_url, sender, f"what is the status of order {order_id}?"))
    assert "email" not in reply.lower() or order_id in reply, reply
    assert order_id in reply, f"the conversation lost its state: {reply}"
    return reply


def _timed_say(fs: FaultStack, sender: str, text: str) -> tuple[list[dict[str, Any]], float]:
    started = time.monotonic()
    replies = say(fs.rasa_url, sender, text, timeout=120)
    return replies, time.monotonic() - started


def test_action_server_restart(fault_stack: FaultStack) -> None:
    fs = fault_stack
    sender, _, order_id = _identified(fs, "actions", 0)
    _terminate(fs.stack.process("actions"))
    replies, _ = _timed_say(fs, sender, f"what is the status of order {order_id}?")
    assert_polite(replies)
    fs.stack.restart("actions")
    _still_knows_shopper(fs, sender, order_id)


def test_redis_restart(fault_stack: FaultStack) -> None:
    fs = fault_stack
    sender, _, order_id = _identified(fs, "redis", 1)
    fs.redis.stop()
    try:
        replies, elapsed = _timed_say(fs, sender, "how long does shipping take?")
        assert_polite(replies)
        assert elapsed < 30, f"answer took {elapsed:.1f}s while Redis was down"
    finally:
        fs.redis.start()
    _still_knows_shopper(fs, sender, order_id)


def test_postgres_unreachable_for_a_few_seconds(fault_stack: FaultStack) -> None:
    fs = fault_stack
    sender, _, order_id = _identified(fs, "pg", 2)
    fs.proxy.cut()
    try:
        replies, elapsed = _timed_say(fs, sender, f"what is the status of order {order_id}?")
        assert_polite(replies)
        assert elapsed < 60, f"answer took {elapsed:.1f}s while PostgreSQL was unreachable"
        time.sleep(3)
    finally:
        fs.proxy.restore()
    # the pools reconnect; the first message may still meet a dead pooled connection
    deadline = time.monotonic() + 30
    while True:
        try:
            _still_knows_shopper(fs, sender, order_id)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


@pytest.mark.parametrize("mode", ["slow", "fail"])
def test_llm_slow_then_failing(fault_stack: FaultStack, mode: str) -> None:
    fs = fault_stack
    sender, _, order_id = _identified(fs, f"llm-{mode}", 3)
    fs.llm.mode = mode
    calls = fs.llm.calls
    try:
        replies, elapsed = _timed_say(fs, sender, "which is better, the earbuds or the headphones?")
    finally:
        fs.llm.mode = "ok"
    assert_polite(replies)
    # generous margin over the configured timeout for NLU + retrieval on a loaded machine
    assert elapsed < LLM_TIMEOUT_S + 15, f"{elapsed:.1f}s with the LLM {mode}"
    assert fs.llm.calls > calls, "the question never reached the LLM server"
    _still_knows_shopper(fs, sender, order_id)
