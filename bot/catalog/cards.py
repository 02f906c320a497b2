"""The product card: one entry of the widget's ``product_cards`` payload.

The payload is described in docs/widget.md ("Custom payloads"). Product search, the grounded
answer service and recommendations all show cards; they build them here so a product reads the
same whichever path found it (the search and the answer service used to write different
summaries).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, Protocol

from bot.orders.money import plain
from bot.texts import active_locale, language


class CardVariant(Protocol):
    @property
    def price(self) -> Decimal: ...

    @property
    def currency(self) -> str: ...

    @property
    def in_stock(self) -> bool: ...


class CardProduct(Protocol):
    """What a card needs: a search hit (``ProductHit``) and an answer fact (``ProductFact``)."""

    @property
    def product_id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def brand(self) -> str: ...

    @property
    def description(self) -> str: ...

    @property
    def variants(self) -> Sequence[CardVariant]: ...


def product_url(product_id: str) -> str:
    return f"/products/{product_id}"


def product_image(product_id: str) -> str:
    return f"/img/products/{product_id}.svg"


def summary(description: str, limit: int = 140) -> str:
    """The first sentence, cut at a word with "…" when longer than ``limit``."""
    text = " ".join((description or "").split())
    first = re.split(r"(?<=[.!?])\s|(?<=[。！？])", text, maxsplit=1)[0]
    if len(first) <= limit:
        return first
    return first[: limit - 1].rsplit(" ", 1)[0] + "…"


def product_card(product: CardProduct) -> dict[str, Any]:
    """One card: the price is the cheapest in-stock variant's (any variant's when none is).

    In a Chinese conversation (bot.texts.use_locale) the card shows the Chinese name and
    description where the product has them.
    """
    name, description = product.name, product.description
    if language(active_locale()) == "zh":
        name = getattr(product, "name_zh", None) or name
        description = getattr(product, "description_zh", None) or description
    in_stock = [v for v in product.variants if v.in_stock]
    pool = in_stock or list(product.variants)
    cheapest = min(pool, key=lambda v: v.price) if pool else None
    return {
        "id": product.product_id,
        "name": name,
        "price": plain(cheapest.price) if cheapest is not None else None,
        "currency": cheapest.currency if cheapest is not None else "USD",
        "available": bool(in_stock),
        "url": product_url(product.product_id),
        "image": product_image(product.product_id),
        "brand": product.brand,
        "summary": summary(description),
    }


def product_cards_payload(products: Sequence[CardProduct]) -> dict[str, Any]:
    return {"type": "product_cards", "products": [product_card(p) for p in products]}
