"""Actions outside the forms: stop, digressions, policy and product answers, hand-off."""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ConversationPaused, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.answers import answer_and_send, product_question
from actions.common import (
    FORM_TASKS,
    TASK_SLOTS,
    conversation,
    latest_entity,
    latest_intent,
    latest_text,
    send,
    user_history,
)
from actions.requests import (
    announce,
    answering_current,
    current_request,
    drop_queue,
    listen,
    request_text,
    start_next,
    started_from_queue,
)
from bot.bootstrap import services
from bot.dialogue import conversation as service
from bot.dialogue.replies import Reply
from bot.insights.frustration import assess
from bot.insights.recommend import recommendation_reply
from bot.texts import t

log = logging.getLogger(__name__)


class ActionStopTask(Action):
    """ "Stop" / "never mind": drop what the current task collected; nothing was changed."""

    def name(self) -> str:
        return "action_stop_task"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        send(
            dispatcher,
            Reply(t("task.stopped")),
        )
        # "Stop" ends the other requests of the same message too.
        return [*[SlotSet(slot, None) for slot in TASK_SLOTS], *drop_queue()]


class ActionOtherOrderStatus(Action):
    """ "Where is my other order?" in the middle of a form; the form continues afterwards."""

    def name(self) -> str:
        return "action_other_order_status"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        text = latest_text(tracker)
        if order_id := latest_entity(tracker, "order_id"):
            text = f"{text} {order_id}"
        send(
            dispatcher,
            conversation().other_order_status(
                tracker.get_slot("customer_id"),
                text,
                tracker.get_slot("order_id"),
                FORM_TASKS.get(str((tracker.active_loop or {}).get("name") or ""), ""),
                tracker.slots,
            ),
            tracker=tracker,
        )
        return []


class ActionAnswerPolicy(Action):
    """Policy questions answered from the shop's policy passages in the database."""

    def name(self) -> str:
        return "action_answer_policy"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = announce(dispatcher, tracker)
        send(dispatcher, conversation().policy_answer(_request_intent(tracker)), tracker=tracker)
        return [*events, *_then_next(dispatcher, tracker)]


class ActionSearchProducts(Action):
    """Product questions: recommendations from the shopper's profile, everything else
    (search, product details, availability, follow-ups on the product just shown) from the
    grounded answer service, so hard limits and "does it come in blue?" are read one way."""

    def name(self) -> str:
        return "action_search_products"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events = announce(dispatcher, tracker)
        if _request_intent(tracker) == "recommend_product":
            reply = recommendation_reply(
                services().database,
                services().answers.memory,
                tracker.sender_id,
                tracker.get_slot("customer_id") or None,
                request_text(tracker),
            )
            send(dispatcher, reply, tracker=tracker)
        else:
            question = product_question(tracker)
            if answering_current(tracker):
                question = request_text(tracker)
            await answer_and_send(dispatcher, tracker, question)
        return [*events, *_then_next(dispatcher, tracker)]


def _request_intent(tracker: Tracker) -> str:
    """The intent of the request being answered (a queued question keeps its own)."""
    request = current_request(tracker) if answering_current(tracker) else None
    return str(request.get("intent")) if request else latest_intent(tracker)


def _then_next(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    """After answering one of several requests (not a question inside a form), the next."""
    if not answering_current(tracker):
        return []
    events = start_next(dispatcher, tracker, tracker.get_slot("order_id"))
    if started_from_queue(tracker) and not any(e.get("event") == "followup" for e in events):
        events += listen()  # the last queued request: the turn ends with this answer
    return events


def _handoff_events(reason: str) -> list[dict[str, Any]]:
    """Mark the conversation for a person and pause the bot on it.

    Rasa's ``pause``: while the shopper waits, their messages are logged (staff read them)
    but the bot answers nothing, so "hello?" cannot restart the greeting; the hand-off
    notice already said that a person is coming. Staff resume it (hand back / close, see
    bot/console/handoff.py); the widget's "New conversation" sends ``/restart``, the one
    intent a paused conversation still handles, which also takes it out of the queue.
    """
    log.info("conversation marked for a person: %s", reason)
    return [
        SlotSet("handoff_requested", True),
        SlotSet("handoff_reason", reason),
        ConversationPaused(),
    ]


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        send(dispatcher, service.handoff_reply("shopper_asked"), tracker=tracker)
        return _handoff_events("shopper_asked") + [SlotSet(s, None) for s in TASK_SLOTS]


class ActionFallback(Action):
    """Not understood: offer the likeliest meanings, else ask to rephrase; the second message
    in a row not understood hands over to a person."""

    def name(self) -> str:
        return "action_fallback"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        texts, intents = user_history(tracker)
        reply, reason = service.fallback_reply(
            texts,
            intents,
            tracker.latest_message.get("intent_ranking") or [],
            tracker.latest_message.get("entities") or [],
        )
        send(dispatcher, reply, tracker=tracker)
        return _handoff_events(reason) if reason else []


class ActionComplaint(Action):
    """Apologise; hand over to a person when the shopper's frustration keeps rising."""

    def name(self) -> str:
        return "action_complaint"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        texts, intents = user_history(tracker)
        latest = texts[-1] if texts else ""
        reply, reason = service.complaint_reply(assess(texts, intents).handoff_due, latest)
        send(dispatcher, reply, tracker=tracker)
        return _handoff_events(reason) if reason else []
