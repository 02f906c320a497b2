"""What the bot says: text plus optional quick-reply buttons and one custom payload."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from bot.orders.money import (
    plain,
    usd,  # noqa: F401  (re-exported for bot/insights; one helper)
)
from bot.orders.results import OrderView


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    payload: dict[str, Any] | None = None
    # Whether this reply ends an order task (bot/orders/tasks/) and whether it was carried
    # out: the bot message's metadata carries it so the console can count resolution per task.
    task: TaskOutcome | None = None


@dataclass(frozen=True)
class TaskOutcome:
    name: str  # the task's registry name
    done: bool

    def metadata(self) -> dict[str, Any]:
        """As the bot event's ``shopbot_task`` metadata (read by bot/console/outcomes.py)."""
        return {"task": self.name, "done": self.done}


@dataclass(frozen=True)
class Check:
    """The outcome of checking one value the shopper gave a form.

    ``ok`` False means the form re-asks; ``message`` says why in the shopper's words.
    ``extra`` holds other slots the check established (e.g. ``customer_id``).
    """

    ok: bool
    value: Any = None
    message: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    buttons: list[dict[str, str]] = field(default_factory=list)  # quick replies with message


def button(title: str, intent: str, **entities: Any) -> dict[str, str]:
    """A quick reply that sends an intent (and entities) straight to Rasa, skipping NLU."""
    payload = f"/{intent}" + (json.dumps(entities, ensure_ascii=False) if entities else "")
    return {"title": title[:80], "payload": payload}


def text_button(title: str, text: str) -> dict[str, str]:
    """A quick reply that sends plain text (for values with no entity, e.g. item ids)."""
    return {"title": title[:80], "payload": text}


YES_NO = [button("Yes, go ahead", "affirm"), button("No", "deny")]


def order_summary_payload(order: OrderView) -> dict[str, Any]:
    """The order card the widget renders (docs/widget.md, "Custom payloads")."""
    return {
        "type": "order_summary",
        "order": {
            "id": order.id,
            "status": order.status,
            "total": plain(order.total),
            "items": [
                {
                    "name": line.name,
                    "options": ", ".join(f"{k} {v}" for k, v in line.options.items()),
                    "price": plain(line.price),
                }
                for line in order.lines
            ],
            "tracking_ids": list(order.tracking_ids),
        },
    }


def handoff_payload(state: str, text: str) -> dict[str, Any]:
    """The hand-off notice (docs/widget.md, "Custom payloads")."""
    return {"type": "handoff", "state": state, "text": text}
