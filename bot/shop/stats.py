"""Counts of what the shop database holds, for ``shopbot shop stats`` and health checks."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from bot.db import models as m
from bot.db.session import Database


def shop_stats(db: Database) -> list[tuple[str, int]]:
    """(label, count) pairs in display order; grouped counts get one row per value."""
    rows: list[tuple[str, int]] = []
    with db.session() as s:

        def count(model: type[m.Base], *where: Any) -> int:
            return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)

        def grouped(label: str, column: Any) -> None:
            result = s.execute(select(column, func.count()).group_by(column).order_by(column))
            for value, n in result:
                rows.append((f"{label}: {value}", int(n)))

        rows.append(("categories", count(m.Category)))
        rows.append(("products", count(m.Product)))
        rows.append(("variants", count(m.Variant)))
        rows.append(
            ("variants in stock", count(m.Variant, m.Variant.available, m.Variant.stock > 0))
        )
        rows.append(("customers", count(m.Customer)))
        rows.append(("payment methods", count(m.PaymentMethod)))
        grouped("payment methods", m.PaymentMethod.kind)
        rows.append(("orders", count(m.Order)))
        grouped("orders", m.Order.status)
        rows.append(("order lines", count(m.OrderLine)))
        rows.append(("fulfilments", count(m.Fulfilment)))
        rows.append(("transactions", count(m.Transaction)))
        grouped("transactions", m.Transaction.kind)
        rows.append(("policy passages", count(m.PolicyPassage)))
    return rows


def product_count(db: Database) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(m.Product)) or 0)
