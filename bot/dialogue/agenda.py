"""The shopper's requests still to do, after the first of several in one message.

``bot/dialogue/requests.py`` plans a message's requests; this module decides what each one
runs (a task's form from the registry, or the answer a question gets, from the rule tables)
and says it: the plan first ("I'll do 2 things, one after the other: ... First: ..."), then
"Next: ..." when the one before is done. Pure functions: ``actions/requests.py`` keeps the
queue in the ``pending_requests`` slot.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.dialogue.rulegen import ANSWERS
from bot.orders.ids import find_order_ids
from bot.orders.tasks import TASKS, OrderTask
from bot.texts import list_words, t

Request = dict[str, Any]

# A request that mentions an order without its number ("my other order", "another order",
# "另一个订单") means some order to ask about, not the one the previous request was on.
_SOME_ORDER = re.compile(r"\border\b|(?:另外?一?个?|别的|其他|其它)订单", re.IGNORECASE)


def entity_names(request: Request) -> set[str]:
    return {str(e.get("entity")) for e in request.get("entities") or []}


def task_for(request: Request) -> OrderTask | None:
    """The task a request starts: the one of its intent whose required entities it has (a
    cancellation naming a product cancels that item), else the one without any."""
    intent, named = str(request.get("intent") or ""), entity_names(request)
    candidates = [task for task in TASKS if intent in task.intents]
    fitting = [task for task in candidates if task.entities and set(task.entities) <= named]
    plain = [task for task in candidates if not task.entities]
    found = fitting or plain
    return found[0] if found else None


def answer_action_for(request: Request) -> str | None:
    """The action that answers a request that is a question (policy, product)."""
    action = ANSWERS.get(str(request.get("intent") or ""))
    return action if action and action.startswith("action_") else None


def order_of(request: Request) -> str | None:
    found = find_order_ids(str(request.get("text") or ""))
    return found[0] if found else None


def keeps_order(request: Request) -> bool:
    """Whether a request goes on with the order before it ("... and exchange the clock"):
    it names no order at all."""
    return order_of(request) is None and not _SOME_ORDER.search(str(request.get("text") or ""))


def describe(request: Request, order_id: str | None = None) -> str:
    """One request in a few words: its label, and its order when known."""
    label = t(f"intent.label.{request.get('intent')}")
    order = order_of(request) or order_id
    return t("requests.item_with_order", what=label, order_id=order) if order else label


def plan_text(requests: list[Request]) -> str:
    """What the bot will do, said before it starts."""
    words = [describe(r) for r in requests]
    return t("requests.plan", count=len(requests), items=list_words(words), first=words[0])


def next_text(request: Request, order_id: str | None = None) -> str:
    return t("requests.next", what=describe(request, order_id))


@dataclass(frozen=True)
class Opening:
    """How a form's task started: the words of its request, and the questions the form
    has asked since then."""

    text: str = ""
    asked: frozenset[str] = field(default_factory=frozenset)


def opening(events: Sequence[dict[str, Any]], form: str, current_slot: str) -> Opening:
    """The request that started ``form`` (its latest activation), from the tracker's events.

    A queued request a finished task started (the ``current_slot`` event of that turn), the
    first request of a message with several (its ``requests`` metadata), else the message.
    A digression inside the form does not start it again, so the words stay the request's.
    """
    start = next(
        (
            i
            for i in range(len(events) - 1, -1, -1)
            if events[i].get("event") == "active_loop" and events[i].get("name") == form
        ),
        None,
    )
    if start is None:
        return Opening()
    asked = frozenset(
        str(e.get("value"))
        for e in events[start:]
        if e.get("event") == "slot" and e.get("name") == "requested_slot" and e.get("value")
    )
    user = next((i for i in range(start - 1, -1, -1) if events[i].get("event") == "user"), None)
    if user is None:
        return Opening(asked=asked)
    for event in events[user:start]:
        value = event.get("value")
        if event.get("event") == "slot" and event.get("name") == current_slot:
            request = value.get("request") if isinstance(value, dict) else None
            if isinstance(request, dict):
                return Opening(str(request.get("text") or ""), asked)
    metadata = events[user].get("metadata")
    requests = metadata.get("requests") if isinstance(metadata, dict) else None
    if isinstance(requests, list) and requests and isinstance(requests[0], dict):
        return Opening(str(requests[0].get("text") or ""), asked)
    text = str(events[user].get("text") or "")
    return Opening("" if text.startswith("/") else text, asked)
