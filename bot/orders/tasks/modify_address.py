"""Ship a pending order to another address."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.orders.results import Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request, address_of, set_address


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    new = p.valid_address(req.address)
    if isinstance(new, Refused):
        return new
    old = address_of(order)

    def mutate() -> None:
        set_address(order, new)

    return Plan(
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


TASK = OrderTask(
    name="modify_address",
    intents=("change_shipping_address",),
    form="modify_address_form",
    action="action_modify_address",
    slots=("order_id", "new_address", "confirmed"),
    args=("order_id", "address"),
    plan=plan,
    rule="modify",
    verb="changed",
    locked_verb="changed",
    order_question="change the address of",
)
