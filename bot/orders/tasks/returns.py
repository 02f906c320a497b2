"""Return items of a delivered order; the refund goes where the policy allows."""

from __future__ import annotations

from bot.db.models import OrderLine, OrderStatus, PaymentKind, TransactionKind
from bot.db.session import Session
from bot.orders.money import ZERO, money
from bot.orders.results import RefusalCode, Refused
from bot.orders.tasks.base import (
    Movement,
    OrderTask,
    Plan,
    Planner,
    Request,
)
from bot.texts import describe_item, list_words, payment_title, t


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    if closed := p.window_closed(
        order, p.policy.returns.window_days, p.policy.returns.enforce_window, "task.verb.returned"
    ):
        return closed
    wanted = [v.strip() for v in (req.items or []) if v and v.strip()]
    if not wanted:
        return Refused(RefusalCode.NOTHING_SELECTED, t("return.nothing"))
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
            return p.not_in_order(order, variant_id)
        lines.append(line)
    method = p.own_method(s, order.customer_id, req.payment_method_id, lock)
    if isinstance(method, Refused):
        return method
    original = {m.id for m, _ in p.net_paid(s, order, lock)}
    destinations = p.policy.refunds.return_destinations
    allowed = ("original_method" in destinations and method.id in original) or (
        "gift_card" in destinations and method.kind == PaymentKind.GIFT_CARD.value
    )
    if not allowed:
        return Refused(
            RefusalCode.REFUND_METHOD_NOT_ALLOWED,
            t("return.refund_not_allowed", method=payment_title(method)),
        )
    amount = money(sum((ln.price for ln in lines), ZERO))
    on_receipt = p.policy.refunds.returns_settle_on_receipt
    movements = [Movement(TransactionKind.REFUND, method, amount, "return refund", on_receipt)]
    items = list_words([describe_item(ln.name, ln.options) for ln in lines])

    def mutate() -> None:
        for ln in lines:
            ln.return_requested = True
        order.status = OrderStatus.RETURN_REQUESTED.value

    return Plan(
        action="return",
        order_id=order.id,
        summary=t("return.preview", items=items, order_id=order.id, money=p.money_words(movements)),
        amount_delta=-amount,
        movements=movements,
        mutate=mutate,
        outcome=lambda: t(
            "return.done", order_id=order.id, money=p.money_words(movements, done=True)
        ),
        order=order,
    )


TASK = OrderTask(
    name="return",
    intents=("return_item",),
    form="return_form",
    action="action_return_items",
    slots=("order_id", "item_ids", "payment_method_id", "confirmed"),
    args=("order_id", "items", "payment_method_id"),
    plan=plan,
    rule="return",
    verb="task.verb.returned",
    order_question="task.order_verb.return",
    items_verb="task.items_verb.return",
    payment_rule="refund_destination",
    payment_question="task.payment_question.refund",
)
