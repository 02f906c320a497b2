"""Order operations under the shop's policy, each one database transaction.

Every change is built as a *plan* first: the plan function loads what it needs, applies every
policy check and works out the money movements and the words that describe them, without
touching a row. ``preview_*`` runs the plan in a read session and shows its summary; the change
itself runs the SAME plan in a transaction (rows locked on PostgreSQL) and then applies it. So a
preview and the change can never disagree about what is allowed or what it costs, and a refusal
can never leave a half-made change behind.

``customer_id`` is always the verified shopper of the conversation. An order that is not theirs
is refused with the same words as an unknown order so nothing about it leaks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from bot.db.models import (
    Customer,
    Order,
    OrderLine,
    OrderStatus,
    PaymentKind,
    PaymentMethod,
    TransactionKind,
    Variant,
)
from bot.db.models import Transaction as TransactionRow
from bot.db.session import Database
from bot.orders.policy import CENT, ShopPolicy
from bot.orders.results import (
    Address,
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

log = logging.getLogger(__name__)

ORDER_ID = re.compile(r"^#?[A-Za-z]\d{7}$")
# Every failed identification gets these words (unknown e-mail or name, wrong ZIP or order id,
# several matching accounts), so an answer never confirms that an account exists.
NOT_VERIFIED = "I couldn't verify an account with those details. Please check them and try again."
ZERO = Decimal("0.00")
_STATUS_WORDS = {
    OrderStatus.RETURN_REQUESTED.value: "waiting for a return",
    OrderStatus.EXCHANGE_REQUESTED.value: "waiting for an exchange",
}


def normalise_order_id(raw: str) -> str:
    """'w2611340', '#w2611340 ' → '#W2611340'."""
    text = (raw or "").strip().upper()
    return text if text.startswith("#") else f"#{text}"


def money(value: Decimal | int | float | str) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


def usd(value: Decimal) -> str:
    return f"${value:,.2f}"


def describe_item(name: str, options: dict[str, Any]) -> str:
    opts = ", ".join(f"{k} {v}" for k, v in (options or {}).items())
    return f"{name} ({opts})" if opts else name


def _list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


class _Refusal(Exception):
    """Carries a refusal out of a transaction so it rolls back whatever the plan touched."""

    def __init__(self, refused: Refused) -> None:
        super().__init__(refused.message)
        self.refused = refused


@dataclass
class _Movement:
    kind: TransactionKind
    method: PaymentMethod
    amount: Decimal
    note: str


@dataclass
class _Plan:
    """What a change would do: checked, priced and described, not yet applied."""

    action: str
    order_id: str
    summary: str
    amount_delta: Decimal = ZERO
    movements: list[_Movement] = field(default_factory=list)
    mutate: Callable[[], None] = lambda: None
    # Evaluated after the change is applied, so gift-card balances in the words are current.
    outcome: Callable[[], str] = lambda: ""
    order: Order | None = None
    customer: Customer | None = None


class OrderService:
    """The shop's order operations; see the module docstring for the plan/apply design."""

    def __init__(self, db: Database, policy: ShopPolicy) -> None:
        self.db = db
        self.policy = policy

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
            rows = s.scalars(
                select(Customer).where(
                    func.lower(Customer.first_name) == (first_name or "").strip().lower(),
                    func.lower(Customer.last_name) == (last_name or "").strip().lower(),
                    Customer.zip == (zip or "").strip(),
                )
            ).all()
            # One answer for "no such customer", "wrong ZIP" and "several match": the words
            # never tell a guesser which part was right.
            if not rows:
                return Refused(RefusalCode.CUSTOMER_NOT_FOUND, NOT_VERIFIED)
            if len(rows) > 1:
                return Refused(RefusalCode.AMBIGUOUS_CUSTOMER, NOT_VERIFIED)
            return Ok(self._customer_view(rows[0]))

        return self._read(find)

    def identify_strict(self, email: str, order_id_or_zip: str) -> Result[CustomerView]:
        """Email plus a second fact only the shopper knows: one of their order ids or their ZIP."""

        def find(s: Session) -> Result[CustomerView]:
            found = self._by_email(s, email)
            if isinstance(found, Refused):
                return self._strict_mismatch()
            proof = (order_id_or_zip or "").strip()
            customer = s.get(Customer, found.value.id)
            assert customer is not None
            if ORDER_ID.match(proof):
                order = s.get(Order, normalise_order_id(proof))
                matches = order is not None and order.customer_id == customer.id
            else:
                matches = bool(proof) and proof == customer.zip.strip()
            return found if matches else self._strict_mismatch()

        return self._read(find)

    def _by_email(self, s: Session, email: str) -> Result[CustomerView]:
        wanted = (email or "").strip().lower()
        customer = (
            s.scalars(select(Customer).where(func.lower(Customer.email) == wanted)).first()
            if wanted
            else None
        )
        if customer is None:
            return Refused(RefusalCode.CUSTOMER_NOT_FOUND, NOT_VERIFIED)
        return Ok(self._customer_view(customer))

    @staticmethod
    def _strict_required() -> Refused:
        return Refused(
            RefusalCode.NOT_IDENTIFIED,
            "To keep your account safe I need your email address together with "
            "one of your order numbers or your ZIP code.",
        )

    @staticmethod
    def _strict_mismatch() -> Refused:
        # Same words whichever part did not match, so guessing learns nothing.
        return Refused(RefusalCode.CUSTOMER_NOT_FOUND, NOT_VERIFIED)

    # -- look-ups -----------------------------------------------------------------------

    def get_customer(self, customer_id: str) -> Result[CustomerView]:
        def find(s: Session) -> Result[CustomerView]:
            customer = self._customer(s, customer_id)
            return customer if isinstance(customer, Refused) else Ok(self._customer_view(customer))

        return self._read(find)

    def list_orders(self, customer_id: str) -> Result[list[OrderSummary]]:
        def find(s: Session) -> Result[list[OrderSummary]]:
            customer = self._customer(s, customer_id)
            if isinstance(customer, Refused):
                return customer
            orders = s.scalars(
                select(Order)
                .where(Order.customer_id == customer.id)
                .order_by(Order.id)
                .options(selectinload(Order.lines))  # one query for all lines, not one per order
            ).all()
            return Ok([self._order_summary(o) for o in orders])

        return self._read(find)

    def order_details(self, customer_id: str, order_id: str) -> Result[OrderView]:
        def find(s: Session) -> Result[OrderView]:
            order = self._own_order(s, customer_id, order_id, lock=False)
            return order if isinstance(order, Refused) else Ok(self._order_view(order))

        return self._read(find)

    # -- changes: previews and the changes themselves -------------------------------------

    def preview_cancel(self, customer_id: str, order_id: str, reason: str) -> Result[ChangePreview]:
        return self._preview(
            lambda s, lock: self._plan_cancel(s, customer_id, order_id, reason, lock)
        )

    def cancel_order(self, customer_id: str, order_id: str, reason: str) -> Result[OrderView]:
        return self._change(
            lambda s, lock: self._plan_cancel(s, customer_id, order_id, reason, lock)
        )

    def preview_modify_items(
        self, customer_id: str, order_id: str, changes: dict[str, str], payment_method_id: str
    ) -> Result[ChangePreview]:
        return self._preview(
            lambda s, lock: self._plan_modify_items(
                s, customer_id, order_id, changes, payment_method_id, lock
            )
        )

    def modify_items(
        self, customer_id: str, order_id: str, changes: dict[str, str], payment_method_id: str
    ) -> Result[OrderView]:
        return self._change(
            lambda s, lock: self._plan_modify_items(
                s, customer_id, order_id, changes, payment_method_id, lock
            )
        )

    def preview_modify_address(
        self, customer_id: str, order_id: str, address: Address
    ) -> Result[ChangePreview]:
        return self._preview(
            lambda s, lock: self._plan_modify_address(s, customer_id, order_id, address, lock)
        )

    def modify_address(
        self, customer_id: str, order_id: str, address: Address
    ) -> Result[OrderView]:
        return self._change(
            lambda s, lock: self._plan_modify_address(s, customer_id, order_id, address, lock)
        )

    def preview_modify_payment(
        self, customer_id: str, order_id: str, payment_method_id: str
    ) -> Result[ChangePreview]:
        return self._preview(
            lambda s, lock: self._plan_modify_payment(
                s, customer_id, order_id, payment_method_id, lock
            )
        )

    def modify_payment(
        self, customer_id: str, order_id: str, payment_method_id: str
    ) -> Result[OrderView]:
        return self._change(
            lambda s, lock: self._plan_modify_payment(
                s, customer_id, order_id, payment_method_id, lock
            )
        )

    def preview_return(
        self, customer_id: str, order_id: str, variant_ids: list[str], payment_method_id: str
    ) -> Result[ChangePreview]:
        return self._preview(
            lambda s, lock: self._plan_return(
                s, customer_id, order_id, variant_ids, payment_method_id, lock
            )
        )

    def return_items(
        self, customer_id: str, order_id: str, variant_ids: list[str], payment_method_id: str
    ) -> Result[OrderView]:
        return self._change(
            lambda s, lock: self._plan_return(
                s, customer_id, order_id, variant_ids, payment_method_id, lock
            )
        )

    def preview_exchange(
        self, customer_id: str, order_id: str, changes: dict[str, str], payment_method_id: str
    ) -> Result[ChangePreview]:
        return self._preview(
            lambda s, lock: self._plan_exchange(
                s, customer_id, order_id, changes, payment_method_id, lock
            )
        )

    def exchange_items(
        self, customer_id: str, order_id: str, changes: dict[str, str], payment_method_id: str
    ) -> Result[OrderView]:
        return self._change(
            lambda s, lock: self._plan_exchange(
                s, customer_id, order_id, changes, payment_method_id, lock
            )
        )

    def preview_change_default_address(
        self, customer_id: str, address: Address
    ) -> Result[ChangePreview]:
        return self._preview(
            lambda s, lock: self._plan_default_address(s, customer_id, address, lock)
        )

    def change_default_address(self, customer_id: str, address: Address) -> Result[CustomerView]:
        return self._change(
            lambda s, lock: self._plan_default_address(s, customer_id, address, lock)
        )

    # -- plans ----------------------------------------------------------------------------

    def _plan_cancel(
        self, s: Session, customer_id: str, order_id: str, reason: str, lock: bool
    ) -> _Plan | Refused:
        order = self._own_order(s, customer_id, order_id, lock)
        if isinstance(order, Refused):
            return order
        if not self.policy.allows("cancel", order.status):
            extra = (
                " Delivered items can be returned instead." if order.status == "delivered" else ""
            )
            return self._wrong_status(order, "cancelled", extra)
        if locked := self._locked_by_item_change(order, "cancelled"):
            return locked
        wanted = " ".join((reason or "").lower().split())
        if wanted not in self.policy.cancellation.reasons:
            return Refused(
                RefusalCode.INVALID_REASON,
                "I can cancel an order for one of these reasons: "
                + _list([f"'{r}'" for r in self.policy.cancellation.reasons])
                + ". Which one applies?",
            )
        fee_left = money(self.policy.cancellation.fee)
        movements: list[_Movement] = []
        for method, paid in self._net_paid(s, order, lock):
            deducted = min(fee_left, paid)
            fee_left -= deducted
            if paid - deducted > 0:
                movements.append(
                    _Movement(
                        TransactionKind.REFUND, method, paid - deducted, "cancellation refund"
                    )
                )
        refunded = sum((m.amount for m in movements), ZERO)
        items = _list([describe_item(line.name, line.options) for line in order.lines])
        fee_text = (
            f" A cancellation fee of {usd(money(self.policy.cancellation.fee))} is kept."
            if self.policy.cancellation.fee > 0
            else ""
        )
        summary = (
            f"Cancel order {order.id} with {items}; reason: {wanted}. "
            f"{self._money_words(movements)}{fee_text}"
        )

        def mutate() -> None:
            order.status = OrderStatus.CANCELLED.value
            order.cancel_reason = wanted

        return _Plan(
            action="cancel",
            order_id=order.id,
            summary=summary,
            amount_delta=-refunded,
            movements=movements,
            mutate=mutate,
            outcome=lambda: (
                f"Order {order.id} is cancelled. {self._money_words(movements, done=True)}"
            ),
            order=order,
        )

    def _plan_modify_items(
        self,
        s: Session,
        customer_id: str,
        order_id: str,
        changes: dict[str, str],
        payment_method_id: str,
        lock: bool,
    ) -> _Plan | Refused:
        order = self._own_order(s, customer_id, order_id, lock)
        if isinstance(order, Refused):
            return order
        if not self.policy.allows("modify", order.status):
            return self._wrong_status(order, "changed")
        if locked := self._locked_by_item_change(order, "changed again"):
            return locked
        swaps = self._variant_swaps(s, order, changes)
        if isinstance(swaps, Refused):
            return swaps
        difference = sum((v.price - line.price for line, v in swaps), ZERO)
        movements = self._settle_difference(
            s, order.customer_id, payment_method_id, money(difference), lock, "item change"
        )
        if isinstance(movements, Refused):
            return movements
        once = (
            " Items can be changed only once, so after this the order can't be changed or "
            "cancelled any more. Is that every item you want to change?"
            if self.policy.modification.items_once
            else ""
        )
        summary = (
            f"Change items of order {order.id}: {self._swap_words(swaps)}. "
            f"{self._difference_words(difference, movements)}{once}"
        )

        def mutate() -> None:
            for line, variant in swaps:
                line.variant_id = variant.id
                line.options = dict(variant.options or {})
                line.price = money(variant.price)
            order.items_modified = True

        return _Plan(
            action="modify_items",
            order_id=order.id,
            summary=summary,
            amount_delta=money(difference),
            movements=movements,
            mutate=mutate,
            outcome=lambda: (
                f"The items of order {order.id} are changed. "
                + self._difference_words(difference, movements, done=True)
            ),
            order=order,
        )

    def _plan_modify_address(
        self, s: Session, customer_id: str, order_id: str, address: Address, lock: bool
    ) -> _Plan | Refused:
        order = self._own_order(s, customer_id, order_id, lock)
        if isinstance(order, Refused):
            return order
        if not self.policy.allows("modify", order.status):
            return self._wrong_status(order, "changed")
        if locked := self._locked_by_item_change(order, "changed"):
            return locked
        new = self._valid_address(address)
        if isinstance(new, Refused):
            return new
        old = self._address_of(order)

        def mutate() -> None:
            _set_address(order, new)

        return _Plan(
            action="modify_address",
            order_id=order.id,
            summary=f"Ship order {order.id} to {new.one_line()} instead of {old.one_line()}. "
            "No money changes hands.",
            mutate=mutate,
            outcome=lambda: (
                f"Order {order.id} will be shipped to {new.one_line()}. "
                "Nothing was charged or refunded."
            ),
            order=order,
        )

    def _plan_modify_payment(
        self, s: Session, customer_id: str, order_id: str, payment_method_id: str, lock: bool
    ) -> _Plan | Refused:
        order = self._own_order(s, customer_id, order_id, lock)
        if isinstance(order, Refused):
            return order
        if not self.policy.allows("modify", order.status):
            return self._wrong_status(order, "changed")
        if locked := self._locked_by_item_change(order, "changed"):
            return locked
        method = self._own_method(s, order.customer_id, payment_method_id, lock)
        if isinstance(method, Refused):
            return method
        paid = self._net_paid(s, order, lock)
        if any(m.id == method.id for m, _ in paid):
            return Refused(
                RefusalCode.SAME_PAYMENT_METHOD,
                f"Order {order.id} is already paid with your {method.label}. "
                "Please choose a different payment method.",
            )
        amount = sum((a for _, a in paid), ZERO) if paid else money(order.total)
        if short := self._gift_card_short(method, amount):
            return short
        movements = [
            _Movement(TransactionKind.REFUND, m, a, "payment method change: refund")
            for m, a in paid
        ]
        movements.append(
            _Movement(TransactionKind.PAYMENT, method, amount, "payment method change: payment")
        )
        summary = (
            f"Pay order {order.id} ({usd(amount)}) with your {method.label} instead. "
            f"{self._money_words(movements)}"
        )
        return _Plan(
            action="modify_payment",
            order_id=order.id,
            summary=summary,
            movements=movements,
            outcome=lambda: (
                f"Order {order.id} is now paid with your {method.label}. "
                + self._money_words(movements, done=True)
            ),
            order=order,
        )

    def _plan_return(
        self,
        s: Session,
        customer_id: str,
        order_id: str,
        variant_ids: list[str],
        payment_method_id: str,
        lock: bool,
    ) -> _Plan | Refused:
        order = self._own_order(s, customer_id, order_id, lock)
        if isinstance(order, Refused):
            return order
        if not self.policy.allows("return", order.status):
            return self._wrong_status(order, "returned")
        if closed := self._window_closed(
            order, self.policy.returns.window_days, self.policy.returns.enforce_window, "returned"
        ):
            return closed
        wanted = [v.strip() for v in (variant_ids or []) if v and v.strip()]
        if not wanted:
            return Refused(RefusalCode.NOTHING_SELECTED, "Which items would you like to return?")
        lines: list[OrderLine] = []
        for variant_id in wanted:
            line = next(
                (
                    ln
                    for ln in order.lines
                    if ln.variant_id == variant_id and not ln.return_requested and ln not in lines
                ),
                None,
            )
            if line is None:
                return self._not_in_order(order, variant_id)
            lines.append(line)
        method = self._own_method(s, order.customer_id, payment_method_id, lock)
        if isinstance(method, Refused):
            return method
        original = {m.id for m, _ in self._net_paid(s, order, lock)}
        destinations = self.policy.refunds.return_destinations
        allowed = ("original_method" in destinations and method.id in original) or (
            "gift_card" in destinations and method.kind == PaymentKind.GIFT_CARD.value
        )
        if not allowed:
            return Refused(
                RefusalCode.REFUND_METHOD_NOT_ALLOWED,
                "A return can be refunded to the payment method you paid with or to one of "
                f"your gift cards, not to your {method.label}. Which would you like?",
            )
        amount = money(sum((ln.price for ln in lines), ZERO))
        movements = [_Movement(TransactionKind.REFUND, method, amount, "return refund")]
        items = _list([describe_item(ln.name, ln.options) for ln in lines])

        def mutate() -> None:
            for ln in lines:
                ln.return_requested = True
            order.status = OrderStatus.RETURN_REQUESTED.value

        return _Plan(
            action="return",
            order_id=order.id,
            summary=f"Return {items} from order {order.id}. {self._money_words(movements)}",
            amount_delta=-amount,
            movements=movements,
            mutate=mutate,
            outcome=lambda: (
                f"The return for order {order.id} is registered. "
                + self._money_words(movements, done=True)
                + " We'll email you how to send the items back."
            ),
            order=order,
        )

    def _plan_exchange(
        self,
        s: Session,
        customer_id: str,
        order_id: str,
        changes: dict[str, str],
        payment_method_id: str,
        lock: bool,
    ) -> _Plan | Refused:
        order = self._own_order(s, customer_id, order_id, lock)
        if isinstance(order, Refused):
            return order
        if not self.policy.allows("exchange", order.status):
            return self._wrong_status(order, "exchanged")
        if closed := self._window_closed(
            order,
            self.policy.exchanges.window_days,
            self.policy.exchanges.enforce_window,
            "exchanged",
        ):
            return closed
        swaps = self._variant_swaps(s, order, changes)
        if isinstance(swaps, Refused):
            return swaps
        difference = sum((v.price - line.price for line, v in swaps), ZERO)
        movements = self._settle_difference(
            s, order.customer_id, payment_method_id, money(difference), lock, "exchange"
        )
        if isinstance(movements, Refused):
            return movements
        summary = (
            f"Exchange in order {order.id}: {self._swap_words(swaps)}. "
            f"{self._difference_words(difference, movements)} "
            "An order is exchanged in one go: is that every item you want to exchange?"
        )

        def mutate() -> None:
            for line, variant in swaps:
                line.exchange_variant_id = variant.id
            order.status = OrderStatus.EXCHANGE_REQUESTED.value

        return _Plan(
            action="exchange",
            order_id=order.id,
            summary=summary,
            amount_delta=money(difference),
            movements=movements,
            mutate=mutate,
            outcome=lambda: (
                f"The exchange for order {order.id} is registered. "
                + self._difference_words(difference, movements, done=True)
                + " We'll email you how to send the old items back."
            ),
            order=order,
        )

    def _plan_default_address(
        self, s: Session, customer_id: str, address: Address, lock: bool
    ) -> _Plan | Refused:
        customer = self._customer(s, customer_id, lock)
        if isinstance(customer, Refused):
            return customer
        new = self._valid_address(address)
        if isinstance(new, Refused):
            return new
        old = _customer_address(customer)

        def mutate() -> None:
            _set_address(customer, new)

        return _Plan(
            action="change_default_address",
            order_id="",
            summary=f"Change your default address from {old.one_line()} to {new.one_line()}. "
            "Orders already placed keep their own address.",
            mutate=mutate,
            outcome=lambda: f"Your default address is now {new.one_line()}.",
            customer=customer,
        )

    # -- shared checks --------------------------------------------------------------------

    def _customer(self, s: Session, customer_id: str, lock: bool = False) -> Customer | Refused:
        if not (customer_id or "").strip():
            return Refused(
                RefusalCode.NOT_IDENTIFIED,
                "I need to know who you are first: what's the email address on your account?",
            )
        customer = s.get(Customer, customer_id.strip(), with_for_update=lock)
        if customer is None:
            return Refused(
                RefusalCode.CUSTOMER_NOT_FOUND,
                "I couldn't find your account any more. Could you identify yourself again?",
            )
        return customer

    def _own_order(
        self, s: Session, customer_id: str, order_id: str, lock: bool
    ) -> Order | Refused:
        if not (customer_id or "").strip():
            return Refused(
                RefusalCode.NOT_IDENTIFIED,
                "I need to know who you are before I can look at an order: what's the email "
                "address on your account?",
            )
        oid = normalise_order_id(order_id)
        order = s.get(Order, oid, with_for_update=lock) if ORDER_ID.match(oid) else None
        # Identical words for "unknown" and "someone else's" so nothing about it leaks.
        message = f"I couldn't find an order {oid} on your account. Could you check the number?"
        if order is None:
            return Refused(RefusalCode.ORDER_NOT_FOUND, message)
        if order.customer_id != customer_id.strip():
            log.warning("refused access to order %s for customer %s", oid, customer_id)
            return Refused(RefusalCode.NOT_YOUR_ORDER, message)
        return order

    def _own_method(
        self, s: Session, customer_id: str, payment_method_id: str, lock: bool
    ) -> PaymentMethod | Refused:
        pid = (payment_method_id or "").strip()
        method = s.get(PaymentMethod, pid, with_for_update=lock) if pid else None
        if method is None:
            return Refused(
                RefusalCode.PAYMENT_METHOD_NOT_FOUND,
                "I couldn't find that payment method on your account. "
                "Which of your saved payment methods should I use?",
            )
        if method.customer_id != customer_id:
            log.warning("refused payment method %s for customer %s", pid, customer_id)
            return Refused(
                RefusalCode.PAYMENT_METHOD_NOT_OWNED,
                "That payment method isn't on your account. "
                "Which of your saved payment methods should I use?",
            )
        if method.kind not in self.policy.payment_methods.accepted:
            return Refused(
                RefusalCode.PAYMENT_METHOD_NOT_ACCEPTED,
                f"Sorry, we can't use your {method.label} for this at the moment. "
                "Which of your other payment methods should I use?",
            )
        return method

    def _wrong_status(self, order: Order, verb: str, extra: str = "") -> Refused:
        return Refused(
            RefusalCode.WRONG_STATUS,
            f"Order {order.id} is {_STATUS_WORDS.get(order.status, order.status)}, "
            f"so it can't be {verb}.{extra}",
        )

    def _locked_by_item_change(self, order: Order, verb: str) -> Refused | None:
        if self.policy.modification.items_once and order.items_modified:
            return Refused(
                RefusalCode.ALREADY_MODIFIED,
                f"The items of order {order.id} were already changed once, so the order can't "
                f"be {verb} any more.",
            )
        return None

    def _window_closed(self, order: Order, days: int, enforce: bool, verb: str) -> Refused | None:
        if not enforce:
            return None
        created = order.created_at
        if created.tzinfo is None:  # SQLite hands back naive datetimes (stored as UTC)
            created = created.replace(tzinfo=UTC)
        if datetime.now(UTC) - created <= timedelta(days=days):
            return None
        return Refused(
            RefusalCode.WINDOW_CLOSED,
            f"Items can be {verb} within {days} days, and order {order.id} is older than that.",
        )

    def _not_in_order(self, order: Order, variant_id: str) -> Refused:
        return Refused(
            RefusalCode.ITEM_NOT_IN_ORDER,
            f"Item {variant_id} isn't one of the items of order {order.id} that can still be "
            "changed. Could you check which item you mean?",
        )

    def _variant_swaps(
        self, s: Session, order: Order, changes: dict[str, str]
    ) -> list[tuple[OrderLine, Variant]] | Refused:
        """Lines to change and their new variants; every unit of a listed variant changes."""
        pairs = [((c or "").strip(), (n or "").strip()) for c, n in (changes or {}).items()]
        pairs = [(c, n) for c, n in pairs if c]
        if not pairs:
            return Refused(RefusalCode.NOTHING_SELECTED, "Which items would you like to change?")
        swaps: list[tuple[OrderLine, Variant]] = []
        for current, new_id in pairs:
            lines = [
                ln
                for ln in order.lines
                if ln.variant_id == current
                and not ln.return_requested
                and ln.exchange_variant_id is None
            ]
            if not lines:
                return self._not_in_order(order, current)
            name = lines[0].name
            if new_id == current:
                return Refused(
                    RefusalCode.SAME_VARIANT,
                    f"The {name} you picked is the same as the one in the order. "
                    "Which other option would you like?",
                )
            variant = s.get(Variant, new_id) if new_id else None
            if variant is None:
                return Refused(
                    RefusalCode.VARIANT_NOT_FOUND,
                    f"I couldn't find the item {new_id or '(none given)'} in our catalog.",
                )
            if (
                self.policy.variant_change.same_product_only
                and variant.product_id != lines[0].product_id
            ):
                return Refused(
                    RefusalCode.DIFFERENT_PRODUCT,
                    f"An item can only be swapped for another option of the same product, so the "
                    f"{name} can't become a different product.",
                )
            if self.policy.variant_change.require_available and not variant.available:
                return Refused(
                    RefusalCode.VARIANT_UNAVAILABLE,
                    f"Sorry, the {describe_item(name, variant.options)} is not available. "
                    "Would another option work?",
                )
            swaps.extend((ln, variant) for ln in lines)
        return swaps

    def _settle_difference(
        self,
        s: Session,
        customer_id: str,
        payment_method_id: str,
        difference: Decimal,
        lock: bool,
        note: str,
    ) -> list[_Movement] | Refused:
        method = self._own_method(s, customer_id, payment_method_id, lock)
        if isinstance(method, Refused):
            return method
        if difference > 0:
            if short := self._gift_card_short(method, difference):
                return short
            return [
                _Movement(TransactionKind.PAYMENT, method, difference, f"{note}: price difference")
            ]
        if difference < 0:
            return [
                _Movement(TransactionKind.REFUND, method, -difference, f"{note}: price difference")
            ]
        return []

    def _gift_card_short(self, method: PaymentMethod, amount: Decimal) -> Refused | None:
        if (
            method.kind != PaymentKind.GIFT_CARD.value
            or not self.policy.gift_cards.must_cover_full_amount
        ):
            return None
        balance = money(method.balance or 0)
        if balance >= amount:
            return None
        return Refused(
            RefusalCode.INSUFFICIENT_BALANCE,
            f"Your gift card has {usd(balance)} left, which doesn't cover {usd(amount)}. "
            "Please choose another payment method.",
        )

    def _net_paid(
        self, s: Session, order: Order, lock: bool
    ) -> list[tuple[PaymentMethod, Decimal]]:
        """What each payment method paid for this order, minus what was refunded to it."""
        net: dict[str, Decimal] = {}
        for tx in order.transactions:
            sign = 1 if tx.kind == TransactionKind.PAYMENT.value else -1
            net[tx.payment_method_id] = net.get(tx.payment_method_id, ZERO) + sign * tx.amount
        paid: list[tuple[PaymentMethod, Decimal]] = []
        for method_id, amount in net.items():
            method = s.get(PaymentMethod, method_id, with_for_update=lock)
            if method is not None and amount > 0:
                paid.append((method, money(amount)))
        return paid

    def _valid_address(self, address: Address) -> Address | Refused:
        rules = self.policy.address
        clean = Address(
            address1=(address.address1 or "").strip(),
            address2=(address.address2 or "").strip(),
            city=(address.city or "").strip(),
            state=(address.state or "").strip(),
            zip=(address.zip or "").strip(),
            country=(address.country or "").strip() or rules.countries[0],
        )
        missing = [
            label
            for label, value in (
                ("street", clean.address1),
                ("city", clean.city),
                ("state", clean.state),
            )
            if not value
        ]
        if missing:
            return Refused(
                RefusalCode.INVALID_ADDRESS,
                f"The address is missing the {_list(missing)}. Could you give me the full address?",
            )
        if not re.match(rules.zip_pattern, clean.zip):
            return Refused(
                RefusalCode.INVALID_ADDRESS,
                f"'{clean.zip}' doesn't look like a valid ZIP code (for example 10001 or "
                "10001-1234). Could you check it?",
            )
        if clean.country.upper() not in {c.upper() for c in rules.countries}:
            return Refused(
                RefusalCode.INVALID_ADDRESS,
                f"Sorry, we currently ship only to {_list(list(rules.countries))}.",
            )
        return clean

    # -- words ----------------------------------------------------------------------------

    def _money_words(self, movements: list[_Movement], done: bool = False) -> str:
        if not movements:
            return "No money changes hands."
        parts = []
        for m in movements:
            timing = self.policy.refund_timing(m.method.kind)
            if m.kind == TransactionKind.REFUND:
                verb = "is refunded" if done else "will be refunded"
                arrival = (
                    ", available immediately"
                    if timing == "immediately"
                    else f"; it reaches you {timing}"
                )
                parts.append(f"{usd(m.amount)} {verb} to your {self._label(m, done)}{arrival}.")
            else:
                verb = "was charged" if done else "will be charged"
                parts.append(f"{usd(m.amount)} {verb} to your {self._label(m, done)}.")
        return " ".join(parts)

    def _label(self, movement: _Movement, done: bool) -> str:
        method = movement.method
        if method.kind != PaymentKind.GIFT_CARD.value:
            return method.label
        # After the change the balance is already updated; before it, say what it will be.
        balance = money(method.balance or 0)
        if not done:
            sign = 1 if movement.kind == TransactionKind.REFUND else -1
            balance = balance + sign * movement.amount
        return f"gift card (balance {'now' if done else 'then'} {usd(balance)})"

    def _difference_words(
        self, difference: Decimal, movements: list[_Movement], done: bool = False
    ) -> str:
        if not movements:
            return "There is no price difference."
        prefix = f"The price difference is {usd(abs(money(difference)))}: "
        return prefix + self._money_words(movements, done)

    @staticmethod
    def _swap_words(swaps: list[tuple[OrderLine, Variant]]) -> str:
        return "; ".join(
            f"{describe_item(line.name, line.options)} at {usd(money(line.price))} → "
            f"{describe_item(line.name, variant.options)} at {usd(money(variant.price))}"
            for line, variant in swaps
        )

    # -- running plans --------------------------------------------------------------------

    def _read(self, find: Callable[[Session], Result[Any]]) -> Result[Any]:
        try:
            with self.db.session() as s:
                return find(s)
        except SQLAlchemyError:
            log.exception("order service read failed")
            return _database_error()

    def _preview(self, build: Callable[[Session, bool], _Plan | Refused]) -> Result[ChangePreview]:
        def find(s: Session) -> Result[ChangePreview]:
            plan = build(s, False)
            if isinstance(plan, Refused):
                return plan
            return Ok(ChangePreview(plan.order_id, plan.action, plan.summary, plan.amount_delta))

        return self._read(find)

    def _change(self, build: Callable[[Session, bool], _Plan | Refused]) -> Result[Any]:
        try:
            with self.db.transaction() as s:
                plan = build(s, True)
                if isinstance(plan, Refused):
                    raise _Refusal(plan)
                self._apply(plan)
                s.flush()
                if plan.order is not None:
                    log.info("order %s: %s done", plan.order_id, plan.action)
                    return Ok(self._order_view(plan.order, plan.outcome()))
                assert plan.customer is not None
                log.info("customer %s: %s done", plan.customer.id, plan.action)
                return Ok(self._customer_view(plan.customer))
        except _Refusal as refusal:
            log.info("refused %s: %s", refusal.refused.code, refusal.refused.message)
            return refusal.refused
        except SQLAlchemyError:
            log.exception("order service change failed")
            return _database_error()

    def _apply(self, plan: _Plan) -> None:
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
            if m.method.kind == PaymentKind.GIFT_CARD.value:
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
            address=_customer_address(customer),
            payment_methods=tuple(
                PaymentMethodView(
                    id=pm.id,
                    kind=pm.kind,
                    label=pm.label,
                    balance=money(pm.balance) if pm.balance is not None else None,
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
            address=self._address_of(order),
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

    @staticmethod
    def _address_of(order: Order) -> Address:
        return Address(
            address1=order.address1,
            address2=order.address2,
            city=order.city,
            state=order.state,
            zip=order.zip,
            country=order.country,
        )


def _customer_address(customer: Customer) -> Address:
    return Address(
        address1=customer.address1,
        address2=customer.address2,
        city=customer.city,
        state=customer.state,
        zip=customer.zip,
        country=customer.country,
    )


def _set_address(row: Order | Customer, address: Address) -> None:
    row.address1 = address.address1
    row.address2 = address.address2
    row.city = address.city
    row.state = address.state
    row.zip = address.zip
    row.country = address.country


def _database_error() -> Refused:
    return Refused(
        RefusalCode.DATABASE_ERROR,
        "Sorry, something went wrong on our side and nothing was changed. "
        "Please try again in a moment.",
    )
