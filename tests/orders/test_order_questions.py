"""Questions about an order are answered from the order, by the aspect asked (issue 16, item 4)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot.orders.questions import answer_order_question, asked_aspects
from bot.orders.results import (
    Address,
    OrderLineView,
    OrderView,
    PaymentMethodView,
    TransactionView,
)


@pytest.mark.parametrize(
    ("text", "aspects"),
    [
        ("what's in my order?", ["contents"]),
        ("what's in order #W1126085?", ["contents"]),  # the status text no longer lists items
        ("what did I order", ["contents"]),
        ("how much did I pay for order S1000029", ["total"]),
        ("which card did I use for that order", ["payment"]),
        ("how did I pay", ["payment"]),
        ("where did my refund go", ["refund"]),
        ("how much will I get back", ["refund"]),
        ("how many items are in my order", ["count"]),
        ("what's the tracking number", ["tracking"]),
        ("what's the order total and which card did I use", ["payment", "total"]),
        ("where is my order", []),
        ("has it shipped yet?", []),
    ],
)
def test_the_aspect_is_read_from_the_words(text: str, aspects: list[str]) -> None:
    assert asked_aspects(text) == aspects


def _order(**changes) -> OrderView:
    values = dict(
        id="#S1000029",
        customer_id="C1",
        status="delivered",
        items_modified=False,
        lines=(
            OrderLineView(1, "P1", "V1", "Trail Running Shoe", {"size": "44"}, Decimal("120.00")),
            OrderLineView(2, "P2", "V2", "Desk Lamp", {"color": "black"}, Decimal("35.50")),
        ),
        total=Decimal("155.50"),
        address=Address(address1="1 Main St", city="Springfield", state="IL", zip="62701"),
        tracking_ids=("TRK123",),
        transactions=(
            TransactionView("payment", Decimal("155.50"), "credit_card_1"),
            TransactionView("refund", Decimal("35.50"), "gift_card_9"),
        ),
        created_at="2026-11-02T10:00:00",
    )
    values.update(changes)
    return OrderView(**values)


METHODS = (
    PaymentMethodView("credit_card_1", "credit_card", "Visa ending 4242"),
    PaymentMethodView("gift_card_9", "gift_card", "gift card (balance $35.50)", Decimal("35.50")),
)


def test_each_aspect_gets_its_own_fact_and_no_internal_ids() -> None:
    order = _order()
    text = answer_order_question(
        order, ["contents", "count", "total", "payment", "refund", "tracking"], METHODS
    )
    assert "Trail Running Shoe (size 44) ($120.00)" in text
    assert "has 2 items" in text
    assert "total of order #S1000029 is $155.50" in text
    assert "paid with your Visa ending 4242 ($155.50)" in text
    assert "$35.50 to your gift card" in text
    assert "TRK123" in text
    for internal in ("credit_card_1", "gift_card_9", "V1", "V2"):
        assert internal not in text


def test_no_refund_yet_says_so_with_the_item_prices() -> None:
    order = _order(status="pending", transactions=(), tracking_ids=())
    text = answer_order_question(order, ["refund", "tracking"], METHODS)
    assert "Nothing has been refunded for order #S1000029 so far (it is pending)" in text
    assert "Desk Lamp (color black) ($35.50)" in text
    assert "no tracking number yet" in text


def test_a_method_removed_from_the_account_is_not_shown_by_id() -> None:
    text = answer_order_question(_order(), ["payment"], methods=())
    assert "credit_card_1" not in text and "no longer on your account" in text
