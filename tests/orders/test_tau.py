"""The order services on the imported τ-bench retail data: a cancel and an exchange end to end."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import models as m
from bot.db.session import Database
from bot.orders.policy import load_policy
from bot.orders.results import Ok, RefusalCode, Refused
from bot.orders.service import OrderService

tau = pytest.importorskip("bot.shop.tau")
loader = pytest.importorskip("bot.shop.loader")

pytestmark = pytest.mark.slow


def _tau_orders(tau_dir: Path) -> dict[str, dict]:
    return json.loads((tau_dir / "orders.json").read_text(encoding="utf-8"))


def _gift_card_pending_order(orders: dict[str, dict]) -> dict:
    """The first pending order paid entirely by one gift card (so the balance must come back)."""
    for oid in sorted(orders):
        order = orders[oid]
        history = order["payment_history"]
        if (
            order["status"] == "pending"
            and len(history) == 1
            and history[0]["payment_method_id"].startswith("gift_card_")
        ):
            return order
    raise AssertionError("τ data has no pending gift-card order")


def test_cancel_and_exchange_on_tau_data(db: Database, tau_dir: Path) -> None:
    loader.load_shop_data(db, tau.read_tau(tau_dir))
    service = OrderService(db, load_policy())
    orders = _tau_orders(tau_dir)

    # -- cancel a pending gift-card order: refund the exact amount, balance restored at once
    pending = _gift_card_pending_order(orders)
    user, card = pending["user_id"], pending["payment_history"][0]["payment_method_id"]
    paid = Decimal(str(pending["payment_history"][0]["amount"])).quantize(Decimal("0.01"))
    with db.session() as s:
        before = s.get(m.PaymentMethod, card).balance
    assert ok_id(service.identify_by_email(_email(tau_dir, user))) == user
    refused = service.change("cancel", user, pending["order_id"], "changed my mind")
    assert isinstance(refused, Refused) and refused.code == RefusalCode.INVALID_REASON
    result = service.change("cancel", user, pending["order_id"].lower(), "no longer needed")
    assert isinstance(result, Ok), result
    assert result.value.status == "cancelled"
    assert result.value.transactions[-1].kind == "refund"
    assert result.value.transactions[-1].amount == paid
    with db.session() as s:
        assert s.get(m.PaymentMethod, card).balance == before + paid

    # -- exchange one item of a delivered order for another available variant of its product
    with db.session() as s:
        delivered = s.scalars(
            select(m.Order).where(m.Order.status == "delivered").order_by(m.Order.id)
        ).all()
        chosen = None
        for order in delivered:
            for line in order.lines:
                others = s.scalars(
                    select(m.Variant)
                    .where(
                        m.Variant.product_id == line.product_id,
                        m.Variant.id != line.variant_id,
                        m.Variant.available.is_(True),
                    )
                    .order_by(m.Variant.id)
                ).all()
                # A card or PayPal pays any difference; gift cards are tested on the demo shop.
                paid_with = [
                    t.payment_method_id
                    for t in order.transactions
                    if t.kind == "payment" and not t.payment_method_id.startswith("gift_card_")
                ]
                if others and paid_with:
                    chosen = (order.id, order.customer_id, line, others[0], paid_with[0])
                    break
            if chosen:
                break
    assert chosen, "τ data has no exchangeable delivered order"
    order_id, owner, line, new_variant, method = chosen
    difference = (new_variant.price - line.price).quantize(Decimal("0.01"))

    # Another shopper cannot touch it.
    other = next(u for u in sorted({o["user_id"] for o in orders.values()}) if u != owner)
    stolen = service.change("exchange", other, order_id, {line.variant_id: new_variant.id}, method)
    assert isinstance(stolen, Refused) and stolen.code == RefusalCode.NOT_YOUR_ORDER

    preview = service.preview(
        "exchange", owner, order_id, {line.variant_id: new_variant.id}, method
    )
    result = service.change("exchange", owner, order_id, {line.variant_id: new_variant.id}, method)
    assert isinstance(result, Ok), result
    assert isinstance(preview, Ok) and preview.value.amount_delta == difference
    view = result.value
    assert view.status == "exchange requested"
    changed = [ln for ln in view.lines if ln.exchange_variant_id == new_variant.id]
    assert changed and all(ln.variant_id == line.variant_id for ln in changed)
    expected_total = difference * len(changed)
    assert expected_total != 0  # the first exchangeable τ order has a price difference
    last = view.transactions[-1]
    assert last.payment_method_id == method
    assert last.amount == abs(expected_total)
    assert last.kind == ("payment" if expected_total > 0 else "refund")


def ok_id(result: object) -> str:
    assert isinstance(result, Ok), result
    return result.value.id


def _email(tau_dir: Path, user_id: str) -> str:
    users = json.loads((tau_dir / "users.json").read_text(encoding="utf-8"))
    return users[user_id]["email"]
