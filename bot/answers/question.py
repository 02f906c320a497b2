"""What kind of question the shopper asked, read from the words (no model needed).

The template composer and retrieval use it to pick facts and the shape of the answer:
a yes/no check on one product, a list of matches, a policy quote, the shopper's orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.catalog.filters import COLOURS, SearchFilters, parse_filters
from bot.orders.ids import find_order_ids

POLICY_WORDS = re.compile(
    r"\b(return|returns|refund|refunds|exchange|exchanges|policy|policies|shipping|ship|deliver"
    r"|delivery|warranty|guarantee|cancel|cancellation|payment|pay|gift\s?card|paypal|privacy"
    r"|how\s+long|days?\s+do\s+i\s+have|restocking|fee|fees|international|customs|price\s+match)\b"
    # The same questions in Chinese (no word boundaries between Han characters).
    r"|退货|退款|退钱|换货|取消|运费|邮费|包邮|配送|发货|几天到|多久到|快递|支付|付款|发票|收据"
    r"|隐私|手续费|礼品卡|政策|比价|保价",
    re.IGNORECASE,
)
ORDER_WORDS = re.compile(
    r"\b(my\s+orders?|my\s+purchase|my\s+package|my\s+parcel|my\s+delivery|tracking|track"
    r"|where\s+is\s+my|did\s+i\s+(?:buy|order)|i\s+ordered|last\s+order|order\s+status)\b",
    re.IGNORECASE,
)
COMPARE_WORDS = re.compile(
    r"\b(compare|comparison|difference|differences|vs\.?|versus|which\s+(?:one\s+)?is\s+better"
    r"|better\s+than)\b",
    re.IGNORECASE,
)
RECOMMEND_WORDS = re.compile(
    r"\b(something|anything|recommend|recommendation|suggest|suggestion|looking\s+for|need\s+an?"
    r"|want\s+an?|gift|ideas?|options?|show\s+me|any\s+good|best)\b",
    re.IGNORECASE,
)
YES_NO_START = re.compile(
    r"^\s*(?:and\s+|so\s+|ok(?:ay)?,?\s+|hi,?\s+|hey,?\s+)?"
    r"(is|are|does|do|did|can|could|has|have|will|would)\b",
    re.IGNORECASE,
)
REFERS_BACK = re.compile(
    r"\b(it|its|it's|this\s+one|that\s+one|this|that|them|those|these|the\s+same)\b", re.IGNORECASE
)
COUNT_WORDS = re.compile(r"\bhow\s+many\b|\bnumber\s+of\b", re.IGNORECASE)
STOCK_WORDS = re.compile(r"\b(in\s+stock|available|availability|sold\s+out|left)\b", re.IGNORECASE)

# Product properties shoppers ask about; checked against attributes and descriptions.
FEATURE_WORDS = [
    "waterproof",
    "water-resistant",
    "water resistant",
    "windproof",
    "breathable",
    "insulated",
    "lightweight",
    "vegan",
    "organic",
    "recycled",
    "wireless",
    "bluetooth",
    "noise cancelling",
    "noise-cancelling",
    "rechargeable",
    "machine washable",
    "dishwasher safe",
    "adjustable",
    "foldable",
    "packable",
    "reflective",
    "non-stick",
    "nonstick",
    "stainless steel",
    "usb-c",
    "gluten-free",
    "unisex",
    "warranty",
    "hood",
    "hooded",
    "pockets",
    "zip",
    "leather",
    "cotton",
    "wool",
    "merino",
]

_WORD = re.compile(r"[a-z][a-z-]+")


@dataclass
class Question:
    text: str
    kind: str  # yes_no | recommend | compare | policy | order | general
    filters: SearchFilters
    features: list[str] = field(default_factory=list)
    refers_back: bool = False
    asks_stock: bool = False
    asks_count: bool = False
    order_ids: list[str] = field(default_factory=list)

    @property
    def colour(self) -> str | None:
        return self.filters.colour if self.filters.sources.get("colour") == "message" else None

    @property
    def size(self) -> str | None:
        return self.filters.size if self.filters.sources.get("size") == "message" else None


def usable_preferences(prefs: dict[str, Any], text: str) -> dict[str, Any]:
    """Remembered preferences that apply to this message.

    A budget or brand carries over to any search; a size, colour or material only when the
    message is about the same kind of product (shoe size 44 means nothing for a jacket).
    """
    if not prefs:
        return {}
    usable = {k: v for k, v in prefs.items() if k in ("budget", "brand")}
    category = parse_filters(text).category
    if category and prefs.get("category") == category:
        usable.update({k: v for k, v in prefs.items() if k in ("size", "colour", "material")})
        usable["category"] = category
    return usable


def analyse(text: str, memory_prefs: dict[str, Any] | None = None) -> Question:
    """Classify the message; only the message's own words decide the kind of question."""
    said = parse_filters(text)
    low = text.lower()
    features = [w for w in FEATURE_WORDS if re.search(rf"\b{re.escape(w)}\b", low)]
    order_ids = find_order_ids(text)
    if ORDER_WORDS.search(text) or order_ids:
        kind = "order"
    elif COMPARE_WORDS.search(text):
        kind = "compare"
    elif (
        YES_NO_START.search(text)
        and (features or said.colour or said.size or STOCK_WORDS.search(text))
        and not RECOMMEND_WORDS.search(text)
        # "do you have rain jackets under $150?" is a search with a hard limit, not a
        # yes/no about one product (a price ceiling on "it" still is one).
        and (said.max_price is None and said.min_price is None or bool(REFERS_BACK.search(text)))
    ):
        kind = "yes_no"
    elif POLICY_WORDS.search(text) and not (features or said.max_price):
        kind = "policy"
    elif RECOMMEND_WORDS.search(text) or said.max_price is not None:
        kind = "recommend"
    elif YES_NO_START.search(text) and (features or said.colour or said.size):
        kind = "yes_no"
    else:
        kind = "general"
    # Remembered preferences shape open searches only; a question about a named product
    # or a comparison is answered for that product as asked.
    prefs = usable_preferences(memory_prefs or {}, text) if kind == "recommend" else {}
    filters = parse_filters(text, prefs) if prefs else said
    return Question(
        text=text,
        kind=kind,
        filters=filters,
        features=features,
        refers_back=bool(REFERS_BACK.search(text)),
        asks_stock=bool(STOCK_WORDS.search(text)),
        asks_count=bool(COUNT_WORDS.search(text)),
        order_ids=order_ids,
    )


