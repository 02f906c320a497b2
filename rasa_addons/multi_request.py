"""Several requests in one message, on the Rasa side (``bot/dialogue/requests.py`` plans them).

Two steps, because a pipeline component cannot run the classifier a second time:

1. :func:`annotate` (the input guard calls it before Rasa handles a message, REST and
   Socket.IO alike) cuts the message into clauses, has the loaded model parse each one and,
   when that gives two requests or more (or one request the model is sure of, between
   greetings and who the shopper is), puts them into the message metadata as ``requests``
   (text, span, intent, entities). The actions read them from there and say a plan only
   for two or more.
2. :class:`FirstRequest` (the NLU pipeline, after the classifiers and extractors) makes the
   message's intent the first request's and keeps only the entities inside its span (plus
   who the shopper is): "cancel #W1 because ..., and also cancel #W2 because I changed my
   mind" fills the first form with #W1 and its own reason, and "I want to return the lamp.
   Also, what is your return policy?" starts the return instead of answering the question.
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.requests import first_request_entities, plan, split_clauses
from rasa_addons.pipeline_step import PipelineStep, set_intent

log = logging.getLogger(__name__)

METADATA = "metadata"
REQUESTS = "requests"
MAX_CLAUSES = 6  # a longer message is not parsed clause by clause (cost bound)
SURE = 0.6  # a lone request's clause replaces the whole message's intent from this confidence


def _agent() -> Any:
    try:
        from sanic import Sanic

        return Sanic.get_app().ctx.agent
    except Exception:  # not inside a running Rasa server (unit use)
        return None


async def requests_of(text: str, agent: Any) -> list[dict[str, Any]]:
    """The message's requests when it holds two or more; also its one request when other
    clauses only surround it ("Hi, I'm Mia Silva, zip 95173. I'd like to exchange ...": the
    request's own clause is read more clearly than the whole message) and the model is sure
    of it; else ``[]``."""
    if not text or text.startswith("/") or agent is None:
        return []
    clauses = split_clauses(text)
    if not 2 <= len(clauses) <= MAX_CLAUSES:
        return []
    parses = [await agent.parse_message(clause.text) for clause in clauses]
    parts = plan(text, clauses, parses)
    if len(parts) == 1 and parts[0].confidence < SURE:
        return []
    return [part.as_dict() for part in parts]


async def annotate(message: UserMessage) -> None:
    """Add ``requests`` to the message's metadata (never fails the message)."""
    try:
        found = await requests_of(message.text or "", _agent())
    except Exception:  # a parse failure leaves the message as one request
        log.exception("splitting a message into requests failed")
        return
    if found:
        message.metadata = {**(message.metadata or {}), REQUESTS: found}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class FirstRequest(PipelineStep):
    """The first of several requests sets the message's intent and entities."""

    def process_message(self, message: Message) -> None:
        metadata = message.get(METADATA) or {}
        found = metadata.get(REQUESTS) if isinstance(metadata, dict) else None
        if not found or (message.get(TEXT) or "").startswith("/"):
            return
        first = found[0]
        set_intent(message, first["intent"], first.get("confidence", 1.0))
        entities = message.get(ENTITIES) or []
        message.set(ENTITIES, first_request_entities(entities, first), add_to_output=True)
