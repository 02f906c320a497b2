"""Orders and customers: the one place that builds their queries.

The order service and its task plans, the storefront's sign-in, profiles, recommendations, the
console and the CLI call these methods instead of writing ``select(...)`` themselves. Every
method works inside the caller's session, so the caller keeps the unit of work (a change still
commits in one transaction), and ``lock=True`` locks the row for that transaction on PostgreSQL
(``SELECT ... FOR UPDATE``; SQLite serialises writers anyway).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Customer, Order, OrderLine, PaymentMethod, Variant


class OrderRepository:
    """Order and customer queries on one session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    # -- customers --------------------------------------------------------------------------

    def customer(self, customer_id: str, *, lock: bool = False) -> Customer | None:
        return self.session.get(Customer, customer_id, with_for_update=lock)

    def customer_by_email(self, email: str) -> Customer | None:
        """The customer with this email, compared case-insensitively."""
        return self.session.scalars(
            select(Customer).where(func.lower(Customer.email) == email.lower())
        ).first()

    def customers_named(self, first_name: str, last_name: str, zip: str) -> list[Customer]:
        """Customers with this first and last name (any case) living at this ZIP."""
        return list(
            self.session.scalars(
                select(Customer).where(
                    func.lower(Customer.first_name) == first_name.lower(),
                    func.lower(Customer.last_name) == last_name.lower(),
                    Customer.zip == zip,
                )
            ).all()
        )

    def customers(self, customer_ids: list[str]) -> list[Customer]:
        """The customers with these ids (unknown ids left out)."""
        return list(
            self.session.scalars(select(Customer).where(Customer.id.in_(customer_ids))).all()
        )

    def customer_ids(self) -> list[str]:
        """Every customer id, in order."""
        return list(self.session.scalars(select(Customer.id).order_by(Customer.id)))

    def payment_method(self, payment_method_id: str, *, lock: bool = False) -> PaymentMethod | None:
        return self.session.get(PaymentMethod, payment_method_id, with_for_update=lock)

    def variant(self, variant_id: str) -> Variant | None:
        """A variant an order line may become (the catalog's row, read for an item change)."""
        return self.session.get(Variant, variant_id)

    # -- orders -----------------------------------------------------------------------------

    def order(self, order_id: str, *, lock: bool = False) -> Order | None:
        return self.session.get(Order, order_id, with_for_update=lock)

    def orders_with_lines(self, customer_id: str) -> list[Order]:
        """The customer's orders by id with their lines loaded (one query for all lines)."""
        return list(
            self.session.scalars(
                select(Order)
                .where(Order.customer_id == customer_id)
                .order_by(Order.id)
                .options(selectinload(Order.lines))
            ).all()
        )

    def orders_with_lines_and_transactions(self, order_ids: list[str]) -> list[Order]:
        """These orders with their lines and money movements loaded (unknown ids left out)."""
        return list(
            self.session.scalars(
                select(Order)
                .where(Order.id.in_(order_ids))
                .options(selectinload(Order.lines), selectinload(Order.transactions))
            ).all()
        )

    def first_order_id(self) -> str | None:
        """The lowest stored order id, None in a shop without orders."""
        return self.session.scalars(select(Order.id).order_by(Order.id).limit(1)).first()

    def bought_product_ids(self, customer_id: str) -> set[str]:
        """Ids of every product on any of the customer's orders."""
        return set(
            self.session.scalars(
                select(OrderLine.product_id)
                .join(Order, Order.id == OrderLine.order_id)
                .where(Order.customer_id == customer_id)
            )
        )
