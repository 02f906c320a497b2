"""A small hand-written catalog (independent of the demo shop) for retrieval tests."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from bot.catalog.embeddings import invalidate_caches
from bot.catalog.keyword import ensure_search_indexes
from bot.db.models import Category, PolicyPassage, Product, Variant
from bot.db.session import Database

PRODUCTS = [
    # id, name, brand, category, description, variants: (options, price, stock)
    (
        "SB-P0001",
        "Ridgeline Trail Runner",
        "Northpeak",
        "footwear",
        "A waterproof trail running shoe with a grippy lug sole for muddy, wet paths.",
        [
            ({"color": "red", "size": "44"}, "109.00", 3),
            ({"color": "red", "size": "42"}, "109.00", 0),
            ({"color": "black", "size": "44"}, "99.00", 5),
        ],
    ),
    (
        "SB-P0002",
        "City Leather Sneaker",
        "Urbano",
        "footwear",
        "Minimal white leather sneaker for everyday wear in town.",
        [
            ({"color": "white", "size": "44"}, "89.00", 4),
            ({"color": "white", "size": "40"}, "89.00", 2),
        ],
    ),
    (
        "SB-P0003",
        "Stormshell Rain Jacket",
        "Northpeak",
        "outdoor-apparel",
        "Lightweight breathable shell that keeps downpours out on long hikes.",
        [
            ({"color": "blue", "size": "M"}, "149.00", 6),
            ({"color": "yellow", "size": "L"}, "139.00", 0),
        ],
    ),
    (
        "SB-P0004",
        "Merino Crew Sweater",
        "Woolly & Co",
        "casual-clothing",
        "Soft knitted pullover, warm for chilly evenings.",
        [
            ({"color": "gray", "size": "M", "material": "merino"}, "79.00", 7),
            ({"color": "navy", "size": "XL", "material": "merino"}, "79.00", 1),
        ],
    ),
    (
        "SB-P0005",
        "Two-Person Dome Tent",
        "Campfire",
        "camping-gear",
        "Freestanding tent for two sleepers with a full-coverage fly.",
        [({"color": "green"}, "189.00", 2)],
    ),
    (
        "SB-P0006",
        "Noise Cancelling Headphones",
        "Sonora",
        "electronics-accessories",
        "Over-ear wireless headphones that block out engine rumble on flights.",
        [({"color": "black"}, "199.00", 9), ({"color": "silver"}, "209.00", 0)],
    ),
    (
        "SB-P0007",
        "Insulated Steel Bottle",
        "Campfire",
        "home-kitchen",
        "Keeps coffee hot for twelve hours; double wall, leak proof lid.",
        [({"color": "red", "capacity": "750ml"}, "24.00", 30)],
    ),
    (
        "SB-P0008",
        "Cotton Crew T-Shirt",
        "Basics",
        "casual-clothing",
        "Classic tee in organic cotton.",
        [
            ({"color": "red", "size": "S", "material": "cotton"}, "19.00", 10),
            ({"color": "blue", "size": "L", "material": "cotton"}, "19.00", 0),
        ],
    ),
]

CATEGORY_NAMES = {
    "footwear": "Footwear",
    "outdoor-apparel": "Outdoor & Hiking Apparel",
    "casual-clothing": "Casual Clothing",
    "camping-gear": "Camping Gear",
    "electronics-accessories": "Electronics Accessories",
    "home-kitchen": "Home & Kitchen",
}

PASSAGES = [
    (
        "refunds",
        "returns",
        "Refunds",
        "Refunds go back to the original payment method within "
        "5-7 business days after we receive the returned items.",
    ),
    (
        "shipping",
        "shipping",
        "Shipping times",
        "Standard delivery takes 3-5 business days; express delivery arrives the next working day.",
    ),
    (
        "exchanges",
        "returns",
        "Exchanges",
        "Delivered items can be exchanged for another size or "
        "colour of the same product within 30 days.",
    ),
    (
        "cancel",
        "orders",
        "Cancelling an order",
        "Pending orders can be cancelled before they ship; cancelled orders are not charged.",
    ),
]


def load_catalog(db: Database) -> None:
    with db.transaction() as s:
        cats = {}
        for slug, name in CATEGORY_NAMES.items():
            cats[slug] = Category(slug=slug, name=name, description="")
            s.add(cats[slug])
        s.flush()
        for pid, name, brand, cat, desc, variants in PRODUCTS:
            product = Product(
                id=pid, name=name, brand=brand, category_id=cats[cat].id, description=desc
            )
            s.add(product)
            s.flush()
            for i, (options, price, stock) in enumerate(variants, start=1):
                s.add(
                    Variant(
                        id=f"{pid.replace('P', 'V')}{i:02d}",
                        product_id=pid,
                        options=options,
                        price=Decimal(price),
                        stock=stock,
                        available=True,
                    )
                )
        for pid, topic, title, body in PASSAGES:
            s.add(PolicyPassage(id=pid, topic=topic, title=title, body=body))
    invalidate_caches()


@pytest.fixture
def catalog_db(db: Database) -> Iterator[Database]:
    """The ``db`` fixture (SQLite and PostgreSQL) with search indexes and the small catalog."""
    ensure_search_indexes(db)
    load_catalog(db)
    yield db
    invalidate_caches()
