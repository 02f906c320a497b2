"""A "yes" applies exactly the previewed plan; a yes that carries new values gets a new preview.

Security review, finding 4: at the confirmation for order X, ``/affirm{"order_id": "Y"}``
cancelled Y, and "yes go ahead with 12 Oak Street, ..." stored "yes go ahead with 12 Oak
Street" as the street. The confirmation turns below are built as Rasa sends them: the slot
candidates its mappings set (``confirmed`` from the affirm, ``order_id`` from the entity) are
the tracker's last events, so the validator sees them in ``slots_to_validate``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.asks import ActionAskConfirmed
from actions.forms import ValidateCancelForm, ValidateModifyAddressForm
from actions.tasks import ActionCancelOrder, ActionModifyAddress
from bot.db import models as m
from bot.db.session import Database
from tests.actions.conftest import Conversation, Turn


def _status(db: Database, order_id: str) -> str:
    with db.session() as s:
        order = s.get(m.Order, order_id)
        assert order is not None
        return order.status


def _two_pending_orders(db: Database) -> tuple[m.Order, m.Order]:
    """Two untouched pending orders of one customer (X and Y)."""
    with db.session() as s:
        pending = s.scalars(
            select(m.Order)
            .where(m.Order.status == "pending", m.Order.items_modified.is_(False))
            .order_by(m.Order.customer_id, m.Order.id)
        ).all()
        by_customer: dict[str, list[m.Order]] = {}
        for order in pending:
            by_customer.setdefault(order.customer_id, []).append(order)
        for orders in by_customer.values():
            if len(orders) >= 2:
                return orders[0], orders[1]
    raise AssertionError("the demo shop has no customer with two pending orders")


def _confirm(
    chat: Conversation,
    validator: Action,
    domain: dict[str, Any],
    text: str,
    mapped: dict[str, Any],
    intent: str = "affirm",
) -> Turn:
    """The shopper answers the preview; ``mapped`` is what Rasa's slot mappings set."""
    chat.slots["requested_slot"] = "confirmed"
    chat.slots.update(mapped)
    tracker = chat.tracker(text, intent)
    tracker.events.extend({"event": "slot", "name": k, "value": v} for k, v in mapped.items())
    dispatcher = CollectingDispatcher()
    events = asyncio.run(validator.run(dispatcher, tracker, domain))  # type: ignore[arg-type]
    chat.history.append({"event": "user", "text": text, "parse_data": tracker.latest_message})
    for event in events:
        if event.get("event") == "slot":
            chat.slots[event["name"]] = event["value"]
    return Turn(dispatcher.messages, events)


def _cancel_chat(order: m.Order) -> Conversation:
    return Conversation(
        slots={
            "customer_id": order.customer_id,
            "order_id": order.id,
            "cancel_reason": "no longer needed",
        },
        form="cancel_form",
    )


def test_affirm_with_another_order_previews_that_order_first(shop: Database, domain: dict) -> None:
    x, y = _two_pending_orders(shop)
    chat = _cancel_chat(x)
    preview = chat.run(ActionAskConfirmed(), domain)
    assert x.id in preview.text and chat.slots["previewed_plan"]

    turn = _confirm(
        chat,
        ValidateCancelForm(),
        domain,
        f'/affirm{{"order_id":"{y.id}"}}',
        {"confirmed": True, "order_id": y.id},
    )
    assert turn.slots()["confirmed"] is None  # not a confirmation of what was shown
    assert turn.slots()["requested_slot"] == "confirmed"  # the form asks again: new preview
    assert chat.slots["order_id"] == y.id
    # Had the form finished anyway, the change action refuses a plan nobody previewed.
    chat.slots["confirmed"] = True
    refused = chat.run(ActionCancelOrder(), domain)
    assert "haven't changed anything" in refused.text
    assert _status(shop, x.id) == "pending" and _status(shop, y.id) == "pending"


def test_new_preview_then_clean_yes_applies_exactly_that_plan(shop: Database, domain: dict) -> None:
    x, y = _two_pending_orders(shop)
    chat = _cancel_chat(x)
    chat.run(ActionAskConfirmed(), domain)
    _confirm(
        chat,
        ValidateCancelForm(),
        domain,
        f'/affirm{{"order_id":"{y.id}"}}',
        {"confirmed": True, "order_id": y.id},
    )
    assert chat.slots["confirmed"] is None
    assert _status(shop, x.id) == "pending" and _status(shop, y.id) == "pending"
    again = chat.run(ActionAskConfirmed(), domain)  # the form asks again: a preview of Y
    assert y.id in again.text and "go ahead" in again.text

    turn = _confirm(chat, ValidateCancelForm(), domain, "yes", {"confirmed": True})
    assert turn.slots()["confirmed"] is True
    chat.run(ActionCancelOrder(), domain)
    assert _status(shop, y.id) == "cancelled" and _status(shop, x.id) == "pending"


