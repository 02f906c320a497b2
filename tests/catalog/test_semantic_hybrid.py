"""Semantic search, incremental embedding, hybrid ranking with filters, policy passages.

These use the real all-MiniLM-L6-v2 model (loaded once per test process) on both databases.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from bot.catalog import SearchFilters, parse_filters
from bot.catalog.embeddings import PRODUCT_VECTORS, embed_catalog, product_text, text_hash
from bot.catalog.search import search_policy, search_products
from bot.db.models import PolicyPassage, Product, Variant
from bot.db.session import Database

NONE = SearchFilters()


def ids(hits):
    return [h.product_id for h in hits]


@pytest.fixture
def embedded_db(catalog_db: Database) -> Database:
    report = embed_catalog(catalog_db)
    assert report.products_embedded == report.products_total == 8
    assert report.passages_embedded == 4
    return catalog_db


def test_semantic_finds_a_paraphrase_without_shared_words(embedded_db: Database) -> None:
    query = "thermos for tea"
    # No word of the query occurs in the bottle's name, description, options or category ...
    assert search_products(embedded_db, query, mode="keyword", filters=NONE) == []
    # ... yet the meaning matches.
    hits = search_products(embedded_db, query, mode="semantic", filters=NONE)
    assert ids(hits)[0] == "SB-P0007"
    assert hits[0].why[0].startswith("semantic #1")
    assert ids(search_products(embedded_db, "quiet the airplane din", mode="semantic"))[0] == (
        "SB-P0006"
    )
    # Hybrid keeps the semantic hit even though keyword found nothing.
    assert ids(search_products(embedded_db, query, filters=NONE))[0] == "SB-P0007"


def test_embedding_is_incremental(embedded_db: Database) -> None:
    again = embed_catalog(embedded_db)
    assert (again.products_embedded, again.passages_embedded) == (0, 0)

    with embedded_db.session() as s:
        before = s.get(Product, "SB-P0002").embedding
    with embedded_db.transaction() as s:
        s.get(Product, "SB-P0001").description = "A sleeping mat that inflates itself."
        s.get(Variant, "SB-V000201").options = {"color": "green", "size": "44"}
        s.get(PolicyPassage, "shipping").body = "Delivery is free above $50."
    report = embed_catalog(embedded_db)
    assert (report.products_embedded, report.passages_embedded) == (2, 1)
    with embedded_db.session() as s:
        p1, p2 = s.get(Product, "SB-P0001"), s.get(Product, "SB-P0002")
        assert p1.embedding_hash == text_hash(product_text(p1))
        assert p2.embedding != before
        vector = np.frombuffer(p1.embedding, dtype=np.float32)
        assert vector.shape == (384,) and abs(float(vector @ vector) - 1.0) < 1e-4
    # The in-memory vector cache picked up the change: the shoe is now a sleeping mat.
    hits = search_products(embedded_db, "inflatable mattress", mode="semantic", filters=NONE)
    assert ids(hits)[0] == "SB-P0001"
    assert len(PRODUCT_VECTORS.ids) == 8


def test_hybrid_respects_price_ceiling(embedded_db: Database) -> None:
    hits = search_products(embedded_db, "waterproof trail running shoe under $100")
    assert ids(hits)[0] == "SB-P0001"
    # "shoe" limits to footwear; the $89 sneaker fits too, nothing pricier does.
    assert set(ids(hits)) == {"SB-P0001", "SB-P0002"}
    assert all(v.price <= 100 for h in hits for v in h.variants)
    # Only the $99 variant fits the budget; the $109 red ones are not offered.
    assert [v.id for v in hits[0].variants] == ["SB-V000103"]
    assert hits[0].max_price == Decimal("99.00")
    assert "up to $100.00" in hits[0].filters
    # A ceiling below every variant excludes the product entirely.
    assert "SB-P0006" not in ids(search_products(embedded_db, "headphones under $150"))


def test_hybrid_respects_colour_and_size_in_stock(embedded_db: Database) -> None:
    hits = search_products(embedded_db, "red running shoe in size 44, in stock")
    assert ids(hits)[0] == "SB-P0001"
    assert [v.id for v in hits[0].variants] == ["SB-V000101"]
    # Red in 42 exists but has no stock.
    assert search_products(embedded_db, "red trail shoe size 42 in stock") == []
    # The yellow rain jacket is out of stock, the blue one is not.
    assert "SB-P0003" not in ids(search_products(embedded_db, "yellow rain jacket in stock"))
    blue = search_products(embedded_db, "blue rain jacket")
    assert ids(blue)[0] == "SB-P0003" and [v.id for v in blue[0].variants] == ["SB-V000301"]
    # Memory preferences restrict like message filters.
    remembered = parse_filters("a t-shirt", memory_prefs={"size": "L"})
    shirts = search_products(embedded_db, "a t-shirt", filters=remembered)
    assert ids(shirts)[0] == "SB-P0008" and [v.id for v in shirts[0].variants] == ["SB-V000802"]
    assert not shirts[0].in_stock


def test_hybrid_boosts_exact_name_and_brand(embedded_db: Database) -> None:
    hits = search_products(embedded_db, "do you have the Stormshell Rain Jacket?")
    assert ids(hits)[0] == "SB-P0003"
    assert "exact name match" in hits[0].why
    brand_hits = search_products(embedded_db, "anything by Campfire", limit=2)
    assert set(ids(brand_hits)) == {"SB-P0005", "SB-P0007"}
    assert all("brand match" in h.why for h in brand_hits)


def test_search_without_embeddings_still_answers(catalog_db: Database) -> None:
    hits = search_products(catalog_db, "noise cancelling headphones")
    assert ids(hits)[0] == "SB-P0006"
    assert search_products(catalog_db, "   ") == []


def test_policy_search_finds_refunds_for_money_back(embedded_db: Database) -> None:
    passages = search_policy(embedded_db, "how do I get my money back")
    assert passages[0].passage_id == "refunds"
    assert any(w.startswith("semantic") for w in passages[0].why)
    assert search_policy(embedded_db, "when will my parcel arrive")[0].passage_id == "shipping"
    assert len(search_policy(embedded_db, "refund", limit=2)) == 2


def test_changes_arrive_in_the_background_without_a_search_waiting(
    embedded_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search after the check interval answers from the loaded vectors at once; a thread
    checks the table and swaps in the new load, which the next search uses."""
    import time

    from bot.catalog import embeddings
    from bot.catalog.embeddings import PRODUCT_VECTORS

    with embedded_db.session() as s:
        PRODUCT_VECTORS.get(embedded_db, s)
        before = PRODUCT_VECTORS.ids
        monkeypatch.setattr(embeddings, "CACHE_CHECK_INTERVAL_S", 0.0)
        with embedded_db.transaction() as w:
            w.get(Product, before[0]).embedding = None  # one vector removed elsewhere
        slow_check_started = time.perf_counter()
        PRODUCT_VECTORS.get(embedded_db, s)
        assert time.perf_counter() - slow_check_started < 0.05
        for _ in range(100):  # the refresh thread swaps the new load in
            if len(PRODUCT_VECTORS.ids) == len(before) - 1:
                break
            time.sleep(0.02)
        assert len(PRODUCT_VECTORS.ids) == len(before) - 1
