"""A tiny shop and a store-only app, shared by the storefront unit tests and browser tests."""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.db.models import Category, Customer, Product, Variant
from bot.db.session import Database
from bot.web import storefront

STATIC_DIR = storefront.Path(storefront.__file__).parent / "static"

TOKEN_SECRET = "unit-test-customer-token-secret"
HOSTILE_NAME = "<script>alert('x')</script> Mug"


def seed_small_shop(db: Database, extra_products: int = 0) -> None:
    """Two categories, a few products (one with a hostile name), one demo customer."""
    with db.transaction() as s:
        shoes = Category(slug="shoes", name="Shoes")
        kitchen = Category(slug="kitchen", name="Kitchen & Home")
        s.add_all([shoes, kitchen])
        s.flush()
        s.add(
            Product(
                id="SB-P0001",
                name="Trail Running Shoe",
                brand="Acme",
                description="A light shoe for muddy trails.",
                category_id=shoes.id,
                attributes={"material": "mesh"},
                variants=[
                    Variant(
                        id="SB-V000101",
                        options={"size": "42", "colour": "blue"},
                        price=Decimal("89.50"),
                        stock=3,
                    ),
                    Variant(
                        id="SB-V000102",
                        options={"size": "44", "colour": "red"},
                        price=Decimal("99.00"),
                        stock=0,
                    ),
                ],
            )
        )
        s.add(
            Product(
                id="SB-P0002",
                name=HOSTILE_NAME,
                brand="Evil & Co",
                description="<b>bold?</b>",
                category_id=kitchen.id,
                variants=[Variant(id="SB-V000201", options={}, price=Decimal("12"), stock=5)],
            )
        )
        s.add(
            Product(
                id="SB-P0003",
                name="Sold Out Kettle",
                category_id=kitchen.id,
                variants=[
                    Variant(
                        id="SB-V000301", options={}, price=Decimal("30"), stock=0, available=False
                    )
                ],
            )
        )
        for n in range(extra_products):
            pid = f"SB-P{1000 + n:04d}"
            s.add(
                Product(
                    id=pid,
                    name=f"Plain Sock {n:03d}",
                    category_id=shoes.id,
                    variants=[
                        Variant(id=f"SB-V{1000 + n:04d}01", price=Decimal("5"), stock=1, options={})
                    ],
                )
            )
        s.add(
            Customer(
                id="noah_brown_6181",
                first_name="Noah",
                last_name="Brown",
                email="noah.brown7922@example.com",
                zip="80279",
            )
        )


def build_store_app(config: storefront.StoreConfig) -> FastAPI:
    """The storefront router plus /static, wired to ``config`` (no settings, no other routers)."""
    app = FastAPI()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(storefront.router)
    app.dependency_overrides[storefront.get_store_config] = lambda: config
    return app
