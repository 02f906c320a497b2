"""Order status, tracking and questions about an order (what's in it, what was paid and with
which card, where a refund went): a look-up, nothing changes (the form only needs the order).
bot/orders/questions.py answers the aspect asked; a plain "where is my order?" gets the status."""

from __future__ import annotations

from bot.orders.tasks.base import OrderTask

TASK = OrderTask(
    name="status",
    intents=("track_order", "track_refund", "ask_order_info"),
    form="order_status_form",
    action="action_order_status",
    slots=("order_id",),
    order_question="task.order_verb.check",
)
