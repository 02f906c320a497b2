"""A whole conversation in Chinese over Rasa's REST channel on the τ shop (issue 20, Tests).

A Chinese shopper identifies with name and 邮编, cancels a pending order ("拍错了"), then, in
the same conversation, exchanges an item of a delivered order, describing the item and the new
version in words and choosing how to pay the difference. Every reply must be Chinese: the test
checks the zh_CN catalog's own sentences (their fixed parts, rendered through ``t``), never a
copy of them, and the database after each "yes".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import models as m
from bot.db.session import Database
from bot.dialogue.chinese import OPTION_WORDS
from bot.orders.policy import load_policy
from bot.orders.tasks.cancel import reason_label
from bot.texts import list_alternatives, t, use_locale
from tests.e2e.shop import order as _order
from tests.e2e.zh import ZH, ChineseShopper, says

pytestmark = pytest.mark.e2e

REASONS = load_policy().cancellation.reasons


@dataclass
class Case:
    customer: m.Customer
    pending: m.Order
    delivered: m.Order
    line: m.OrderLine
    new_variant: m.Variant
    method: m.PaymentMethod


def _chinese(value: str) -> str:
    """An option value as a Chinese shopper writes it: the Chinese word when there is one."""
    by_english = {english: zh for zh, english in OPTION_WORDS.items()}
    return by_english.get(value.lower(), value)


def _case(db: Database) -> Case:
    """A τ customer with a pending order to cancel and a delivered line to exchange for a
    variant described by a colour or size, paid with their only credit card (the last such
    customer, so other end-to-end tests, which take the first orders, never touch it)."""
    with db.session() as s:
        users = s.scalars(select(m.Customer).order_by(m.Customer.id.desc())).all()
        for user in users:
            cards = [pm for pm in user.payment_methods if pm.kind == "credit_card"]
            pending = [
                o
                for o in user.orders
                if o.status == "pending" and not o.items_modified and o.id.startswith("#W")
            ]
            delivered = [o for o in user.orders if o.status == "delivered"]
            if len(cards) != 1 or not pending or not delivered:
                continue
            for order in delivered:
                for line in order.lines:
                    siblings = s.scalars(
                        select(m.Variant).where(m.Variant.product_id == line.product_id)
                    ).all()
                    if sum(ln.product_id == line.product_id for ln in order.lines) > 1:
                        continue
                    current = line.options or {}
                    for v in siblings:
                        diff = {k: x for k, x in v.options.items() if current.get(k) != x}
                        if (
                            v.id != line.variant_id
                            and v.available
                            and len(diff) == 1
                            and set(diff) <= {"color", "size"}
                        ):
                            pending[0].lines  # noqa: B018
                            return Case(user, pending[0], order, line, v, cards[0])
    raise AssertionError("no τ customer with a pending order and an exchangeable item")


def test_identify_cancel_and_exchange_in_chinese(running_stack: Any, shop_db: Database) -> None:
    case = _case(shop_db)
    user, pending = case.customer, case.pending
    shopper = ChineseShopper.on(running_stack, "zh")
    paid = sum(x.amount for x in _order(shop_db, pending.id).transactions if x.kind == "payment")

    reply = shopper.say("你好，我想取消一个订单")
    assert says(reply, "identify.ask.email"), shopper.transcript()
    reply = shopper.say(f"我叫{user.first_name} {user.last_name}，邮编{user.zip}")
    assert user.first_name in reply and pending.id in reply, shopper.transcript()
    reply = shopper.say(f"订单号是{pending.id}")
    with use_locale(ZH):
        reasons = list_alternatives([f'"{reason_label(r)}"' for r in REASONS])
    assert says(reply, "cancel.ask_reason", reasons=reasons), shopper.transcript()
    assert "不再需要" in reply and "下错单了" in reply
    reply = shopper.say("拍错了")
    assert says(reply, "cancel.preview") and pending.id in reply, shopper.transcript()
    with use_locale(ZH):
        assert t("cancel.reason.ordered_by_mistake") in reply
    assert _order(shop_db, pending.id).status == "pending"  # nothing before the yes
    reply = shopper.say("确认")
    assert says(reply, "cancel.done"), shopper.transcript()

    after = _order(shop_db, pending.id)
    assert after.status == "cancelled" and after.cancel_reason == "ordered by mistake"
    assert sum(x.amount for x in after.transactions if x.kind == "refund") == paid

    # The same conversation: identified once, now an exchange of a delivered item.
    order, line, new = case.delivered, case.line, case.new_variant
    reply = shopper.say("我还有一个订单想换货")
    with use_locale(ZH):
        verb = t("task.order_verb.exchange")
    assert says(reply, "order.ask", verb=verb), shopper.transcript()
    reply = shopper.say(f"订单{order.id}")
    assert line.name in reply and line.variant_id not in reply, shopper.transcript()
    reply = shopper.say(f"就是那个{line.name}")
    assert says(reply, "items.ask_new"), shopper.transcript()
    (key, value), *_ = [(k, v) for k, v in new.options.items() if line.options.get(k) != v]
    wanted = f"{_chinese(str(value))}码" if key == "size" else f"{_chinese(str(value))}的"
    reply = shopper.say(f"换成{wanted}")
    assert new.id not in reply, shopper.transcript()
    reply = shopper.say("用信用卡")
    assert says(reply, "exchange.preview") and order.id in reply, shopper.transcript()
    assert _order(shop_db, order.id).status == "delivered"
    reply = shopper.say("好的，确认")
    assert says(reply, "exchange.done"), shopper.transcript()

    after = _order(shop_db, order.id)
    assert after.status == "exchange requested", shopper.transcript()
    changed = [ln for ln in after.lines if ln.variant_id == line.variant_id]
    assert changed and all(ln.exchange_variant_id == new.id for ln in changed)
    print(shopper.transcript())  # shown with -rP: what the shopper read
