"""The registry of order tasks: one module per task, everything else derives from ``TASKS``.

Adding a task: write ``bot/orders/tasks/<name>.py`` declaring ``TASK`` and list it below;
docs/dialogue.md ("Adding a task") says what else follows from it and what to regenerate.
"""

from __future__ import annotations

from bot.orders.tasks import (
    cancel,
    cancel_item,
    default_address,
    exchange,
    modify_address,
    modify_items,
    modify_payment,
    returns,
    status,
)
from bot.orders.tasks.base import CONFIRM_SLOT, PREVIEW_SLOT, OrderTask, Planner, Request

TASKS: tuple[OrderTask, ...] = (
    status.TASK,
    cancel.TASK,
    modify_items.TASK,
    modify_address.TASK,
    modify_payment.TASK,
    returns.TASK,
    exchange.TASK,
    default_address.TASK,
    cancel_item.TASK,
)
BY_NAME: dict[str, OrderTask] = {t.name: t for t in TASKS}
BY_FORM: dict[str, OrderTask] = {t.form: t for t in TASKS}
CHANGE_TASKS: tuple[OrderTask, ...] = tuple(t for t in TASKS if t.changes)
# Every slot a task collects, cleared when a task ends so the next one starts clean.
TASK_SLOTS: tuple[str, ...] = tuple(
    dict.fromkeys([s for t in TASKS for s in t.slots] + [CONFIRM_SLOT, PREVIEW_SLOT])
)


def other_task_intents(form: str) -> frozenset[str]:
    """Intents that start another change task: inside ``form`` they switch task (the rules
    say so, bot/dialogue/rulegen.py), so the form must not take them as answers."""
    own = set(BY_FORM[form].intents) if form in BY_FORM else set()
    return frozenset(i for t in CHANGE_TASKS if t.form != form for i in t.intents if i not in own)


def get_task(name: str) -> OrderTask:
    try:
        return BY_NAME[name]
    except KeyError:
        raise ValueError(f"unknown task {name!r}") from None


def task_of_form(form: str | None) -> OrderTask | None:
    return BY_FORM.get(form or "")


__all__ = [
    "BY_FORM",
    "BY_NAME",
    "CHANGE_TASKS",
    "TASKS",
    "TASK_SLOTS",
    "OrderTask",
    "Planner",
    "Request",
    "get_task",
    "other_task_intents",
    "task_of_form",
]
