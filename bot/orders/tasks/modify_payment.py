"""Pay a pending order with another of the shopper's methods: refund the old, charge the new."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.models import TransactionKind
from bot.orders.money import ZERO, money, usd
from bot.orders.results import RefusalCode, Refused
from bot.orders.tasks.base import Movement, OrderTask, Plan, Planner, Request


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    method = p.own_method(s, order.customer_id, req.payment_method_id, lock)
    if isinstance(method, Refused):
        return method
    paid = p.net_paid(s, order, lock)
    if any(m.id == method.id for m, _ in paid):
        return Refused(
            RefusalCode.SAME_PAYMENT_METHOD,
            f"Order {order.id} is already paid with your {method.label}. "
            "Please choose a different payment method.",
        )
    amount = sum((a for _, a in paid), ZERO) if paid else money(order.total)
    if short := p.gift_card_short(method, amount):
        return short
    movements = [
        Movement(TransactionKind.REFUND, m, a, "payment method change: refund") for m, a in paid
    ]
    movements.append(
        Movement(TransactionKind.PAYMENT, method, amount, "payment method change: payment")
    )
    summary = (
        f"Pay order {order.id} ({usd(amount)}) with your {method.label} instead. "
        f"{p.money_words(movements)}"
    )
    return Plan(
        action="modify_payment",
        order_id=order.id,
        summary=summary,
        movements=movements,
        outcome=lambda: (
            f"Order {order.id} is now paid with your {method.label}. "
            + p.money_words(movements, done=True)
        ),
        order=order,
    )


TASK = OrderTask(
    name="modify_payment",
    intents=("change_payment_method",),
    form="modify_payment_form",
    action="action_modify_payment",
    slots=("order_id", "payment_method_id", "confirmed"),
    args=("order_id", "payment_method_id"),
    plan=plan,
    rule="modify",
    verb="changed",
    locked_verb="changed",
    order_question="change the payment of",
    payment_rule="other_than_original",
    payment_question="Which payment method should the order use instead?",
)
