"""The numbered facts an answer may use: catalog rows, policy passages, the shopper's orders.

Facts are loaded from the database as plain frozen data, numbered ``[F1]..`` for the prompt,
and are the only source of truth the grounding checker accepts: a price, id, stock claim or
policy number in a reply must be found here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from bot.catalog.repository import CatalogRepository
from bot.db.models import Product, Variant
from bot.db.session import Database
from bot.orders.money import money as two_places
from bot.orders.money import usd as money  # "$12.34": the one money helper
from bot.texts import active_locale, language

_COLOUR_KEYS = ("colour", "color")


@dataclass(frozen=True)
class VariantFact:
    id: str
    options: dict[str, str]
    price: Decimal
    currency: str
    stock: int
    available: bool

    @property
    def in_stock(self) -> bool:
        return self.available and self.stock > 0

    def option(self, *names: str) -> str | None:
        for key, value in self.options.items():
            if key.lower() in names:
                return str(value)
        return None

    def describe(self) -> str:
        opts = ", ".join(f"{k} {v}" for k, v in self.options.items()) or "standard"
        stock = f"{self.stock} in stock" if self.in_stock else "out of stock"
        return f"{self.id} ({opts}) {money(self.price)} {stock}"


@dataclass(frozen=True)
class ProductFact:
    number: int
    id: str
    name: str
    brand: str
    category: str
    description: str
    attributes: dict[str, Any]
    variants: tuple[VariantFact, ...]
    name_zh: str | None = None
    description_zh: str | None = None

    @property
    def display_name(self) -> str:
        """The name the shopper reads: the Chinese one in a Chinese conversation, if any."""
        if self.name_zh and language(active_locale()) == "zh":
            return self.name_zh
        return self.name

    @property
    def ref(self) -> str:
        return f"F{self.number}"

    @property
    def product_id(self) -> str:
        """The catalogue id under the name product cards use (bot/catalog/cards.py)."""
        return self.id

    @property
    def in_stock(self) -> bool:
        return any(v.in_stock for v in self.variants)

    @property
    def min_price(self) -> Decimal | None:
        prices = [v.price for v in self.variants if v.in_stock] or [v.price for v in self.variants]
        return min(prices) if prices else None

    @property
    def max_price(self) -> Decimal | None:
        prices = [v.price for v in self.variants if v.in_stock] or [v.price for v in self.variants]
        return max(prices) if prices else None

    @property
    def currency(self) -> str:
        return self.variants[0].currency if self.variants else "USD"

    def option_values(self, *names: str) -> dict[str, bool]:
        """Each value of an option (e.g. colour) -> whether some variant with it is in stock."""
        values: dict[str, bool] = {}
        for v in self.variants:
            value = v.option(*names)
            if value is not None:
                values[value] = values.get(value, False) or v.in_stock
        return values

    def features(self) -> list[str]:
        """Readable attribute lines ("waterproof: yes", "material: mesh")."""
        lines: list[str] = []
        for key, value in self.attributes.items():
            if value in (None, "", [], {}):
                continue
            label = str(key).replace("_", " ")
            if isinstance(value, bool):
                lines.append(f"{label}: {'yes' if value else 'no'}")
            elif isinstance(value, list | tuple):
                lines.append(f"{label}: {', '.join(str(x) for x in value)}")
            elif isinstance(value, dict):
                lines.append(f"{label}: " + ", ".join(f"{k} {v}" for k, v in value.items()))
            else:
                lines.append(f"{label}: {value}")
        return lines

    def searchable_text(self) -> str:
        return " ".join(
            [self.name, self.brand, self.category, self.description, *self.features()]
        ).lower()

    def render(self) -> str:
        price = money(self.min_price) if self.min_price is not None else "no price"
        if self.max_price is not None and self.max_price != self.min_price:
            price += f" to {money(self.max_price)}"
        head = f"[{self.ref}] Product {self.id}: {self.name}"
        if self.brand:
            head += f" by {self.brand}"
        parts = [head, f"category {self.category or 'none'}", f"price {price}"]
        parts.append("in stock" if self.in_stock else "out of stock")
        feats = self.features()
        if feats:
            parts.append("features: " + "; ".join(feats))
        if self.description:
            parts.append("description: " + self.description[:300])
        parts.append("variants: " + "; ".join(v.describe() for v in self.variants))
        return ". ".join(parts)


@dataclass(frozen=True)
class PolicyFact:
    number: int
    id: str
    topic: str
    title: str
    body: str

    @property
    def ref(self) -> str:
        return f"F{self.number}"

    @property
    def product_id(self) -> str:
        """The catalogue id under the name product cards use (bot/catalog/cards.py)."""
        return self.id

    def render(self) -> str:
        return f"[{self.ref}] Policy '{self.title}' ({self.topic}): {self.body}"


@dataclass(frozen=True)
class OrderLineFact:
    name: str
    options: dict[str, str]
    price: Decimal
    variant_id: str
    product_id: str

    def describe(self) -> str:
        opts = ", ".join(f"{k} {v}" for k, v in self.options.items())
        return f"{self.name}{f' ({opts})' if opts else ''} {money(self.price)}"


@dataclass(frozen=True)
class OrderFact:
    number: int
    id: str
    status: str
    total: Decimal
    created_at: str
    lines: tuple[OrderLineFact, ...]
    tracking_ids: tuple[str, ...]

    @property
    def ref(self) -> str:
        return f"F{self.number}"

    @property
    def product_id(self) -> str:
        """The catalogue id under the name product cards use (bot/catalog/cards.py)."""
        return self.id

    def render(self) -> str:
        items = "; ".join(line.describe() for line in self.lines) or "no items"
        text = (
            f"[{self.ref}] Your order {self.id}: status {self.status}, total {money(self.total)}, "
            f"placed {self.created_at[:10]}, items: {items}"
        )
        if self.tracking_ids:
            text += ", tracking " + ", ".join(self.tracking_ids)
        return text


@dataclass
class FactSheet:
    """Everything an answer may rely on, plus what the shopper asked (for the composer)."""

    question: str
    products: list[ProductFact] = field(default_factory=list)
    policies: list[PolicyFact] = field(default_factory=list)
    orders: list[OrderFact] = field(default_factory=list)
    customer_id: str | None = None
    # The product the shopper refers to with "it"/"this one" (from session memory).
    focus_product_id: str | None = None
    memory_lines: list[str] = field(default_factory=list)
    filters: Any = None  # bot.catalog.filters.SearchFilters
    analysis: Any = None  # bot.answers.question.Question

    def all_facts(self) -> list[ProductFact | PolicyFact | OrderFact]:
        facts: list[ProductFact | PolicyFact | OrderFact] = [
            *self.products,
            *self.policies,
            *self.orders,
        ]
        return sorted(facts, key=lambda f: f.number)

    def numbered_lines(self) -> list[str]:
        return [fact.render() for fact in self.all_facts()]

    def compose(self) -> str:
        """The template answer from these facts (what ``bot.llm``'s template backend sends)."""
        from bot.answers.compose import compose_answer  # compose reads FactSheet: import late

        return compose_answer(self)

    def product(self, product_id: str) -> ProductFact | None:
        return next((p for p in self.products if p.id == product_id), None)

    @property
    def focus_product(self) -> ProductFact | None:
        return self.product(self.focus_product_id) if self.focus_product_id else None

    def as_dict(self) -> list[dict[str, Any]]:
        """The facts used, for message metadata and the staff console."""
        out: list[dict[str, Any]] = []
        for fact in self.all_facts():
            kind = (
                "product"
                if isinstance(fact, ProductFact)
                else "policy"
                if isinstance(fact, PolicyFact)
                else "order"
            )
            out.append({"ref": fact.ref, "kind": kind, "id": fact.id, "text": fact.render()})
        return out


class FactNumberer:
    """Hands out F1, F2, ... across fact kinds so references stay unique in one prompt."""

    def __init__(self) -> None:
        self._n = 0

    def next(self) -> int:
        self._n += 1
        return self._n


def load_product_facts(
    db: Database, product_ids: Sequence[str], numberer: FactNumberer
) -> list[ProductFact]:
    """Load products with their variants, keeping the given order (ranking) and no dupes."""
    if not any(product_ids):
        return []
    with db.session() as session:
        rows = CatalogRepository(session).products_in_order(product_ids)
        return [_product_fact(p, numberer.next()) for p in rows]


def _product_fact(p: Product, number: int) -> ProductFact:
    variants = tuple(_variant_fact(v) for v in p.variants)
    return ProductFact(
        number=number,
        id=p.id,
        name=p.name,
        brand=p.brand or "",
        category=p.category.name if p.category else "",
        description=p.description or "",
        attributes=dict(p.attributes or {}),
        variants=variants,
        name_zh=p.name_zh,
        description_zh=p.description_zh,
    )


def _variant_fact(v: Variant) -> VariantFact:
    return VariantFact(
        id=v.id,
        options={str(k): str(val) for k, val in (v.options or {}).items()},
        price=two_places(v.price),
        currency=v.currency or "USD",
        stock=int(v.stock or 0),
        available=bool(v.available),
    )


def policy_facts(passages: Iterable[Any], numberer: FactNumberer) -> list[PolicyFact]:
    """From search hits or rows with id/topic/title/body (attribute names vary a little)."""
    facts: list[PolicyFact] = []
    seen: set[str] = set()
    for hit in passages:
        pid = str(_attr(hit, "passage_id", "id"))
        if pid in seen:
            continue
        seen.add(pid)
        facts.append(
            PolicyFact(
                number=numberer.next(),
                id=pid,
                topic=str(_attr(hit, "topic") or ""),
                title=str(_attr(hit, "title") or ""),
                body=str(_attr(hit, "body", "text") or ""),
            )
        )
    return facts


def order_fact(view: Any, number: int) -> OrderFact:
    """From an ``OrderView`` (bot/orders/results.py)."""
    return OrderFact(
        number=number,
        id=view.id,
        status=str(view.status),
        total=two_places(view.total),
        created_at=str(view.created_at),
        lines=tuple(
            OrderLineFact(
                name=line.name,
                options=dict(line.options),
                price=two_places(line.price),
                variant_id=line.variant_id,
                product_id=line.product_id,
            )
            for line in view.lines
        ),
        tracking_ids=tuple(view.tracking_ids),
    )


def _attr(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, dict) and name in obj:
            return obj[name]
        if hasattr(obj, name):
            return getattr(obj, name)
    return None


def product_id_of(hit: Any) -> str | None:
    """The product id of a search hit (``product_id``, ``id`` or a nested ``product``)."""
    value = _attr(hit, "product_id", "id")
    if value is None:
        nested = _attr(hit, "product")
        value = _attr(nested, "id") if nested is not None else None
    return str(value) if value is not None else None


NUMBER_IN_TEXT = re.compile(r"\d+(?:[.,]\d+)*")
