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

from actions.common import latest_text, offer_person_if_frustrated
from bot.bootstrap import services
from bot.texts import t

log = logging.getLogger(__name__)

SORRY = "answers.lookup_failed"  # catalog key


def product_question(tracker: Tracker) -> str:
    """The shopper's words, or the question a product button stands for.

    A button sends ``/product_info{"product": "..."}``: its text is the payload, so the
    question is rebuilt from the product it names.
    """
    text = latest_text(tracker)  # after a "Did you mean" click, the words it meant
    if text.startswith("/"):
        product = next(tracker.get_latest_entity_values("product"), None)
        return f"Tell me about the {product}" if product else ""
    return text


async def answer_and_send(
    dispatcher: CollectingDispatcher, tracker: Tracker, question: str
) -> None:
    """One grounded answer (text, then product cards) from the answer service."""
    customer_id = tracker.get_slot("customer_id") or None
    try:
        answer = await services().answers.answer(
            question, sender_id=tracker.sender_id, customer_id=customer_id
        )
    except Exception:
        log.exception("answering %r failed", tracker.sender_id)
        dispatcher.utter_message(text=t(SORRY))
        return
    dispatcher.utter_message(text=answer.text, shopbot_answer=answer.metadata()["answer"])
    if answer.cards:
        dispatcher.utter_message(json_message=answer.cards_payload)
    offer_person_if_frustrated(dispatcher, tracker)


class ActionAnswerQuestion(Action):
    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        await answer_and_send(dispatcher, tracker, product_question(tracker))
        return []
