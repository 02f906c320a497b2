"""Swap items of a pending order for other options of the same product (once per order)."""

from __future__ import annotations

from bot.db.session import Session
from bot.orders.money import ZERO, money
from bot.orders.results import Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request
from bot.texts import t


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    swaps = p.variant_swaps(s, order, req.changes)
    if isinstance(swaps, Refused):
        return swaps
    difference = sum((v.price - line.price for line, v in swaps), ZERO)
    movements = p.settle_difference(
        s, order.customer_id, req.payment_method_id, money(difference), lock, "item change"
    )
    if isinstance(movements, Refused):
        return movements
    once = t("modify_items.once") if p.policy.modification.items_once else ""
    summary = t(
        "modify_items.preview",
        order_id=order.id,
        swaps=p.swap_words(swaps),
        difference=p.difference_words(difference, movements),
        once=once,
    )

    def mutate() -> None:
        for line, variant in swaps:
            line.variant_id = variant.id
            line.options = dict(variant.options or {})
            line.price = money(variant.price)
        order.items_modified = True

    return Plan(
        action="modify_items",
        order_id=order.id,
        summary=summary,
        amount_delta=money(difference),
        movements=movements,
        mutate=mutate,
        outcome=lambda: t(
            "modify_items.done",
            order_id=order.id,
            difference=p.difference_words(difference, movements, done=True),
        ),
        order=order,
    )


TASK = OrderTask(
    name="modify_items",
    intents=("change_order",),
    form="modify_items_form",
    action="action_modify_items",
    slots=("order_id", "item_ids", "new_item_ids", "payment_method_id", "confirmed"),
    args=("order_id", "changes", "payment_method_id"),
    plan=plan,
    rule="modify",
    verb="task.verb.changed",
    locked_verb="task.verb.changed_again",
    order_question="task.order_verb.change",
    counterpart="exchange",
)
