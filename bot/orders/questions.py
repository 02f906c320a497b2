"""Questions about one of the shopper's orders, answered from the order itself.

"What did I pay?", "which card did I use?", "where did my refund go?", "how many items are in
it?" are look-ups, not tasks: the answer is a sentence built from the database row, never a
status dump and never a change. The aspect is read from the words (no model needed, the
intent only says "a question about my order"); a message without any is a status question.
Internal ids (payment method ids, variant ids) are never shown: methods go by their label.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from bot.orders.money import ZERO, usd
from bot.orders.results import OrderView, PaymentMethodView
from bot.orders.tasks.base import status_words
from bot.texts import payment_title, t

# In the order answers are given; each is a distinct fact of the order.
ASPECTS: dict[str, re.Pattern[str]] = {
    "refund": re.compile(
        r"\brefund(?:s|ed)?\b|\bmoney\s+back\b|\bget\s+back\b|\bgive\s+(?:me\s+)?back\b"
        r"|\breimburs\w*|\bcredited\b",
        re.I,
    ),
    "payment": re.compile(
        r"\b(?:which|what)\s+(?:card|payment|method|account)\b|\bhow\s+did\s+i\s+pay\b"
        r"|\bpaid\s+(?:with|by|using)\b|\b(?:card|method)\s+(?:did\s+i|was)\s+(?:use|charged)"
        r"|\bcharged\s+to\b|\bpay\s+(?:with|by)\s+what\b",
        re.I,
    ),
    "total": re.compile(
        r"\bhow\s+much\b|\btotal\b|\bwhat\s+did\s+i\s+(?:pay|spend)\b|\bcost\b|\bamount\b",
        re.I,
    ),
    "count": re.compile(r"\bhow\s+many\b|\bnumber\s+of\s+(?:items|things|products)\b", re.I),
    "contents": re.compile(
        r"\bwhat(?:'s|\s+is|\s+was|\s+were)?\s+in\s+(?:my|the|that|this|it|order)\b"
        r"|\bwhat\s+(?:did|have)\s+i\s+(?:order|buy|bought|purchase|get)\w*"
        r"|\b(?:which|what)\s+(?:items|products|things)\b|\bcontents?\b|\blist\s+(?:the\s+)?items\b",
        re.I,
    ),
    "tracking": re.compile(r"\btracking\b|\btrack(?:ing)?\s+(?:number|id|code)\b", re.I),
}


def asked_aspects(text: str) -> list[str]:
    """The facts a message asks about, in answer order ("how much and which card?")."""
    found = [name for name, pattern in ASPECTS.items() if pattern.search(text or "")]
    if "refund" in found and "total" in found:
        found.remove("total")  # "how much will I get back" asks for the refund, not the total
    return found


def _method_label(method_id: str, methods: Iterable[PaymentMethodView]) -> str:
    for m in methods:
        if m.id == method_id:
            # A gift card's balance changes; what it was paid with is "your gift card".
            return t("payment.gift_card") if m.kind == "gift_card" else payment_title(m)
    return t("payment.gone")


def _sums(order: OrderView, kind: str, methods: list[PaymentMethodView]) -> dict[str, Decimal]:
    """Amount per payment method label for one kind of transaction (payment or refund)."""
    per_method: dict[str, Decimal] = {}
    for tx in order.transactions:
        if tx.kind == kind:
            label = _method_label(tx.payment_method_id, methods)
            per_method[label] = per_method.get(label, ZERO) + Decimal(tx.amount)
    return per_method


def _items(order: OrderView) -> str:
    return t("list.semicolon").join(
        t("order_info.item", item=line.describe(), price=usd(line.price)) for line in order.lines
    )


def answer_order_question(
    order: OrderView, aspects: list[str], methods: Iterable[PaymentMethodView] = ()
) -> str:
    """One sentence per aspect asked, about this order only."""
    methods = list(methods)
    parts: list[str] = []
    sep = t("list.semicolon")
    oid, status = order.id, status_words(order.status)
    for aspect in aspects:
        if aspect == "contents":
            parts.append(t("order_info.contents", order_id=oid, items=_items(order)))
        elif aspect == "count":
            n = len(order.lines)
            key = "order_info.count_one" if n == 1 else "order_info.count"
            parts.append(t(key, order_id=oid, count=n))
        elif aspect == "total":
            parts.append(t("order_info.total", order_id=oid, total=usd(order.total)))
        elif aspect == "payment":
            paid = _sums(order, "payment", methods)
            parts.append(
                t(
                    "order_info.paid_with",
                    order_id=oid,
                    payments=sep.join(
                        t("order_info.payment", method=label, amount=usd(amount))
                        for label, amount in paid.items()
                    ),
                )
                if paid
                else t("order_info.no_payment", order_id=oid)
            )
        elif aspect == "refund":
            refunds = _sums(order, "refund", methods)
            if refunds:
                refunded = sep.join(
                    t("order_info.refund", amount=usd(amount), method=label)
                    for label, amount in refunds.items()
                )
                parts.append(t("order_info.refunded", order_id=oid, refunds=refunded))
            else:
                parts.append(
                    t("order_info.no_refund", order_id=oid, status=status, items=_items(order))
                )
        elif aspect == "tracking":
            parts.append(
                t(
                    "order_info.tracking",
                    order_id=oid,
                    tracking=t("item.option_separator").join(order.tracking_ids),
                )
                if order.tracking_ids
                else t("order_info.no_tracking", order_id=oid, status=status)
            )
    return t("sentence.separator").join(parts)
