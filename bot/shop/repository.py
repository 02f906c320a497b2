"""Customer reads outside the order service: storefront sign-in, profiles, recommendations, CLI.

The order service keeps its own customer and order queries (bot/orders); these are the few
other places that look a customer up, gathered so none of them builds SQL. When bot/orders
grows its customers repository this class belongs there.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Customer, Order, OrderLine


class CustomerRepository:
    """Customer lookups on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, customer_id: str) -> Customer | None:
        return self.session.get(Customer, customer_id)

    def by_email(self, email: str) -> Customer | None:
        """The customer with this email, compared case-insensitively."""
        return self.session.scalar(
            select(Customer).where(func.lower(Customer.email) == email.lower())
        )

    def ids(self) -> list[str]:
        """Every customer id, in order."""
        return list(self.session.scalars(select(Customer.id).order_by(Customer.id)))

    def orders_with_lines(self, customer_id: str) -> list[Order]:
        """The customer's orders with their lines loaded (any status)."""
        return list(
            self.session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .options(selectinload(Order.lines))
            ).all()
        )

    def bought_product_ids(self, customer_id: str) -> set[str]:
        """Ids of every product on any of the customer's orders."""
        return set(
            self.session.scalars(
                select(OrderLine.product_id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.customer_id == customer_id)
            )
        )
