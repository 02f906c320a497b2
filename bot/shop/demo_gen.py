"""Generate the project's demo shop deterministically: same seed, byte-identical JSON files.

Products come from the kinds in :mod:`bot.shop.demo_catalog`; customers and orders are drawn
so that every order status occurs, shipped orders have tracking ids, cancelled ones a
refund, and return/exchange requests point at real lines. Run ``shopbot shop generate-demo``
and commit ``data/shop/demo/``.
"""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from typing import Any

from bot.db.models import OrderStatus
from bot.shop.categories import category_row
from bot.shop.demo_catalog import KINDS, MODEL_NAMES, Kind
from bot.shop.records import money

DEFAULT_SEED = 20261129
# Demo orders are dated relative to this fixed moment (a constant keeps the files stable).
DEMO_NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)
ORDER_STATUS_COUNTS: dict[OrderStatus, int] = {
    OrderStatus.PENDING: 80,
    OrderStatus.PROCESSED: 60,
    OrderStatus.DELIVERED: 130,
    OrderStatus.CANCELLED: 40,
    OrderStatus.RETURN_REQUESTED: 25,
    OrderStatus.EXCHANGE_REQUESTED: 25,
}
AGE_DAYS: dict[str, tuple[int, int]] = {
    OrderStatus.PENDING: (0, 3),
    OrderStatus.PROCESSED: (2, 8),
    OrderStatus.DELIVERED: (10, 170),
    OrderStatus.CANCELLED: (2, 150),
    OrderStatus.RETURN_REQUESTED: (12, 40),
    OrderStatus.EXCHANGE_REQUESTED: (12, 40),
}
CUSTOMER_COUNT = 120
FIRST_NAMES = [
    "Ava", "Liam", "Maya", "Noah", "Zoe", "Ethan", "Chloe", "Lucas", "Isla", "Mateo", "Nora",
    "Owen", "Priya", "Ravi", "Sofia", "Theo", "Una", "Victor", "Wendy", "Xavier", "Yara",
    "Amir", "Bianca", "Caleb", "Dana", "Elena", "Felix", "Grace", "Hugo", "Ines", "Jonah",
    "Keiko", "Leah", "Marcus", "Nadia", "Oscar", "Paula", "Quinn", "Rosa", "Samuel",
]  # fmt: skip
LAST_NAMES = [
    "Alvarez", "Bennett", "Castillo", "Dawson", "Eriksen", "Fischer", "Garcia", "Hughes",
    "Ibrahim", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Patel",
    "Quintero", "Rossi", "Schmidt", "Tanaka", "Usman", "Vasquez", "Whitfield", "Yilmaz",
    "Zhang", "Brooks", "Carter", "Delgado", "Ellis", "Foster",
]  # fmt: skip
STREETS = [
    "Maple Avenue", "Oak Street", "Cedar Lane", "Pine Road", "Elm Court", "Lakeview Drive",
    "Hillcrest Road", "Sunset Boulevard", "River Road", "Park Place", "Willow Way",
    "Chestnut Street", "Meadow Lane", "Highland Avenue", "Spring Street",
]  # fmt: skip
# (city, state, first three digits of its zip codes, area code)
CITIES = [
    ("Portland", "OR", "972", "503"), ("Seattle", "WA", "981", "206"),
    ("Denver", "CO", "802", "303"), ("Austin", "TX", "787", "512"),
    ("Chicago", "IL", "606", "312"), ("Boston", "MA", "021", "617"),
    ("Atlanta", "GA", "303", "404"), ("Phoenix", "AZ", "850", "602"),
    ("Minneapolis", "MN", "554", "612"), ("Nashville", "TN", "372", "615"),
    ("San Diego", "CA", "921", "619"), ("Salt Lake City", "UT", "841", "801"),
    ("Columbus", "OH", "432", "614"), ("Raleigh", "NC", "276", "919"),
    ("Madison", "WI", "537", "608"), ("Boise", "ID", "837", "208"),
]  # fmt: skip
CARD_BRANDS = ["visa", "mastercard", "amex", "discover"]
CARRIERS = ["UPS", "USPS", "FedEx"]
CANCEL_REASONS = ["no longer needed", "ordered by mistake"]


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _price(rng: Random, low: int, high: int) -> Decimal:
    return money(rng.randint(low, high) + rng.choice([0.0, 0.49, 0.95, 0.99]))


def generate_products(rng: Random) -> list[dict[str, Any]]:
    products: list[dict[str, Any]] = []
    names: set[str] = set()
    number = 0
    for kind in KINDS:
        for index in range(kind.count):
            number += 1
            products.append(_product(rng, kind, index, number, names))
    return products


