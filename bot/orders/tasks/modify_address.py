"""Ship a pending order to another address."""

from __future__ import annotations

from bot.db.session import Session
from bot.orders.results import Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request, address_of, set_address
from bot.texts import t


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
        summary=t(
            "modify_address.preview", order_id=order.id, new=new.one_line(), old=old.one_line()
        ),
        mutate=mutate,
        outcome=lambda: t("modify_address.done", order_id=order.id, address=new.one_line()),
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
    verb="task.verb.changed",
    locked_verb="task.verb.changed",
    order_question="task.order_verb.change_address",
)
