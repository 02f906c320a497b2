"""Order operations under the shop's policy, each one database transaction.

The operations themselves are the tasks of ``bot/orders/tasks/`` (one module each: guards,
plan, words). This service identifies shoppers, looks orders up, and runs a task's plan: in a
read session for ``preview(task, ...)`` and in a transaction (rows locked on PostgreSQL) for
``change(task, ...)``, then applies it. The preview and the change run the SAME plan, so they
never disagree about what is allowed or what it costs, and a refusal can never leave a
half-made change behind.

``customer_id`` is always the verified shopper of the conversation. An order that is not theirs
is refused with the same words as an unknown order so nothing about it leaks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.db.models import Customer, Order, PaymentKind, TransactionKind
from bot.db.models import Transaction as TransactionRow
from bot.db.session import Database, DatabaseError, Session
from bot.orders.ids import is_order_id, normalise_order_id
from bot.orders.money import money
from bot.orders.policy import ShopPolicy
from bot.orders.repository import OrderRepository
from bot.orders.results import (
    ChangePreview,
    CustomerView,
    Ok,
    OrderLineView,
    OrderSummary,
    OrderView,
    PaymentMethodView,
    RefusalCode,
    Refused,
    Result,
    TransactionView,
)
from bot.orders.tasks import OrderTask, Planner, Request, get_task
from bot.orders.tasks.base import Plan, address_of
from bot.texts import t

log = logging.getLogger(__name__)

# Every failed identification gets these words (unknown e-mail or name, wrong ZIP or order id,
# several matching accounts), so an answer never confirms that an account exists.
# One refusal for every failed identification (its words never say which part was wrong).
NOT_VERIFIED = "identify.not_verified"


class _Refusal(Exception):
    """Carries a refusal out of a transaction so it rolls back whatever the plan touched."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.message)
        self.refused = refused


