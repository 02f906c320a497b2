"""Rasa's CRF entity extractor, gated by script: one CRF for English messages, one for Chinese.

Why: trained on English and Chinese examples together, the CRF's English weights moved (the
L1/L2-regularised fit is shared by every feature), and "this is Hannah Park, I need help with an
order" lost its person_name although no English token changed. With ``script: non_cjk`` and
``train_script: non_cjk`` the English CRF learns from and tags only messages without Chinese, as
the English pipeline's CRF did; a second one with ``script: cjk`` tags the Chinese and mixed
messages and may learn from all examples (``train_script: any``: Chinese messages carry
English spans such as order numbers, pinyin names and US addresses). Both report as
``CRFEntityExtractor``: a message goes to exactly one of them, so ``rasa test`` scores them as
the one extractor they replace and the reports stay comparable.
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.script_gate import ANY, CONFIG_KEY, in_script, validate_script

if TYPE_CHECKING:
    from sklearn_crfsuite import CRF

TRAIN_KEY = "train_script"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class ScriptCRFEntityExtractor(CRFEntityExtractor):
    """A CRFEntityExtractor that trains on and tags only the messages of its script."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # train_script None: the same script as ``script``.
        return {**CRFEntityExtractor.get_default_config(), CONFIG_KEY: ANY, TRAIN_KEY: None}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        entity_taggers: Dict[str, CRF] | None = None,
    ) -> None:
        super().__init__(config, model_storage, resource, entity_taggers)
        self._script = validate_script(type(self).__name__, config)
        train = config.get(TRAIN_KEY) or self._script
        self._train_script = validate_script(type(self).__name__, {CONFIG_KEY: train})

    @property
    def name(self) -> str:
        """Entities and ``rasa test`` reports name the extractor this one stands for."""
        return CRFEntityExtractor.__name__

    def train(self, training_data: TrainingData) -> Resource:
        examples = [
            m for m in training_data.training_examples if in_script(m.get(TEXT), self._train_script)
        ]
        return super().train(TrainingData(training_examples=examples))

    def process(self, messages: List[Message]) -> List[Message]:
        mine = [m for m in messages if in_script(m.get(TEXT), self._script)]
        super().process(mine)
        return messages
