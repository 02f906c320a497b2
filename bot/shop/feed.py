"""Import a generic product feed (CSV or JSON) as documented in docs/product-feed.md.

The column set follows common shop exports: one row per variant, product fields repeated
or left blank on the product's later rows. Every field is validated before anything is
written; the first problem is reported with file, row and field.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from bot.orders.money import money
from bot.shop.categories import category_row, slugify
from bot.shop.errors import FeedError
from bot.shop.records import Row, ShopData

REQUIRED_COLUMNS = ("product_id", "title", "price")
PRODUCT_FIELDS = ("title", "description", "brand", "category", "image_url", "attributes")
MAX_PRICE = Decimal("99999999.99")
MAX_LENGTH = {"product_id": 40, "variant_id": 40, "title": 200, "brand": 120, "category": 120,
              "image_url": 500}  # fmt: skip
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass
class FeedRow:
    """One variant's row, with where it came from (for error messages)."""

    where: int
    values: dict[str, Any]
    # JSON products with nested variants: which variant, and which keys came from it.
    variant_index: int | None = None
    variant_keys: frozenset[str] = frozenset()

    def field_name(self, name: str) -> str:
        if self.variant_index is not None and name in self.variant_keys | {"variant_id"}:
            return f"variants[{self.variant_index}].{name}"
        return name