class OrderService:
    """The shop's order operations; see the module docstring for the plan/apply design."""

    def __init__(self, db: Database, policy: ShopPolicy) -> None:
        self.db = db
        self.policy = policy
        self.planner = Planner(policy)
        self._sample_order_id: str | None = None

    # -- identification -----------------------------------------------------------------

    def identify_by_email(self, email: str) -> Result[CustomerView]:
        if self.policy.identification.mode == "strict":
            return self._strict_required()
        return self._read(lambda s: self._by_email(s, email))

    def identify_by_name_zip(
        self, first_name: str, last_name: str, zip: str
    ) -> Result[CustomerView]:
        if self.policy.identification.mode == "strict":
            return self._strict_required()

        def find(s: Session) -> Result[CustomerView]:
            rows = OrderRepository(s).customers_named(
                (first_name or "").strip(), (last_name or "").strip(), (zip or "").strip()
            )
            # One answer for "no such customer", "wrong ZIP" and "several match": the words
            # never tell a guesser which part was right.
            if not rows:
                return Refused(RefusalCode.CUSTOMER_NOT_FOUND, t(NOT_VERIFIED))
            if len(rows) > 1:
                return Refused(RefusalCode.AMBIGUOUS_CUSTOMER, t(NOT_VERIFIED))
            return Ok(self._customer_view(rows[0]))

        return self._read(find)

    def identify_strict(self, email: str, order_id_or_zip: str) -> Result[CustomerView]:
        """Email plus a second fact only the shopper knows: one of their order ids or their ZIP."""

        def find(s: Session) -> Result[CustomerView]:
            found = self._by_email(s, email)
            if isinstance(found, Refused):
                return self._strict_mismatch()
            proof = (order_id_or_zip or "").strip()
            customer = OrderRepository(s).customer(found.value.id)
            assert customer is not None
            if is_order_id(proof):
                order = OrderRepository(s).order(normalise_order_id(proof))
                matches = order is not None and order.customer_id == customer.id
            else:
                matches = bool(proof) and proof == customer.zip.strip()
            return found if matches else self._strict_mismatch()

        return self._read(find)

    def _by_email(self, s: Session, email: str) -> Result[CustomerView]:
        wanted = (email or "").strip().lower()
        customer = OrderRepository(s).customer_by_email(wanted) if wanted else None
        if customer is None:
            return Refused(RefusalCode.CUSTOMER_NOT_FOUND, t(NOT_VERIFIED))
        return Ok(self._customer_view(customer))

    @staticmethod
    def _strict_required() -> Refused:
        return Refused(RefusalCode.NOT_IDENTIFIED, t("identify.strict_required"))

    @staticmethod
    def _strict_mismatch() -> Refused:
        # Same words whichever part did not match, so guessing learns nothing.
        return Refused(RefusalCode.CUSTOMER_NOT_FOUND, t(NOT_VERIFIED))

    # -- look-ups -----------------------------------------------------------------------

    def get_customer(self, customer_id: str) -> Result[CustomerView]:
        def find(s: Session) -> Result[CustomerView]:
            customer = self.planner.customer(s, customer_id)
            return customer if isinstance(customer, Refused) else Ok(self._customer_view(customer))

        return self._read(find)

    def list_orders(self, customer_id: str) -> Result[list[OrderSummary]]:
        def find(s: Session) -> Result[list[OrderSummary]]:
            customer = self.planner.customer(s, customer_id)
            if isinstance(customer, Refused):
                return customer
            orders = OrderRepository(s).orders_with_lines(customer.id)
            return Ok([self._order_summary(o) for o in orders])

        return self._read(find)

    def sample_order_id(self) -> str | None:
        """One stored order id (the lowest), read once the shop has orders: the shape the
        example order numbers the bot shows take (bot.orders.ids.example_order_id)."""
        if not self._sample_order_id:

            def find(s: Session) -> Result[str]:
                return Ok(OrderRepository(s).first_order_id() or "")

            found = self._read(find)
            self._sample_order_id = None if isinstance(found, Refused) else found.value or None
        return self._sample_order_id

    def order_details(self, customer_id: str, order_id: str) -> Result[OrderView]:
        def find(s: Session) -> Result[OrderView]:
            order = self.planner.own_order(s, customer_id, order_id, lock=False)
            return order if isinstance(order, Refused) else Ok(self._order_view(order))

        return self._read(find)

    # -- changes: previews and the changes themselves -------------------------------------

    def preview(
        self, task: str | OrderTask, customer_id: str, *args: Any, **kwargs: Any
    ) -> Result[ChangePreview]:
        """What ``change`` would do with the same arguments (the task's ``args``), or why not."""
        found = get_task(task) if isinstance(task, str) else task
        return self.preview_request(found, found.request(customer_id, *args, **kwargs))

    def change(
        self, task: str | OrderTask, customer_id: str, *args: Any, **kwargs: Any
    ) -> Result[Any]:
        """Apply the task: ``Ok(OrderView)`` (``Ok(CustomerView)`` for customer-level tasks)."""
        found = get_task(task) if isinstance(task, str) else task
        return self.change_request(found, found.request(customer_id, *args, **kwargs))

    def preview_request(self, task: OrderTask, request: Request) -> Result[ChangePreview]:
        plan = _plan_of(task)

        def find(s: Session) -> Result[ChangePreview]:
            built = plan(self.planner, s, request, False)
            if isinstance(built, Refused):
                return built
            return Ok(
                ChangePreview(built.order_id, built.action, built.summary, built.amount_delta)
            )

        return self._read(find)

    def change_request(self, task: OrderTask, request: Request) -> Result[Any]:
        plan = _plan_of(task)
        try:
            with self.db.transaction() as s:
                built = plan(self.planner, s, request, True)
                if isinstance(built, Refused):
                    raise _Refusal(built)
                self._apply(built)
                s.flush()
                if built.order is not None:
                    log.info("order %s: %s done", built.order_id, built.action)
                    return Ok(self._order_view(built.order, built.outcome()))
                assert built.customer is not None
                log.info("customer %s: %s done", built.customer.id, built.action)
                return Ok(self._customer_view(built.customer))
        except _Refusal as refusal:
            log.info("refused %s: %s", refusal.refused.code, refusal.refused.message)
            return refusal.refused
        except DatabaseError:
            log.exception("order service change failed")
            return _database_error()

    # -- running plans --------------------------------------------------------------------

    def _read(self, find: Callable[[Session], Result[Any]]) -> Result[Any]:
        try:
            with self.db.session() as s:
                return find(s)
        except DatabaseError:
            log.exception("order service read failed")
            return _database_error()

    def _apply(self, plan: Plan) -> None:
        for m in plan.movements:
            if plan.order is not None:
                plan.order.transactions.append(
                    TransactionRow(
                        payment_method_id=m.method.id,
                        kind=m.kind.value,
                        amount=m.amount,
                        note=m.note,
                    )
                )
            if m.method.kind == PaymentKind.GIFT_CARD.value and not m.on_receipt:
                balance = money(m.method.balance or 0)
                if m.kind == TransactionKind.PAYMENT:
                    m.method.balance = balance - m.amount
                elif self.policy.gift_cards.refund_restores_balance:
                    m.method.balance = balance + m.amount
        plan.mutate()

    # -- views ----------------------------------------------------------------------------

    @staticmethod
    def _customer_view(customer: Customer) -> CustomerView:
        return CustomerView(
            id=customer.id,
            first_name=customer.first_name,
            last_name=customer.last_name,
            email=customer.email,
            address=address_of(customer),
            payment_methods=tuple(
                PaymentMethodView(
                    id=pm.id,
                    kind=pm.kind,
                    label=pm.label,
                    balance=money(pm.balance) if pm.balance is not None else None,
                    brand=pm.brand or "",
                    last_four=pm.last_four or "",
                )
                for pm in customer.payment_methods
            ),
        )

    @staticmethod
    def _order_summary(order: Order) -> OrderSummary:
        return OrderSummary(
            id=order.id,
            status=order.status,
            total=money(order.total),
            item_count=len(order.lines),
            created_at=order.created_at.isoformat(),
        )

    def _order_view(self, order: Order, outcome: str = "") -> OrderView:
        return OrderView(
            id=order.id,
            customer_id=order.customer_id,
            status=order.status,
            items_modified=order.items_modified,
            lines=tuple(
                OrderLineView(
                    line_id=ln.id,
                    product_id=ln.product_id,
                    variant_id=ln.variant_id,
                    name=ln.name,
                    options={k: str(v) for k, v in (ln.options or {}).items()},
                    price=money(ln.price),
                    return_requested=ln.return_requested,
                    exchange_variant_id=ln.exchange_variant_id,
                )
                for ln in order.lines
            ),
            total=money(order.total),
            address=address_of(order),
            tracking_ids=tuple(f.tracking_id for f in order.fulfilments),
            transactions=tuple(
                TransactionView(
                    kind=tx.kind,
                    amount=money(tx.amount),
                    payment_method_id=tx.payment_method_id,
                    note=tx.note,
                )
                for tx in order.transactions
            ),
            created_at=order.created_at.isoformat(),
            outcome=outcome,
        )


def _plan_of(task: OrderTask) -> Callable[[Planner, Session, Request, bool], Plan | Refused]:
    if task.plan is None:
        raise ValueError(f"task {task.name!r} changes nothing: it has no preview or change")
    return task.plan


def _database_error() -> Refused:
    return Refused(RefusalCode.DATABASE_ERROR, t("error.database"))
