"""Typed results of the order services: plain data that actions, the web app and tests read.

A service returns ``Ok(value)`` or ``Refused(code, message)``; it never raises for a
business rule. ``message`` is written for the shopper (friendly, no internals); ``code``
is stable for programs (stories, analytics, tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Generic, TypeVar

from bot.texts import describe_item

T = TypeVar("T")


class RefusalCode(StrEnum):
    NOT_IDENTIFIED = "not_identified"  # no verified shopper in this conversation
    CUSTOMER_NOT_FOUND = "customer_not_found"
    AMBIGUOUS_CUSTOMER = "ambiguous_customer"
    ORDER_NOT_FOUND = "order_not_found"
    NOT_YOUR_ORDER = "not_your_order"
    WRONG_STATUS = "wrong_status"
    ALREADY_MODIFIED = "already_modified"
    INVALID_REASON = "invalid_reason"
    ITEM_NOT_IN_ORDER = "item_not_in_order"
    VARIANT_NOT_FOUND = "variant_not_found"
    DIFFERENT_PRODUCT = "different_product"
    SAME_VARIANT = "same_variant"
    VARIANT_UNAVAILABLE = "variant_unavailable"
    PAYMENT_METHOD_NOT_FOUND = "payment_method_not_found"
    PAYMENT_METHOD_NOT_OWNED = "payment_method_not_owned"
    SAME_PAYMENT_METHOD = "same_payment_method"
    PAYMENT_METHOD_NOT_ACCEPTED = "payment_method_not_accepted"  # kind not in the shop's policy
    INSUFFICIENT_BALANCE = "insufficient_balance"
    REFUND_METHOD_NOT_ALLOWED = "refund_method_not_allowed"
    INVALID_ADDRESS = "invalid_address"
    NOTHING_SELECTED = "nothing_selected"
    LAST_ITEM = "last_item"  # cancelling every remaining item is cancelling the order
    WINDOW_CLOSED = "window_closed"  # return/exchange asked for after the policy window
    DATABASE_ERROR = "database_error"


@dataclass(frozen=True)
class Refused:
    code: RefusalCode
    message: str
    ok: bool = field(default=False, init=False)


@dataclass(frozen=True)
class Ok(Generic[T]):
    value: T
    ok: bool = field(default=True, init=False)


Result = Ok[T] | Refused


@dataclass(frozen=True)
class Address:
    address1: str
    city: str
    state: str
    zip: str
    country: str = "USA"
    address2: str = ""

    def one_line(self) -> str:
        parts = [self.address1, self.address2, self.city, f"{self.state} {self.zip}".strip()]
        return ", ".join(p for p in parts if p) + (f", {self.country}" if self.country else "")


@dataclass(frozen=True)
class PaymentMethodView:
    id: str
    kind: str  # credit_card | gift_card | paypal
    label: str  # "Visa ending 1234", "gift card (balance $20.00)", "PayPal" (for matching)
    balance: Decimal | None = None
    brand: str = ""
    last_four: str = ""


@dataclass(frozen=True)
class CustomerView:
    id: str
    first_name: str
    last_name: str
    email: str
    address: Address
    payment_methods: tuple[PaymentMethodView, ...] = ()

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclass(frozen=True)
class OrderLineView:
    line_id: int
    product_id: str
    variant_id: str
    name: str
    options: dict[str, str]
    price: Decimal
    return_requested: bool = False
    exchange_variant_id: str | None = None

    def describe(self) -> str:
        return describe_item(self.name, self.options)


@dataclass(frozen=True)
class TransactionView:
    kind: str  # payment | refund
    amount: Decimal
    payment_method_id: str
    note: str = ""


@dataclass(frozen=True)
class OrderSummary:
    id: str
    status: str
    total: Decimal
    item_count: int
    created_at: str  # ISO 8601


@dataclass(frozen=True)
class OrderView:
    id: str
    customer_id: str
    status: str
    items_modified: bool
    lines: tuple[OrderLineView, ...]
    total: Decimal
    address: Address
    tracking_ids: tuple[str, ...]
    transactions: tuple[TransactionView, ...]
    created_at: str
    # Filled by the service that changed the order: what happened to money, in words.
    outcome: str = ""


@dataclass(frozen=True)
class ChangePreview:
    """What a change would do, shown to the shopper before they say yes."""

    order_id: str
    # cancel, modify_items, modify_address, modify_payment, return, exchange, change_default_address
    action: str
    summary: str  # human-readable, lists every item and the money movement
    amount_delta: Decimal = Decimal("0.00")  # >0 the shopper pays, <0 the shopper is refunded
