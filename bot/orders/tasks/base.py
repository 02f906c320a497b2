"""What an order task is, and the checks, money movements and words every task plan shares.

A task module (``bot/orders/tasks/<name>.py``) declares one ``OrderTask``: its name, the
intents that start it, its form and slots, its guards (which order statuses allow it, whether
a one-time item change locks it) and its plan. Everything else (the service's generic
``preview``/``change``, the dialogue's pre-checks, the Rasa rules and forms, the form
validators and change actions, the tests' tables) is derived from the registry.

A plan loads what it needs, applies every policy check and works out the money movements and
the words that describe them without touching a row; the service runs the same plan for the
preview (read session) and the change (transaction, rows locked), so the two never disagree.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, Literal

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
from bot.db.session import Session
from bot.orders.ids import ORDER_ID, normalise_order_id
from bot.orders.money import ZERO, money, usd
from bot.orders.policy import ShopPolicy
from bot.orders.repository import OrderRepository
from bot.orders.results import Address, RefusalCode, Refused
from bot.texts import describe_item, list_words, payment_title, t

log = logging.getLogger(__name__)

StatusRule = Literal["cancel", "modify", "return", "exchange"]
# How a status reads in "Order #W... is <status>, so it can't be ..." (catalog keys).
STATUS_WORDS = {
    OrderStatus.PENDING.value: "order.status_is.pending",
    OrderStatus.PROCESSED.value: "order.status_is.processed",
    OrderStatus.DELIVERED.value: "order.status_is.delivered",
    OrderStatus.CANCELLED.value: "order.status_is.cancelled",
    OrderStatus.RETURN_REQUESTED.value: "order.status_is.return_requested",
    OrderStatus.EXCHANGE_REQUESTED.value: "order.status_is.exchange_requested",
}
# What the change actions and "stop" clear when a task ends, beside the tasks' own slots.
PREVIEW_SLOT = "previewed_plan"
CONFIRM_SLOT = "confirmed"


# Which variant becomes which: every unit of a variant (a mapping), or one unit per pair.
Changes = Mapping[str, str] | tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Request:
    """What the shopper asked for: the values a task's plan reads (``Request.ARGS`` names them).

    ``items`` are variant ids, one per unit (a return, a cancelled item); ``changes`` says
    which variant of the order becomes which (an item change, an exchange): a mapping changes
    every unit of a listed variant, a sequence of (current, new) pairs one unit per pair, as
    ``items`` does (the dialogue's item slots are per unit: "the water bottle" of an order
    with two identical ones is one of them).
    """

    customer_id: str
    order_id: str = ""
    reason: str = ""
    items: tuple[str, ...] = ()
    changes: Changes = field(default_factory=dict)
    payment_method_id: str = ""
    address: Address | None = None

    @classmethod
    def from_slots(cls, slots: Mapping[str, Any]) -> Request:
        """The request a form's slots describe (the dialogue speaks in slots)."""
        items = [str(v) for v in (slots.get("item_ids") or [])]
        new = [str(v) for v in (slots.get("new_item_ids") or [])]
        return cls(
            customer_id=str(slots.get("customer_id") or ""),
            order_id=str(slots.get("order_id") or ""),
            reason=str(slots.get("cancel_reason") or ""),
            items=tuple(items),
            changes=tuple(zip(items, new, strict=False)),
            payment_method_id=str(slots.get("payment_method_id") or ""),
            address=address_from_slot(slots.get("new_address")),
        )


def address_from_slot(raw: Any) -> Address:
    data = raw if isinstance(raw, dict) else {}
    return Address(
        address1=str(data.get("address1", "")),
        address2=str(data.get("address2", "")),
        city=str(data.get("city", "")),
        state=str(data.get("state", "")),
        zip=str(data.get("zip", "")),
        country=str(data.get("country", "USA") or "USA"),
    )


@dataclass
class Movement:
    kind: TransactionKind
    method: PaymentMethod
    amount: Decimal
    note: str
    # Booked now, settled when the returned items arrive: no gift-card balance changes yet.
    on_receipt: bool = False


