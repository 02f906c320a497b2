"""Replies built deep in the order service speak Chinese under ``use_locale("zh_CN")`` (issue
20): every sentence comes from the zh_CN catalog, so the only Latin letters left are the
shop's own data (order ids, product and option names, payment labels, reasons)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.db import models as m
from bot.db.session import Database
from bot.dialogue.conversation import ShopConversation
from bot.orders.policy import load_policy
from bot.settings import PROJECT_ROOT
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data
from bot.texts import use_locale

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def shop(sqlite_db: Database) -> Iterator[Database]:
    load_shop_data(sqlite_db, read_demo(PROJECT_ROOT / "data" / "shop" / "demo"))
    yield sqlite_db


def _pending(db: Database) -> tuple[str, str, list[str]]:
    """A customer, their pending order, and the words of the data shown with it."""
    with db.session() as s:
        order = s.scalars(select(m.Order).where(m.Order.status == "pending")).first()
        assert order is not None
        data = [order.id, *(p.label for p in order.customer.payment_methods)]
        for line in order.lines:
            data += [line.name, *map(str, (line.options or {}).values())]
            data += map(str, (line.options or {}).keys())
        return order.customer_id, order.id, data


def _english_left(text: str, data: list[str]) -> list[str]:
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, "")
    text = re.sub(r"US\$[\d,.]+", "", text)
    return re.findall(r"[A-Za-z]{3,}(?:\s+[A-Za-z]{3,})+", text)


def test_a_cancellation_reads_in_chinese(shop: Database) -> None:
    conversation = ShopConversation(shop, load_policy())
    customer, order, data = _pending(shop)
    reason = load_policy().cancellation.reasons[0]
    slots = {"customer_id": customer, "order_id": order, "cancel_reason": reason}
    with use_locale("zh_CN"):
        replies = [
            conversation.ask_order(customer, "cancel"),
            conversation.order_status(customer, order),
            conversation.ask_items(customer, order, "return"),
            conversation.preview("cancel", slots),
            conversation.execute("cancel", slots),
        ]
    for reply in replies:
        assert CJK.search(reply.text), reply.text
        assert not _english_left(reply.text, [*data, reason]), reply.text
        for b in reply.buttons:
            assert CJK.search(b["title"]) or any(v in b["title"] for v in data), b
    preview, done = replies[3].text, replies[4].text
    assert preview.startswith(f"取消订单 {order}") and preview.endswith("确认办理吗？（是/否）")
    assert "个工作日内到账" in preview or "即时到账" in preview
    assert done.startswith(f"订单 {order} 已取消。")
    assert [b["title"] for b in replies[3].buttons] == ["确认办理", "先不用"]


def test_cancellation_reasons_are_shown_in_chinese_and_kept_in_english(shop: Database) -> None:
    """The policy's reasons are stored in English; a Chinese shopper reads and taps Chinese."""
    conversation = ShopConversation(shop, load_policy())
    reasons = load_policy().cancellation.reasons
    with use_locale("zh_CN"):
        asked = conversation.question("cancel_reason")
    assert "不再需要" in asked.text and "下错单了" in asked.text
    assert not re.search(r"[A-Za-z]", asked.text), asked.text
    assert [b["title"] for b in asked.buttons] == ["不再需要", "下错单了"]
    for reason, b in zip(reasons, asked.buttons, strict=True):
        assert reason in b["payload"]
    with use_locale("en"):
        assert [b["title"] for b in conversation.question("cancel_reason").buttons] == [
            r.capitalize() for r in reasons
        ]


def test_a_payment_method_named_in_chinese_is_found(shop: Database) -> None:
    conversation = ShopConversation(shop, load_policy())
    with shop.session() as s:
        customers = s.scalars(select(m.Customer)).all()
        picked = next(
            c
            for c in customers
            if [pm.kind for pm in c.payment_methods].count("gift_card") == 1
            and [pm.kind for pm in c.payment_methods].count("credit_card") == 1
        )
        methods = {pm.kind: pm.id for pm in picked.payment_methods}
        customer = picked.id
    with use_locale("zh_CN"):
        for said, kind in (("用礼品卡付", "gift_card"), ("刷信用卡吧", "credit_card")):
            check = conversation.resolve_payment(customer, None, said, "modify_payment")
            assert check.ok and check.value == methods[kind], (said, check)
