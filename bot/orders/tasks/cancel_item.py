"""Cancel one item (or a few) of a pending order; the order stays and the item is refunded.

Cancelling every remaining item would be cancelling the order, which has its own rules
(a reason, perhaps a fee): that is refused here and the cancel task is offered instead.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.models import OrderLine
from bot.orders.money import ZERO, money
from bot.orders.results import RefusalCode, Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request, describe_item, list_words


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    wanted = [v.strip() for v in (req.items or []) if v and v.strip()]
    if not wanted:
        return Refused(RefusalCode.NOTHING_SELECTED, "Which item would you like to cancel?")
    lines: list[OrderLine] = []
    for variant_id in wanted:
        line = next(
            (ln for ln in p.open_lines(order) if ln.variant_id == variant_id and ln not in lines),
            None,
        )
        if line is None:
            return p.not_in_order(order, variant_id)
        lines.append(line)
    items = list_words([describe_item(ln.name, ln.options) for ln in lines])
    if len(lines) >= len(order.lines):
        return Refused(
            RefusalCode.LAST_ITEM,
            f"The {items} {'is the last item' if len(lines) == 1 else 'are all the items'} of "
            f"order {order.id}, so cancelling {'it' if len(lines) == 1 else 'them'} means "
            "cancelling the whole order. Would you like to cancel the order instead?",
        )
    amount = money(sum((ln.price for ln in lines), ZERO))
    movements = p.refund_to_payers(s, order, amount, lock, "item cancelled")
    summary = (
        f"Cancel {items} from order {order.id}; the rest of the order stays as it is. "
        f"{p.money_words(movements)}"
    )

    def mutate() -> None:
        for ln in lines:
            order.lines.remove(ln)  # the line goes; its refund transaction keeps the record

    return Plan(
        action="cancel_item",
        order_id=order.id,
        summary=summary,
        amount_delta=-amount,
        movements=movements,
        mutate=mutate,
        outcome=lambda: (
            f"The {items} {'is' if len(lines) == 1 else 'are'} cancelled from order "
            f"{order.id}. {p.money_words(movements, done=True)}"
        ),
        order=order,
    )


TASK = OrderTask(
    name="cancel_item",
    intents=("cancel_order",),  # "cancel the [lamp](product) from my order"
    form="cancel_item_form",
    action="action_cancel_item",
    slots=("order_id", "item_ids", "confirmed"),
    entities=("product",),
    args=("order_id", "items"),
    plan=plan,
    rule="cancel",
    verb="changed",
    status_hints={"delivered": " Delivered items can be returned instead."},
    locked_verb="changed",
    order_question="cancel an item from",
    items_verb="cancel",
    offers={RefusalCode.LAST_ITEM: ("Cancel the whole order", "cancel")},
)
