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
from bot.dialogue import payment_words

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

# Items: the shop's product names are English ("Mechanical Keyboard"), the shopper writes
# "机械键盘" or just "键盘". Common kinds of products by their Chinese names, into the English
# words the item matcher reads (the head noun is enough there: "keyboard" names the line). A
# word that covers two English kinds names both ("耳机": headphones or earbuds), so an order
# with only one of them finds it and one with both asks which.
PRODUCT_WORDS: Mapping[str, str] = {
    "T恤": "t-shirt",
    "短袖": "t-shirt",
    "抓绒外套": "fleece jacket",
    "抓绒衣": "fleece jacket",
    "外套": "jacket",
    "夹克": "jacket",
    "跑步鞋": "running shoes",
    "跑鞋": "running shoes",
    "登山靴": "hiking boots",
    "徒步靴": "hiking boots",
    "登山鞋": "hiking boots",
    "运动鞋": "sneakers",
    "球鞋": "sneakers",
    "双肩包": "backpack",
    "背包": "backpack",
    "行李箱": "luggage",
    "旅行箱": "luggage",
    "拉杆箱": "luggage",
    "意式咖啡机": "espresso machine",
    "浓缩咖啡机": "espresso machine",
    "咖啡机": "coffee maker",
    "水杯": "water bottle",
    "水瓶": "water bottle",
    "保温杯": "water bottle",
    "电热水壶": "electric kettle",
    "电水壶": "electric kettle",
    "烧水壶": "electric kettle",
    "茶壶": "tea kettle",
    "吸尘器": "vacuum cleaner",
    "扫地机器人": "vacuum cleaner",
    "空气净化器": "air purifier",
    "净化器": "purifier",
    "挂钟": "wall clock",
    "时钟": "clock",
    "宠物床": "pet bed",
    "狗窝": "pet bed",
    "猫窝": "pet bed",
    "灯泡": "light bulb",
    "笔记本电脑": "laptop",
    "笔记本": "notebook laptop",
    "电脑": "laptop",
    "手机": "smartphone",
    "平板电脑": "tablet",
    "平板": "tablet",
    "电子书阅读器": "e-reader",
    "电子阅读器": "e-reader",
    "阅读器": "e-reader",
    "数码相机": "digital camera",
    "运动相机": "action camera",
    "相机": "camera",
    "监控摄像头": "security camera",
    "摄像头": "security camera",
    "恒温器": "thermostat",
    "温控器": "thermostat",
    "智能手表": "smart watch",
    "手表": "watch wristwatch",
    "腕表": "wristwatch",
    "蓝牙音箱": "bluetooth speaker",
    "音箱": "speaker",
    "音响": "speaker",
    "游戏鼠标": "gaming mouse",
    "鼠标": "mouse",
    "充电宝": "portable charger",
    "移动电源": "portable charger",
    "充电器": "charger",
    "机械键盘": "mechanical keyboard",
    "键盘": "keyboard",
    "无线耳机": "wireless earbuds headphones",
    "蓝牙耳机": "wireless earbuds headphones",
    "耳机": "headphones earbuds",
    "办公椅": "office chair",
    "椅子": "chair",
    "台灯": "desk lamp",
    "书架": "bookshelf",
    "书柜": "bookshelf",
    "太阳镜": "sunglasses",
    "墨镜": "sunglasses",
    "电动牙刷": "electric toothbrush",
    "牙刷": "toothbrush",
    "化妆套装": "makeup kit",
    "彩妆套装": "makeup kit",
    "化妆品": "makeup kit",
    "香水": "perfume",
    "瑜伽垫": "yoga mat",
    "哑铃": "dumbbell set",
    "骑行头盔": "cycling helmet",
    "头盔": "helmet",
    "自行车": "bicycle",
    "单车": "bicycle",
    "滑板": "skateboard",
    "拼图": "jigsaw puzzle",
    "浇水管": "garden hose",
    "水管": "garden hose",
    "软管": "hose",
    "遮阳伞": "patio umbrella",
    "太阳伞": "patio umbrella",
    "烧烤架": "grill",
    "烤架": "grill",
    "烤炉": "grill",
}

# What an item answer says: the product by its Chinese name and the options in Chinese.
ITEM_WORDS: Mapping[str, str] = {**PRODUCT_WORDS, **OPTION_WORDS}

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

# Payment methods: kinds, "the original one", "ending in" (one list with the intent check's
# payment words: bot/dialogue/payment_words.py).
PAYMENT_WORDS: Mapping[str, str] = payment_words.ANSWER_WORDS


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
