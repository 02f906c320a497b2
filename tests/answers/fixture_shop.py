"""A small, fully known shop for answer tests: every price, stock and policy number is fixed."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bot.catalog.keyword import rebuild_keyword_index
from bot.db.models import (
    Category,
    Customer,
    Fulfilment,
    Order,
    OrderLine,
    PolicyPassage,
    Product,
    Variant,
)
from bot.db.session import Database

PRODUCTS = [
    (
        "SB-P0001",
        "Ridge Trail Runner",
        "Northpeak",
        "footwear",
        "A waterproof trail running shoe for wet, muddy paths and rainy hikes.",
        {"waterproof": True, "material": "mesh with Gore-Tex membrane"},
        [
            ("SB-V000101", {"colour": "red", "size": "42"}, "119.00", 5),
            ("SB-V000102", {"colour": "red", "size": "44"}, "119.00", 0),
            ("SB-V000103", {"colour": "black", "size": "44"}, "124.00", 3),
        ],
    ),
    (
        "SB-P0002",
        "City Canvas Sneaker",
        "Urbano",
        "footwear",
        "A light canvas sneaker for the city. Not waterproof.",
        {"waterproof": False, "material": "canvas"},
        [
            ("SB-V000201", {"colour": "white", "size": "40"}, "59.00", 10),
            ("SB-V000202", {"colour": "blue", "size": "42"}, "59.00", 2),
        ],
    ),
    (
        "SB-P0003",
        "Stormshell Rain Jacket",
        "Northpeak",
        "outdoor-apparel",
        "Lightweight rain jacket for hiking in the rain, with a hood.",
        {"waterproof": True, "hood": True, "packable": True},
        [
            ("SB-V000301", {"colour": "blue", "size": "M"}, "149.00", 4),
            ("SB-V000302", {"colour": "blue", "size": "L"}, "149.00", 0),
            ("SB-V000303", {"colour": "yellow", "size": "M"}, "109.00", 6),
        ],
    ),
    (
        "SB-P0004",
        "Trailhead Daypack 20L",
        "Northpeak",
        "bags-backpacks",
        "A 20 litre daypack for day hikes, with a rain cover.",
        {"capacity": "20 L", "water_resistant": True},
        [("SB-V000401", {"colour": "green"}, "79.00", 7)],
    ),
    (
        "SB-P0005",
        "Summit Down Parka",
        "Alpenglow",
        "outdoor-apparel",
        "Warm down parka for winter hikes.",
        {"insulated": True},
        [("SB-V000501", {"colour": "black", "size": "L"}, "289.00", 1)],
    ),
]

POLICIES = [
    (
        "returns-window",
        "returns",
        "Returns",
        "You can return delivered items within 30 days of delivery for a refund to the "
        "original payment method or to a gift card.",
    ),
    (
        "shipping-standard",
        "shipping",
        "Shipping",
        "Standard shipping takes 3-5 business days and is free on orders over $50.00.",
    ),
    (
        "cancel-pending",
        "cancellation",
        "Cancelling an order",
        "Pending orders can be cancelled before they ship. Processed orders cannot be cancelled.",
    ),
]

CATEGORIES = {
    "footwear": "Footwear",
    "outdoor-apparel": "Outdoor & Hiking Apparel",
    "bags-backpacks": "Bags & Backpacks",
}


def build_fixture_shop(db: Database) -> None:
    """Insert the fixture shop (into an empty, created schema) and index it for search."""
    with db.transaction() as s:
        cats = {}
        for slug, name in CATEGORIES.items():
            cats[slug] = Category(slug=slug, name=name)
            s.add(cats[slug])
        s.flush()
        for pid, name, brand, cat, desc, attrs, variants in PRODUCTS:
            p = Product(
                id=pid,
                name=name,
                brand=brand,
                category_id=cats[cat].id,
                description=desc,
                attributes=attrs,
                image_url=f"/img/products/{pid}.svg",
            )
            p.variants = [
                Variant(id=vid, options=opts, price=Decimal(price), stock=stock, available=True)
                for vid, opts, price, stock in variants
            ]
            s.add(p)
        for pid, topic, title, body in POLICIES:
            s.add(PolicyPassage(id=pid, topic=topic, title=title, body=body))
        alice = Customer(
            id="alice_smith_1234",
            first_name="Alice",
            last_name="Smith",
            email="alice@example.com",
            zip="10001",
        )
        bob = Customer(
            id="bob_jones_5678",
            first_name="Bob",
            last_name="Jones",
            email="bob@example.com",
            zip="94110",
        )
        s.add_all([alice, bob])
        s.flush()
        s.add_all(
            [
                _order("#S1000001", alice.id, "pending", "SB-V000101", "2026-11-20"),
                _order("#S1000002", alice.id, "delivered", "SB-V000401", "2026-10-02", "TRK123"),
                _order("#S1000003", bob.id, "delivered", "SB-V000501", "2026-11-01", "TRK999"),
            ]
        )
    rebuild_keyword_index(db)


def _order(
    oid: str, customer: str, status: str, variant_id: str, day: str, tracking: str | None = None
) -> Order:
    prices = {v[0]: (p[0], p[1], v[1], v[2]) for p in PRODUCTS for v in p[6]}
    pid, name, opts, price = prices[variant_id]
    order = Order(
        id=oid,
        customer_id=customer,
        status=status,
        created_at=datetime.fromisoformat(day).replace(tzinfo=UTC),
    )
    order.lines = [
        OrderLine(
            position=0,
            product_id=pid,
            variant_id=variant_id,
            name=name,
            options=opts,
            price=Decimal(price),
        )
    ]
    if tracking:
        order.fulfilments = [Fulfilment(tracking_id=tracking, carrier="UPS", variant_ids=[])]
    return order
