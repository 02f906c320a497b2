"""Cancel a whole pending order for one of the policy's reasons; a fee may be kept."""

from __future__ import annotations

from bot.db.models import OrderStatus, TransactionKind
from bot.db.session import Session
from bot.orders.money import ZERO, money, usd
from bot.orders.results import RefusalCode, Refused
from bot.orders.tasks.base import Movement, OrderTask, Plan, Planner, Request
from bot.texts import describe_item, list_words, t

# The policy's reasons are stored in English (data/shop/policy.yml, the order's cancel_reason);
# the shopper reads them in their language. A reason a custom policy adds is shown as written.
REASON_LABELS = {
    "no longer needed": "cancel.reason.no_longer_needed",
    "ordered by mistake": "cancel.reason.ordered_by_mistake",
}


def reason_label(reason: str) -> str:
    """The policy's cancellation reason in the conversation's language."""
    key = REASON_LABELS.get(reason)
    return t(key) if key else reason


def plan(p: Planner, s: Session, req: Request, lock: bool) -> Plan | Refused:
    order = p.order_for(TASK, s, req, lock)
    if isinstance(order, Refused):
        return order
    wanted = " ".join((req.reason or "").lower().split())
    if wanted not in p.policy.cancellation.reasons:
        return Refused(
            RefusalCode.INVALID_REASON,
            t(
                "cancel.invalid_reason",
                reasons=list_words([f"'{reason_label(r)}'" for r in p.policy.cancellation.reasons]),
            ),
        )
    fee_left = money(p.policy.cancellation.fee)
    movements: list[Movement] = []
    for method, paid in p.net_paid(s, order, lock):
        deducted = min(fee_left, paid)
        fee_left -= deducted
        if paid - deducted > 0:
            movements.append(
                Movement(TransactionKind.REFUND, method, paid - deducted, "cancellation refund")
            )
    refunded = sum((m.amount for m in movements), ZERO)
    items = list_words([describe_item(line.name, line.options) for line in order.lines])
    fee_text = (
        t("cancel.fee_kept", fee=usd(p.policy.cancellation.fee))
        if p.policy.cancellation.fee > 0
        else ""
    )
    summary = t(
        "cancel.preview",
        order_id=order.id,
        items=items,
        reason=reason_label(wanted),
        money=p.money_words(movements),
        fee=fee_text,
    )

    def mutate() -> None:
        order.status = OrderStatus.CANCELLED.value
        order.cancel_reason = wanted

    return Plan(
        action="cancel",
        order_id=order.id,
        summary=summary,
        amount_delta=-refunded,
        movements=movements,
        mutate=mutate,
        outcome=lambda: t("cancel.done", order_id=order.id, money=p.money_words(movements, True)),
        order=order,
    )


TASK = OrderTask(
    name="cancel",
    intents=("cancel_order",),
    form="cancel_form",
    action="action_cancel_order",
    slots=("order_id", "cancel_reason", "confirmed"),
    args=("order_id", "reason"),
    plan=plan,
    rule="cancel",
    verb="task.verb.cancelled",
    status_hints={"delivered": "task.hint.return_instead"},
    locked_verb="task.verb.cancelled",
    order_question="task.order_verb.cancel",
)
