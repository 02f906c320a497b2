"""The NLU pipeline step that tells the conversation which language a message is in.

Every message gets a ``language`` entity ('zh' or 'en', see ``bot.texts.detect``) when its script
shows one, or when the client sent a ``lang`` prior in the message metadata (the widget does on
a conversation's first message). The domain maps the entity to the ``language`` slot and keeps it
out of featurisation (``influence_conversation: false``), so stories and policies never see it;
a message without evidence (an order number, an emoji, a button) sets nothing and the slot keeps
the conversation's language. Responses and actions speak the slot's language.
"""

from __future__ import annotations

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.texts import available_languages
from bot.texts.detect import LANGUAGE_ENTITY, message_language
from rasa_addons.pipeline_step import PipelineStep

METADATA_KEY = "metadata"
PRIOR_KEY = "lang"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class LanguageDetector(PipelineStep):
    """Adds the message's language as a ``language`` entity."""

    def process_message(self, message: Message) -> None:
        metadata = message.get(METADATA_KEY) or {}
        prior = metadata.get(PRIOR_KEY) if isinstance(metadata, dict) else None
        lang = message_language(message.get(TEXT), prior if isinstance(prior, str) else None)
        if lang not in available_languages():
            return
        entity = {
            "entity": LANGUAGE_ENTITY,
            "value": lang,
            "start": 0,
            "end": 0,
            "confidence_entity": 1.0,
            "extractor": type(self).__name__,
        }
        entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") != LANGUAGE_ENTITY]
        message.set(ENTITIES, [*entities, entity], add_to_output=True)
