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
from bot.texts import describe_options, t

# Choices offered as quick replies when they all fit; more than this become a list in the text.
MAX_BUTTONS = 8


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


def yes_no() -> list[dict[str, str]]:
    return [button(t("button.yes_go_ahead"), "affirm"), button(t("button.no"), "deny")]


def person_button() -> dict[str, str]:
    """The quick reply that asks for a person (the frustration offer uses the same words)."""
    return button(t("button.talk_to_person"), "contact_human_agent")


def choices(
    question: str,
    heading: str,
    options: list[tuple[str, dict[str, str]]],
    empty: str = "",
) -> Reply:
    """A question with its choices shown once: as quick replies when they all fit, else as a
    list in the text (``heading`` then one line per choice) without buttons, so no list is
    shown twice. ``options`` pairs each choice's list line with its button; ``empty`` is
    said when there is nothing to choose from."""
    if not options:
        return Reply(" ".join(p for p in (question, heading, empty) if p))
    if len(options) <= MAX_BUTTONS:
        return Reply(question, buttons=[b for _, b in options])
    lines = "\n".join(t("list.bullet", line=line) for line, _ in options)
    lead = " ".join(p for p in (question, heading) if p)
    return Reply(f"{lead}\n{lines}")


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
                    "options": describe_options(line.options),
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
