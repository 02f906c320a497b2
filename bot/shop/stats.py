"""Counts of what the shop database holds, for ``shopbot shop stats`` and health checks."""

from __future__ import annotations

from bot.db.session import Database
from bot.shop import repository


def shop_stats(db: Database) -> list[tuple[str, int]]:
    """(label, count) pairs in display order; grouped counts get one row per value."""
    with db.session() as s:
        return repository.shop_counts(s)


def product_count(db: Database) -> int:
    with db.session() as s:
        return repository.product_count(s)
