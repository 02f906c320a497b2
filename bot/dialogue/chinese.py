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

HAN = re.compile(r"[\u4e00-\u9fff]")

# Items and new versions: option values, "all", price and size steps.
OPTION_WORDS: Mapping[str, str] = {
    "黑色": "black",
    "白色": "white",
    "红色": "red",
    "蓝色": "blue",
    "藏青色": "navy",
    "藏青": "navy",
    "海军蓝": "navy",
    "深蓝色": "navy",
    "绿色": "green",
    "黄色": "yellow",
    "紫色": "purple",
    "粉红色": "pink",
    "粉色": "pink",
    "深空灰": "space gray",
    "灰色": "gray",
    "银色": "silver",
    "玫瑰金": "rose gold",
    "金色": "gold",
    "棕色": "brown",
    "咖啡色": "brown",
    "米色": "beige",
    "橙色": "orange",
    "木纹": "wood",
    "不锈钢": "stainless steel",
    "真皮": "leather",
    "皮革": "leather",
    "纯棉": "cotton",
    "羊毛": "wool",
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


@cache
def _pattern(table: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(p) for p in sorted(table, key=len, reverse=True)))


def in_english(text: str, table: Mapping[str, str]) -> str:
    """``text`` with every Chinese phrase of ``table`` replaced by its spaced English."""
    if not text or not HAN.search(text):
        return text
    return _pattern(tuple(table)).sub(lambda m: f" {table[m.group(0)].strip()} ", text)
