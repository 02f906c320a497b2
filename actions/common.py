"""Glue shared by the actions: the conversation service, sending replies, reading the tracker."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.bootstrap import services
from bot.dialogue.conversation import ShopConversation, meant_text
from bot.dialogue.replies import Reply
from bot.orders.tasks import TASK_SLOTS, TASKS

__all__ = ["FORM_TASKS", "TASK_SLOTS"]

# Which task each form performs (the conversation service speaks in tasks), and the slots a
# task collects (cleared when it ends so the next task starts clean): from the task registry.
FORM_TASKS: dict[str, str] = {task.form: task.name for task in TASKS}


def conversation() -> ShopConversation:
    """The service over the process's database and policy (bot/bootstrap.py; tests install
    their own services)."""
    return services().conversation()


def send(dispatcher: CollectingDispatcher, reply: Reply, tracker: Tracker | None = None) -> None:
    """One reply: its text with quick replies, then its custom payload if any.

    With the ``tracker``, a frustrated shopper also gets the offer of a person (once).
    """
    if reply.text:
        marker = {"shopbot_task": reply.task.metadata()} if reply.task else {}
        dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, **marker)
    if reply.payload is not None:
        dispatcher.utter_message(json_message=reply.payload)
    offers_person = any("contact_human_agent" in b.get("payload", "") for b in reply.buttons)
    handing_off = (reply.payload or {}).get("type") == "handoff"
    if tracker is not None and not (offers_person or handing_off):
        offer_person_if_frustrated(dispatcher, tracker)


def offer_person_if_frustrated(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Append "Talk to a person" when frustration crossed the threshold (once per conversation)."""
    from bot.insights.frustration import handoff_offer, offer_texts

    try:
        texts, intents = user_history(tracker)
        made = offer_texts()  # in any language: the shopper may have switched since
        offered = any(
            e.get("event") == "bot" and e.get("text") in made for e in tracker.events
        ) or any(m.get("text") in made for m in dispatcher.messages)
        offer = handoff_offer(
            texts,
            intents,
            already_offered=offered,
            handoff_requested=bool(tracker.get_slot("handoff_requested")),
        )
    except Exception:  # the offer is a courtesy: never let it break the reply
        logging.getLogger(__name__).exception("frustration check failed")
        return
    if offer is not None:
        dispatcher.utter_message(text=offer.text, buttons=offer.buttons)


def latest_text(tracker: Tracker) -> str:
    """What the shopper said; after clicking a "Did you mean" suggestion, the words it meant."""
    text = str(tracker.latest_message.get("text") or "")
    if text.startswith("/"):
        return meant_text(tracker.events) or text
    return text


def latest_intent(tracker: Tracker) -> str:
    return str((tracker.latest_message.get("intent") or {}).get("name") or "")


def latest_entity(tracker: Tracker, entity: str) -> str | None:
    value = next(tracker.get_latest_entity_values(entity), None)
    return str(value) if value is not None else None


def latest_metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = tracker.latest_message.get("metadata")
    if isinstance(metadata, dict):
        return metadata
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            found = event.get("metadata")
            return found if isinstance(found, dict) else {}
    return {}


def linked_token(tracker: Tracker) -> str | None:
    """The signed link token a channel put on an earlier message of this conversation
    (Telegram's ``/start <token>`` deep link), newest first; verified by the dialogue."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            metadata = event.get("metadata")
            token = metadata.get("link_token") if isinstance(metadata, dict) else None
            if isinstance(token, str) and token:
                return token
    return None


def user_history(tracker: Tracker) -> tuple[list[str], list[str]]:
    """Texts and intents of the shopper's messages in this conversation, oldest first."""
    texts: list[str] = []
    intents: list[str] = []
    for event in tracker.events:
        if event.get("event") == "user":
            texts.append(str(event.get("text") or ""))
            intents.append(str(((event.get("parse_data") or {}).get("intent") or {}).get("name")))
    return texts, intents


def earlier_answers(tracker: Tracker, slot: str) -> list[str]:
    """The shopper's previous messages while the form kept asking for ``slot``, oldest first
    (not the latest one): an answer to a clarifying question is read with what it clarifies."""
    events = list(tracker.events)
    latest = next(
        (i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "user"), 0
    )
    committed: list[str] = []
    pending: list[str] = []
    for event in reversed(events[:latest]):
        if event.get("event") == "user":
            pending.append(str(event.get("text") or ""))
        elif event.get("event") == "slot" and event.get("name") == "requested_slot":
            if event.get("value") != slot:
                break
            committed += pending
            pending = []
    return committed[::-1]


def slot_before_turn(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest message (a form's extraction has already put the
    new one on ``tracker.slots``)."""
    events = list(tracker.events)
    latest = next(
        (i for i in range(len(events) - 1, -1, -1) if events[i].get("event") == "user"),
        len(events),
    )
    value: Any = None
    for event in events[:latest]:
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
        elif event.get("event") in ("restart", "reset_slots"):
            value = None
    return value


def task_of(tracker: Tracker) -> str:
    return FORM_TASKS.get(str((tracker.active_loop or {}).get("name") or ""), "status")
