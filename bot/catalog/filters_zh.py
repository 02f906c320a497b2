"""Structured filters in a Chinese message: the Chinese half of :mod:`bot.catalog.filters`.

"蓝色的冲锋衣，M码，500元以内" carries the same hard constraints as "blue jacket, size M,
under $500", and they come out in the same normalised values (colour "blue", size "M",
max_price 500.00), so search, preference profiles and recommendations treat both languages
alike. The parsing stays conservative, as in English: a number becomes a price only next to a
price word or a currency (元/块/¥/以内/不超过), a size only next to 码/号/尺码, and single
characters that occur in ordinary words (白 in 明白, 麻 in 麻烦, 木 in 木有) are never read alone.

Amounts are read in the shop's own currency: a shop that prices in yuan gets yuan, the demo
shop (US dollars) reads "500元以内" as at most 500.00 of its prices; no exchange rate is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# Longest first wherever one word contains another (藏青色 before 青色).
COLOURS_ZH: dict[str, str] = {
    "藏青色": "navy", "藏青": "navy", "藏蓝色": "navy", "藏蓝": "navy", "海军蓝": "navy",
    "军绿色": "olive", "军绿": "olive", "橄榄绿": "olive", "橄榄色": "olive",
    "酒红色": "burgundy", "酒红": "burgundy", "枣红色": "burgundy", "深灰色": "charcoal",
    "炭灰色": "charcoal", "象牙白": "cream", "奶油色": "cream", "米白色": "beige",
    "米色": "beige", "卡其色": "khaki", "卡其": "khaki", "咖啡色": "brown", "棕色": "brown",
    "褐色": "brown", "驼色": "tan", "黑色": "black", "白色": "white", "红色": "red",
    "蓝色": "blue", "绿色": "green", "黄色": "yellow", "橙色": "orange", "橘色": "orange",
    "紫色": "purple", "粉色": "pink", "粉红色": "pink", "灰色": "gray", "银色": "silver",
    "金色": "gold", "青色": "teal", "湖蓝色": "teal",
}  # fmt: skip

MATERIALS_ZH: dict[str, str] = {
    "纯棉": "cotton", "全棉": "cotton", "棉质": "cotton", "美利奴": "merino",
    "羊毛": "wool", "羊绒": "cashmere", "真皮": "leather", "皮革": "leather",
    "牛皮": "leather", "麂皮": "suede", "涤纶": "polyester", "聚酯纤维": "polyester",
    "尼龙": "nylon", "真丝": "silk", "丝绸": "silk", "桑蚕丝": "silk", "亚麻": "linen",
    "牛仔": "denim", "帆布": "canvas", "抓绒": "fleece", "摇粒绒": "fleece",
    "竹纤维": "bamboo", "不锈钢": "stainless steel", "铝合金": "aluminum", "钛合金": "titanium",
    "实木": "wood", "木质": "wood", "木制": "wood", "玻璃": "glass", "陶瓷": "ceramic",
    "塑料": "plastic", "橡胶": "rubber", "网面": "mesh", "网布": "mesh",
}  # fmt: skip

# Category words -> the terms bot.catalog.filters.CATEGORY_SYNONYMS uses for the same idea.
CATEGORIES_ZH: dict[str, str] = {
    "运动鞋": "footwear", "跑鞋": "footwear", "球鞋": "footwear", "鞋子": "footwear",
    "鞋": "footwear", "衣服": "clothing|apparel", "服装": "clothing|apparel",
    "双肩包": "backpack", "背包": "backpack", "行李箱": "bag", "包包": "bag",
    "厨具": "kitchen", "厨房": "kitchen", "锅具": "kitchen", "数码": "electronics",
    "电子产品": "electronics", "露营": "camping", "健身": "fitness", "美妆": "beauty",
    "护肤": "beauty", "化妆品": "beauty", "玩具": "toys", "童装": "kids", "儿童": "kids",
    "办公": "office", "园艺": "garden", "花园": "garden", "手表": "watch",
    "太阳镜": "eyewear", "墨镜": "eyewear", "眼镜": "eyewear",
}  # fmt: skip

_WORD_SIZES = {"加加大": "XXL", "特大号": "XL", "加大号": "XL", "大号": "L", "中号": "M",
               "小号": "S", "特小号": "XS"}  # fmt: skip

_NUM = r"(\d{1,6}(?:\.\d{1,2})?)"
_CUR = r"(?:[¥￥$]\s*)?"
_UNIT = r"(?:\s*(?:元|块钱|块|刀|美元|美金|rmb))?"
_RANGE_ZH = re.compile(
    rf"{_CUR}{_NUM}{_UNIT}\s*(?:到|至|-|~|～|—)\s*{_CUR}{_NUM}\s*(?:元|块钱|块|刀|美元|美金)", re.I
)
_MAX_BEFORE = re.compile(
    rf"(?:不超过|不要超过|别超过|不高于|低于|少于|最多|最高|预算(?:是|为|在|大概|只有)?|控制在)\s*"
    rf"{_CUR}{_NUM}{_UNIT}",
    re.I,
)
_MAX_AFTER = re.compile(rf"{_CUR}{_NUM}{_UNIT}\s*(?:以内|以下|之内|封顶)", re.I)
_MIN_BEFORE = re.compile(rf"(?:至少|不低于|高于|最低)\s*{_CUR}{_NUM}{_UNIT}", re.I)
_MIN_AFTER = re.compile(rf"{_CUR}{_NUM}\s*(?:元|块钱|块|刀|美元|美金)?\s*(?:以上|起)", re.I)
_SIZE_LETTER = re.compile(r"(?<![A-Za-z])(XXXL|XXL|XL|XS|XXS|S|M|L)\s*(?:码|号)", re.I)
_SIZE_NAMED = re.compile(
    r"(?:尺码|码数|尺寸|穿)\s*(?:是|为)?\s*(XXXL|XXL|XL|XS|XXS|S|M|L|\d{2}(?:\.5)?)(?![\w.])", re.I
)
_SIZE_NUMBER = re.compile(r"(?<![\d.])(\d{2}(?:\.5)?)\s*(?:码|号)(?!码)")
_IN_STOCK_ZH = re.compile(r"有货|现货|有库存|还有库存|马上发|当天发|今天(能|可以)?发")


@dataclass(frozen=True)
class ChineseFilters:
    """What a Chinese message says, in the English parser's normalised values."""

    min_price: Decimal | None = None
    max_price: Decimal | None = None
    colour: str | None = None
    size: str | None = None
    material: str | None = None
    category: str | None = None
    in_stock: bool = False


