"""Catalog and policy retrieval: keyword (FTS5 / PostgreSQL full text), semantic, filters."""

from bot.catalog.cards import product_card, product_cards_payload
from bot.catalog.filters import SearchFilters, parse_filters
from bot.catalog.keyword import ensure_search_indexes, rebuild_keyword_index
from bot.catalog.search import (
    PassageHit,
    ProductHit,
    VariantHit,
    get_product,
    search_policy,
    search_products,
)

__all__ = [
    "PassageHit",
    "ProductHit",
    "SearchFilters",
    "VariantHit",
    "ensure_search_indexes",
    "get_product",
    "parse_filters",
    "product_card",
    "product_cards_payload",
    "rebuild_keyword_index",
    "search_policy",
    "search_products",
]
