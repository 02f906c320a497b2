"""What the end-to-end tests read from the stack's database (the τ-bench shop)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db import models as m
from bot.db.session import Database


def order(db: Database, order_id: str) -> m.Order:
    """The order with its lines and transactions loaded (usable after the session closes)."""
    with db.session() as s:
        found = s.get(m.Order, order_id)
        assert found is not None, order_id
        found.lines  # noqa: B018
        found.transactions  # noqa: B018
        return found


def customer_with_pending_orders(
    db: Database, count: int, skip: int = 0, newest_first: bool = False
) -> tuple[m.Customer, list[str]]:
    """The ``skip``-th τ-bench customer with ``count`` untouched pending orders, and those.

    Modules that change orders take customers from opposite ends (``newest_first``), so one
    module's cancellations do not use up the orders another module relies on."""
    key = m.Order.customer_id.desc() if newest_first else m.Order.customer_id
    with db.session() as s:
        customer_ids = s.scalars(
            select(m.Order.customer_id)
            .where(
                m.Order.status == "pending",
                m.Order.items_modified.is_(False),
                m.Order.id.like("#W%"),
            )
            .group_by(m.Order.customer_id)
            .having(func.count() >= count)
            .order_by(key)
        ).all()
        assert len(customer_ids) > skip, f"no customer with {count} pending orders"
        customer = s.get(m.Customer, customer_ids[skip])
        assert customer is not None
        orders = s.scalars(
            select(m.Order.id)
            .where(
                m.Order.customer_id == customer.id,
                m.Order.status == "pending",
                m.Order.items_modified.is_(False),
                m.Order.id.like("#W%"),
            )
            .order_by(m.Order.id)
        ).all()
        return customer, list(orders[:count])


def statuses(db: Database, *order_ids: str) -> list[str]:
    return [order(db, order_id).status for order_id in order_ids]
