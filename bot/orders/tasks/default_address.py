"""Change the shopper's default address (orders already placed keep theirs)."""

from __future__ import annotations

from bot.db.session import Session
from bot.orders.results import Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request, address_of, set_address
from bot.texts import t


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    customer = p.customer(s, req.customer_id, lock)
    if isinstance(customer, Refused):
        return customer
    new = p.valid_address(req.address)
    if isinstance(new, Refused):
        return new
    old = address_of(customer)

    def mutate() -> None:
        set_address(customer, new)

    return Plan(
        action="change_default_address",
        order_id="",
        summary=t("default_address.preview", old=old.one_line(), new=new.one_line()),
        mutate=mutate,
        outcome=lambda: t("default_address.done", address=new.one_line()),
        customer=customer,
    )


TASK = OrderTask(
    name="default_address",
    intents=("edit_account",),
    form="default_address_form",
    action="action_change_default_address",
    slots=("new_address", "confirmed"),
    args=("address",),
    plan=plan,
)
