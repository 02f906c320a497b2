"""A small hand-made shop for the order-service tests, built on the shared ``db`` fixture.

Every price and balance is chosen so the expected money movements are easy to check by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from bot.db.models import (
    Customer,
    Fulfilment,
    Order,
    OrderLine,
    PaymentMethod,
    Product,
    Transaction,
    Variant,
)
from bot.db.session import Database
from bot.orders.policy import ShopPolicy, load_policy
from bot.orders.service import OrderService

D = Decimal

# Catalog: product -> variants (id, options, price, available)
TSHIRT = "SB-P0001"
BOTTLE = "SB-P0002"
LAMP = "SB-P0003"
TEE_BLUE_M = "SB-V000101"  # 20.00
TEE_RED_M = "SB-V000102"  # 22.50
TEE_GREEN_L = "SB-V000103"  # 20.00, NOT available
TEE_BLUE_L = "SB-V000104"  # 18.75
BOTTLE_500 = "SB-V000201"  # 15.00
BOTTLE_1000 = "SB-V000202"  # 25.00
LAMP_BLACK = "SB-V000301"  # 40.00

ADA = "ada_lovelace_1815"
ADA_CARD = "credit_card_1000001"
ADA_GIFT = "gift_card_1000002"  # balance 50.00
ADA_PAYPAL = "paypal_1000003"
ALAN = "alan_turing_1912"
ALAN_CARD = "credit_card_2000001"
ALAN_GIFT = "gift_card_2000002"  # balance 5.00


def _variant(vid: str, product: str, options: dict[str, str], price: str, available: bool = True):
    return Variant(
        id=vid,
        product_id=product,
        options=options,
        price=D(price),
        stock=10 if available else 0,
        available=available,
    )


def _order(
    oid: str,
    customer: str,
    status: str,
    items: list[tuple[str, str]],  # (variant id, product name)
    paid_with: list[tuple[str, str]],  # (payment method id, amount)
    prices: dict[str, Decimal],
    options: dict[str, dict[str, str]],
    products: dict[str, str],
    items_modified: bool = False,
    tracking: str | None = None,
    age_days: int = 3,
) -> Order:
    order = Order(
        id=oid,
        customer_id=customer,
        status=status,
        items_modified=items_modified,
        address1="1 Analytical Way",
        city="London",
        state="NY",
        zip="10001",
        country="USA",
        created_at=datetime.now(UTC) - timedelta(days=age_days),
    )
    for position, (vid, name) in enumerate(items):
        order.lines.append(
            OrderLine(
                position=position,
                product_id=products[vid],
                variant_id=vid,
                name=name,
                options=options[vid],
                price=prices[vid],
            )
        )
    for method, amount in paid_with:
        order.transactions.append(
            Transaction(payment_method_id=method, kind="payment", amount=D(amount), note="order")
        )
    if tracking:
        order.fulfilments.append(
            Fulfilment(tracking_id=tracking, carrier="UPS", variant_ids=[v for v, _ in items])
        )
    return order


def build_shop(db: Database) -> None:
    variants = [
        _variant(TEE_BLUE_M, TSHIRT, {"color": "blue", "size": "M"}, "20.00"),
        _variant(TEE_RED_M, TSHIRT, {"color": "red", "size": "M"}, "22.50"),
        _variant(TEE_GREEN_L, TSHIRT, {"color": "green", "size": "L"}, "20.00", available=False),
        _variant(TEE_BLUE_L, TSHIRT, {"color": "blue", "size": "L"}, "18.75"),
        _variant(BOTTLE_500, BOTTLE, {"capacity": "500ml"}, "15.00"),
        _variant(BOTTLE_1000, BOTTLE, {"capacity": "1000ml"}, "25.00"),
        _variant(LAMP_BLACK, LAMP, {"color": "black"}, "40.00"),
    ]
    prices = {v.id: v.price for v in variants}
    options = {v.id: dict(v.options) for v in variants}
    products = {v.id: v.product_id for v in variants}
    tee, bottle, lamp = "T-Shirt", "Water Bottle", "Desk Lamp"
    common: dict[str, Any] = {"prices": prices, "options": options, "products": products}
    with db.transaction() as s:
        s.add_all(
            [
                Product(id=TSHIRT, name=tee, brand="Loom"),
                Product(id=BOTTLE, name=bottle, brand="Aqua"),
                Product(id=LAMP, name=lamp, brand="Lux"),
            ]
        )
        s.flush()
        s.add_all(variants)
        ada = Customer(
            id=ADA,
            first_name="Ada",
            last_name="Lovelace",
            email="Ada.Lovelace@example.com",
            address1="1 Analytical Way",
            city="London",
            state="NY",
            zip="10001",
            country="USA",
        )
        ada.payment_methods = [
            PaymentMethod(id=ADA_CARD, kind="credit_card", brand="visa", last_four="4242"),
            PaymentMethod(id=ADA_GIFT, kind="gift_card", balance=D("50.00")),
            PaymentMethod(id=ADA_PAYPAL, kind="paypal"),
        ]
        alan = Customer(
            id=ALAN,
            first_name="Alan",
            last_name="Turing",
            email="alan@example.com",
            address1="2 Enigma Road",
            city="San Francisco",
            state="CA",
            zip="94103",
            country="USA",
        )
        alan.payment_methods = [
            PaymentMethod(id=ALAN_CARD, kind="credit_card", brand="mastercard", last_four="5555"),
            PaymentMethod(id=ALAN_GIFT, kind="gift_card", balance=D("5.00")),
        ]
        twins = [
            Customer(
                id=f"john_smith_{n}",
                first_name="John",
                last_name="Smith",
                email=f"john{n}@example.com",
                zip="30301",
            )
            for n in (1111, 2222)
        ]
        s.add_all([ada, alan, *twins])
        s.flush()
        s.add_all(
            [
                # pending, card: T-shirt + bottle = 35.00
                _order(
                    "#S1000001",
                    ADA,
                    "pending",
                    [(TEE_BLUE_M, tee), (BOTTLE_500, bottle)],
                    [(ADA_CARD, "35.00")],
                    **common,
                ),
                # pending, gift card: T-shirt = 20.00
                _order(
                    "#S1000002",
                    ADA,
                    "pending",
                    [(TEE_BLUE_M, tee)],
                    [(ADA_GIFT, "20.00")],
                    **common,
                ),
                _order(
                    "#S1000003",
                    ADA,
                    "processed",
                    [(LAMP_BLACK, lamp)],
                    [(ADA_PAYPAL, "40.00")],
                    tracking="PROC-1",
                    **common,
                ),
                # delivered, card: T-shirt + 1000ml bottle = 45.00
                _order(
                    "#S1000004",
                    ADA,
                    "delivered",
                    [(TEE_BLUE_M, tee), (BOTTLE_1000, bottle)],
                    [(ADA_CARD, "45.00")],
                    tracking="1Z999AA10123456784",
                    **common,
                ),
                _order(
                    "#S1000005",
                    ADA,
                    "cancelled",
                    [(LAMP_BLACK, lamp)],
                    [(ADA_CARD, "40.00")],
                    **common,
                ),
                _order(
                    "#S1000006",
                    ADA,
                    "pending",
                    [(TEE_RED_M, tee)],
                    [(ADA_CARD, "22.50")],
                    items_modified=True,
                    **common,
                ),
                # delivered, gift card, two identical shirts = 40.00
                _order(
                    "#S1000007",
                    ADA,
                    "delivered",
                    [(TEE_BLUE_M, tee), (TEE_BLUE_M, tee)],
                    [(ADA_GIFT, "40.00")],
                    tracking="1Z999AA10123456785",
                    **common,
                ),
                _order(
                    "#S1000008",
                    ADA,
                    "return requested",
                    [(LAMP_BLACK, lamp)],
                    [(ADA_CARD, "40.00")],
                    **common,
                ),
                _order(
                    "#S1000009",
                    ADA,
                    "exchange requested",
                    [(BOTTLE_500, bottle)],
                    [(ADA_PAYPAL, "15.00")],
                    **common,
                ),
                # delivered long ago (for the return window)
                _order(
                    "#S1000010",
                    ADA,
                    "delivered",
                    [(BOTTLE_500, bottle)],
                    [(ADA_CARD, "15.00")],
                    age_days=90,
                    **common,
                ),
                _order(
                    # Alan's gift card (5.00) can't cover 500ml -> 1000ml (+10.00).
                    "#S2000001",
                    ALAN,
                    "pending",
                    [(TEE_BLUE_M, tee), (BOTTLE_500, bottle)],
                    [(ALAN_CARD, "35.00")],
                    **common,
                ),
                _order(
                    "#S2000002",
                    ALAN,
                    "delivered",
                    [(BOTTLE_500, bottle)],
                    [(ALAN_CARD, "15.00")],
                    **common,
                ),
            ]
        )


@pytest.fixture
def shop(db: Database) -> Database:
    build_shop(db)
    return db


@pytest.fixture
def policy() -> ShopPolicy:
    return load_policy()


@pytest.fixture
def service(shop: Database, policy: ShopPolicy) -> OrderService:
    return OrderService(shop, policy)


def snapshot(db: Database) -> dict[str, Any]:
    """Everything an order operation may touch, as plain values: proves refusals change nothing."""
    with db.session() as s:
        orders = {
            o.id: (
                o.status,
                o.items_modified,
                o.cancel_reason,
                (o.address1, o.address2, o.city, o.state, o.zip, o.country),
                tuple(
                    (ln.variant_id, ln.price, ln.return_requested, ln.exchange_variant_id)
                    for ln in o.lines
                ),
            )
            for o in s.scalars(select(Order))
        }
        transactions = sorted(
            (t.order_id, t.payment_method_id, t.kind, t.amount)
            for t in s.scalars(select(Transaction))
        )
        balances = {pm.id: pm.balance for pm in s.scalars(select(PaymentMethod))}
        customers = {
            c.id: (c.address1, c.city, c.state, c.zip) for c in s.scalars(select(Customer))
        }
    return {"orders": orders, "tx": transactions, "balances": balances, "customers": customers}


def balance(db: Database, method_id: str) -> Decimal:
    with db.session() as s:
        method = s.get(PaymentMethod, method_id)
        assert method is not None and method.balance is not None
        return method.balance


def transactions(db: Database, order_id: str) -> list[tuple[str, str, Decimal]]:
    with db.session() as s:
        rows = s.scalars(
            select(Transaction).where(Transaction.order_id == order_id).order_by(Transaction.id)
        )
        return [(t.kind, t.payment_method_id, t.amount) for t in rows]
