"""Cancel one item (or a few) of a pending order; the order stays and the item is refunded.

Cancelling every remaining item would be cancelling the order, which has its own rules
(a reason, perhaps a fee): that is refused here and the cancel task is offered instead.
"""

from __future__ import annotations

from bot.db.models import OrderLine
from bot.db.session import Session
from bot.orders.money import ZERO, money
from bot.orders.results import RefusalCode, Refused
from bot.orders.tasks.base import OrderTask, Plan, Planner, Request
from bot.texts import describe_item, list_words, t


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    wanted = [v.strip() for v in (req.items or []) if v and v.strip()]
    if not wanted:
        return Refused(RefusalCode.NOTHING_SELECTED, t("cancel_item.nothing"))
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
        key = "cancel_item.last_one" if len(lines) == 1 else "cancel_item.last_all"
        return Refused(RefusalCode.LAST_ITEM, t(key, items=items, order_id=order.id))
    amount = money(sum((ln.price for ln in lines), ZERO))
    movements = p.refund_to_payers(s, order, amount, lock, "item cancelled")
    summary = t(
        "cancel_item.preview", items=items, order_id=order.id, money=p.money_words(movements)
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
        outcome=lambda: t(
            "cancel_item.done_one" if len(lines) == 1 else "cancel_item.done_all",
            items=items,
            order_id=order.id,
            money=p.money_words(movements, done=True),
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
    verb="task.verb.changed",
    status_hints={"delivered": "task.hint.return_instead"},
    locked_verb="task.verb.changed",
    order_question="task.order_verb.cancel_item",
    items_verb="task.items_verb.cancel",
    offers={RefusalCode.LAST_ITEM: ("task.offer.cancel_whole_order", "cancel")},
)
