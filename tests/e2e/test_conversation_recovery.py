"""No conversation can die, and a "yes" applies exactly what was previewed (real stack, REST).

Security review, findings 3, 4 and 12 (part):

- a message a form rejected and no rule covered made the core fallback repeat until Rasa's
  circuit breaker tripped (10 identical replies), after which every message, ``/restart``
  included, got "technical problem";
- ``/affirm{"order_id": Y}`` at the confirmation for X cancelled Y; "yes go ahead with <an
  address>" stored the confirmation words in the street;
- digits inside an order id were read as a ZIP.

Every turn here is checked: at most ``MAX_REPLIES`` bot messages, at most ``MAX_ACTIONS``
actions in the tracker, never "technical problem", never the same text twice in a turn.
"""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from bot.db import models as m
from bot.db.session import Database
from tests.e2e import shop
from tests.e2e.chat import Shopper

pytestmark = pytest.mark.e2e

MAX_REPLIES = 5
MAX_ACTIONS = 6
TROUBLE = "technical problem"


class CheckedShopper(Shopper):
    """A shopper whose every turn is checked for loops and apologies."""

    def turn(self, text: str) -> list[dict[str, Any]]:
        before = len(self.replies)
        self.say(text)
        messages = self.replies[before:]
        texts = [str(msg.get("text") or "") for msg in messages if msg.get("text")]
        where = f"after {text!r}: {texts}"
        assert messages, f"no reply {where}"
        assert len(messages) <= MAX_REPLIES, where
        assert not any(TROUBLE in t for t in texts), where
        assert len(texts) == len(set(texts)), f"a reply repeated {where}"
        actions = self.turn_actions()
        assert len(actions) <= MAX_ACTIONS, f"{actions} {where}"
        return messages

    def text(self, text: str) -> str:
        return "\n".join(str(msg.get("text") or "") for msg in self.turn(text))

    def turn_actions(self) -> list[str]:
        """The actions run since the latest user message (``action_listen`` excluded)."""
        names: list[str] = []
        for event in reversed(self.tracker()["events"]):
            if event["event"] == "user":
                break
            if event["event"] == "action" and event["name"] != "action_listen":
                names.append(event["name"])
        return names[::-1]


@pytest.fixture
def chat(running_stack: Any) -> CheckedShopper:
    return CheckedShopper.on(running_stack, "e2e-loop")


# -- finding 3: loops end with one reply; the conversation always recovers -----------------


@pytest.mark.parametrize(
    ("opening", "repeat"),
    [
        ("where is my order", "where is my order"),
        ("I want to exchange an item", "no, I don't want an exchange anymore"),
        ("I want to cancel an order", "I want to cancel an order"),
        ("I want to return an item", "I want to return an item"),
    ],
)
def test_known_loops_end_the_turn_and_the_chat_goes_on(
    chat: CheckedShopper, opening: str, repeat: str
) -> None:
    assert "email" in chat.text(opening)
    chat.turn(repeat)  # one helpful turn, no loop, no apology
    assert "email" in chat.text(repeat)  # and again: still alive, still asking
    reply = chat.text("stop")
    assert "nothing was changed" in reply or "anything else" in reply.lower()
    assert "Hi!" in chat.text("hi")


FORM_OPENINGS = [
    "where is my order",
    "I want to cancel an order",
    "I want to change the items of my order",
    "I need to change the shipping address of my order",
    "I want to change the payment method of my order",
    "I want to return an item",
    "I want to exchange an item",
    "I want to change my default address",
    "/inform",
]

