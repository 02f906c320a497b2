"""The Chinese words of paying, said once for the two places that read them.

The payment answers ("退到礼品卡", "用尾号2478的信用卡") are rewritten into the shop's words
before ``resolve_payment`` reads them (``bot/dialogue/chinese.py``), and the intent check
believes a payment change only when the message names a way to pay
(``bot/dialogue/intent_evidence.py``). Both lists were kept apart and drifted (储蓄卡 was a
way to pay for one and unknown to the other); here each word is written once and both are
derived.

Standard library only: the Rasa server imports it through ``intent_evidence`` (the Rasa
image copies this file, deploy/docker/rasa.Dockerfile).
"""

from __future__ import annotations

from collections.abc import Mapping

# Ways to pay, as the shop's word for their kind ("gift card", "paypal", "credit card" are
# what the payment choice matches; the τ shop stores debit cards as credit cards).
METHODS: Mapping[str, str] = {
    "礼品卡": "gift card",
    "购物卡": "gift card",
    "贝宝": "paypal",
    "信用卡": "credit card",
    "银行卡": "credit card",
    "借记卡": "credit card",
    "储蓄卡": "credit card",
}

# Which of the shopper's methods: the one the order was paid with, the one ending in ....
WHICH: Mapping[str, str] = {
    "原支付方式": "original",
    "原付款方式": "original",
    "原路": "original",
    "原来的": "original",
    "原卡": "original",
    "尾号": "ending",
}

# Paying itself, without naming a method ("换个付款方式", "扣款的卡").
PAYING: tuple[str, ...] = (
    "付款",
    "支付",
    "付钱",
    "付费",
    "买单",
    "结账",
    "扣款",
    "扣费",
    "扣钱",
    "刷卡",
    "卡付",
    "账单",
)

# An answer to "which way to pay?", rewritten into the shop's words.
ANSWER_WORDS: Mapping[str, str] = {**METHODS, **WHICH}
# A message about paying: a way to pay or paying itself ("原来的" alone is no such word).
TOPIC_WORDS: tuple[str, ...] = (*METHODS, *PAYING)
