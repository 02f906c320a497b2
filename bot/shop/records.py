"""The in-memory shape every importer produces: rows ready for the shop tables.

Importers validate while they build this, so a bad file fails before the database is touched.
Auto-numbered rows (order lines, fulfilments, transactions) are grouped by order id: their
natural identity is "the n-th line of order X", so the loader replaces an order's children
as a whole when they differ.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.orders.money import money  # noqa: F401  (the one money helper)

Row = dict[str, Any]


def parse_time(value: str) -> datetime:
    """An ISO timestamp from a data file, always timezone-aware UTC."""
    parsed = datetime.fromisoformat(value)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


@dataclass
class ShopData:
    """Everything one source contributes; each list holds rows keyed by table column names."""

    source: str
    categories: list[Row] = field(default_factory=list)
    # Product rows carry "category_slug" instead of category_id (ids are assigned on load).
    products: list[Row] = field(default_factory=list)
    variants: list[Row] = field(default_factory=list)
    customers: list[Row] = field(default_factory=list)
    payment_methods: list[Row] = field(default_factory=list)
    orders: list[Row] = field(default_factory=list)
    lines: dict[str, list[Row]] = field(default_factory=dict)
    fulfilments: dict[str, list[Row]] = field(default_factory=dict)
    transactions: dict[str, list[Row]] = field(default_factory=dict)
    policy_passages: list[Row] = field(default_factory=list)

    def add_order(
        self,
        order: Row,
        lines: list[Row],
        fulfilments: list[Row],
        transactions: list[Row],
    ) -> None:
        self.orders.append(order)
        self.lines[order["id"]] = lines
        self.fulfilments[order["id"]] = fulfilments
        self.transactions[order["id"]] = transactions
