"""Several requests in one message: the first is done now, the rest queue in a slot.

The Rasa channel put the message's requests into its metadata (``rasa_addons/multi_request``)
and made the first one the message's intent. The action that takes the first request (a
task form's validator, a policy or product answer) says the plan once
(:func:`announce`) and leaves the rest in ``pending_requests``; when a task ends, the change
or status action starts the next one (:func:`start_next`) with a ``FollowupAction``: its
form, or the action that answers it. ``current_request`` tells the form which words are its
request until the shopper says something new (:func:`request_text`).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import latest_text
from bot.dialogue import agenda

PENDING = "pending_requests"
CURRENT = "current_request"


def user_turn(tracker: Tracker) -> int:
    """How many messages the shopper has sent (identifies the message a request came in)."""
    return sum(1 for event in tracker.events if event.get("event") == "user")


def message_requests(tracker: Tracker) -> list[dict[str, Any]]:
    """The requests of the latest message when it held two or more."""
    metadata = tracker.latest_message.get("metadata")
    found = metadata.get("requests") if isinstance(metadata, dict) else None
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def _queued(tracker: Tracker) -> dict[str, Any]:
    value = tracker.get_slot(PENDING)
    return value if isinstance(value, dict) else {}


def current_request(tracker: Tracker) -> dict[str, Any] | None:
    """The request being started in this turn: the first of the latest message's, or the
    queued one a finished task just started (until the shopper's next message)."""
    current = tracker.get_slot(CURRENT)
    if isinstance(current, dict) and current.get("turn") == user_turn(tracker):
        request = current.get("request")
        if isinstance(request, dict):
            return request
    found = message_requests(tracker)
    return found[0] if found else None


def request_text(tracker: Tracker) -> str:
    """The words of the request being started, else the latest message."""
    request = current_request(tracker)
    return str(request.get("text") or "") if request else latest_text(tracker)


def request_entity(tracker: Tracker, entity: str) -> str | None:
    """An entity of the request being started, else of the latest message."""
    request = current_request(tracker)
    if request is None:
        value = next(tracker.get_latest_entity_values(entity), None)
        return str(value) if value is not None else None
    found = (e.get("value") for e in request.get("entities") or [] if e.get("entity") == entity)
    value = next(found, None)
    return str(value) if value is not None else None


def announce(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """Say the plan and queue the requests after the first (once per message)."""
    found = message_requests(tracker)
    turn = user_turn(tracker)
    if len(found) < 2 or _queued(tracker).get("turn") == turn:
        return []
    dispatcher.utter_message(text=agenda.plan_text(found))
    queue = {"turn": turn, "queue": found[1:]}
    tracker.slots[PENDING] = queue  # a second validation in this turn sees it
    return [SlotSet(PENDING, queue)]


def start_next(
    dispatcher: CollectingDispatcher, tracker: Tracker, order_id: str | None
) -> list[EventType]:
    """Start the next queued request: its task's form (on the same order when it names
    none), or the action that answers it. ``order_id`` is the order the last task was on."""
    queue = list(_queued(tracker).get("queue") or [])
    while queue:
        request = queue.pop(0)
        task = agenda.task_for(request)
        action = task.form if task else agenda.answer_action_for(request)
        if action is None:
            continue  # nothing to run for it (it was planned as a request all the same)
        turn = user_turn(tracker)
        kept = order_id if task and agenda.keeps_order(request) else None
        dispatcher.utter_message(text=agenda.next_text(request, kept))
        events: list[EventType] = [
            SlotSet(PENDING, {"turn": turn, "queue": queue} if queue else None),
            SlotSet(CURRENT, {"turn": turn, "request": request}),
        ]
        if kept:
            events.append(SlotSet("order_id", kept))
        return [*events, FollowupAction(action)]
    return [SlotSet(PENDING, None)] if _queued(tracker) else []


def started_from_queue(tracker: Tracker) -> bool:
    """Whether the request being done now was queued (started by a FollowupAction): no rule
    knows that turn, so its last action must end the turn itself."""
    current = tracker.get_slot(CURRENT)
    return isinstance(current, dict) and current.get("turn") == user_turn(tracker)


def listen() -> list[EventType]:
    return [FollowupAction("action_listen")]


def answering_current(tracker: Tracker) -> bool:
    """Whether an answer action is answering a request of a message with several (the first
    one, or a queued one), not a question asked inside a form."""
    return current_request(tracker) is not None and not (tracker.active_loop or {}).get("name")


def drop_queue() -> list[EventType]:
    return [SlotSet(PENDING, None), SlotSet(CURRENT, None)]