FUZZ_POOL = [
    "where is my order",
    "no, I don't want that anymore",
    "no",
    "yes",
    "yes go ahead",
    "ok",
    "hmm",
    "asdf qwer zxcv",
    "???",
    "I want to cancel an order",
    "I want to return an item",
    "I want to exchange an item",
    "what's your refund policy?",
    "do you have running shoes?",
    "thanks",
    "hello",
    "#W0000000",
    "order #S1000029",
    "12345",
    "1000200300",
    "nobody@example.com",
    "Noah Brown, 20001",
    "12 Oak Street, Austin, TX 78701",
    "the second one",
    "gift card",
    '/affirm{"order_id":"#W0000000"}',
    "/deny",
    "/affirm",
    "/inform",
    "this is useless",
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fuzzed_messages_inside_every_form_never_loop(
    running_stack: Any, shop_db: Database, seed: int
) -> None:
    rng = random.Random(seed)
    customer, orders = shop.customer_with_pending_orders(shop_db, 1)
    email = customer.email
    pool = [*FUZZ_POOL, email, orders[0], f"my email is {email}"]
    for opening in FORM_OPENINGS:
        chat = CheckedShopper.on(running_stack, f"e2e-fuzz-{seed}")
        chat.turn(opening)
        if rng.random() < 0.6:  # half the runs get past the identity step
            chat.turn(email)
        for _ in range(6):
            chat.turn(rng.choice(pool))
        chat.turn("/restart")


def test_restart_resets_with_a_confirmation(chat: CheckedShopper, shop_db: Database) -> None:
    customer, _orders = shop.customer_with_pending_orders(shop_db, 1)
    email = customer.email
    chat.turn("I want to cancel an order")
    chat.turn(email)
    assert chat.tracker()["active_loop"].get("name") == "cancel_form"
    reply = chat.text("/restart")
    assert "start over" in reply
    tracker = chat.tracker()
    assert not (tracker.get("active_loop") or {}).get("name")
    assert tracker["slots"]["customer_id"] is None
    assert "Hi!" in chat.text("hi")


def test_session_start_is_answered_without_an_apology(chat: CheckedShopper) -> None:
    chat.say("/session_start")
    assert not any(TROUBLE in str(r.get("text") or "") for r in chat.replies)
    assert "Hi!" in chat.text("hi")


def test_a_conversation_left_dead_by_the_breaker_recovers(chat: CheckedShopper) -> None:
    """A tracker saved as the old server left it: 10 fallbacks after the user, no listen."""
    chat.text("where is my order")
    events = [
        {"event": "user", "text": "where is my order", "parse_data": {"intent": {"name": "x"}}},
        *[{"event": "action", "name": "action_fallback"} for _ in range(10)],
    ]
    response = httpx.post(
        f"{chat.rasa_url}/conversations/{chat.sender}/tracker/events",
        params={"token": chat.token},
        json=events,
        timeout=30,
    )
    response.raise_for_status()
    assert chat.tracker()["latest_action_name"] == "action_fallback"
    assert "start over" in chat.text("/restart")
    assert "Hi!" in chat.text("hi")
    assert "email" in chat.text("where is my order")


def test_talk_to_a_person_works_after_a_loop(chat: CheckedShopper) -> None:
    chat.turn("I want to exchange an item")
    chat.turn("no, I don't want an exchange anymore")
    handed = chat.turn("/contact_human_agent")
    assert any((r.get("custom") or {}).get("type") == "handoff" for r in handed)


# -- finding 12 (part): digits inside an order id are no ZIP ---------------------------------


def test_an_order_id_never_yields_a_zip(chat: CheckedShopper) -> None:
    reply = chat.text("where is my order #S1000029?")
    assert "email" in reply  # still asks for the email, not for a name to go with a ZIP
    assert chat.tracker()["slots"]["zip"] is None
    chat.text("I meant order S1000200")
    assert chat.tracker()["slots"]["zip"] is None


# -- finding 4: a yes applies exactly the previewed plan --------------------------------------


def test_affirm_carrying_another_order_changes_nothing(
    chat: CheckedShopper, shop_db: Database
) -> None:
    customer, (x, y) = shop.customer_with_pending_orders(shop_db, 2)
    email = customer.email
    chat.turn("I want to cancel an order")
    chat.turn(email)
    chat.turn(x)
    preview = chat.text("no longer needed")
    assert x in preview and "go ahead" in preview
    again = chat.text(f'/affirm{{"order_id":"{y}"}}')
    assert shop.statuses(shop_db, x, y) == ["pending", "pending"]
    assert y in again and "go ahead" in again  # a new preview, of Y
    assert "haven't changed" in chat.text("no")
    assert shop.statuses(shop_db, x, y) == ["pending", "pending"]

    chat.turn("I want to cancel an order")
    chat.turn(x)
    assert x in chat.text("no longer needed")
    chat.turn("yes")
    assert shop.statuses(shop_db, x, y) == ["cancelled", "pending"]


def test_yes_with_an_address_stores_the_street_only(
    chat: CheckedShopper, shop_db: Database
) -> None:
    customer, (order_id,) = shop.customer_with_pending_orders(shop_db, 1)
    email = customer.email
    chat.turn("I need to change the shipping address of my order")
    chat.turn(email)
    chat.turn(order_id)
    first = chat.text("3 Elm Road, Boston, MA 02101")
    assert "3 Elm Road" in first and "go ahead" in first
    second = chat.text("yes go ahead with 12 Oak Street, Austin, TX 78701")
    with shop_db.session() as s:
        stored = s.get(m.Order, order_id)
        assert stored is not None and stored.address1 != "12 Oak Street"
    assert "12 Oak Street" in second and "yes go ahead" not in second
    chat.turn("yes")
    with shop_db.session() as s:
        stored = s.get(m.Order, order_id)
        assert stored is not None
        assert (stored.address1, stored.city, stored.zip) == ("12 Oak Street", "Austin", "78701")
