"""Two requests in one message at the action level: the plan is said, the first request gets
only its own order and reason, and the second starts when the first is done."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import func, select

from actions.forms import VALIDATORS
from actions.tasks import CHANGE_ACTIONS
from bot.db import models as m
from bot.db.session import Database
from bot.dialogue.plan import plan_fingerprint
from bot.dialogue.requests import plan, split_clauses
from tests.actions.conftest import Conversation


def _two_pending(db: Database) -> tuple[str, str, str]:
    """A customer with two clean pending orders: (customer id, first order, second order)."""
    with db.session() as s:
        customer_id = s.scalars(
            select(m.Order.customer_id)
            .where(m.Order.status == "pending", m.Order.items_modified.is_(False))
            .group_by(m.Order.customer_id)
            .having(func.count() >= 2)
            .order_by(m.Order.customer_id)
        ).first()
        assert customer_id is not None
        orders = s.scalars(
            select(m.Order.id)
            .where(m.Order.customer_id == customer_id, m.Order.status == "pending")
            .order_by(m.Order.id)
        ).all()
    return customer_id, orders[0], orders[1]


def _requests(text: str) -> list[dict[str, Any]]:
    """What the Rasa channel puts into the metadata (every clause read as a cancellation)."""
    clauses = split_clauses(text)
    parses = [{"intent": {"name": "cancel_order", "confidence": 0.9}} for _ in clauses]
    return [p.as_dict() for p in plan(text, clauses, parses)]


def _run_followup(chat: Conversation, action: Any, domain: dict[str, Any]) -> list[dict]:
    """Run an action in the same turn (a FollowupAction: no new message from the shopper)."""
    latest = next(e["parse_data"] for e in reversed(chat.history) if e["event"] == "user")
    tracker = Tracker(
        sender_id="test",
        slots=dict(chat.slots),
        latest_message=latest,
        events=list(chat.history),
        paused=False,
        followup_action=None,
        active_loop={"name": chat.form} if chat.form else {},
        latest_action_name="action_cancel_order",
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, domain))
    for event in events:
        if event.get("event") == "slot":
            chat.slots[event["name"]] = event["value"]
    return events


def test_two_cancellations_in_one_message(shop: Database, domain: dict) -> None:
    customer_id, first, second = _two_pending(shop)
    text = (
        f"Cancel order {first} because I ordered it by mistake, and also cancel order "
        f"{second} because I no longer need it"
    )
    requests = _requests(text)
    assert len(requests) == 2
    validate = VALIDATORS["cancel_form"]()
    chat = Conversation(slots={"customer_id": customer_id}, form="cancel_form")
    turn = chat.run(validate, domain, text, intent="cancel_order", metadata={"requests": requests})
    assert turn.texts[0].startswith("I'll take your 2 requests one at a time")
    assert f"First: Cancel an order (order {first})" in turn.texts[0]
    slots = turn.slots()
    assert slots["order_id"] == first
    assert slots["cancel_reason"] == "ordered by mistake"  # its own reason, not the second's
    assert [r["text"] for r in slots["pending_requests"]["queue"]] == [requests[1]["text"]]

    chat.form = None
    chat.slots["confirmed"] = True
    chat.slots["previewed_plan"] = plan_fingerprint("cancel", chat.slots)
    done = chat.run(CHANGE_ACTIONS["cancel"](), domain, "yes", intent="affirm")
    followup = [e for e in done.events if e.get("event") == "followup"]
    assert [e["name"] for e in followup] == ["cancel_form"]
    assert f"Next: Cancel an order (order {second})." in done.texts
    assert done.slots()["pending_requests"] is None
    with shop.session() as s:
        row = s.get(m.Order, first)
        assert row is not None and row.status == "cancelled"
        assert row.cancel_reason == "ordered by mistake"

    # The second request's form starts in the same turn with its own order and reason.
    chat.form = "cancel_form"
    events = _run_followup(chat, validate, domain)
    started = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    assert started["order_id"] == second
    assert started["cancel_reason"] == "no longer needed"
    assert started.get("confirmed") is None  # the first "yes" confirms nothing here


def test_a_question_first_then_the_task(shop: Database, domain: dict) -> None:
    """A policy question before a request: answered, then the request's form starts."""
    from actions.conversation import ActionAnswerPolicy

    customer_id, first, _ = _two_pending(shop)
    text = f"What is your cancellation fee? Also, cancel order {first}, I ordered it by mistake."
    clauses = split_clauses(text)
    parses = [
        {"intent": {"name": "check_cancellation_fee", "confidence": 0.9}},
        {"intent": {"name": "cancel_order", "confidence": 0.9}},
    ]
    requests = [p.as_dict() for p in plan(text, clauses, parses)]
    chat = Conversation(slots={"customer_id": customer_id})
    turn = chat.run(
        ActionAnswerPolicy(),
        domain,
        text,
        intent="check_cancellation_fee",
        metadata={"requests": requests},
    )
    assert turn.texts[0].startswith("I'll take your 2 requests one at a time")
    assert turn.texts[-1] == f"Next: Cancel an order (order {first})."
    assert len(turn.texts) >= 3  # the plan, the answer, then the next request
    assert [e["name"] for e in turn.events if e.get("event") == "followup"] == ["cancel_form"]
    current = turn.slots()["current_request"]["request"]
    assert current["intent"] == "cancel_order" and first in current["text"]
