"""Keyword search on SQLite FTS5 and PostgreSQL full text, and keeping the index in sync."""

from __future__ import annotations

from sqlalchemy import select

from bot.catalog import SearchFilters, ensure_search_indexes, rebuild_keyword_index
from bot.catalog.cards import product_card
from bot.catalog.search import get_product, search_products
from bot.db.models import Category, Product, Variant
from bot.db.session import Database

NO_FILTERS = SearchFilters()


def ids(hits):
    return [h.product_id for h in hits]


def test_keyword_finds_products_by_name_description_and_brand(catalog_db: Database) -> None:
    assert (
        ids(search_products(catalog_db, "headphones", mode="keyword", filters=NO_FILTERS))[0]
        == "SB-P0006"
    )
    hits = search_products(catalog_db, "waterproof running", mode="keyword", filters=NO_FILTERS)
    assert ids(hits)[0] == "SB-P0001"
    assert "keyword #1" in hits[0].why
    assert set(ids(search_products(catalog_db, "Northpeak", mode="keyword"))) == {
        "SB-P0001",
        "SB-P0003",
    }


def test_keyword_matches_category_and_variant_options(catalog_db: Database) -> None:
    assert "SB-P0005" in ids(search_products(catalog_db, "camping gear", mode="keyword"))
    # "750ml" exists only in a variant's options.
    assert ids(search_products(catalog_db, "750ml", mode="keyword", filters=NO_FILTERS)) == [
        "SB-P0007"
    ]


def test_stemming_and_no_match(catalog_db: Database) -> None:
    assert "SB-P0006" in ids(
        search_products(catalog_db, "cancelling headphone", mode="keyword", filters=NO_FILTERS)
    )
    assert search_products(catalog_db, "zzzyx qwerty", mode="keyword") == []
    assert search_products(catalog_db, "", mode="keyword") == []
    # Search syntax characters in a shopper message must not break the query.
    assert search_products(catalog_db, 'tent" OR (NEAR ^*', mode="keyword", filters=NO_FILTERS)


def test_index_follows_product_variant_and_category_changes(catalog_db: Database) -> None:
    with catalog_db.transaction() as s:
        s.get(Product, "SB-P0005").name = "Two-Person Backpacking Shelter"
        s.add(
            Variant(
                id="SB-V000502",
                product_id="SB-P0005",
                options={"color": "ultramarine"},
                price=199,
                stock=1,
            )
        )
        s.scalars(select(Category).where(Category.slug == "home-kitchen")).one().name = "Drinkware"
    assert ids(search_products(catalog_db, "shelter", mode="keyword"))[0] == "SB-P0005"
    assert ids(search_products(catalog_db, "ultramarine", mode="keyword")) == ["SB-P0005"]
    assert ids(search_products(catalog_db, "drinkware", mode="keyword")) == ["SB-P0007"]
    with catalog_db.transaction() as s:
        s.delete(s.get(Product, "SB-P0005"))
    assert search_products(catalog_db, "shelter", mode="keyword") == []
    # Rebuilding and re-ensuring are idempotent and keep results.
    rebuild_keyword_index(catalog_db)
    ensure_search_indexes(catalog_db)
    assert ids(search_products(catalog_db, "ultramarine", mode="keyword")) == []
    assert ids(search_products(catalog_db, "drinkware", mode="keyword")) == ["SB-P0007"]


def test_product_details_and_card(catalog_db: Database) -> None:
    product = get_product(catalog_db, "SB-P0001")
    assert product is not None and len(product.variants) == 3
    assert product.category == "Footwear"
    card = product_card(product)
    assert card == {
        "id": "SB-P0001",
        "name": "Ridgeline Trail Runner",
        "price": "99.00",  # cheapest in-stock variant
        "currency": "USD",
        "available": True,
        "url": "/products/SB-P0001",
        "image": "/img/products/SB-P0001.svg",
        "brand": "Northpeak",
        "summary": "A waterproof trail running shoe with a grippy lug sole for muddy, wet paths.",
    }
    assert get_product(catalog_db, "SB-P9999") is None


def test_words_in_more_than_a_tenth_of_a_large_catalog_are_left_out(sqlite_db: Database) -> None:
    """Counted through the index (Porter stems: "boots" finds "boot"), cached, rarest kept."""
    from bot.catalog import keyword

    ensure_search_indexes(sqlite_db)
    with sqlite_db.transaction() as s:
        for i in range(1200):
            words = ["water"]
            if i < 200:
                words.append("widget")
            if i % 20 == 0:
                words.append("boot")  # 60 products, stored singular, asked for plural
            s.add(Product(id=f"P{i:05d}", name=f"Item {i}", brand="B", description=" ".join(words)))
    keyword._df_state["loaded_at"] = -1e9  # a new catalog: forget the cached counts
    with sqlite_db.session() as s:
        assert keyword._drop_common_terms(s, ["water", "boots", "widget"]) == ["boots"]
        assert keyword._drop_common_terms(s, ["water", "widget"]) == ["widget"]  # rarest kept
        assert keyword._df_cache["boots"] == 60
        assert keyword._df_cache["water"] == 121  # counted only up to the threshold
        assert keyword._df_exact == {"water": 1200, "widget": 200}  # full counts, kept too
    keyword._df_state["loaded_at"] = -1e9


def test_search_and_answers_build_the_same_card(catalog_db: Database) -> None:
    """One builder (bot/catalog/cards.py): a product found by search and the same product as
    an answer fact give the same card (they used to differ in the summary)."""
    from bot.answers.facts import FactNumberer, load_product_facts

    hit = get_product(catalog_db, "SB-P0001")
    (fact,) = load_product_facts(catalog_db, ["SB-P0001"], FactNumberer())
    assert hit is not None and product_card(fact) == product_card(hit)
