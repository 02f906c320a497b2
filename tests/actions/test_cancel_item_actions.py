"""The new task at the action level: its validator and change action come from the registry."""

from __future__ import annotations

from sqlalchemy import select

from actions.asks import ActionAskConfirmed, ActionAskItemIds
from actions.forms import VALIDATORS
from actions.tasks import CHANGE_ACTIONS
from bot.db import models as m
from bot.db.session import Database
from tests.actions.conftest import Conversation


def _pending(db: Database, lines: int) -> m.Order:
    """A clean pending order with exactly ``lines`` lines of different variants."""
    with db.session() as s:
        for order in s.scalars(
            select(m.Order).where(m.Order.status == "pending").order_by(m.Order.id)
        ):
            variants = {ln.variant_id for ln in order.lines}
            paid = any(t.kind == "payment" for t in order.transactions)
            if len(order.lines) == lines == len(variants) and not order.items_modified and paid:
                order.lines  # noqa: B018 - load before the session closes
                return order
    raise AssertionError(f"the demo shop has no pending order with {lines} lines")


def test_cancel_one_item_after_yes(shop: Database, domain: dict) -> None:
    order = _pending(shop, 2)
    kept, dropped = order.lines[0], order.lines[1]
    validate = VALIDATORS["cancel_item_form"]()
    chat = Conversation(slots={"customer_id": order.customer_id}, form="cancel_item_form")
    assert chat.answer(validate, domain, "order_id", order.id).slots()["order_id"] == order.id
    asked = chat.run(ActionAskItemIds(), domain)
    assert "would you like to cancel" in asked.text and dropped.variant_id in asked.shown
    turn = chat.answer(validate, domain, "item_ids", f"item {dropped.variant_id}")
    assert turn.slots()["item_ids"] == [dropped.variant_id]
    preview = chat.run(ActionAskConfirmed(), domain)
    assert f"from order {order.id}; the rest of the order stays" in preview.text
    chat.slots["confirmed"] = True
    done = chat.run(CHANGE_ACTIONS["cancel_item"](), domain)
    assert "cancelled from order" in done.text
    with shop.session() as s:
        row = s.get(m.Order, order.id)
        assert row is not None and row.status == "pending"
        assert [ln.variant_id for ln in row.lines] == [kept.variant_id]
        refunds = [t for t in row.transactions if t.kind == "refund"]
        assert [t.amount for t in refunds] == [dropped.price]
    assert CHANGE_ACTIONS["cancel_item"]().name() == "action_cancel_item"


def test_the_last_item_offers_to_cancel_the_order(shop: Database, domain: dict) -> None:
    order = _pending(shop, 1)
    chat = Conversation(
        slots={
            "customer_id": order.customer_id,
            "order_id": order.id,
            "item_ids": [order.lines[0].variant_id],
        },
        form="cancel_item_form",
    )
    preview = chat.run(ActionAskConfirmed(), domain)
    assert "cancel the order instead" in preview.text and "Nothing has been changed" in preview.text
    buttons = preview.messages[0]["buttons"]
    assert buttons[0]["payload"] == "/cancel_order"
    with shop.session() as s:
        row = s.get(m.Order, order.id)
        assert row is not None and len(row.lines) == 1 and row.status == "pending"