def test_clean_yes_to_the_preview_applies_it(shop: Database, domain: dict) -> None:
    x, _y = _two_pending_orders(shop)
    chat = _cancel_chat(x)
    chat.run(ActionAskConfirmed(), domain)
    turn = _confirm(chat, ValidateCancelForm(), domain, "yes please", {"confirmed": True})
    assert turn.slots()["confirmed"] is True
    chat.run(ActionCancelOrder(), domain)
    assert _status(shop, x.id) == "cancelled"


def test_yes_without_any_preview_changes_nothing(shop: Database, domain: dict) -> None:
    x, _y = _two_pending_orders(shop)
    chat = _cancel_chat(x)
    chat.slots["confirmed"] = True
    turn = chat.run(ActionCancelOrder(), domain)
    assert "haven't changed anything" in turn.text
    assert _status(shop, x.id) == "pending"


def test_yes_with_a_new_address_previews_it_and_stores_the_clean_street(
    shop: Database, domain: dict
) -> None:
    x, _y = _two_pending_orders(shop)
    chat = Conversation(
        slots={"customer_id": x.customer_id, "order_id": x.id}, form="modify_address_form"
    )
    chat.answer(ValidateModifyAddressForm(), domain, "new_address", "3 Elm Road, Boston, MA 02101")
    first = chat.run(ActionAskConfirmed(), domain)
    assert "3 Elm Road" in first.text

    turn = _confirm(
        chat,
        ValidateModifyAddressForm(),
        domain,
        "yes go ahead with 12 Oak Street, Austin, TX 78701",
        {"confirmed": True},
    )
    assert turn.slots()["confirmed"] is None
    assert turn.slots()["requested_slot"] == "confirmed"
    assert chat.slots["new_address"]["address1"] == "12 Oak Street"
    with shop.session() as s:
        stored = s.get(m.Order, x.id)
        assert stored is not None and stored.address1 != "12 Oak Street"

    again = chat.run(ActionAskConfirmed(), domain)
    assert "12 Oak Street" in again.text and "yes go ahead" not in again.text
    _confirm(chat, ValidateModifyAddressForm(), domain, "yes", {"confirmed": True})
    assert chat.slots["confirmed"] is True
    chat.run(ActionModifyAddress(), domain)
    with shop.session() as s:
        stored = s.get(m.Order, x.id)
        assert stored is not None
        assert (stored.address1, stored.city, stored.zip) == ("12 Oak Street", "Austin", "78701")


def test_yes_repeating_the_previewed_address_confirms_it(shop: Database, domain: dict) -> None:
    x, _y = _two_pending_orders(shop)
    chat = Conversation(
        slots={"customer_id": x.customer_id, "order_id": x.id}, form="modify_address_form"
    )
    chat.answer(
        ValidateModifyAddressForm(),
        domain,
        "new_address",
        "please use 12 Oak Street, Austin, TX 78701",
    )
    assert chat.slots["new_address"]["address1"] == "12 Oak Street"
    chat.run(ActionAskConfirmed(), domain)
    turn = _confirm(
        chat,
        ValidateModifyAddressForm(),
        domain,
        "yes go ahead with 12 Oak Street, Austin, TX 78701",
        {"confirmed": True},
    )
    assert turn.slots()["confirmed"] is True  # the same plan: no second preview needed
    chat.run(ActionModifyAddress(), domain)
    with shop.session() as s:
        stored = s.get(m.Order, x.id)
        assert stored is not None and stored.address1 == "12 Oak Street"


def _no_at_the_preview(chat: Conversation, domain: dict, order: m.Order, text: str) -> Turn:
    """A "no, ..." answer to the cancellation preview of ``order``; the order slot stands in
    the history as Rasa's tracker has it (a SlotSet before the message)."""
    chat.run(ActionAskConfirmed(), domain)
    chat.history.append({"event": "slot", "name": "order_id", "value": order.id})
    return _confirm(chat, ValidateCancelForm(), domain, text, {"confirmed": False}, "deny")


def test_no_naming_another_order_previews_that_order(shop: Database, domain: dict) -> None:
    x, y = _two_pending_orders(shop)
    chat = _cancel_chat(x)
    turn = _no_at_the_preview(chat, domain, x, f"no, it's {y.id}, not {x.id}")
    assert turn.slots()["confirmed"] is None  # a correction, not a no
    assert chat.slots["order_id"] == y.id
    assert turn.slots()["requested_slot"] == "confirmed"
    again = chat.run(ActionAskConfirmed(), domain)
    assert y.id in again.text and x.id not in again.text
    assert _status(shop, x.id) == "pending" and _status(shop, y.id) == "pending"


def test_no_naming_the_previewed_order_is_a_no(shop: Database, domain: dict) -> None:
    x, _y = _two_pending_orders(shop)
    chat = _cancel_chat(x)
    turn = _no_at_the_preview(chat, domain, x, f"no, don't cancel {x.id}")
    assert turn.slots()["confirmed"] is False
    assert _status(shop, x.id) == "pending"