def _amount(raw: str) -> Decimal | None:
    try:
        return Decimal(raw).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _first(text: str, vocabulary: dict[str, str]) -> str | None:
    """The vocabulary word that occurs first in the text (longest word at a tie)."""
    best: tuple[int, int, str] | None = None
    for word, value in vocabulary.items():
        at = text.find(word)
        if at >= 0 and (best is None or (at, -len(word)) < (best[0], best[1])):
            best = (at, -len(word), value)
    return best[2] if best else None


def _prices(text: str) -> tuple[Decimal | None, Decimal | None]:
    match = _RANGE_ZH.search(text)
    if match:
        low, high = _amount(match.group(1)), _amount(match.group(2))
        if low is not None and high is not None:
            return min(low, high), max(low, high)
    high_m = _MAX_BEFORE.search(text) or _MAX_AFTER.search(text)
    low_m = _MIN_BEFORE.search(text) or _MIN_AFTER.search(text)
    return (
        _amount(low_m.group(1)) if low_m else None,
        _amount(high_m.group(1)) if high_m else None,
    )


def _size(text: str) -> str | None:
    for pattern in (_SIZE_LETTER, _SIZE_NAMED):
        m = pattern.search(text)
        if m:
            return m.group(1).upper()
    m = _SIZE_NUMBER.search(text)
    if m and 20 <= float(m.group(1)) <= 50:  # 42码 is a shoe size; 200号 is not
        return m.group(1)
    return _first(text, _WORD_SIZES)


def parse_chinese(text: str) -> ChineseFilters:
    """Price range, colour, size, material, category and "in stock" of a Chinese message."""
    text = text or ""
    min_price, max_price = _prices(text)
    without_prices = _MAX_BEFORE.sub(" ", _MAX_AFTER.sub(" ", _RANGE_ZH.sub(" ", text)))
    return ChineseFilters(
        min_price=min_price,
        max_price=max_price,
        colour=_first(text, COLOURS_ZH),
        size=_size(without_prices),
        material=_first(text, MATERIALS_ZH),
        category=_first(text, CATEGORIES_ZH),
        in_stock=bool(_IN_STOCK_ZH.search(text)),
    )
