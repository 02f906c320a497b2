"""The NLU pipeline step that drops an intent the message contradicts
(``bot/dialogue/intent_evidence.py``): after the entity extractors and ``EntitySanity``,
before the fallback classifier, so a clear second choice is used and not sent to the fallback.
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.intent_evidence import reranked


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentEvidence(GraphComponent):
    """Re-ranks intents a message contradicts (an order number with ``place_order``, ...)."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentEvidence:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get("intent_ranking") or []
            found = reranked(message.get(TEXT) or "", ranking, message.get(ENTITIES) or [])
            if not found:
                continue
            intent = {
                INTENT_NAME_KEY: found[0]["name"],
                PREDICTED_CONFIDENCE_KEY: found[0]["confidence"],
            }
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", found, add_to_output=True)
        return messages
