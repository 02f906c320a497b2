"""Pay a pending order with another of the shopper's methods: refund the old, charge the new."""

from __future__ import annotations

from bot.db.models import TransactionKind
from bot.db.session import Session
from bot.orders.money import ZERO, money, usd
from bot.orders.results import RefusalCode, Refused
from bot.orders.tasks.base import Movement, OrderTask, Plan, Planner, Request
from bot.texts import payment_title, t


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
            t("modify_payment.same_method", order_id=order.id, method=payment_title(method)),
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
    summary = t(
        "modify_payment.preview",
        order_id=order.id,
        amount=usd(amount),
        method=method.label,
        money=p.money_words(movements),
    )
    return Plan(
        action="modify_payment",
        order_id=order.id,
        summary=summary,
        movements=movements,
        outcome=lambda: t(
            "modify_payment.done",
            order_id=order.id,
            method=method.label,
            money=p.money_words(movements, done=True),
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
    verb="task.verb.changed",
    locked_verb="task.verb.changed",
    order_question="task.order_verb.change_payment",
    payment_rule="other_than_original",
    payment_question="task.payment_question.instead",
)
