"""Read the project's demo shop (data/shop/demo/*.json, made by ``shopbot shop generate-demo``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.db.models import OrderStatus, PaymentKind, TransactionKind
from bot.shop.categories import category_row
from bot.shop.errors import FeedError
from bot.shop.jsonfile import JsonReader
from bot.shop.records import Row, ShopData
from bot.texts.segment import index_text

ADDRESS_FIELDS = ("address1", "address2", "city", "state", "zip", "country")


def read_demo(folder: str | Path) -> ShopData:
    """Validate the demo files and turn them into table rows (nothing is written here)."""
    folder = Path(folder)
    data = ShopData(source="demo")
    categories = JsonReader(folder / "categories.json")
    for index, raw in enumerate(categories.load(list), start=1):
        slug = categories.get(raw, "slug", str(index), str)
        data.categories.append(
            {**category_row(slug, categories.get(raw, "name", slug, str)),
             "description": str(raw.get("description") or "")}
        )  # fmt: skip
    known = {c["slug"] for c in data.categories}
    chinese = _read_chinese(folder / "products.zh.json")
    _read_products(JsonReader(folder / "products.json"), data, known, chinese)
    _read_customers(JsonReader(folder / "customers.json"), data)
    _read_orders(JsonReader(folder / "orders.json"), data)
    return data


def _read_chinese(file: Path) -> dict[str, dict[str, str]]:
    """The Chinese names and descriptions by product id (``products.zh.json``, optional).

    A sidecar rather than fields of products.json: products.json is rewritten by
    ``shopbot shop generate-demo``, the Chinese copy is written by hand-made per-type copy
    (scripts/demo_zh_copy.py) and must survive that.
    """
    if not file.exists():
        return {}
    r = JsonReader(file)
    out: dict[str, dict[str, str]] = {}
    for product_id, raw in r.load(dict).items():
        if not isinstance(raw, dict):
            raise FeedError(file, product_id, "name", "expected an object with name/description")
        out[product_id] = {
            "name": r.get(raw, "name", product_id, str),
            "description": str(raw.get("description") or ""),
        }
    return out


def _read_products(
    r: JsonReader, data: ShopData, categories: set[str], chinese: dict[str, dict[str, str]]
) -> None:
    products = r.load(list)
    unknown = set(chinese) - {str(raw.get("id")) for raw in products if isinstance(raw, dict)}
    if unknown:
        raise FeedError(r.file.with_suffix(".zh.json"), sorted(unknown)[0], "id", "unknown product")
    for raw in products:
        product_id = r.get(raw, "id", "?", str)
        category = r.get(raw, "category", product_id, str)
        if category not in categories:
            raise FeedError(r.file, product_id, "category", f"unknown category {category!r}")
        zh = chinese.get(product_id, {})
        name_zh, description_zh = zh.get("name") or None, zh.get("description") or None
        data.products.append(
            {
                "id": product_id,
                "name": r.get(raw, "name", product_id, str),
                "description": r.get(raw, "description", product_id, str),
                "brand": r.get(raw, "brand", product_id, str),
                "category_slug": category,
                "attributes": r.get(raw, "attributes", product_id, dict),
                "image_url": str(raw.get("image_url") or f"/img/products/{product_id}.svg"),
                "source": "demo",
                "name_zh": name_zh,
                "description_zh": description_zh,
                "search_zh": index_text(name_zh, description_zh),
            }
        )
        for variant in r.get(raw, "variants", product_id, list):
            record = f"{product_id}/{variant.get('id', '?')}"
            stock = r.get(variant, "stock", record, int)
            if stock < 0:
                raise FeedError(r.file, record, "stock", f"negative stock {stock}")
            data.variants.append(
                {
                    "id": r.get(variant, "id", record, str),
                    "product_id": product_id,
                    "options": r.get(variant, "options", record, dict),
                    "price": r.price(variant, "price", record),
                    "currency": str(variant.get("currency") or "USD"),
                    "stock": stock,
                    "available": r.get(variant, "available", record, bool),
                }
            )


def _read_customers(r: JsonReader, data: ShopData) -> None:
    kinds = set(PaymentKind)
    for raw in r.load(list):
        customer_id = r.get(raw, "id", "?", str)
        address = r.get(raw, "address", customer_id, dict)
        data.customers.append(
            {
                "id": customer_id,
                "first_name": r.get(raw, "first_name", customer_id, str),
                "last_name": r.get(raw, "last_name", customer_id, str),
                "email": r.get(raw, "email", customer_id, str),
                "phone": str(raw.get("phone") or ""),
                **{f: str(address.get(f) or "") for f in ADDRESS_FIELDS},
                "created_at": r.time(raw, "created_at", customer_id),
            }
        )
        for method in r.get(raw, "payment_methods", customer_id, list):
            record = f"{customer_id}/{method.get('id', '?')}"
            kind = r.get(method, "kind", record, str)
            if kind not in kinds:
                raise FeedError(r.file, record, "kind", f"unknown payment kind {kind!r}")
            data.payment_methods.append(
                {
                    "id": r.get(method, "id", record, str),
                    "customer_id": customer_id,
                    "kind": kind,
                    "brand": str(method.get("brand") or ""),
                    "last_four": str(method.get("last_four") or ""),
                    "balance": r.price(method, "balance", record) if "balance" in method else None,
                }
            )


def _read_orders(r: JsonReader, data: ShopData) -> None:
    statuses = set(OrderStatus)
    for raw in r.load(list):
        order_id = r.get(raw, "id", "?", str)
        status = r.get(raw, "status", order_id, str)
        if status not in statuses:
            raise FeedError(r.file, order_id, "status", f"unknown order status {status!r}")
        address = r.get(raw, "address", order_id, dict)
        lines = [
            _line(r, f"{order_id}/lines[{i}]", i, line)
            for i, line in enumerate(r.get(raw, "lines", order_id, list))
        ]
        fulfilments = [
            {
                "tracking_id": r.get(f, "tracking_id", f"{order_id}/fulfilments", str),
                "carrier": str(f.get("carrier") or ""),
                "variant_ids": r.get(f, "variant_ids", f"{order_id}/fulfilments", list),
                "shipped_at": r.time(f, "shipped_at", f"{order_id}/fulfilments"),
            }
            for f in r.get(raw, "fulfilments", order_id, list)
        ]
        transactions = []
        for t in r.get(raw, "transactions", order_id, list):
            record = f"{order_id}/transactions"
            kind = r.get(t, "kind", record, str)
            if kind not in set(TransactionKind):
                raise FeedError(r.file, record, "kind", f"unknown transaction kind {kind!r}")
            transactions.append(
                {
                    "payment_method_id": r.get(t, "payment_method_id", record, str),
                    "kind": kind,
                    "amount": r.price(t, "amount", record),
                    "note": str(t.get("note") or ""),
                    "created_at": r.time(t, "created_at", record),
                }
            )
        data.add_order(
            {
                "id": order_id,
                "customer_id": r.get(raw, "customer_id", order_id, str),
                "status": status,
                "items_modified": bool(raw.get("items_modified", False)),
                "cancel_reason": raw.get("cancel_reason"),
                **{f: str(address.get(f) or "") for f in ADDRESS_FIELDS},
                "currency": str(raw.get("currency") or "USD"),
                "created_at": r.time(raw, "created_at", order_id),
            },
            lines,
            fulfilments,
            transactions,
        )


def _line(r: JsonReader, record: str, position: int, line: Any) -> Row:
    return {
        "position": position,
        "product_id": r.get(line, "product_id", record, str),
        "variant_id": r.get(line, "variant_id", record, str),
        "name": r.get(line, "name", record, str),
        "options": r.get(line, "options", record, dict),
        "price": r.price(line, "price", record),
        "return_requested": bool(line.get("return_requested", False)),
        "exchange_variant_id": line.get("exchange_variant_id"),
    }
