"""Chinese answers to the form questions, rewritten into the English words the parsers read.

The form parsers (bot/dialogue/parsing.py, items.py, the payment choice in conversation.py)
match the shop's own values, which are English ("blue", "no longer needed", "gift card"). A
Chinese shopper answers "换成蓝色的", "拍错了" or "退到礼品卡": each table below maps the Chinese
phrases of one kind of answer onto those words, so the parsers stay one implementation for both
languages. A phrase is replaced by its English, spaced ("换成 blue 的"), so the English
parsers' word boundaries hold; longer phrases first ("深空灰" before "灰色"). Text without a
Chinese character is returned unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from bot.catalog.filters import CHINESE_MATERIALS, chinese_colour_names

HAN = re.compile(r"[\u4e00-\u9fff]")

# Items and new versions: option values, "all", price and size steps. Colours and materials
# are the catalog's Chinese vocabulary (bot/catalog/filters.py: search, profiles and the copy
# checker read the same words); below them what only option answers say.
OPTION_WORDS: Mapping[str, str] = {
    **chinese_colour_names(),
    **CHINESE_MATERIALS,
    "藏青色": "navy",
    "深蓝色": "navy",
    "粉红色": "pink",
    "深空灰": "space gray",
    "玫瑰金": "rose gold",
    "木纹": "wood",
    "加大号": "xl",
    "大号": "large",
    "中号": "medium",
    "小号": "small",
    "英尺": "ft",
    "全部": "all",
    "所有": "all",
    "都要": "all",
    "两件都": "both",
    "两个都": "both",
    "最便宜": "cheapest",
    "更便宜": "cheaper",
    "便宜一点": "cheaper",
    "最贵": "most expensive",
    "大一号": "size up",
    "大一码": "size up",
    "小一号": "size down",
    "小一码": "size down",
    "同款": "same",
}

# Cancellation reasons: the policy's reasons are "no longer needed" and "ordered by mistake".
REASON_WORDS: Mapping[str, str] = {
    "拍错": "ordered by mistake",
    "下错": "ordered by mistake",
    "买错": "ordered by mistake",
    "点错": "ordered by mistake",
    "选错": "ordered by mistake",
    "误拍": "ordered by mistake",
    "不小心": "ordered by mistake",
    "买重复": "ordered by mistake",
    "重复下单": "ordered by mistake",
    "多拍": "ordered by mistake",
    "不再需要": "no longer needed",
    "不需要": "no longer needed",
    "不想要": "no longer needed",
    "不要了": "no longer needed",
    "用不上": "no longer needed",
    "用不到": "no longer needed",
    "不用了": "no longer needed",
    "改主意": "no longer needed",
    "不买了": "no longer needed",
}

# Payment methods: kinds, "the original one", "ending in".
PAYMENT_WORDS: Mapping[str, str] = {
    "礼品卡": "gift card",
    "购物卡": "gift card",
    "贝宝": "paypal",
    "信用卡": "credit card",
    "银行卡": "credit card",
    "借记卡": "credit card",
    "原支付方式": "original",
    "原付款方式": "original",
    "原路": "original",
    "原来的": "original",
    "原卡": "original",
    "尾号": "ending",
}


# The tables by the NLU entity whose Chinese values they map (rasa_addons/entity_rules.py gives
# a Chinese colour, size, material, way to pay or reason the English value the dialogue uses).
ENTITY_WORDS: Mapping[str, Mapping[str, str]] = {
    "color": OPTION_WORDS,
    "size": OPTION_WORDS,
    "material": OPTION_WORDS,
    "payment_method": PAYMENT_WORDS,
    "cancel_reason": REASON_WORDS,
}


@cache
def _pattern(table: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in sorted(table, key=len, reverse=True)))


def in_english(text: str, table: Mapping[str, str]) -> str:
    """``text`` with every Chinese phrase of ``table`` replaced by its spaced English."""
    if not text or not HAN.search(text):
        return text
    return _pattern(tuple(table)).sub(lambda m: f" {table[m.group(0)].strip()} ", text)