@dataclass
class Plan:
    """What a change would do: checked, priced and described, not yet applied."""

    action: str
    order_id: str
    summary: str
    amount_delta: Decimal = ZERO
    movements: list[Movement] = field(default_factory=list)
    mutate: Callable[[], None] = lambda: None
    # Evaluated after the change is applied, so gift-card balances in the words are current.
    outcome: Callable[[], str] = lambda: ""
    order: Order | None = None
    customer: Customer | None = None


PlanFn = Callable[["Planner", Session, Request, bool], "Plan | Refused"]


@dataclass(frozen=True)
class OrderTask:
    """One order operation, declared once; see the module docstring for what derives from it."""

    name: str
    intents: tuple[str, ...]  # NLU intents that start the task's form
    form: str
    action: str  # the action that runs once the form is complete
    # Slots the form asks after identification, in ask order ("confirmed" = preview + yes).
    slots: tuple[str, ...]
    # Entities that must come with the intent (cancel_order naming a product is cancelling an
    # item); the rules match them with or without an order id beside them.
    entities: tuple[str, ...] = ()
    # Positional arguments of OrderService.preview/change after the customer id.
    args: tuple[str, ...] = ()
    plan: PlanFn | None = None  # None: a look-up, nothing changes
    # Guards, stated once: the policy status rule the order must pass, the verb that says
    # what can't happen, hints per status, and the verb when a one-time item change locks it.
    # Wording fields hold message keys of bot/texts (the catalog has the words).
    rule: StatusRule | None = None
    verb: str = ""
    status_hints: Mapping[str, str] = field(default_factory=dict)
    locked_verb: str | None = None
    # Which of the shopper's payment methods the task can use: any, any but the one that
    # paid (a payment change), or where the policy lets a refund go (a return).
    payment_rule: Literal["any", "other_than_original", "refund_destination"] = "any"
    # Dialogue wording (message keys).
    order_question: str = "task.order_verb.look_at"  # "Which order would you like to <...>?"
    items_verb: str = (
        "task.items_verb.change"  # "Which items of order #W... would you like to <...>?"
    )
    payment_question: str = "task.payment_question.difference"
    preview_reminder: str = ""  # said after the preview summary, before "Shall I go ahead?"
    # A refusal that another task resolves: code -> (button title key, that task's name); the
    # button sends that task's intent, and the rules let it leave this form for that one.
    offers: Mapping[RefusalCode, tuple[str, str]] = field(default_factory=dict)
    # The task that does this one's job for an order in another status (an item change of a
    # delivered order is an exchange): the form switches to it instead of refusing the order.
    counterpart: str = ""

    @property
    def changes(self) -> bool:
        return self.plan is not None

    @property
    def plan_slots(self) -> tuple[str, ...]:
        """The slots a confirmed change reads: what the preview's fingerprint covers."""
        return tuple(s for s in self.slots if s != CONFIRM_SLOT)

    def request(self, customer_id: str, *args: Any, **kwargs: Any) -> Request:
        if len(args) > len(self.args):
            raise TypeError(f"task {self.name} takes {self.args}, got {len(args)} values")
        values = dict(zip(self.args, args, strict=False)) | kwargs
        if "items" in values:
            values["items"] = tuple(values["items"] or ())
        return Request(customer_id=customer_id, **values)

    def guard(
        self, policy: ShopPolicy, order_id: str, status: str, items_modified: bool
    ) -> Refused | None:
        """The task's status and item-lock rules for one order (the only place they live)."""
        if self.rule is not None and not policy.allows(self.rule, status):
            hint = self.status_hints.get(status)
            return Refused(
                RefusalCode.WRONG_STATUS,
                t(
                    "order.wrong_status",
                    order_id=order_id,
                    status=status_words(status),
                    verb=t(self.verb),
                )
                + (t(hint) if hint else ""),
            )
        if self.locked_verb and policy.modification.items_once and items_modified:
            return Refused(
                RefusalCode.ALREADY_MODIFIED,
                t("order.already_modified", order_id=order_id, verb=t(self.locked_verb)),
            )
        return None


