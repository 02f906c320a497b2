"""``action_answer_question``: free-form answers to open questions (thin adapter).

Reads the latest message, the sender and the verified ``customer_id`` slot, calls
``AnswerService.answer`` once and sends the text, then the product cards payload. The facts
used and the grounding result travel in the bot message's metadata (``shopbot_answer``),
which Rasa stores on the ``BotUttered`` event so the staff console can show them.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import offer_person_if_frustrated
from bot.answers.runtime import answer_service
from bot.texts import t

log = logging.getLogger(__name__)

SORRY = "answers.lookup_failed"  # catalog key


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        question = str(tracker.latest_message.get("text") or "")
        customer_id = tracker.get_slot("customer_id") or None
        try:
            answer = await answer_service().answer(
                question, sender_id=tracker.sender_id, customer_id=customer_id
            )
        except Exception:
            log.exception("answering %r failed", tracker.sender_id)
            dispatcher.utter_message(text=t(SORRY))
            return []
        dispatcher.utter_message(text=answer.text, shopbot_answer=answer.metadata()["answer"])
        if answer.cards:
            dispatcher.utter_message(json_message=answer.cards_payload)
        offer_person_if_frustrated(dispatcher, tracker)
        return []