def read_feed(file: str | Path) -> ShopData:
    """Parse and validate a .csv or .json feed into table rows (nothing is written here)."""
    path = Path(file)
    if not path.exists():
        raise FeedError(path, None, None, "file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix == ".json":
        rows = _json_rows(path)
    else:
        raise FeedError(path, None, None, "unsupported file type: use .csv or .json")
    if not rows:
        raise FeedError(path, None, None, "the feed has no product rows")
    return _build(path, rows)


def _csv_rows(path: Path) -> list[FeedRow]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FeedError(path, None, None, f"not UTF-8 text ({exc.reason})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    for column in REQUIRED_COLUMNS:
        if column not in header:
            raise FeedError(path, 1, column, "required column is missing from the header")
    if "variant_id" not in header and "sku" not in header:
        raise FeedError(path, 1, "variant_id", "required column (or 'sku') is missing")
    rows = []
    for line_number, raw in enumerate(reader, start=2):
        if None in raw:
            raise FeedError(path, line_number, None, "more cells than header columns")
        values = {k: (v or "").strip() for k, v in raw.items()}
        if any(values.values()):
            rows.append(FeedRow(line_number, values))
    return rows


def _json_rows(path: Path) -> list[FeedRow]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise FeedError(path, None, None, f"not UTF-8 text ({exc.reason})") from None
    except json.JSONDecodeError as exc:
        raise FeedError(
            path, None, None, f"not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"
        ) from None
    if isinstance(data, dict) and isinstance(data.get("products"), list):
        data = data["products"]
    if not isinstance(data, list):
        raise FeedError(path, None, None, 'expected a list of products or {"products": [...]}')
    rows = []
    for index, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise FeedError(path, index, None, "each product must be a JSON object")
        variants = item.get("variants")
        if variants is None:
            rows.append(FeedRow(index, dict(item)))
            continue
        if not isinstance(variants, list) or not variants:
            raise FeedError(path, index, "variants", "must be a non-empty list")
        product = {k: v for k, v in item.items() if k != "variants"}
        for v_index, variant in enumerate(variants):
            if not isinstance(variant, dict):
                raise FeedError(path, index, f"variants[{v_index}]", "must be a JSON object")
            values = {**product, **variant}
            if "variant_id" not in variant and "sku" not in variant and "id" in variant:
                values["variant_id"] = variant["id"]
            rows.append(FeedRow(index, values, v_index, frozenset(variant)))
    return rows


def _build(path: Path, rows: list[FeedRow]) -> ShopData:
    data = ShopData(source="feed")
    products: dict[str, Row] = {}
    # (product_id, field) -> (row it was first given on, its text), to catch contradictions.
    first_given: dict[tuple[str, str], tuple[int, str]] = {}
    variant_rows: dict[str, int] = {}
    categories: dict[str, Row] = {}
    for row in rows:
        check = _Checker(path, row)
        product_id = check.text("product_id", required=True)
        product = products.get(product_id)
        if product is None:
            product = {
                "id": product_id,
                "name": check.text("title", required=True),
                "description": check.text("description"),
                "brand": check.text("brand"),
                "category_slug": None,
                "attributes": check.json_object("attributes"),
                "image_url": check.text("image_url") or f"/img/products/{product_id}.svg",
                "source": "feed",
            }
            category = check.text("category")
            if category:
                slug = slugify(category)
                categories.setdefault(slug, category_row(slug, category))
                product["category_slug"] = slug
            products[product_id] = product
            for name in PRODUCT_FIELDS:
                if check.present(name):
                    first_given[(product_id, name)] = (row.where, check.raw_text(name))
        else:
            _check_consistent(row, product_id, first_given, check)
        variant_id = check.text("variant_id") or check.text("sku")
        if not variant_id:
            raise check.fail("variant_id", "required (or give 'sku')")
        check.max_length("variant_id", variant_id)
        if variant_id in variant_rows:
            raise check.fail(
                "variant_id", f"{variant_id!r} already used on row {variant_rows[variant_id]}"
            )
        variant_rows[variant_id] = row.where
        data.variants.append(
            {
                "id": variant_id,
                "product_id": product_id,
                "options": check.options(),
                "price": check.price(),
                "currency": check.currency(),
                "stock": check.stock(),
                "available": check.boolean("available", default=True),
            }
        )
    data.products = list(products.values())
    data.categories = list(categories.values())
    return data


def _check_consistent(
    row: FeedRow,
    product_id: str,
    first_given: dict[tuple[str, str], tuple[int, str]],
    check: _Checker,
) -> None:
    """A product's later rows may repeat its fields or leave them blank, not contradict them."""
    for name in PRODUCT_FIELDS:
        if not check.present(name):
            continue
        given = first_given.get((product_id, name))
        if given is None:
            raise check.fail(
                name, f"product {product_id!r} was first listed without it; give it there"
            )
        origin, text = given
        if text != check.raw_text(name):
            raise check.fail(name, f"differs from the value on row {origin} for {product_id!r}")


class _Checker:
    """Validation of one row's fields; every failure names the file, row and field."""

    def __init__(self, path: Path, row: FeedRow) -> None:
        self.path = path
        self.row = row

    def fail(self, field: str, message: str) -> FeedError:
        return FeedError(self.path, self.row.where, self.row.field_name(field), message)

    def raw_text(self, name: str) -> str:
        value = self.row.values.get(name)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            return json.dumps(value, sort_keys=True)
        return str(value).strip()

    def present(self, name: str) -> bool:
        return self.raw_text(name) != ""

    def text(self, name: str, required: bool = False) -> str:
        value = self.row.values.get(name)
        if value is not None and not isinstance(value, str | int):
            raise self.fail(name, "must be text")
        text = self.raw_text(name)
        if required and not text:
            raise self.fail(name, "required but empty")
        self.max_length(name, text)
        return text

    def max_length(self, name: str, text: str) -> None:
        limit = MAX_LENGTH.get(name)
        if limit and len(text) > limit:
            raise self.fail(name, f"longer than {limit} characters")

    def json_object(self, name: str) -> dict[str, Any]:
        value = self.row.values.get(name)
        if value in (None, ""):
            return {}
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except json.JSONDecodeError as exc:
                raise self.fail(name, f"not valid JSON ({exc.msg})") from None
        if not isinstance(value, dict):
            raise self.fail(name, "must be a JSON object")
        return value

    def options(self) -> dict[str, Any]:
        options = self.json_object("options")
        for n in (1, 2, 3):
            key, value = self.raw_text(f"option{n}_name"), self.raw_text(f"option{n}_value")
            if key and not value:
                raise self.fail(f"option{n}_value", f"empty while option{n}_name is {key!r}")
            if value and not key:
                raise self.fail(f"option{n}_name", f"empty while option{n}_value is {value!r}")
            if key:
                options[key.lower()] = value
        return options

    def price(self) -> Decimal:
        text = self.raw_text("price").lstrip("$")
        if not text:
            raise self.fail("price", "required but empty")
        try:
            price = Decimal(text)
        except InvalidOperation:
            raise self.fail("price", f"not a number: {text!r}") from None
        if not price.is_finite():
            raise self.fail("price", f"not a number: {text!r}")
        if price < 0:
            raise self.fail("price", f"must not be negative: {text}")
        if price > MAX_PRICE:
            raise self.fail("price", f"too large: {text}")
        if price != money(price):
            raise self.fail("price", f"more than 2 decimal places: {text}")
        return money(price)

    def currency(self) -> str:
        text = self.raw_text("currency").upper() or "USD"
        if not CURRENCY.match(text):
            raise self.fail("currency", f"not a 3-letter currency code: {text!r}")
        return text

    def stock(self) -> int:
        value = self.row.values.get("stock")
        if value in (None, ""):
            return 0
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise self.fail("stock", f"not a whole number: {value!r}")
        try:
            stock = int(str(value).strip())
        except ValueError:
            raise self.fail("stock", f"not a whole number: {value!r}") from None
        if stock < 0:
            raise self.fail("stock", f"must not be negative: {stock}")
        return stock

    def boolean(self, name: str, default: bool) -> bool:
        value = self.row.values.get(name)
        if value in (None, ""):
            return default
        if isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise self.fail(name, f"expected true/false, got {value!r}")
