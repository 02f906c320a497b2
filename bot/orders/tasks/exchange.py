"""Exchange items of a delivered order for other options of the same product, in one go."""

from __future__ import annotations

from bot.db.models import OrderStatus
from bot.db.session import Session
from bot.orders.money import ZERO, money
from bot.orders.results import Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request
from bot.texts import t


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    if closed := p.window_closed(
        order,
        p.policy.exchanges.window_days,
        p.policy.exchanges.enforce_window,
        "task.verb.exchanged",
    ):
        return closed
    swaps = p.variant_swaps(s, order, req.changes)
    if isinstance(swaps, Refused):
        return swaps
    difference = sum((v.price - line.price for line, v in swaps), ZERO)
    movements = p.settle_difference(
        s,
        order.customer_id,
        req.payment_method_id,
        money(difference),
        lock,
        "exchange",
        on_receipt=p.policy.refunds.returns_settle_on_receipt,
    )
    if isinstance(movements, Refused):
        return movements
    summary = t(
        "exchange.preview",
        order_id=order.id,
        swaps=p.swap_words(swaps),
        difference=p.difference_words(difference, movements),
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
        outcome=lambda: t(
            "exchange.done",
            order_id=order.id,
            difference=p.difference_words(difference, movements, done=True),
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
    verb="task.verb.exchanged",
    order_question="task.order_verb.exchange",
    items_verb="task.items_verb.exchange",
    counterpart="modify_items",
)
