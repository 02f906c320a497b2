"""The τ-bench import: every record arrives, derived values are stable, re-import is a no-op."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.db import models as m
from bot.db.session import Database
from bot.shop.derive import created_at_for, stock_for
from bot.shop.errors import FeedError
from bot.shop.loader import load_shop_data
from bot.shop.tau import read_tau
from tests.shop.conftest import snapshot


def _expected(tau_dir: Path) -> dict[str, int]:
    products = json.loads((tau_dir / "products.json").read_text())
    users = json.loads((tau_dir / "users.json").read_text())
    orders = json.loads((tau_dir / "orders.json").read_text())
    return {
        "products": len(products),
        "variants": sum(len(p["variants"]) for p in products.values()),
        "customers": len(users),
        "payment methods": sum(len(u["payment_methods"]) for u in users.values()),
        "orders": len(orders),
        "order lines": sum(len(o["items"]) for o in orders.values()),
        "fulfilments": sum(
            len(f["tracking_id"]) for o in orders.values() for f in o["fulfillments"]
        ),
        "transactions": sum(len(o["payment_history"]) for o in orders.values()),
        "refunds": sum(
            t["transaction_type"] == "refund" for o in orders.values() for t in o["payment_history"]
        ),
    }


def test_tau_import_loads_every_record(db: Database, tau_dir: Path) -> None:
    expected = _expected(tau_dir)
    # The numbers, and what the JSON files actually hold.
    assert (expected["products"], expected["variants"]) == (50, 591)
    assert (expected["customers"], expected["orders"]) == (500, 1000)
    assert expected["payment methods"] == 695
    assert expected["fulfilments"] == 577
    assert (expected["transactions"], expected["refunds"]) == (1102, 102)

    report = load_shop_data(db, read_tau(tau_dir))

    for table in ("products", "variants", "customers", "payment methods", "orders",
                  "order lines", "fulfilments", "transactions"):  # fmt: skip
        assert report.tables[table].created == expected[table], table
    with db.session() as s:

        def count(model: type[m.Base], *where: object) -> int:
            return s.scalar(select(func.count()).select_from(model).where(*where))

        assert count(m.Product) == 50
        assert count(m.Variant) == 591
        assert count(m.Customer) == 500
        assert count(m.PaymentMethod) == 695
        assert count(m.Order) == 1000
        assert count(m.OrderLine) == expected["order lines"]
        assert count(m.Fulfilment) == 577
        assert count(m.Transaction) == 1102
        assert count(m.Transaction, m.Transaction.kind == "refund") == 102
        assert count(m.Product, m.Product.category_id.is_(None)) == 0
        by_kind = dict(s.execute(select(m.PaymentMethod.kind, func.count())
                                 .group_by(m.PaymentMethod.kind)).all())  # fmt: skip
        assert by_kind == {"credit_card": 239, "gift_card": 234, "paypal": 222}


def test_tau_records_keep_their_details(db: Database, tau_dir: Path) -> None:
    orders = json.loads((tau_dir / "orders.json").read_text())
    load_shop_data(db, read_tau(tau_dir))
    with db.session() as s:
        order = s.get(m.Order, "#W2611340")
        assert order is not None and order.status == "processed"
        assert order.customer_id == "james_li_5688" and order.zip == "10083"
        assert [line.variant_id for line in order.lines] == ["6469567736", "8426249116"]
        assert str(order.total) == "536.65"
        [fulfilment] = order.fulfilments
        assert fulfilment.tracking_id == "357962501027"
        assert fulfilment.variant_ids == ["6469567736", "8426249116"]
        [payment] = order.transactions
        assert (payment.kind, str(payment.amount)) == ("payment", "536.65")
        assert payment.payment_method_id == "gift_card_1725971"
        assert order.created_at.replace(tzinfo=None) == created_at_for(
            "#W2611340", "processed"
        ).replace(tzinfo=None)

        # Repeated items stay repeated lines, in their original order.
        with_duplicates = next(
            oid for oid, o in orders.items()
            if len({i["item_id"] for i in o["items"]}) < len(o["items"])
        )  # fmt: skip
        stored = s.get(m.Order, with_duplicates)
        assert [line.variant_id for line in stored.lines] == [
            i["item_id"] for i in orders[with_duplicates]["items"]
        ]
        assert [line.position for line in stored.lines] == list(range(len(stored.lines)))

        card = s.get(m.PaymentMethod, "credit_card_7815826")
        assert (card.brand, card.last_four, card.customer_id) == (
            "mastercard", "9212", "noah_brown_6181"
        )  # fmt: skip
        gift_cards = s.scalars(select(m.PaymentMethod).where(m.PaymentMethod.kind == "gift_card"))
        assert all(g.balance is not None for g in gift_cards)

        variant = s.get(m.Variant, "9612497925")
        assert variant.stock == stock_for("9612497925", variant.available)
        assert s.scalar(select(func.count()).select_from(m.Variant).where(m.Variant.stock == 0))
        shirt = s.get(m.Product, "9523456873")
        assert shirt.category.slug == "casual-clothing"
        assert "12 versions" in shirt.description and "crew neck" in shirt.description
        assert shirt.image_url == "/img/products/9523456873.svg"


def test_tau_reimport_changes_nothing(db: Database, tau_dir: Path) -> None:
    load_shop_data(db, read_tau(tau_dir))
    before = snapshot(db)

    report = load_shop_data(db, read_tau(tau_dir))

    assert report.changed == 0
    assert all(c.created == 0 and c.updated == 0 for c in report.tables.values())
    assert report.tables["orders"].unchanged == 1000
    assert report.tables["order lines"].unchanged == len(before["order_lines"])
    assert snapshot(db) == before


def test_tau_reimport_repairs_changed_rows(db: Database, tau_dir: Path) -> None:
    """Re-importing restores source values that were edited, and only those."""
    load_shop_data(db, read_tau(tau_dir))
    with db.transaction() as s:
        s.get(m.Variant, "9612497925").price = 1
        order = s.get(m.Order, "#W2611340")
        order.lines[0].price = 0
        order.status = "cancelled"
    report = load_shop_data(db, read_tau(tau_dir))
    assert report.tables["variants"].updated == 1
    assert report.tables["orders"].updated == 1
    assert report.tables["order lines"].updated == 2  # the order's two lines were rewritten
    assert report.tables["customers"].updated == 0
    with db.session() as s:
        assert str(s.get(m.Variant, "9612497925").price) == "50.88"
        assert s.get(m.Order, "#W2611340").status == "processed"
        assert Counter(str(line.price) for line in s.get(m.Order, "#W2611340").lines) == Counter(
            ["47.84", "488.81"]
        )


def _tiny_tau(folder: Path, price: object = 10.5) -> Path:
    """A two-record data set in τ-bench's shape (written by the test, not copied)."""
    folder.mkdir(parents=True, exist_ok=True)
    products = {"111": {"name": "Mug", "product_id": "111", "variants": {
        "222": {"item_id": "222", "options": {"color": "red"}, "available": True,
                "price": price}}}}  # fmt: skip
    users = {"ann_lee_1": {"name": {"first_name": "Ann", "last_name": "Lee"},
                           "address": {"address1": "1 Main St", "address2": "", "city": "Reno",
                                       "country": "USA", "state": "NV", "zip": "89501"},
                           "email": "ann@example.com",
                           "payment_methods": {"paypal_1": {"source": "paypal",
                                                            "id": "paypal_1"}},
                           "orders": ["#W0000001"]}}  # fmt: skip
    orders = {"#W0000001": {"order_id": "#W0000001", "user_id": "ann_lee_1",
                            "address": users["ann_lee_1"]["address"],
                            "items": [{"name": "Mug", "product_id": "111", "item_id": "222",
                                       "price": 10.5, "options": {"color": "red"}}] * 2,
                            "fulfillments": [], "status": "pending",
                            "payment_history": [{"transaction_type": "payment", "amount": 21.0,
                                                 "payment_method_id": "paypal_1"}]}}  # fmt: skip
    for name, content in (("products", products), ("users", users), ("orders", orders)):
        (folder / f"{name}.json").write_text(json.dumps(content))
    return folder


def test_tau_shaped_input_errors_are_located(db: Database, tmp_path: Path) -> None:
    good = load_shop_data(db, read_tau(_tiny_tau(tmp_path / "good")))
    assert good.tables["order lines"].created == 2
    before = snapshot(db)
    bad = _tiny_tau(tmp_path / "bad", price="ten")
    with pytest.raises(FeedError) as caught:
        read_tau(bad)
    assert caught.value.file == str(bad / "products.json")
    assert (caught.value.row, caught.value.field) == ("111/222", "price")
    assert "record 111/222, field 'price'" in str(caught.value)
    (bad / "products.json").write_text("{")
    with pytest.raises(FeedError, match="not valid JSON"):
        read_tau(bad)
    with pytest.raises(FeedError, match="file not found"):
        read_tau(tmp_path / "missing")
    assert snapshot(db) == before
