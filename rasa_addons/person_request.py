"""The NLU pipeline step that honours an explicit request for a person.

"My parcel arrived broken and nobody answers my emails, can I talk to someone please?" is
classified by its first half (a delivery or address problem); the shopper asked for a person
and should get one, whatever else the message says. After the classifiers (and the fallback
classifier: an unclear message that asks for a person is clear enough), a message that
``bot.dialogue.person_request.asks_for_person`` recognises becomes ``contact_human_agent``;
the other intents stay in the ranking for the console.
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.person_request import asks_for_person

PERSON_INTENT = "contact_human_agent"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonRequest(GraphComponent):
    """Sets ``contact_human_agent`` on messages that ask for a person."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PersonRequest:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            if text.startswith("/") or not asks_for_person(text):
                continue
            intent = {INTENT_NAME_KEY: PERSON_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
            ranking = [
                r for r in message.get("intent_ranking") or [] if r.get("name") != PERSON_INTENT
            ]
            message.set(INTENT, intent, add_to_output=True)
            message.set("intent_ranking", [intent, *ranking], add_to_output=True)
        return messages
