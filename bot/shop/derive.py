"""Deterministic stand-ins for facts a source lacks (stock, timestamps), from hashes of ids.

The same id always gives the same value, so re-importing never changes a row.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

# Fixed reference time for derived timestamps: a constant, never "now", to stay idempotent.
ANCHOR = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

# How long ago an order in each status was placed: (minimum, maximum) days.
AGE_DAYS_BY_STATUS: dict[str, tuple[int, int]] = {
    "pending": (0, 4),
    "processed": (2, 10),
    "delivered": (10, 180),
    "cancelled": (3, 180),
    "return requested": (12, 60),
    "exchange requested": (12, 60),
}


def stable_int(*parts: str) -> int:
    digest = hashlib.sha256("|".join(parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


def stock_for(variant_id: str, available: bool) -> int:
    """0 for unavailable variants; otherwise 0–59 units, about one in ten sold out."""
    if not available:
        return 0
    h = stable_int("stock", variant_id)
    return 0 if h % 10 == 0 else h % 60


def created_at_for(order_id: str, status: str) -> datetime:
    low, high = AGE_DAYS_BY_STATUS.get(status, (0, 180))
    seconds = stable_int("created", order_id) % ((high - low) * 86400 + 1)
    return ANCHOR - timedelta(days=low, seconds=seconds)


def customer_since(customer_id: str) -> datetime:
    return ANCHOR - timedelta(days=200 + stable_int("customer", customer_id) % 900)