def _product(rng: Random, kind: Kind, index: int, number: int, names: set[str]) -> dict:
    drawn = kind.draw(rng)
    if kind.noun == "Trail Running Shoe" and index == 0:
        _make_anchor_trail_shoe(drawn)
    while True:
        brand = rng.choice(kind.brands)
        name = f"{brand} {rng.choice(MODEL_NAMES)} {kind.noun}"
        if name not in names:
            names.add(name)
            break
    base = _price(rng, *kind.price)
    product_id = f"SB-P{number:04d}"
    variants = []
    axes = list(drawn.axes.items())
    combos = itertools.product(*(values for _, values in axes))
    for v_index, combo in enumerate(combos, start=1):
        options = {axis: value for (axis, _), value in zip(axes, combo, strict=True)}
        surcharge = sum((drawn.surcharge or {}).get(value, 0.0) for value in combo)
        available = rng.random() >= 0.04
        stock = 0 if not available or rng.random() < 0.12 else rng.randint(1, 80)
        if drawn.attributes.get("anchor") and options.get("size") == "44":
            available, stock = True, max(stock, 12)
        variants.append(
            {
                "id": f"SB-V{number:04d}{v_index:02d}",
                "options": options,
                "price": str(money(base + Decimal(str(surcharge)))),
                "currency": "USD",
                "stock": stock,
                "available": available,
            }
        )
    attributes = {k: v for k, v in drawn.attributes.items() if k != "anchor"}
    return {
        "id": product_id,
        "name": name,
        "brand": brand,
        "category": kind.category,
        "description": drawn.description,
        "attributes": attributes,
        "image_url": f"/img/products/{product_id}.svg",
        "variants": variants,
    }


def _make_anchor_trail_shoe(drawn: Any) -> None:
    """The shop always has a red waterproof trail runner in EU 44 (a classic test question)."""
    drawn.attributes.update({"waterproof": True, "material": "waterproof mesh", "anchor": True})
    if "waterproof" not in drawn.description.lower():
        drawn.description += " Waterproof for puddles and stream crossings."
    drawn.axes = {"colour": ["red", "black"], "size": list(map(str, range(38, 47)))}


def generate_customers(rng: Random) -> list[dict[str, Any]]:
    customers: list[dict[str, Any]] = []
    ids: set[str] = set()
    method_ids: set[str] = set()
    emails: set[str] = set()
    while len(customers) < CUSTOMER_COUNT:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        digits = rng.randint(1000, 9999)
        customer_id = f"{first.lower()}_{last.lower()}_{digits}"
        email = f"{first.lower()}.{last.lower()}.{digits}@example.com"
        if customer_id in ids or email in emails:
            continue
        ids.add(customer_id)
        emails.add(email)
        address = _address(rng)
        customers.append(
            {
                "id": customer_id,
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": f"+1 {address.pop('area')}-555-01{rng.randint(0, 99):02d}",
                "address": address,
                "created_at": _iso(DEMO_NOW - timedelta(days=rng.randint(180, 1400))),
                "payment_methods": _payment_methods(rng, method_ids),
            }
        )
    return customers


def _address(rng: Random) -> dict[str, str]:
    city, state, zip3, area = rng.choice(CITIES)
    return {
        "address1": f"{rng.randint(10, 9899)} {rng.choice(STREETS)}",
        "address2": rng.choice(["", "", "", f"Apt {rng.randint(1, 40)}{rng.choice('ABCD')}"]),
        "city": city,
        "state": state,
        "zip": f"{zip3}{rng.randint(1, 99):02d}",
        "country": "USA",
        "area": area,
    }


def _payment_methods(rng: Random, used: set[str]) -> list[dict[str, Any]]:
    kinds = rng.sample(["credit_card", "gift_card", "paypal"], rng.randint(1, 3))
    methods = []
    for kind in sorted(kinds):
        while (method_id := f"{kind}_{rng.randint(1_000_000, 9_999_999)}") in used:
            pass
        used.add(method_id)
        method: dict[str, Any] = {"id": method_id, "kind": kind}
        if kind == "credit_card":
            method.update(brand=rng.choice(CARD_BRANDS), last_four=f"{rng.randint(0, 9999):04d}")
        elif kind == "gift_card":
            method["balance"] = str(money(rng.choice([0, 5, 20, 50, 100, 150, 250])))
        methods.append(method)
    return methods


