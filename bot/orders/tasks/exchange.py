"""Exchange items of a delivered order for other options of the same product, in one go."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.models import OrderStatus
from bot.orders.money import ZERO, money
from bot.orders.results import Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    if closed := p.window_closed(
        order, p.policy.exchanges.window_days, p.policy.exchanges.enforce_window, "exchanged"
    ):
        return closed
    swaps = p.variant_swaps(s, order, req.changes)
    if isinstance(swaps, Refused):
        return swaps
    difference = sum((v.price - line.price for line, v in swaps), ZERO)
    movements = p.settle_difference(
        s, order.customer_id, req.payment_method_id, money(difference), lock, "exchange"
    )
    if isinstance(movements, Refused):
        return movements
    summary = (
        f"Exchange in order {order.id}: {p.swap_words(swaps)}. "
        f"{p.difference_words(difference, movements)} "
        "An order is exchanged in one go: is that every item you want to exchange?"
    )

    def mutate() -> None:
        for line, variant in swaps:
            line.exchange_variant_id = variant.id
        order.status = OrderStatus.EXCHANGE_REQUESTED.value

    return Plan(
        action="exchange",
        order_id=order.id,
        summary=summary,
        amount_delta=money(difference),
        movements=movements,
        mutate=mutate,
        outcome=lambda: (
            f"The exchange for order {order.id} is registered. "
            + p.difference_words(difference, movements, done=True)
            + " We'll email you how to send the old items back."
        ),
        order=order,
    )


TASK = OrderTask(
    name="exchange",
    intents=("exchange_item",),
    form="exchange_form",
    action="action_exchange_items",
    slots=("order_id", "item_ids", "new_item_ids", "payment_method_id", "confirmed"),
    args=("order_id", "changes", "payment_method_id"),
    plan=plan,
    rule="exchange",
    verb="exchanged",
    order_question="exchange items from",
    items_verb="exchange",
    preview_reminder=(
        " Please make sure these are all the items you want to change: this can only be done once."
    ),
)
