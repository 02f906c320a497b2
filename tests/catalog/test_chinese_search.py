"""Chinese search: the character-pair keyword index, the multilingual vectors, the filters.

The catalog is the small fixture catalog (tests/catalog/conftest.py) with Chinese names and
descriptions added to some products. The tent, like a third of the demo shop, has a Chinese
name but is described only in English ("Freestanding tent for two sleepers ..."): a Chinese
query about what only the English description says must reach it through the multilingual
vectors.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from bot.catalog import SearchFilters, parse_filters, search_products
from bot.catalog.cards import product_card
from bot.catalog.embeddings import embed_catalog, invalidate_caches
from bot.db.models import Product
from bot.db.session import Database
from bot.texts import use_locale
from bot.texts.segment import chinese_pairs, has_chinese, index_text

CHINESE = {
    "SB-P0001": (
        "Northpeak Ridgeline 防水越野跑鞋",
        "防水越野跑鞋，深齿大底，泥泞湿滑的山路也抓地。",
    ),
    "SB-P0003": (
        "Northpeak Stormshell 防水冲锋衣",
        "轻量透气的防水冲锋衣，长距离徒步遇到大雨也不怕。",
    ),
    "SB-P0005": ("Campfire 圆顶帐篷", None),
    "SB-P0006": ("Sonora 主动降噪耳机", None),
    "SB-P0007": ("Campfire 不锈钢保温杯", "双层真空保温杯，咖啡保温十二小时，杯盖防漏。"),
}


def _add_chinese(db: Database) -> None:
    with db.transaction() as s:
        for pid, (name, description) in CHINESE.items():
            product = s.get(Product, pid)
            assert product is not None
            product.name_zh, product.description_zh = name, description
            product.search_zh = index_text(name, description)
    invalidate_caches()


@pytest.fixture
def zh_db(catalog_db: Database) -> Database:
    _add_chinese(catalog_db)
    return catalog_db


@pytest.fixture
def embedded_zh_db(sqlite_db: Database) -> Iterator[Database]:
    from bot.catalog.keyword import ensure_search_indexes
    from tests.catalog.conftest import load_catalog

    ensure_search_indexes(sqlite_db)
    load_catalog(sqlite_db)
    _add_chinese(sqlite_db)
    embed_catalog(sqlite_db)
    yield sqlite_db
    invalidate_caches()


def test_segmenter_cuts_chinese_into_pairs() -> None:
    assert has_chinese("我想退货 order #S1000029") and not has_chinese("rain jacket")
    assert chinese_pairs("我想要防水的越野跑鞋") == ["防水", "越野", "野跑", "跑鞋"]
    assert chinese_pairs("包") == ["包"]
    assert index_text("跑鞋", None) == "跑 鞋 跑鞋"


def test_chinese_keyword_search_finds_a_product_by_its_chinese_name(zh_db: Database) -> None:
    hits = search_products(zh_db, "防水冲锋衣", mode="keyword", filters=SearchFilters())
    assert hits[0].product_id == "SB-P0003"
    assert hits[0].name_zh == "Northpeak Stormshell 防水冲锋衣"
    assert any("keyword zh" in w for w in hits[0].why)
    # A word of the Chinese description, and a brand in Latin letters next to Chinese.
    assert search_products(zh_db, "保温杯", mode="keyword")[0].product_id == "SB-P0007"
    hits = search_products(zh_db, "Sonora 耳机", mode="keyword", filters=SearchFilters())
    assert hits[0].product_id == "SB-P0006"


def test_chinese_index_follows_updates(zh_db: Database) -> None:
    with zh_db.transaction() as s:
        product = s.get(Product, "SB-P0008")
        assert product is not None
        product.name_zh = "Basics 有机棉圆领T恤"
        product.search_zh = index_text(product.name_zh)
    hits = search_products(zh_db, "圆领T恤", mode="keyword", filters=SearchFilters())
    assert hits[0].product_id == "SB-P0008"


def test_chinese_query_finds_a_product_described_only_in_english(
    embedded_zh_db: Database,
) -> None:
    # "for two people to sleep in when camping": no word of it is in the Chinese name.
    query = "两个人露营睡觉用的"
    assert search_products(embedded_zh_db, query, mode="keyword") == []
    hits = search_products(embedded_zh_db, query, limit=3)
    assert hits[0].product_id == "SB-P0005"
    assert [w.split(" (")[0] for w in hits[0].why] == ["semantic #1"]
    # "can't hear the engine on a plane": only the English description says "flights".
    assert search_products(embedded_zh_db, "坐飞机时听不到引擎声", limit=1)[0].product_id == (
        "SB-P0006"
    )
    # English queries still use the English model and find the same products as before.
    assert search_products(embedded_zh_db, "tent for two", limit=1)[0].product_id == "SB-P0005"


def test_chinese_filters() -> None:
    f = parse_filters("100刀以下的红色越野跑鞋，42码，要有货")
    assert (f.max_price, f.colour, f.size, f.in_stock) == (Decimal("100"), "red", "42", True)
    f = parse_filters("50到80美元之间的T恤")
    assert (f.min_price, f.max_price) == (Decimal("50"), Decimal("80"))
    assert parse_filters("不超过30块的充电宝").min_price is None
    assert parse_filters("2人帐篷").is_empty()  # a count is not a size or a price
    # a colour named after a thing needs 色: coffee and olives are no colours
    assert parse_filters("泡咖啡那种往下压的玻璃壶").colour is None
    assert parse_filters("橄榄油瓶").colour is None
    assert parse_filters("咖啡色的皮带").colour == "brown"


def test_cards_show_the_chinese_name_to_a_chinese_shopper(zh_db: Database) -> None:
    [hit] = search_products(zh_db, "防水冲锋衣", mode="keyword", limit=1)
    assert product_card(hit)["name"] == "Stormshell Rain Jacket"
    with use_locale("zh"):
        card = product_card(hit)
    assert card["name"] == "Northpeak Stormshell 防水冲锋衣"
    assert card["summary"] == "轻量透气的防水冲锋衣，长距离徒步遇到大雨也不怕。"
