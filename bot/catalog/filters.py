"""Structured filters read from a shopper's message (and session memory).

Free text such as "waterproof trail shoe in 44 under $120, in stock" carries hard
constraints that ranking alone would treat as soft words. We pull them out so search can
restrict variants, and so an answer can say what it filtered on. Parsing is deliberately
conservative: a number only becomes a price next to a price word or a currency sign, and a
size only next to "size"/"EU"/"in", so "2 person tent" never becomes a size filter.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from bot.orders.money import money, usd
from bot.texts.segment import has_chinese

COLOURS: dict[str, str] = {
    "black": "black",
    "white": "white",
    "red": "red",
    "blue": "blue",
    "navy": "navy",
    "green": "green",
    "olive": "olive",
    "yellow": "yellow",
    "orange": "orange",
    "purple": "purple",
    "violet": "purple",
    "pink": "pink",
    "brown": "brown",
    "tan": "tan",
    "beige": "beige",
    "grey": "gray",
    "gray": "gray",
    "silver": "silver",
    "gold": "gold",
    "teal": "teal",
    "turquoise": "teal",
    "burgundy": "burgundy",
    "maroon": "burgundy",
    "khaki": "khaki",
    "charcoal": "charcoal",
    "cream": "cream",
    "ivory": "cream",
}

MATERIALS: dict[str, str] = {
    "cotton": "cotton",
    "wool": "wool",
    "merino": "merino",
    "leather": "leather",
    "suede": "suede",
    "polyester": "polyester",
    "nylon": "nylon",
    "silk": "silk",
    "linen": "linen",
    "denim": "denim",
    "canvas": "canvas",
    "cashmere": "cashmere",
    "fleece": "fleece",
    "bamboo": "bamboo",
    "gore-tex": "gore-tex",
    "goretex": "gore-tex",
    "stainless": "stainless steel",
    "steel": "steel",
    "aluminium": "aluminum",
    "aluminum": "aluminum",
    "titanium": "titanium",
    "wood": "wood",
    "wooden": "wood",
    "glass": "glass",
    "ceramic": "ceramic",
    "plastic": "plastic",
    "rubber": "rubber",
    "mesh": "mesh",
}

# Words that name a whole category -> terms matched against the shop's category slugs and
# names ("|" separates alternatives). Product-type words ("jacket", "tent") are deliberately
# absent: a rain jacket may sit in outdoor apparel or casual clothing, so those stay ranking
# signals instead of hard filters. A term no category of the shop matches is ignored.
CATEGORY_SYNONYMS: dict[str, str] = {
    "footwear": "footwear",
    "shoes": "footwear",
    "shoe": "footwear",
    "sneakers": "footwear",
    "trainers": "footwear",
    "apparel": "apparel|clothing",
    "clothing": "clothing|apparel",
    "clothes": "clothing|apparel",
    "bags": "bag",
    "backpacks": "backpack",
    "luggage": "bag",
    "kitchen": "kitchen",
    "cookware": "kitchen",
    "electronics": "electronics",
    "gadgets": "electronics",
    "camping": "camping",
    "fitness": "fitness",
    "sports": "sports",
    "beauty": "beauty",
    "toys": "toys",
    "kids": "kids",
    "office": "office",
    "garden": "garden",
    "patio": "patio",
    "watches": "watch",
    "eyewear": "eyewear",
    "sunglasses": "eyewear",
}

LETTER_SIZES = ["XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL"]


def size_sort_key(size: str) -> tuple[int, float, str]:
    """Letter sizes in wearing order, numbers numerically, anything else alphabetically."""
    upper = size.upper().strip()
    if upper in LETTER_SIZES:
        return (0, LETTER_SIZES.index(upper), upper)
    head = upper.split()[0].replace(",", ".") if upper else ""
    try:
        return (1, float(head), upper)
    except ValueError:
        return (2, 0.0, upper)


_SIZE_WORDS = {
    "extra small": "XS",
    "small": "S",
    "medium": "M",
    "large": "L",
    "extra large": "XL",
    "x-large": "XL",
    "xx-large": "XXL",
}

_NUM = r"(\d{1,6}(?:[.,]\d{1,2})?)"
_CUR = r"(?:\$|usd\s*|eur\s*|€)?"
_UNIT = r"(?:\s*(?:dollars?|bucks|usd|euros?))?"
_BETWEEN = re.compile(
    rf"\b(?:between|from)\s+{_CUR}{_NUM}{_UNIT}\s+(?:and|to|-)\s+{_CUR}{_NUM}{_UNIT}", re.I
)
_RANGE = re.compile(rf"(?:\$|€){_NUM}\s*(?:-|–|to)\s*(?:\$|€)?{_NUM}", re.I)
_MAX = re.compile(
    rf"\b(?:under|below|less\s+than|cheaper\s+than|up\s+to|at\s+most|no\s+more\s+than|max(?:imum)?"
    rf"|within|budget(?:\s+(?:of|is))?|not\s+over|<=?)\s*{_CUR}{_NUM}{_UNIT}",
    re.I,
)
_MIN = re.compile(
    rf"\b(?:over|above|more\s+than|at\s+least|min(?:imum)?|from|>=?)\s*{_CUR}{_NUM}{_UNIT}",
    re.I,
)
_CURRENCY_AMOUNT = re.compile(rf"(?:\$|€)\s?{_NUM}|{_NUM}\s*(?:dollars?|bucks|usd|euros?)\b", re.I)
_SIZE_EXPLICIT = re.compile(
    r"\b(?:size|sz)\s*(?:eu|euro|us|uk)?\s*"
    r"(\d{1,2}(?:\.5)?|xxxl|xxl|xl|xs|xxs|s|m|l|extra\s+small|small|medium|large|extra\s+large"
    r"|x-large|xx-large)\b",
    re.I,
)
_SIZE_EU = re.compile(r"\b(?:eu|euro)\s*(\d{2}(?:\.5)?)\b", re.I)
_SIZE_IN_NUMBER = re.compile(r"\b(?:in|comes?\s+in|an?)\s+(?:a\s+)?(\d{2}(?:\.5)?)\b(?!\s*%)", re.I)
_SIZE_LETTERS = re.compile(r"(?<![\w$])(XXXL|XXL|XL|XS|XXS)(?![\w])", re.I)
_SIZE_IN_WORD = re.compile(
    r"\bin\s+(?:an?\s+)?(extra\s+small|extra\s+large|small|medium|large)\b(?!\s+(?:bag|"
    r"size|pack|tent|room|pot|box|amount|quantit|batch))",
    re.I,
)
_IN_STOCK = re.compile(
    r"\b(?:in\s+stock|available\s+now|available\s+today|ready\s+to\s+ship|ships?\s+(?:now|today)"
    r"|can\s+i\s+(?:get|buy)\s+(?:it\s+)?now|not\s+sold\s+out)\b",
    re.I,
)


@dataclass(frozen=True)
class SearchFilters:
    """Hard constraints on a search; ``None``/empty means "no constraint"."""

    min_price: Decimal | None = None
    max_price: Decimal | None = None
    colour: str | None = None
    size: str | None = None
    material: str | None = None
    category: str | None = None
    brand: str | None = None
    in_stock: bool = False
    # Where each constraint came from ("message" or "memory"), for the answer's wording.
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def is_empty(self) -> bool:
        return not self.describe()

    def describe(self) -> list[str]:
        """Human-readable constraints, e.g. ["under $120.00", "colour red", "in stock"]."""
        parts: list[str] = []
        if self.min_price is not None and self.max_price is not None:
            parts.append(f"between {usd(self.min_price)} and {usd(self.max_price)}")
        elif self.max_price is not None:
            parts.append(f"up to {usd(self.max_price)}")
        elif self.min_price is not None:
            parts.append(f"from {usd(self.min_price)}")
        if self.colour:
            parts.append(f"colour {self.colour}")
        if self.size:
            parts.append(f"size {self.size}")
        if self.material:
            parts.append(f"material {self.material}")
        if self.category:
            parts.append("category " + self.category.replace("|", " or "))
        if self.brand:
            parts.append(f"brand {self.brand}")
        if self.in_stock:
            parts.append("in stock")
        return parts

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_price": str(self.min_price) if self.min_price is not None else None,
            "max_price": str(self.max_price) if self.max_price is not None else None,
            "colour": self.colour,
            "size": self.size,
            "material": self.material,
            "category": self.category,
            "brand": self.brand,
            "in_stock": self.in_stock,
        }


def _money(raw: str) -> Decimal | None:
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        return None
    return money(value)


@functools.lru_cache(maxsize=4096)  # called for every variant a size filter looks at
def normalise_size(raw: str) -> str:
    """ "medium" -> "M", "xl" -> "XL", "44.5" -> "44.5", "EU 44" -> "44"."""
    text = re.sub(r"\s+", " ", raw.strip().lower())
    text = re.sub(r"^(?:eu|euro|us|uk)\s*", "", text)
    if text in _SIZE_WORDS:
        return _SIZE_WORDS[text]
    if text.upper() in LETTER_SIZES:
        return text.upper()
    return text.upper()


def _parse_price(text: str) -> tuple[Decimal | None, Decimal | None]:
    match = _BETWEEN.search(text) or _RANGE.search(text)
    if match:
        low, high = _money(match.group(1)), _money(match.group(2))
        if low is not None and high is not None:
            return (min(low, high), max(low, high))
    max_price = min_price = None
    ceilings = list(_MAX.finditer(text))
    for m in ceilings:
        max_price = _money(m.group(1))
    for m in _MIN.finditer(text):
        if any(m.start() < c.end() and c.start() < m.end() for c in ceilings):
            continue  # "no more than 60" / "not over 50" are ceilings, not floors
        candidate = _money(m.group(1))
        # "from 44" is a size-ish phrase unless money words surround it.
        if m.group(0).lower().startswith("from") and not _CURRENCY_AMOUNT.search(m.group(0)):
            continue
        min_price = candidate
    return min_price, max_price


def _parse_size(text: str) -> str | None:
    for pattern in (_SIZE_EXPLICIT, _SIZE_EU):
        m = pattern.search(text)
        if m:
            return normalise_size(m.group(1))
    m = _SIZE_IN_NUMBER.search(text)
    if m and 30 <= float(m.group(1)) <= 50:
        # "does it come in 44?" — a plausible EU shoe size, not a price (no currency).
        return normalise_size(m.group(1))
    m = _SIZE_LETTERS.search(text)
    if m:
        return normalise_size(m.group(1))
    m = _SIZE_IN_WORD.search(text)
    if m:
        return normalise_size(m.group(1))
    return None


def _first_word_in(text: str, vocabulary: dict[str, str]) -> str | None:
    for word in re.findall(r"[a-z][a-z-]*", text.lower()):
        if word in vocabulary:
            return vocabulary[word]
    return None


# Chinese: colour words (longer first, so 酒红 is burgundy, not red), prices next to a money
# unit or a bound word (100刀以下, 不超过50美元, 50到80块之间), sizes next to 码 or 腰围, and
# 有货/现货 said as a wish (有货的), not asked (还有货吗). A one-character colour counts only
# as 红色 / 红的 / 红款: 蓝牙 is Bluetooth and 粉底 foundation, not blue or pink. A colour named
# after a thing carries 色 (咖啡色, 橄榄绿): 咖啡 alone is coffee ("泡咖啡的玻璃壶" is no brown
# filter, "咖啡保温十二小时" no colour claim), 橄榄 alone an olive.
CHINESE_COLOURS: list[tuple[str, str]] = [
    ("酒红", "burgundy"), ("橄榄绿", "olive"), ("橄榄色", "olive"), ("军绿", "olive"),
    ("海军蓝", "navy"),
    ("藏青", "navy"), ("藏蓝", "navy"), ("深蓝", "navy"), ("炭灰", "charcoal"),
    ("深灰", "charcoal"),
    ("米色", "beige"), ("米白", "cream"), ("卡其", "khaki"), ("咖啡色", "brown"), ("棕", "brown"),
    ("褐", "brown"), ("红", "red"), ("黑", "black"), ("白", "white"), ("蓝", "blue"),
    ("绿", "green"), ("黄", "yellow"), ("橙", "orange"), ("橘", "orange"), ("紫", "purple"),
    ("粉", "pink"), ("灰", "gray"), ("银", "silver"), ("金色", "gold"),
]  # fmt: skip
# Materials and whole categories said in Chinese -> the English values MATERIALS and
# CATEGORY_SYNONYMS give (preference profiles, search, the copy checker read the same words).
# Only words that cannot be part of ordinary ones: 纯棉 not 棉, 实木 not 木, 亚麻 not 麻.
CHINESE_MATERIALS: dict[str, str] = {
    "纯棉": "cotton", "全棉": "cotton", "棉质": "cotton", "美利奴": "merino",
    "羊毛": "wool", "羊绒": "cashmere", "真皮": "leather", "皮革": "leather",
    "牛皮": "leather", "麂皮": "suede", "涤纶": "polyester", "聚酯纤维": "polyester",
    "尼龙": "nylon", "真丝": "silk", "丝绸": "silk", "桑蚕丝": "silk", "亚麻": "linen",
    "牛仔": "denim", "帆布": "canvas", "抓绒": "fleece", "摇粒绒": "fleece",
    "竹纤维": "bamboo", "不锈钢": "stainless steel", "铝合金": "aluminum", "钛合金": "titanium",
    "实木": "wood", "木质": "wood", "木制": "wood", "玻璃": "glass", "陶瓷": "ceramic",
    "塑料": "plastic", "橡胶": "rubber", "网面": "mesh", "网布": "mesh",
}  # fmt: skip
CHINESE_CATEGORIES: dict[str, str] = {
    "运动鞋": "footwear", "跑鞋": "footwear", "球鞋": "footwear", "鞋子": "footwear",
    "鞋": "footwear", "衣服": "clothing|apparel", "服装": "clothing|apparel",
    "双肩包": "backpack", "背包": "backpack", "行李箱": "bag", "包包": "bag",
    "厨具": "kitchen", "厨房": "kitchen", "锅具": "kitchen", "数码": "electronics",
    "电子产品": "electronics", "露营": "camping", "健身": "fitness", "美妆": "beauty",
    "护肤": "beauty", "化妆品": "beauty", "玩具": "toys", "童装": "kids", "儿童": "kids",
    "办公": "office", "园艺": "garden", "花园": "garden", "手表": "watch",
    "太阳镜": "eyewear", "墨镜": "eyewear", "眼镜": "eyewear",
}  # fmt: skip
_ZH_WORD_SIZES = {"加加大": "XXL", "特大号": "XL", "加大号": "XL", "特小号": "XS",
                  "大号": "L", "中号": "M", "小号": "S"}  # fmt: skip
_ZH_MONEY = r"(?:美元|美金|刀|块钱|块|元|dollars?|usd|\$)"
_ZH_NUM = r"\$?\s*(\d{1,6}(?:\.\d{1,2})?)"
_ZH_BETWEEN = re.compile(
    rf"{_ZH_NUM}\s*{_ZH_MONEY}?\s*(?:到|至|-|–|~)\s*{_ZH_NUM}\s*"
    rf"(?:{_ZH_MONEY}\s*(?:之间)?|之间)",
    re.I,
)
_ZH_MAX = re.compile(
    rf"(?:低于|不超过|不高于|不到|少于|小于|最多|预算)\s*{_ZH_NUM}\s*{_ZH_MONEY}?"
    rf"|{_ZH_NUM}\s*{_ZH_MONEY}?\s*(?:以下|以内|之内|内)",
    re.I,
)
_ZH_MIN = re.compile(
    rf"(?<!不)(?:高于|超过|多于|大于|至少)\s*{_ZH_NUM}\s*{_ZH_MONEY}|{_ZH_NUM}\s*{_ZH_MONEY}?\s*以上",
    re.I,
)
_ZH_SIZE = re.compile(
    r"(?:尺码|码数|穿)?\s*(\d{2}(?:\.5)?|XXXL|XXL|XL|XS|S|M|L)\s*(?:码|号)|腰围\s*(\d{2})", re.I
)
_ZH_IN_STOCK = re.compile(r"(?:有货|现货|有库存)(?!\s*[吗么嘛没?？])")


def chinese_colour_names() -> dict[str, str]:
    """Chinese colour name -> English colour, one-character colours as 红色: the words the
    copy checker reads as colour claims and the Chinese copy names colours with."""
    return {(word if len(word) > 1 else word + "色"): colour for word, colour in CHINESE_COLOURS}


def _colour_in(word: str, text: str) -> bool:
    if len(word) > 1:
        return word in text
    return re.search(f"{word}(?:色|的|款)", text) is not None


def _first_chinese(text: str, vocabulary: dict[str, str]) -> str | None:
    """The value of the vocabulary word that occurs first (the longer one at a tie)."""
    hits = [(text.find(w), -len(w), v) for w, v in vocabulary.items() if w in text]
    return min(hits)[2] if hits else None


def _chinese_filters(text: str) -> dict[str, Any]:
    """Price range, colour, size, material, category and "in stock" said in Chinese (only
    what was found)."""
    found: dict[str, Any] = {}
    between = _ZH_BETWEEN.search(text)
    if between:
        low, high = sorted(m for m in (_money(between.group(1)), _money(between.group(2))) if m)
        found["min_price"], found["max_price"] = low, high
    else:
        most, least = _ZH_MAX.search(text), _ZH_MIN.search(text)
        if most:
            found["max_price"] = _money(most.group(1) or most.group(2))
        if least:
            found["min_price"] = _money(least.group(1) or least.group(2))
    rest = _ZH_MIN.sub(" ", _ZH_MAX.sub(" ", _ZH_BETWEEN.sub(" ", text)))
    size = _ZH_SIZE.search(rest)
    if size:
        found["size"] = normalise_size(size.group(1) or size.group(2))
    else:
        word_size = _first_chinese(rest, _ZH_WORD_SIZES)
        if word_size:
            found["size"] = word_size
    colour = next((c for word, c in CHINESE_COLOURS if _colour_in(word, text)), None)
    if colour:
        found["colour"] = colour
    for key, vocabulary in (("material", CHINESE_MATERIALS), ("category", CHINESE_CATEGORIES)):
        value = _first_chinese(text, vocabulary)
        if value:
            found[key] = value
    if _ZH_IN_STOCK.search(text):
        found["in_stock"] = True
    return {k: v for k, v in found.items() if v is not None}


def parse_filters(text: str, memory_prefs: dict[str, Any] | None = None) -> SearchFilters:
    """Read price range, colour, size, material, category and "in stock" from a message.

    ``memory_prefs`` (session memory: size, colour/color, budget/max_price, category, brand)
    fill in what the message leaves open; the message always wins.
    """
    text = text or ""
    sources: dict[str, str] = {}
    min_price, max_price = _parse_price(text)
    # Strip prices so "under 44 dollars" is not read as size 44.
    without_prices = _MAX.sub(" ", _MIN.sub(" ", _BETWEEN.sub(" ", _RANGE.sub(" ", text))))
    size = _parse_size(without_prices)
    colour = _first_word_in(text, COLOURS)
    material = _first_word_in(text, MATERIALS)
    category = _first_word_in(text, CATEGORY_SYNONYMS)
    in_stock = bool(_IN_STOCK.search(text))
    values: dict[str, Any] = {
        "min_price": min_price,
        "max_price": max_price,
        "colour": colour,
        "size": size,
        "material": material,
        "category": category,
    }
    if has_chinese(text):
        chinese = _chinese_filters(text)
        in_stock = in_stock or bool(chinese.pop("in_stock", False))
        for key, value in chinese.items():
            if values[key] is None:
                values[key] = value
    for key, value in values.items():
        if value is not None:
            sources[key] = "message"
    if in_stock:
        sources["in_stock"] = "message"
    brand: str | None = None
    prefs = memory_prefs or {}
    remembered = {
        "size": prefs.get("size"),
        "colour": prefs.get("colour") or prefs.get("color"),
        "max_price": prefs.get("budget") or prefs.get("max_price"),
        "category": prefs.get("category"),
        "material": prefs.get("material"),
    }
    for key, value in remembered.items():
        if value in (None, "") or values[key] is not None:
            continue
        if key == "max_price":
            value = _money(str(value).lstrip("$"))
            if value is None:
                continue
        elif key == "size":
            value = normalise_size(str(value))
        elif key == "colour":
            value = COLOURS.get(str(value).lower(), str(value).lower())
        else:
            value = str(value).lower()
        values[key] = value
        sources[key] = "memory"
    if prefs.get("brand"):
        brand = str(prefs["brand"])
        sources["brand"] = "memory"
    return SearchFilters(
        min_price=values["min_price"],
        max_price=values["max_price"],
        colour=values["colour"],
        size=values["size"],
        material=values["material"],
        category=values["category"],
        brand=brand,
        in_stock=in_stock,
        sources=sources,
    )


def merge(base: SearchFilters | None, extra: SearchFilters | None) -> SearchFilters | None:
    """``extra`` overrides ``base`` field by field (used when callers pass both)."""
    if base is None:
        return extra
    if extra is None:
        return base
    changes = {
        name: getattr(extra, name)
        for name in ("min_price", "max_price", "colour", "size", "material", "category", "brand")
        if getattr(extra, name) is not None
    }
    if extra.in_stock:
        changes["in_stock"] = True
    return replace(base, **changes, sources={**base.sources, **extra.sources})