def colour_words(text: str) -> list[str]:
    return [COLOURS[w] for w in _WORD.findall(text.lower()) if w in COLOURS]


_GENERIC = {
    "something",
    "anything",
    "product",
    "products",
    "item",
    "items",
    "thing",
    "things",
    "gift",
    "present",
    "good",
    "nice",
    "under",
    "over",
    "price",
    "cheap",
    "tell",
    "about",
    "sell",
    "stock",
    "size",
    "colour",
    "color",
    "available",
    "have",
    "like",
    "gear",
    "stuff",
    "compare",
    "difference",
    "better",
    "recommend",
    "suggest",
    "option",
    "options",
    "people",
}


def content_terms(text: str) -> list[str]:
    """The words of a message that can name a product (no stopwords, numbers, generic words)."""
    from bot.catalog.keyword import query_terms

    terms = []
    for term in query_terms(text):
        t = term.lower().strip("'\"")
        if len(t) < 3 or t.isdigit() or t in _GENERIC or t in COLOURS:
            continue
        terms.append(t)
    return terms


def term_in(term: str, text: str) -> bool:
    """Loose word match: the first 4+ letters (runner ~ running, bicycles ~ bicycle)."""
    stem = term[: max(4, len(term) - 2)] if len(term) > 4 else term
    return bool(re.search(rf"\b{re.escape(stem)}", text))
