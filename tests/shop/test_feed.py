"""The product feed importer: valid CSV and JSON load; bad input is located and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db import models as m
from bot.db.session import Database
from bot.shop.errors import FeedError, ShopDataError
from bot.shop.feed import read_feed
from bot.shop.loader import load_shop_data
from bot.shop.records import ShopData
from tests.shop.conftest import snapshot

HEADER = (
    "product_id,title,brand,category,description,variant_id,option1_name,option1_value,"
    "option2_name,option2_value,price,currency,stock,available,attributes\n"
)
GOOD_CSV = HEADER + (
    'TR-100,Ridge Trail Shoe,Acme Outdoor,Footwear,"Waterproof trail shoe, 310 g.",'
    'TR-100-R44,Colour,red,size,44,129.00,USD,5,true,"{""waterproof"": true}"\n'
    "TR-100,,,,,TR-100-R45,colour,red,size,45,129,,0,yes,\n"
    "BG-7,Canal Tote,Acme Outdoor,Bags & Backpacks,Waxed canvas tote.,BG-7-N,colour,navy,,,"
    "$45.5,usd,12,false,\n"
)
GOOD_JSON = {
    "products": [
        {
            "product_id": "JS-1",
            "title": "Glacier Bottle",
            "brand": "Acme Home",
            "category": "Home & Kitchen",
            "attributes": {"insulated": True},
            "variants": [
                {"id": "JS-1-500", "options": {"capacity": "500 ml"}, "price": "19.99", "stock": 4},
                {
                    "variant_id": "JS-1-750",
                    "options": {"capacity": "750 ml"},
                    "price": 24,
                    "stock": "0",
                    "available": True,
                },
            ],
        },  # fmt: skip
        {"product_id": "JS-2", "title": "Camp Mug", "sku": "JS-2-G", "price": 9.5},
    ]
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_feed_loads(db: Database, tmp_path: Path) -> None:
    feed = _write(tmp_path, "shop.csv", GOOD_CSV)
    report = load_shop_data(db, read_feed(feed))
    assert report.tables["products"].created == 2
    assert report.tables["variants"].created == 3
    with db.session() as s:
        shoe = s.get(m.Product, "TR-100")
        assert shoe.name == "Ridge Trail Shoe" and shoe.source == "feed"
        assert shoe.category.slug == "footwear" and shoe.category.name == "Footwear"
        assert shoe.attributes == {"waterproof": True}
        assert shoe.image_url == "/img/products/TR-100.svg"
        assert [v.options for v in shoe.variants] == [
            {"colour": "red", "size": "44"},
            {"colour": "red", "size": "45"},
        ]
        tote = s.get(m.Variant, "BG-7-N")
        assert (str(tote.price), tote.currency, tote.stock, tote.available) == (
            "45.50", "USD", 12, False
        )  # fmt: skip
        assert s.get(m.Product, "BG-7").category.slug == "bags-backpacks"
    before = snapshot(db)
    assert load_shop_data(db, read_feed(feed)).changed == 0
    assert snapshot(db) == before

    # A changed price is an update of that one variant only.
    _write(tmp_path, "shop.csv", GOOD_CSV.replace("$45.5", "49.00"))
    report = load_shop_data(db, read_feed(feed))
    assert (report.tables["variants"].updated, report.tables["variants"].unchanged) == (1, 2)
    assert report.tables["products"].updated == 0


def test_json_feed_loads(db: Database, tmp_path: Path) -> None:
    feed = _write(tmp_path, "shop.json", json.dumps(GOOD_JSON))
    report = load_shop_data(db, read_feed(feed))
    assert report.tables["products"].created == 2
    assert report.tables["variants"].created == 3
    with db.session() as s:
        bottle = s.get(m.Product, "JS-1")
        assert bottle.attributes == {"insulated": True}
        assert [(v.id, str(v.price), v.stock) for v in bottle.variants] == [
            ("JS-1-500", "19.99", 4),
            ("JS-1-750", "24.00", 0),
        ]
        mug = s.get(m.Product, "JS-2")
        assert mug.category_id is None and [v.id for v in mug.variants] == ["JS-2-G"]
    assert load_shop_data(db, read_feed(feed)).changed == 0


BAD_CSV_CASES = [
    # (description, replace this, with this, expected row, expected field, message part)
    ("bad price", "129.00,USD", "12,9x,USD", 2, None, None),
    ("price text", "129.00,USD", "twelve,USD", 2, "price", "not a number"),
    ("negative price", "129.00,USD", "-1,USD", 2, "price", "negative"),
    ("three decimals", "$45.5", "45.555", 4, "price", "2 decimal places"),
    ("missing title", "BG-7,Canal Tote,", "BG-7,,", 4, "title", "required"),
    ("negative stock", "USD,5,true", "USD,-5,true", 2, "stock", "negative"),
    ("stock not int", "USD,5,true", "USD,5.5,true", 2, "stock", "whole number"),
    ("bad boolean", "0,yes,", "0,perhaps,", 3, "available", "true/false"),
    ("bad currency", "129.00,USD", "129.00,DOLLARS", 2, "currency", "currency"),
    ("conflicting title", "TR-100,,,,,", "TR-100,Other Shoe,,,,", 3, "title", "differs"),
    ("duplicate variant", "TR-100-R45", "TR-100-R44", 3, "variant_id", "already used on row 2"),
    ("option without value", "size,45", "size,", 3, "option2_value", "empty"),
    ("bad attributes", '"{""waterproof"": true}"', "{not json", 2, "attributes", "JSON"),
]


@pytest.fixture
def preloaded(db: Database, tmp_path: Path) -> Database:
    """A database that already holds a feed, so 'unchanged' means more than 'still empty'."""
    seed = _write(tmp_path, "seed.json", json.dumps(GOOD_JSON))
    load_shop_data(db, read_feed(seed))
    return db


@pytest.mark.parametrize(("case", "old", "new", "row", "field", "part"), BAD_CSV_CASES)
def test_malformed_csv_is_located_and_writes_nothing(
    preloaded: Database, tmp_path: Path, case: str, old: str, new: str, row: int,
    field: str | None, part: str | None,
) -> None:  # fmt: skip
    assert old in GOOD_CSV, case
    feed = _write(tmp_path, "broken.csv", GOOD_CSV.replace(old, new, 1))
    before = snapshot(preloaded)
    with pytest.raises(FeedError) as caught:
        load_shop_data(preloaded, read_feed(feed))
    error = caught.value
    assert error.file == str(feed)
    if field is None:  # "12,9x" shifts the columns: the row is named, the field may vary
        assert error.row == row
        assert "more cells" in error.message or error.field
    else:
        assert (error.row, error.field) == (row, field), str(error)
        assert part in error.message
        assert f"row {row}" in str(error) and f"'{field}'" in str(error)
    assert snapshot(preloaded) == before


def test_missing_required_column(tmp_path: Path) -> None:
    feed = _write(tmp_path, "nocol.csv", GOOD_CSV.replace("title,", "name,", 1))
    with pytest.raises(FeedError) as caught:
        read_feed(feed)
    assert (caught.value.row, caught.value.field) == (1, "title")


@pytest.mark.parametrize(
    ("text", "row", "field", "part"),
    [
        ('[{"product_id": "X", "title": "Y", "sku": "X1"', None, None, "not valid JSON"),
        ('{"items": []}', None, None, "expected a list"),
        ('[{"product_id": "X", "sku": "X1", "price": 1}]', 1, "title", "required"),
        ('[{"product_id": "X", "title": "Y", "sku": "X1", "price": 1},'
         ' {"product_id": "Z", "title": "W", "variants": [{"id": "Z1", "price": "abc"}]}]',
         2, "variants[0].price", "not a number"),
        ('[{"product_id": "X", "title": "Y", "variants": [{"id": "X1", "price": 1, "stock": -2}]}]',
         1, "variants[0].stock", "negative"),
        ('[{"product_id": "X", "title": "Y", "variants": []}]', 1, "variants", "non-empty"),
    ],
)  # fmt: skip
def test_malformed_json_is_located_and_writes_nothing(
    preloaded: Database, tmp_path: Path, text: str, row: int | None, field: str | None, part: str
) -> None:
    feed = _write(tmp_path, "broken.json", text)
    before = snapshot(preloaded)
    with pytest.raises(FeedError) as caught:
        load_shop_data(preloaded, read_feed(feed))
    error = caught.value
    assert error.file == str(feed) and part in error.message, str(error)
    assert (error.row, error.field) == (row, field), str(error)
    assert snapshot(preloaded) == before


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match="file not found"):
        read_feed(tmp_path / "nope.csv")
    with pytest.raises(FeedError, match="use .csv or .json"):
        read_feed(_write(tmp_path, "shop.xml", "<x/>"))
    with pytest.raises(FeedError, match="no product rows"):
        read_feed(_write(tmp_path, "empty.csv", HEADER))


def test_database_failure_midway_rolls_back_everything(preloaded: Database) -> None:
    """A row the database rejects late (an order for an unknown customer) undoes all rows."""
    before = snapshot(preloaded)
    data = ShopData(source="broken")
    data.categories = [{"slug": "extra", "name": "Extra", "description": ""}]
    data.products = [
        {"id": "NEW-1", "name": "New", "description": "", "brand": "", "category_slug": "extra",
         "attributes": {}, "image_url": "", "source": "feed"}
    ]  # fmt: skip
    data.add_order(
        {"id": "#X0000001", "customer_id": "nobody_here_0000", "status": "pending",
         "items_modified": False, "cancel_reason": None, "address1": "", "address2": "",
         "city": "", "state": "", "zip": "", "country": "", "currency": "USD",
         "created_at": None},
        [], [], [],
    )  # fmt: skip
    data.orders[0].pop("created_at")
    with pytest.raises(ShopDataError, match="nothing was written"):
        load_shop_data(preloaded, data)
    assert snapshot(preloaded) == before
    with preloaded.session() as s:
        assert s.scalar(select(m.Product).where(m.Product.id == "NEW-1")) is None
