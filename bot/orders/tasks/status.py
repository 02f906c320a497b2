"""Order status and tracking: a look-up, nothing changes (the form only needs the order)."""

from __future__ import annotations

from bot.orders.tasks.base import OrderTask

TASK = OrderTask(
    name="status",
    intents=("track_order", "track_refund"),
    form="order_status_form",
    action="action_order_status",
    slots=("order_id",),
    order_question="task.order_verb.check",
)
