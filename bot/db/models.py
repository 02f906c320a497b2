"""The shop's tables: catalog, customers, orders and their money movements, policy passages.

One ORM for SQLite and PostgreSQL. Money is ``Numeric(10, 2)`` (``Decimal`` in Python) so a
refund never loses a cent to float rounding. Ids of products, variants, customers, payment
methods and orders are strings because imported shops bring their own (τ-bench uses numeric
strings and ``#W1234567``); the demo shop follows the same shape with its own prefixes.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

Money = Numeric(10, 2)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class OrderStatus(enum.StrEnum):
    """The order lifecycle. Only ``pending`` orders change; only ``delivered`` ones go back."""

    PENDING = "pending"
    PROCESSED = "processed"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return requested"
    EXCHANGE_REQUESTED = "exchange requested"


class PaymentKind(enum.StrEnum):
    CREDIT_CARD = "credit_card"
    GIFT_CARD = "gift_card"
    PAYPAL = "paypal"


class TransactionKind(enum.StrEnum):
    PAYMENT = "payment"
    REFUND = "refund"


class Category(Base):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")

    products: Mapped[list[Product]] = relationship(back_populates="category")


class Product(Base):
    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    brand: Mapped[str] = mapped_column(String(120), default="")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    image_url: Mapped[str] = mapped_column(String(500), default="")
    source: Mapped[str] = mapped_column(String(20), default="demo")
    # Chinese copy (data/shop/demo/products.zh.json for the demo shop); None = English only.
    name_zh: Mapped[str | None] = mapped_column(String(200), nullable=True)
    description_zh: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The Chinese name and description cut into characters and character pairs
    # (bot/texts/segment.py): what the Chinese keyword index reads, since neither FTS5 nor
    # PostgreSQL splits Chinese into words by itself.
    search_zh: Mapped[str] = mapped_column(Text, default="")
    # Sentence embedding of name + description (float32 bytes) and a hash of the text it
    # was computed from, so `shopbot catalog embed` only recomputes what changed.
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    embedding_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # multilingual-e5-small vector of the Chinese and English text (queries with Chinese).
    embedding_e5: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    embedding_e5_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    category: Mapped[Category | None] = relationship(back_populates="products")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Variant.id"
    )


class Variant(Base):
    """A purchasable item: one combination of a product's options."""

    __tablename__ = "variants"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    price: Mapped[Decimal] = mapped_column(Money)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    stock: Mapped[int] = mapped_column(Integer, default=0)
    available: Mapped[bool] = mapped_column(Boolean, default=True)

    product: Mapped[Product] = relationship(back_populates="variants")

    @property
    def in_stock(self) -> bool:
        return self.available and self.stock > 0


class Customer(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    first_name: Mapped[str] = mapped_column(String(80))
    last_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str] = mapped_column(String(200), unique=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    address1: Mapped[str] = mapped_column(String(200), default="")
    address2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    zip: Mapped[str] = mapped_column(String(20), default="", index=True)
    country: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    payment_methods: Mapped[list[PaymentMethod]] = relationship(
        back_populates="customer", cascade="all, delete-orphan", order_by="PaymentMethod.id"
    )
    orders: Mapped[list[Order]] = relationship(back_populates="customer", order_by="Order.id")

    __table_args__ = (Index("ix_customers_name_zip", "first_name", "last_name", "zip"),)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class PaymentMethod(Base):
    __tablename__ = "payment_methods"

    id: Mapped[str] = mapped_column(String(60), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # PaymentKind value
    brand: Mapped[str] = mapped_column(String(40), default="")
    last_four: Mapped[str] = mapped_column(String(4), default="")
    balance: Mapped[Decimal | None] = mapped_column(Money, nullable=True)

    customer: Mapped[Customer] = relationship(back_populates="payment_methods")

    @property
    def label(self) -> str:
        """How the method is shown to its owner: never more than brand and last four."""
        if self.kind == PaymentKind.CREDIT_CARD:
            return f"{self.brand.title() or 'Card'} ending {self.last_four}"
        if self.kind == PaymentKind.GIFT_CARD:
            return f"gift card (balance ${self.balance or 0:.2f})"
        return "PayPal"


class Order(Base):
    __tablename__ = "orders"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    customer_id: Mapped[str] = mapped_column(ForeignKey("customers.id"), index=True)
    status: Mapped[str] = mapped_column(String(30), index=True)  # OrderStatus value
    # Set once a pending order's items were modified: policy allows that only once,
    # and such an order can no longer be modified or cancelled.
    items_modified: Mapped[bool] = mapped_column(Boolean, default=False)
    cancel_reason: Mapped[str | None] = mapped_column(String(40), nullable=True)
    address1: Mapped[str] = mapped_column(String(200), default="")
    address2: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(100), default="")
    zip: Mapped[str] = mapped_column(String(20), default="")
    country: Mapped[str] = mapped_column(String(60), default="")
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    customer: Mapped[Customer] = relationship(back_populates="orders")
    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.position"
    )
    fulfilments: Mapped[list[Fulfilment]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Fulfilment.id"
    )
    transactions: Mapped[list[Transaction]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="Transaction.id"
    )

    @property
    def total(self) -> Decimal:
        return sum((line.price for line in self.lines), Decimal("0.00"))


class OrderLine(Base):
    """One unit of a variant in an order (τ-bench lists repeated items as repeated lines)."""

    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    product_id: Mapped[str] = mapped_column(ForeignKey("products.id"), index=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("variants.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    price: Mapped[Decimal] = mapped_column(Money)
    # For return/exchange requests: which lines are affected and into which variant.
    return_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    exchange_variant_id: Mapped[str | None] = mapped_column(String(40), nullable=True)

    order: Mapped[Order] = relationship(back_populates="lines")


class Fulfilment(Base):
    __tablename__ = "fulfilments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    tracking_id: Mapped[str] = mapped_column(String(60), index=True)
    carrier: Mapped[str] = mapped_column(String(60), default="")
    variant_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    shipped_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    order: Mapped[Order] = relationship(back_populates="fulfilments")


class Transaction(Base):
    """A payment or refund on an order, always through one of its customer's methods."""

    __tablename__ = "transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id"), index=True)
    payment_method_id: Mapped[str] = mapped_column(ForeignKey("payment_methods.id"))
    kind: Mapped[str] = mapped_column(String(10))  # TransactionKind value
    amount: Mapped[Decimal] = mapped_column(Money)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    order: Mapped[Order] = relationship(back_populates="transactions")


class PolicyPassage(Base):
    """A paragraph of the shop's policy or FAQ, retrieved to answer policy questions."""

    __tablename__ = "policy_passages"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    topic: Mapped[str] = mapped_column(String(60), index=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # "en" (data/shop/policy.md) or "zh" (data/shop/policy.zh.md, same topics and numbers).
    language: Mapped[str] = mapped_column(String(8), default="en", index=True)
    search_zh: Mapped[str] = mapped_column(Text, default="")
    embedding: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    embedding_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    embedding_e5: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    embedding_e5_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)

    __table_args__ = (UniqueConstraint("topic", "title", name="uq_policy_topic_title"),)