def generate_orders(
    rng: Random, products: list[dict[str, Any]], customers: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    statuses = [s for s, n in ORDER_STATUS_COUNTS.items() for _ in range(n)]
    rng.shuffle(statuses)
    sellable = [
        (p, v) for p in products for v in p["variants"] if v["available"] and v["stock"] > 0
    ]
    orders = []
    for number, status in enumerate(statuses, start=1):
        customer = rng.choice(customers)
        low, high = AGE_DAYS[status]
        created = DEMO_NOW - timedelta(days=rng.randint(low, high), minutes=rng.randint(0, 1439))
        lines = _lines(rng, sellable, status)
        total = sum((Decimal(line["price"]) for line in lines), Decimal("0.00"))
        method = _pay_with(rng, customer, total)
        orders.append(
            {
                "id": f"#S{1_000_000 + number:07d}",
                "customer_id": customer["id"],
                "status": str(status),
                "cancel_reason": (
                    rng.choice(CANCEL_REASONS) if status == OrderStatus.CANCELLED else None
                ),
                "address": _order_address(rng, customer),
                "currency": "USD",
                "created_at": _iso(created),
                "lines": lines,
                "fulfilments": _fulfilments(rng, status, lines, created),
                "transactions": _transactions(status, method, total, created),
            }
        )
    return orders


def _lines(rng: Random, sellable: list, status: str) -> list[dict[str, Any]]:
    picks = rng.sample(sellable, rng.choice([1, 1, 2, 2, 3, 4]))
    if rng.random() < 0.1:
        picks.append(picks[0])  # two units of the same variant: two lines, like τ-bench
    lines = []
    for product, variant in picks:
        lines.append(
            {
                "product_id": product["id"],
                "variant_id": variant["id"],
                "name": product["name"],
                "options": variant["options"],
                "price": variant["price"],
                "return_requested": False,
                "exchange_variant_id": None,
            }
        )
    if status == OrderStatus.RETURN_REQUESTED:
        for line in rng.sample(lines, rng.randint(1, len(lines))):
            line["return_requested"] = True
    if status == OrderStatus.EXCHANGE_REQUESTED:
        by_id = {p["id"]: p for p, _ in sellable}
        for line in lines:
            others = [
                v["id"]
                for v in by_id[line["product_id"]]["variants"]
                if v["id"] != line["variant_id"] and v["available"] and v["stock"] > 0
            ]
            if others:
                line["exchange_variant_id"] = rng.choice(others)
                break
    return lines


def _pay_with(rng: Random, customer: dict[str, Any], total: Decimal) -> str:
    methods = customer["payment_methods"]
    usable = [
        m for m in methods if m["kind"] != "gift_card" or Decimal(m.get("balance", "0")) >= total
    ]
    return rng.choice(usable or methods)["id"]


def _order_address(rng: Random, customer: dict[str, Any]) -> dict[str, str]:
    if rng.random() < 0.1:
        other = _address(rng)
        other.pop("area")
        return other
    return dict(customer["address"])


def _fulfilments(
    rng: Random, status: str, lines: list[dict[str, Any]], created: datetime
) -> list[dict[str, Any]]:
    if status in (OrderStatus.PENDING, OrderStatus.CANCELLED):
        return []
    variant_ids = [line["variant_id"] for line in lines]
    groups = [variant_ids]
    if len(variant_ids) > 2 and rng.random() < 0.3:
        groups = [variant_ids[:1], variant_ids[1:]]
    return [
        {
            "tracking_id": f"{rng.randint(10**11, 10**12 - 1)}",
            "carrier": rng.choice(CARRIERS),
            "variant_ids": group,
            "shipped_at": _iso(created + timedelta(days=1 + index, hours=rng.randint(1, 20))),
        }
        for index, group in enumerate(groups)
    ]


def _transactions(
    status: str, method_id: str, total: Decimal, created: datetime
) -> list[dict[str, Any]]:
    rows = [
        {
            "kind": "payment",
            "amount": str(total),
            "payment_method_id": method_id,
            "note": "",
            "created_at": _iso(created + timedelta(minutes=1)),
        }
    ]
    if status == OrderStatus.CANCELLED:
        rows.append(
            {
                "kind": "refund",
                "amount": str(total),
                "payment_method_id": method_id,
                "note": "order cancelled",
                "created_at": _iso(created + timedelta(hours=5)),
            }
        )
    return rows


def generate_demo_shop(seed: int = DEFAULT_SEED) -> dict[str, list[dict[str, Any]]]:
    """The whole demo shop as JSON-ready structures."""
    rng = Random(seed)
    products = generate_products(rng)
    customers = generate_customers(rng)
    orders = generate_orders(rng, products, customers)
    slugs = sorted({p["category"] for p in products})
    return {
        "categories": [category_row(slug) for slug in slugs],
        "products": products,
        "customers": customers,
        "orders": orders,
    }


def write_demo_shop(shop: dict[str, list[dict[str, Any]]], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, items in shop.items():
        path = folder / f"{name}.json"
        path.write_text(json.dumps(items, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
