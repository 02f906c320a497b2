"""The NLU pipeline step that honours an explicit request for a person.

"My parcel arrived broken and nobody answers my emails, can I talk to someone please?" is
classified by its first half (a delivery or address problem); the shopper asked for a person
and should get one, whatever else the message says. After the classifiers (and the fallback
classifier: an unclear message that asks for a person is clear enough), a message that
``bot.dialogue.person_request.asks_for_person`` recognises becomes ``contact_human_agent``;
the other intents stay in the ranking for the console.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.person_request import asks_for_person
from rasa_addons.pipeline_step import PipelineStep, set_intent

PERSON_INTENT = "contact_human_agent"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class PersonRequest(PipelineStep):
    """Sets ``contact_human_agent`` on messages that ask for a person."""

    def process_message(self, message: Message) -> None:
        text = message.get(TEXT) or ""
        if not text.startswith("/") and asks_for_person(text):
            set_intent(message, PERSON_INTENT, 1.0)
