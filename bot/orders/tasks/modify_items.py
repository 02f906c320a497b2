"""Swap items of a pending order for other options of the same product (once per order)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.orders.money import ZERO, money
from bot.orders.results import Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request


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
    once = (
        " Items can be changed only once, so after this the order can't be changed or "
        "cancelled any more. Is that every item you want to change?"
        if p.policy.modification.items_once
        else ""
    )
    summary = (
        f"Change items of order {order.id}: {p.swap_words(swaps)}. "
        f"{p.difference_words(difference, movements)}{once}"
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
        outcome=lambda: (
            f"The items of order {order.id} are changed. "
            + p.difference_words(difference, movements, done=True)
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
    verb="changed",
    locked_verb="changed again",
    order_question="change",
    preview_reminder=(
        " Please make sure these are all the items you want to change: this can only be done once."
    ),
)
