"""The demo shop: generated deterministically, big and varied enough, loads idempotently."""

from __future__ import annotations

import json
import re
from collections import Counter
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from bot.db import models as m
from bot.db.session import Database
from bot.shop.demo import read_demo
from bot.shop.demo_gen import generate_demo_shop, write_demo_shop
from bot.shop.loader import load_shop_data
from bot.shop.tau import read_tau
from tests.shop.conftest import row_counts, snapshot


def test_generator_is_deterministic_and_matches_committed_files(
    tmp_path: Path, demo_dir: Path
) -> None:
    write_demo_shop(generate_demo_shop(), tmp_path)
    for name in ("categories", "products", "customers", "orders"):
        assert (tmp_path / f"{name}.json").read_bytes() == (demo_dir / f"{name}.json").read_bytes()
    assert generate_demo_shop(7) == generate_demo_shop(7)
    assert generate_demo_shop(7)["products"] != generate_demo_shop(8)["products"]


def test_demo_data_has_the_promised_shape(demo_dir: Path) -> None:
    products = json.loads((demo_dir / "products.json").read_text())
    customers = json.loads((demo_dir / "customers.json").read_text())
    orders = json.loads((demo_dir / "orders.json").read_text())
    assert len(products) >= 300
    assert len({p["category"] for p in products}) >= 8
    assert len({p["name"] for p in products}) == len(products)
    for product in products:
        sentences = re.findall(r"[.!?](?:\s|$)", product["description"])
        assert 2 <= len(sentences) <= 4, product["description"]
        assert product["image_url"] == f"/img/products/{product['id']}.svg"
        assert product["variants"] and product["brand"]
        for variant in product["variants"]:
            assert variant["id"].startswith("SB-V" + product["id"][4:])
            assert Decimal(variant["price"]) > 0
    stocks = [v["stock"] for p in products for v in p["variants"]]
    assert 0 in stocks and max(stocks) > 0
    sizes = {v["options"]["size"] for p in products if p["category"] == "footwear"
             for v in p["variants"]}  # fmt: skip
    assert sizes == {str(s) for s in range(38, 47)}

    assert len(customers) >= 100
    kinds = Counter(pm["kind"] for c in customers for pm in c["payment_methods"])
    assert set(kinds) == {"credit_card", "gift_card", "paypal"}
    assert all(1 <= len(c["payment_methods"]) <= 3 for c in customers)
    assert all(c["email"].endswith("@example.com") and c["address"]["zip"] for c in customers)

    assert len(orders) >= 300
    assert {o["status"] for o in orders} == {str(s) for s in m.OrderStatus}
    for order in orders:
        shipped = order["status"] in ("processed", "delivered", "return requested",
                                      "exchange requested")  # fmt: skip
        assert bool(order["fulfilments"]) == shipped
        refunds = [t for t in order["transactions"] if t["kind"] == "refund"]
        assert bool(refunds) == (order["status"] == "cancelled")
        paid = sum(Decimal(t["amount"]) for t in order["transactions"] if t["kind"] == "payment")
        assert paid == sum(Decimal(line["price"]) for line in order["lines"])
    months = {o["created_at"][:7] for o in orders}
    assert len(months) >= 4


def test_demo_has_good_retrieval_targets(demo_dir: Path) -> None:
    products = json.loads((demo_dir / "products.json").read_text())
    red_waterproof_44 = [
        p for p in products
        if "Trail Running Shoe" in p["name"] and p["attributes"]["waterproof"]
        and any(v["options"] == {"colour": "red", "size": "44"} and v["available"]
                and v["stock"] > 0 for v in p["variants"])
    ]  # fmt: skip
    assert red_waterproof_44
    rain_jackets = [p for p in products if p["name"].endswith("Rain Jacket")]
    cheap = [p for p in rain_jackets if min(Decimal(v["price"]) for v in p["variants"]) < 120]
    assert len(cheap) >= 3 and len(cheap) < len(rain_jackets)


def test_demo_load_counts_and_idempotence(db: Database, demo_dir: Path) -> None:
    products = json.loads((demo_dir / "products.json").read_text())
    orders = json.loads((demo_dir / "orders.json").read_text())
    report = load_shop_data(db, read_demo(demo_dir))
    assert report.tables["products"].created == len(products)
    assert report.tables["variants"].created == sum(len(p["variants"]) for p in products)
    assert report.tables["orders"].created == len(orders)
    with db.session() as s:
        statuses = set(s.scalars(select(m.Order.status).distinct()))
        assert statuses == {str(status) for status in m.OrderStatus}
        assert s.scalar(select(func.count()).select_from(m.Category)) >= 8
        assert s.scalar(
            select(func.count()).select_from(m.OrderLine).where(m.OrderLine.return_requested)
        )
        assert s.scalar(
            select(func.count())
            .select_from(m.OrderLine)
            .where(m.OrderLine.exchange_variant_id.is_not(None))
        )
    before = snapshot(db)
    again = load_shop_data(db, read_demo(demo_dir))
    assert again.changed == 0
    assert snapshot(db) == before


def test_demo_load_imports_the_chinese_copy(db: Database, demo_dir: Path) -> None:
    chinese = json.loads((demo_dir / "products.zh.json").read_text(encoding="utf-8"))
    products = json.loads((demo_dir / "products.json").read_text(encoding="utf-8"))
    assert set(chinese) == {p["id"] for p in products}  # every product has a Chinese name
    described = {pid for pid, zh in chinese.items() if zh.get("description")}
    assert 150 <= len(described) < len(products)  # the rest is described only in English
    load_shop_data(db, read_demo(demo_dir))
    with db.session() as s:
        shoe = s.get(m.Product, "SB-P0001")
        assert shoe is not None and shoe.name_zh == chinese["SB-P0001"]["name"]
        assert shoe.description_zh == chinese["SB-P0001"]["description"]
        assert "越野 野跑 跑鞋" in shoe.search_zh  # characters and character pairs
        english_only = s.get(m.Product, sorted(set(chinese) - described)[0])
        assert english_only is not None and english_only.name_zh
        assert english_only.description_zh is None and english_only.description
        languages = Counter(s.scalars(select(m.PolicyPassage.language)))
        assert languages["zh"] == languages["en"] > 10


def test_chinese_copy_of_an_unknown_product_is_an_error(tmp_path: Path, demo_dir: Path) -> None:
    import shutil

    import pytest

    from bot.shop.errors import FeedError

    folder = tmp_path / "demo"
    shutil.copytree(demo_dir, folder)
    (folder / "products.zh.json").write_text('{"SB-P9999": {"name": "不存在的商品"}}')
    with pytest.raises(FeedError, match="SB-P9999"):
        read_demo(folder)


def test_demo_and_tau_share_one_database(db: Database, demo_dir: Path, tau_dir: Path) -> None:
    """Ids never collide: loading both gives the sum of both, categories shared by slug."""
    load_shop_data(db, read_demo(demo_dir))
    demo_counts = row_counts(db)
    tau = load_shop_data(db, read_tau(tau_dir))
    both = row_counts(db)
    assert tau.tables["categories"].updated == 0
    for table, label in (("products", "products"), ("customers", "customers"),
                         ("payment_methods", "payment methods"), ("orders", "orders")):  # fmt: skip
        assert both[table] == demo_counts[table] + tau.tables[label].created
        assert tau.tables[label].updated == 0
