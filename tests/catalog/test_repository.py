"""CatalogRepository: the catalog reads the storefront, answers, NLU and insights share."""

from __future__ import annotations

from bot.catalog.repository import CatalogRepository
from bot.db.session import Database
from tests.catalog.conftest import CATEGORY_NAMES, PRODUCTS


def test_products_keep_the_ranking_and_drop_unknown_ids(catalog_db: Database) -> None:
    with catalog_db.session() as s:
        found = CatalogRepository(s).products_in_order(["SB-P0003", "nope", "SB-P0001", "SB-P0003"])
        assert [p.id for p in found] == ["SB-P0003", "SB-P0001"]
        assert found[0].category is not None and found[0].category.slug == "outdoor-apparel"
        assert {v.options["color"] for v in found[0].variants} == {"blue", "yellow"}
        assert CatalogRepository(s).products_in_order([]) == []


def test_product_page_filters_by_words_and_category_in_name_order(catalog_db: Database) -> None:
    with catalog_db.session() as s:
        repo = CatalogRepository(s)
        everything = repo.product_page(category=None, name_words=None, page=1, page_size=3)
        assert everything.total == len(PRODUCTS)
        names = [p.name for p in everything.products]
        assert names == sorted(names) and len(names) == 3
        northpeak = repo.product_page(category=None, name_words="NORTHPEAK", page=1, page_size=9)
        assert {p.id for p in northpeak.products} == {"SB-P0001", "SB-P0003"}
        footwear = repo.category_by_slug("footwear")
        assert footwear is not None
        shoes = repo.product_page(category=footwear, name_words="leather", page=1, page_size=9)
        assert [p.id for p in shoes.products] == ["SB-P0002"] and shoes.total == 1
        assert repo.product_page(category=None, name_words="100%", page=1, page_size=9).total == 0


def test_categories_names_brands_and_counts(catalog_db: Database) -> None:
    with catalog_db.session() as s:
        repo = CatalogRepository(s)
        counts = {c.slug: n for c, n in repo.categories_with_counts()}
        assert set(counts) == set(CATEGORY_NAMES)
        assert counts["footwear"] == sum(1 for p in PRODUCTS if p[3] == "footwear")
        names = repo.category_names()
        assert names["footwear"] == names["footwear".lower()] == "Footwear"
        assert names["outdoor & hiking apparel"] == "Outdoor & Hiking Apparel"
        assert {"Northpeak", "Urbano"} <= repo.brands()
        assert repo.product_count() == len(PRODUCTS)
        assert repo.product("SB-P0004", variants=False) is not None
        assert repo.product("SB-P9999") is None