def status_words(status: str) -> str:
    """How an order status reads in a sentence ('pending', 'waiting for a return')."""
    key = STATUS_WORDS.get(status)
    return t(key) if key else status


def address_of(row: Order | Customer) -> Address:
    return Address(
        address1=row.address1,
        address2=row.address2,
        city=row.city,
        state=row.state,
        zip=row.zip,
        country=row.country,
    )


def set_address(row: Order | Customer, address: Address) -> None:
    row.address1 = address.address1
    row.address2 = address.address2
    row.city = address.city
    row.state = address.state
    row.zip = address.zip
    row.country = address.country


class Planner:
    """The checks and words plans share, under one shop policy."""

    def __init__(self, policy: ShopPolicy) -> None:
        self.policy = policy

    # -- who and what ---------------------------------------------------------------------

    def customer(self, s: Session, customer_id: str, lock: bool = False) -> Customer | Refused:
        if not (customer_id or "").strip():
            return Refused(RefusalCode.NOT_IDENTIFIED, t("identify.needed"))
        customer = OrderRepository(s).customer(customer_id.strip(), lock=lock)
        if customer is None:
            return Refused(RefusalCode.CUSTOMER_NOT_FOUND, t("identify.account_gone"))
        return customer

    def own_order(self, s: Session, customer_id: str, order_id: str, lock: bool) -> Order | Refused:
        if not (customer_id or "").strip():
            return Refused(RefusalCode.NOT_IDENTIFIED, t("identify.needed_for_order"))
        oid = normalise_order_id(order_id)
        order = OrderRepository(s).order(oid, lock=lock) if ORDER_ID.match(oid) else None
        # Identical words for "unknown" and "someone else's" so nothing about it leaks.
        message = t("order.not_found", order_id=oid)
        if order is None:
            return Refused(RefusalCode.ORDER_NOT_FOUND, message)
        if order.customer_id != customer_id.strip():
            log.warning("refused access to order %s for customer %s", oid, customer_id)
            return Refused(RefusalCode.NOT_YOUR_ORDER, message)
        return order

    def order_for(self, task: OrderTask, s: Session, req: Request, lock: bool) -> Order | Refused:
        """The shopper's order, if the task's guards allow the task on it."""
        order = self.own_order(s, req.customer_id, req.order_id, lock)
        if isinstance(order, Refused):
            return order
        return task.guard(self.policy, order.id, order.status, order.items_modified) or order

    def own_method(
        self, s: Session, customer_id: str, payment_method_id: str, lock: bool
    ) -> PaymentMethod | Refused:
        pid = (payment_method_id or "").strip()
        method = OrderRepository(s).payment_method(pid, lock=lock) if pid else None
        if method is None:
            return Refused(RefusalCode.PAYMENT_METHOD_NOT_FOUND, t("payment.not_found"))
        if method.customer_id != customer_id:
            log.warning("refused payment method %s for customer %s", pid, customer_id)
            return Refused(RefusalCode.PAYMENT_METHOD_NOT_OWNED, t("payment.not_owned"))
        if method.kind not in self.policy.payment_methods.accepted:
            return Refused(
                RefusalCode.PAYMENT_METHOD_NOT_ACCEPTED,
                t("payment.not_accepted", method=payment_title(method)),
            )
        return method

    def window_closed(self, order: Order, days: int, enforce: bool, verb: str) -> Refused | None:
        if not enforce:
            return None
        created = order.created_at
        if created.tzinfo is None:  # SQLite hands back naive datetimes (stored as UTC)
            created = created.replace(tzinfo=UTC)
        if datetime.now(UTC) - created <= timedelta(days=days):
            return None
        return Refused(
            RefusalCode.WINDOW_CLOSED,
            t("order.window_closed", verb=t(verb), days=days, order_id=order.id),
        )

    @staticmethod
    def not_in_order(order: Order, variant_id: str) -> Refused:
        return Refused(
            RefusalCode.ITEM_NOT_IN_ORDER,
            t("order.item_not_in_order", item_id=variant_id, order_id=order.id),
        )

    @staticmethod
    def open_lines(order: Order) -> list[OrderLine]:
        """Lines no return or exchange has claimed yet."""
        return [
            ln for ln in order.lines if not ln.return_requested and ln.exchange_variant_id is None
        ]

    def variant_swaps(
        self, s: Session, order: Order, changes: Changes
    ) -> list[tuple[OrderLine, Variant]] | Refused:
        """Lines to change and their new variants: every unit of a variant a mapping lists,
        one unit per pair of a sequence (see ``Request``)."""
        every_unit = isinstance(changes, Mapping)
        listed = list(changes.items()) if isinstance(changes, Mapping) else list(changes or ())
        pairs = [((c or "").strip(), (n or "").strip()) for c, n in listed]
        pairs = [(c, n) for c, n in pairs if c]
        if not pairs:
            return Refused(RefusalCode.NOTHING_SELECTED, t("order.which_items_change"))
        swaps: list[tuple[OrderLine, Variant]] = []
        for current, new_id in pairs:
            taken = [line for line, _ in swaps]
            lines = [
                ln for ln in self.open_lines(order) if ln.variant_id == current and ln not in taken
            ]
            if not lines:
                return self.not_in_order(order, current)
            if not every_unit:
                lines = lines[:1]
            name = lines[0].name
            if new_id == current:
                return Refused(RefusalCode.SAME_VARIANT, t("order.same_variant", name=name))
            variant = OrderRepository(s).variant(new_id) if new_id else None
            if variant is None:
                return Refused(
                    RefusalCode.VARIANT_NOT_FOUND,
                    t("order.variant_not_found", item_id=new_id or t("order.none_given")),
                )
            if (
                self.policy.variant_change.same_product_only
                and variant.product_id != lines[0].product_id
            ):
                return Refused(
                    RefusalCode.DIFFERENT_PRODUCT, t("order.different_product", name=name)
                )
            if self.policy.variant_change.require_available and not variant.available:
                return Refused(
                    RefusalCode.VARIANT_UNAVAILABLE,
                    t("order.variant_unavailable", item=describe_item(name, variant.options)),
                )
            swaps.extend((ln, variant) for ln in lines)
        return swaps

    # -- money ----------------------------------------------------------------------------

    def settle_difference(
        self,
        s: Session,
        customer_id: str,
        payment_method_id: str,
        difference: Decimal,
        lock: bool,
        note: str,
        on_receipt: bool = False,
    ) -> list[Movement] | Refused:
        if difference == 0:
            return []  # no money moves: no payment method is needed (nor asked for)
        method = self.own_method(s, customer_id, payment_method_id, lock)
        if isinstance(method, Refused):
            return method
        if difference > 0:
            if short := self.gift_card_short(method, difference):
                return short
            kind, amount = TransactionKind.PAYMENT, difference
        else:
            kind, amount = TransactionKind.REFUND, -difference
        return [Movement(kind, method, amount, f"{note}: price difference", on_receipt)]

    def gift_card_short(self, method: PaymentMethod, amount: Decimal) -> Refused | None:
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
            t("payment.gift_card_short", balance=usd(balance), amount=usd(amount)),
        )

    @staticmethod
    def net_paid(s: Session, order: Order, lock: bool) -> list[tuple[PaymentMethod, Decimal]]:
        """What each payment method paid for this order, minus what was refunded to it."""
        net: dict[str, Decimal] = {}
        for tx in order.transactions:
            sign = 1 if tx.kind == TransactionKind.PAYMENT.value else -1
            net[tx.payment_method_id] = net.get(tx.payment_method_id, ZERO) + sign * tx.amount
        paid: list[tuple[PaymentMethod, Decimal]] = []
        for method_id, amount in net.items():
            method = OrderRepository(s).payment_method(method_id, lock=lock)
            if method is not None and amount > 0:
                paid.append((method, money(amount)))
        return paid

    def refund_to_payers(
        self, s: Session, order: Order, amount: Decimal, lock: bool, note: str
    ) -> list[Movement]:
        """Refund ``amount`` to the methods that paid for the order, in the order they paid."""
        left = money(amount)
        movements: list[Movement] = []
        for method, paid in self.net_paid(s, order, lock):
            part = min(left, paid)
            if part > 0:
                movements.append(Movement(TransactionKind.REFUND, method, part, note))
                left -= part
        return movements

    # -- addresses ------------------------------------------------------------------------

    def valid_address(self, address: Address | None) -> Address | Refused:
        rules = self.policy.address
        address = address or Address(address1="", city="", state="", zip="")
        clean = Address(
            address1=(address.address1 or "").strip(),
            address2=(address.address2 or "").strip(),
            city=(address.city or "").strip(),
            state=(address.state or "").strip(),
            zip=(address.zip or "").strip(),
            country=(address.country or "").strip() or rules.countries[0],
        )
        missing = [
            t(label)
            for label, value in (
                ("address.part.street", clean.address1),
                ("address.part.city", clean.city),
                ("address.part.state", clean.state),
            )
            if not value
        ]
        if missing:
            return Refused(
                RefusalCode.INVALID_ADDRESS, t("address.missing", parts=list_words(missing))
            )
        if not re.match(rules.zip_pattern, clean.zip):
            return Refused(RefusalCode.INVALID_ADDRESS, t("address.bad_zip", zip=clean.zip))
        if clean.country.upper() not in {c.upper() for c in rules.countries}:
            return Refused(
                RefusalCode.INVALID_ADDRESS,
                t("address.country", countries=list_words(list(rules.countries))),
            )
        return clean

    # -- words ----------------------------------------------------------------------------

    def money_words(self, movements: list[Movement], done: bool = False) -> str:
        if not movements:
            return t("money.none")
        parts = []
        for m in movements:
            named = {"amount": usd(m.amount), "method": self._label(m, done)}
            if m.kind == TransactionKind.REFUND:
                # Money settled on receipt has the same words before and after the change.
                if m.on_receipt:
                    key = "money.on_receipt.refund"
                else:
                    key = "money.refunded" if done else "money.will_be_refunded"
                arrival = (
                    t("money.arrival.immediately")
                    if self.policy.refund_is_immediate(m.method.kind)
                    else t("money.arrival.later", timing=self.policy.refund_timing(m.method.kind))
                )
                parts.append(t(key, arrival=arrival, **named))
            elif m.on_receipt:
                parts.append(t("money.on_receipt.charge", **named))
            else:
                parts.append(t("money.charged" if done else "money.will_be_charged", **named))
        return t("sentence.separator").join(parts)

    @staticmethod
    def _label(movement: Movement, done: bool) -> str:
        method = movement.method
        if method.kind != PaymentKind.GIFT_CARD.value:
            return method.label
        if movement.on_receipt:
            return t("payment.gift_card")  # its balance changes later, not with this change
        # After the change the balance is already updated; before it, say what it will be.
        balance = money(method.balance or 0)
        if not done:
            sign = 1 if movement.kind == TransactionKind.REFUND else -1
            balance = balance + sign * movement.amount
        key = "payment.gift_card_balance_now" if done else "payment.gift_card_balance_then"
        return t(key, balance=usd(balance))

    def difference_words(
        self, difference: Decimal, movements: list[Movement], done: bool = False
    ) -> str:
        if not movements:
            return t("money.no_difference")
        return t(
            "money.difference",
            amount=usd(abs(money(difference))),
            movements=self.money_words(movements, done),
        )

    @staticmethod
    def swap_words(swaps: list[tuple[OrderLine, Variant]]) -> str:
        return t("list.semicolon").join(
            t(
                "order.swap",
                old=describe_item(line.name, line.options),
                old_price=usd(line.price),
                new=describe_item(line.name, variant.options),
                new_price=usd(variant.price),
            )
            for line, variant in swaps
        )
