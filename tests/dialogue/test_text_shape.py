"""What the shopper reads is said once (issue 16, item 7): a list of choices is either quick
replies or lines in the text, never both; the order status is a card plus what the card does
not show; policy passages are reflowed; internal payment ids are not shown."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.bootstrap import Services, install
from bot.db import models as m
from bot.db.session import Database
from bot.dialogue.conversation import ShopConversation
from bot.dialogue.replies import MAX_BUTTONS, Reply, button, choices
from bot.orders.policy import load_policy
from bot.settings import PROJECT_ROOT, Settings
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data


@pytest.fixture
def shop(sqlite_db: Database) -> Iterator[Database]:
    load_shop_data(sqlite_db, read_demo(PROJECT_ROOT / "data" / "shop" / "demo"))
    install(Services(Settings(), database=sqlite_db))
    yield sqlite_db
    install(None)


def _said_once(reply: Reply) -> None:
    """No choice is both a button and a line of the text."""
    lines = [ln for ln in reply.text.splitlines() if ln.startswith("- ")]
    assert not (lines and reply.buttons), reply


def test_choices_are_buttons_when_they_fit_else_a_list() -> None:
    few = [(f"line {i}", button(f"title {i}", "inform", order_id=str(i))) for i in range(3)]
    reply = choices("Which one?", "Your orders:", few)
    assert reply.text == "Which one?" and len(reply.buttons) == 3
    many = [(f"line {i}", button(f"t{i}", "inform")) for i in range(MAX_BUTTONS + 1)]
    reply = choices("Which one?", "Your orders:", many)
    assert not reply.buttons and reply.text.count("\n- line ") == MAX_BUTTONS + 1
    assert choices("Which one?", "", [], empty="None.").text == "Which one? None."


def _customer_with(db: Database, status: str) -> tuple[m.Customer, m.Order]:
    with db.session() as s:
        for order in s.scalars(select(m.Order).where(m.Order.status == status)):
            if len(order.lines) > 1 and order.customer.payment_methods:
                s.expunge_all()
                return order.customer, order
    raise AssertionError(f"no {status} order with several lines")


def test_order_item_and_payment_questions_show_each_list_once(shop: Database) -> None:
    conversation = ShopConversation(shop, load_policy())
    customer, order = _customer_with(shop, "pending")
    asked = conversation.ask_order(customer.id, "cancel")
    _said_once(asked)
    assert order.id in asked.text + " ".join(b["title"] for b in asked.buttons)
    items = conversation.ask_items(customer.id, order.id, "modify_items")
    _said_once(items)
    assert items.buttons and all(b["payload"].startswith("item ") for b in items.buttons)
    paying = conversation.ask_payment(customer.id, order.id, "modify_items")
    _said_once(paying)
    shown = paying.text + " ".join(b["title"] for b in paying.buttons)
    with shop.session() as s:
        ids = [
            p.id
            for p in s.scalars(
                select(m.PaymentMethod).where(m.PaymentMethod.customer_id == customer.id)
            )
        ]
    assert not any(pid in shown for pid in ids)  # labels, not internal ids


def test_order_status_is_not_said_twice(shop: Database) -> None:
    conversation = ShopConversation(shop, load_policy())
    customer, order = _customer_with(shop, "pending")
    reply = conversation.order_status(customer.id, order.id)
    card = reply.payload and reply.payload["order"]
    assert card and card["id"] == order.id and card["items"]
    assert reply.text.startswith(f"Order {order.id} is pending.")
    for item in card["items"]:  # the items and the total are on the card only
        assert item["name"] not in reply.text
    assert "Total" not in reply.text and card["total"] not in reply.text


def test_policy_passages_keep_no_line_breaks_of_the_file(shop: Database) -> None:
    conversation = ShopConversation(shop, load_policy())
    with shop.session() as s:
        wrapped = [p for p in s.scalars(select(m.PolicyPassage)) if "\n" in p.body.strip()]
    assert wrapped, "the demo policy has wrapped passages"
    reply = conversation.policy_answer("delivery_period")
    assert "takes 3 to 5 business days" in reply.text.replace("\n", "⏎")
