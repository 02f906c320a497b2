"""Catalog and policy retrieval: keyword (FTS5 / PostgreSQL full text), semantic, filters.

The names below load on first use (PEP 562), not when the package is imported: the Rasa
environment (SQLAlchemy 1.4) imports ``bot.catalog.filters`` for its Chinese colour and
material words (NLU entity values, ``rasa_addons/entity_sanity.py``) and must not pull in the
search modules, which need SQLAlchemy 2.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
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

_WHERE = {
    "product_card": "cards",
    "product_cards_payload": "cards",
    "SearchFilters": "filters",
    "parse_filters": "filters",
    "ensure_search_indexes": "keyword",
    "rebuild_keyword_index": "keyword",
    "PassageHit": "search",
    "ProductHit": "search",
    "VariantHit": "search",
    "get_product": "search",
    "search_policy": "search",
    "search_products": "search",
}

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


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
