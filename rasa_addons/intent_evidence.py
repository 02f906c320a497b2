"""The NLU pipeline step that drops an intent the message contradicts
(``bot/dialogue/intent_evidence.py``): after the entity extractors and ``EntitySanity``,
before the fallback classifier, so a clear second choice is used and not sent to the fallback.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.intent_evidence import reranked
from rasa_addons.pipeline_step import INTENT_RANKING, PipelineStep, set_intent


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentEvidence(PipelineStep):
    """Re-ranks intents a message contradicts (an order number with ``place_order``, ...)."""

    def process_message(self, message: Message) -> None:
        ranking = message.get(INTENT_RANKING) or []
        found = reranked(message.get(TEXT) or "", ranking, message.get(ENTITIES) or [])
        if found:
            set_intent(message, found[0]["name"], found[0]["confidence"], ranking=found)
