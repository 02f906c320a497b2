"""The NLU pipeline step that applies ``entity_rules`` after every entity extractor.

Why in the pipeline and not in the forms' slot validation: ``from_entity`` slot mappings, the
rules that start a task with an entity, the console's transcripts and ``rasa test`` all read
the parsed message; cleaning it once here keeps them in agreement, and the validators only
ever see believable entities. The vocabulary comes from the training data at training time
(regexes, lookup tables, annotated entities, synonyms) and travels inside the model.
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

import json
from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.dialogue.chinese import ENTITY_WORDS
from rasa_addons.entity_rules import PERSON, EntityRules, Vocabulary

_FILE = "entity_vocabulary.json"


def _lookup_elements(table: Dict[str, Any]) -> List[str]:
    elements = table.get("elements") or []
    if isinstance(elements, str):  # a file of one element per line
        with open(elements, encoding="utf-8") as handle:
            return [line.strip() for line in handle if line.strip()]
    return [str(e) for e in elements]


def build_vocabulary(training_data: TrainingData, config: Dict[str, Any]) -> Vocabulary:
    """What the rules need, from the training data this model is trained on."""
    vocabulary = Vocabulary()
    closed = set(config["closed_form"])
    for regex in training_data.regex_features:
        if regex["name"] in closed:
            vocabulary.patterns.setdefault(regex["name"], []).append(regex["pattern"])
    for table in training_data.lookup_tables:
        if table["name"] in config["never_person_name"]:
            vocabulary.add_non_names(_lookup_elements(table))
        if table["name"] in config["name_part_lookups"]:
            vocabulary.add_name_parts(_lookup_elements(table))
        if table["name"] in config["never_in_person_name"]:
            vocabulary.name_stop_words.update(e.lower() for e in _lookup_elements(table))
    for example in training_data.entity_examples:
        text = example.get(TEXT) or ""
        for entity in example.get(ENTITIES) or []:
            if entity.get("entity") != PERSON:
                vocabulary.add_non_names(
                    [entity.get("value"), text[entity["start"] : entity["end"]]]
                )
    synonyms = training_data.entity_synonyms
    vocabulary.add_non_names([*synonyms.keys(), *synonyms.values()])
    vocabulary.synonyms = {str(k).lower(): str(v) for k, v in synonyms.items()}
    vocabulary.chinese_values = {
        entity: dict(ENTITY_WORDS[entity])
        for entity in config["chinese_values"]
        if entity in ENTITY_WORDS
    }
    return vocabulary


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class EntitySanity(GraphComponent):
    """Drops misfired entities, resolves overlaps and normalises values (``entity_rules``)."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            # entity types kept only where their training-data regex matches
            "closed_form": ["order_id", "email", "zip"],
            # lookup tables whose entries are never a person's name
            "never_person_name": ["product", "color", "material", "place", "non_name"],
            # lookup tables whose multi-word runs are never a person's name ("Northpeak Nova")
            "name_part_lookups": ["product"],
            # lookup tables of words that are never part of a person's name ("my", "order")
            "never_in_person_name": ["non_name_word"],
            # entities whose Chinese values get the English value of the dialogue's tables
            "chinese_values": ["color", "size", "material", "payment_method", "cancel_reason"],
        }

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._rules = EntityRules(vocabulary or Vocabulary())

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EntitySanity:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        vocabulary = build_vocabulary(training_data, self._config)
        self._rules = EntityRules(vocabulary)
        with self._storage.write_to(self._resource) as directory:
            (directory / _FILE).write_text(json.dumps(vocabulary.as_json()), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EntitySanity:
        with model_storage.read_from(resource) as directory:
            data = json.loads((directory / _FILE).read_text(encoding="utf-8"))
        return cls(config, model_storage, resource, Vocabulary.from_json(data))

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            if entities:
                cleaned = self._rules.clean(message.get(TEXT) or "", entities)
                message.set(ENTITIES, cleaned, add_to_output=True)
        return messages
