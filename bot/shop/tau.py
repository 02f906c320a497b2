"""Import the τ-bench retail data set (products.json, users.json, orders.json).

τ-bench has no stock, timestamps, categories or descriptions; they are derived
deterministically (see :mod:`bot.shop.derive`) and described in our own words.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.db.models import OrderStatus, PaymentKind, TransactionKind
from bot.shop.categories import category_row
from bot.shop.derive import created_at_for, customer_since, stock_for
from bot.shop.errors import FeedError
from bot.shop.jsonfile import JsonReader as _Reader
from bot.shop.records import Row, ShopData

# One category per τ product type (by product name).
TAU_CATEGORIES: dict[str, str] = {
    "T-Shirt": "casual-clothing",
    "Fleece Jacket": "outdoor-apparel",
    "Running Shoes": "footwear",
    "Hiking Boots": "footwear",
    "Sneakers": "footwear",
    "Backpack": "bags-backpacks",
    "Luggage Set": "bags-backpacks",
    "Coffee Maker": "home-kitchen",
    "Water Bottle": "home-kitchen",
    "Electric Kettle": "home-kitchen",
    "Espresso Machine": "home-kitchen",
    "Tea Kettle": "home-kitchen",
    "Vacuum Cleaner": "home-kitchen",
    "Air Purifier": "home-kitchen",
    "Wall Clock": "home-kitchen",
    "Pet Bed": "home-kitchen",
    "LED Light Bulb": "home-kitchen",
    "Laptop": "electronics",
    "Smartphone": "electronics",
    "Tablet": "electronics",
    "E-Reader": "electronics",
    "Digital Camera": "electronics",
    "Action Camera": "electronics",
    "Indoor Security Camera": "electronics",
    "Smart Thermostat": "electronics",
    "Smart Watch": "electronics",
    "Bluetooth Speaker": "electronics-accessories",
    "Gaming Mouse": "electronics-accessories",
    "Portable Charger": "electronics-accessories",
    "Mechanical Keyboard": "electronics-accessories",
    "Wireless Earbuds": "electronics-accessories",
    "Headphones": "electronics-accessories",
    "Notebook": "home-office",
    "Office Chair": "home-office",
    "Desk Lamp": "home-office",
    "Bookshelf": "home-office",
    "Sunglasses": "watches-eyewear",
    "Wristwatch": "watches-eyewear",
    "Electric Toothbrush": "beauty-care",
    "Makeup Kit": "beauty-care",
    "Perfume": "beauty-care",
    "Yoga Mat": "sports-fitness",
    "Dumbbell Set": "sports-fitness",
    "Cycling Helmet": "sports-fitness",
    "Bicycle": "sports-fitness",
    "Skateboard": "sports-fitness",
    "Jigsaw Puzzle": "kids-toys",
    "Garden Hose": "garden-patio",
    "Patio Umbrella": "garden-patio",
    "Grill": "garden-patio",
}
FALLBACK_CATEGORY = "home-kitchen"
ADDRESS_FIELDS = ("address1", "address2", "city", "state", "zip", "country")


def describe(name: str, variants: list[Row]) -> str:
    """A short factual description built from the option values (our own wording)."""
    prices = [v["price"] for v in variants]
    choices: dict[str, list[str]] = {}
    for variant in variants:
        for key, value in variant["options"].items():
            values = choices.setdefault(key, [])
            if str(value) not in values:
                values.append(str(value))
    text = f"{name} offered in {len(variants)} versions"
    if prices:
        low, high = min(prices), max(prices)
        text += f", priced ${low}" if low == high else f", priced from ${low} to ${high}"
    text += "."
    parts = [f"{key}: {', '.join(values)}" for key, values in choices.items()]
    if parts:
        text += " Choose by " + "; ".join(parts) + "."
    return text


def read_tau(folder: str | Path) -> ShopData:
    """Read and validate the three τ-bench files into rows (nothing is written here)."""
    folder = Path(folder)
    data = ShopData(source="tau")
    _read_products(_Reader(folder / "products.json"), data)
    _read_users(_Reader(folder / "users.json"), data)
    _read_orders(_Reader(folder / "orders.json"), data)
    return data


def _read_products(r: _Reader, data: ShopData) -> None:
    slugs: set[str] = set()
    for product_id, raw in r.load().items():
        name = r.get(raw, "name", product_id, str)
        variants: list[Row] = []
        for item_id, item in r.get(raw, "variants", product_id, dict).items():
            record = f"{product_id}/{item_id}"
            available = bool(r.get(item, "available", record, bool))
            variants.append(
                {
                    "id": str(item_id),
                    "product_id": str(product_id),
                    "options": dict(r.get(item, "options", record, dict)),
                    "price": r.price(item, "price", record),
                    "currency": "USD",
                    "stock": stock_for(str(item_id), available),
                    "available": available,
                }
            )
        slug = TAU_CATEGORIES.get(name, FALLBACK_CATEGORY)
        slugs.add(slug)
        option_names = sorted({k for v in variants for k in v["options"]})
        data.products.append(
            {
                "id": str(product_id),
                "name": name,
                "description": describe(name, variants),
                "brand": "",
                "category_slug": slug,
                "attributes": {"option_names": option_names},
                "image_url": f"/img/products/{product_id}.svg",
                "source": "tau",
            }
        )
        data.variants.extend(variants)
    data.categories = [category_row(slug) for slug in sorted(slugs)]


def _read_users(r: _Reader, data: ShopData) -> None:
    for user_id, raw in r.load().items():
        name = r.get(raw, "name", user_id, dict)
        address = r.get(raw, "address", user_id, dict)
        data.customers.append(
            {
                "id": str(user_id),
                "first_name": r.get(name, "first_name", user_id, str),
                "last_name": r.get(name, "last_name", user_id, str),
                "email": r.get(raw, "email", user_id, str),
                "phone": "",
                **{f: str(address.get(f) or "") for f in ADDRESS_FIELDS},
                "created_at": customer_since(str(user_id)),
            }
        )
        for method_id, method in r.get(raw, "payment_methods", user_id, dict).items():
            record = f"{user_id}/{method_id}"
            kind = r.get(method, "source", record, str)
            if kind not in set(PaymentKind):
                raise FeedError(r.file, record, "source", f"unknown payment kind {kind!r}")
            balance = r.price(method, "balance", record) if "balance" in method else None
            data.payment_methods.append(
                {
                    "id": str(method_id),
                    "customer_id": str(user_id),
                    "kind": kind,
                    "brand": str(method.get("brand") or ""),
                    "last_four": str(method.get("last_four") or ""),
                    "balance": balance,
                }
            )


def _read_orders(r: _Reader, data: ShopData) -> None:
    for order_id, raw in r.load().items():
        status = r.get(raw, "status", order_id, str)
        if status not in set(OrderStatus):
            raise FeedError(r.file, order_id, "status", f"unknown order status {status!r}")
        address = r.get(raw, "address", order_id, dict)
        created = created_at_for(str(order_id), status)
        lines = []
        for position, item in enumerate(r.get(raw, "items", order_id, list)):
            record = f"{order_id}/items[{position}]"
            lines.append(
                {
                    "position": position,
                    "product_id": str(r.get(item, "product_id", record)),
                    "variant_id": str(r.get(item, "item_id", record)),
                    "name": r.get(item, "name", record, str),
                    "options": dict(r.get(item, "options", record, dict)),
                    "price": r.price(item, "price", record),
                    "return_requested": False,
                    "exchange_variant_id": None,
                }
            )
        fulfilments = []
        for index, shipment in enumerate(r.get(raw, "fulfillments", order_id, list)):
            record = f"{order_id}/fulfillments[{index}]"
            item_ids = [str(i) for i in r.get(shipment, "item_ids", record, list)]
            for tracking_id in r.get(shipment, "tracking_id", record, list):
                fulfilments.append(
                    {
                        "tracking_id": str(tracking_id),
                        "carrier": "",
                        "variant_ids": item_ids,
                        "shipped_at": created + timedelta(days=1, hours=index),
                    }
                )
        transactions = []
        for index, payment in enumerate(r.get(raw, "payment_history", order_id, list)):
            record = f"{order_id}/payment_history[{index}]"
            kind = r.get(payment, "transaction_type", record, str)
            if kind not in set(TransactionKind):
                raise FeedError(r.file, record, "transaction_type", f"unknown kind {kind!r}")
            transactions.append(
                {
                    "payment_method_id": str(r.get(payment, "payment_method_id", record)),
                    "kind": kind,
                    "amount": r.price(payment, "amount", record),
                    "note": "",
                    "created_at": created + timedelta(minutes=1 + index * 60),
                }
            )
        data.add_order(
            {
                "id": str(order_id),
                "customer_id": str(r.get(raw, "user_id", order_id, str)),
                "status": status,
                "items_modified": False,
                "cancel_reason": None,
                **{f: str(address.get(f) or "") for f in ADDRESS_FIELDS},
                "currency": "USD",
                "created_at": created,
            },
            lines,
            fulfilments,
            transactions,
        )
