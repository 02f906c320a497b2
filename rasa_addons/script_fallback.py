"""Rasa's FallbackClassifier with a confidence threshold of its own for messages with Chinese.

Why: one model classifies both languages, but its two sides are not calibrated alike. English
messages are featurised with MiniLM and learnt from about 4,100 examples; Chinese ones with e5
and from about 1,400 (``script_gate``). On the Chinese dev set the right answers of the Chinese
side carry lower confidences than the English side's (docs/nlu/chinese.md), so the threshold
chosen for English sent several per cent of in-scope Chinese messages to the fallback that it
would have answered right. ``cjk_threshold`` applies to a message holding a Chinese character
(the encoders' gate, ``mixed_tokenizer.has_cjk``); every other message keeps ``threshold``,
so English behaves exactly as with Rasa's classifier. The ambiguity rule is Rasa's, unchanged.

The evaluation reports re-apply the same thresholds to ``rasa test``'s predictions
(``bot/nlu/fallback.py`` reads this step's configuration).
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

from typing import Any, Dict, List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.fallback_classifier import (
    THRESHOLD_KEY,
    FallbackClassifier,
    _fallback_intent,
)
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, PREDICTED_CONFIDENCE_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.mixed_tokenizer import has_cjk

CJK_THRESHOLD_KEY = "cjk_threshold"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ScriptFallbackClassifier(FallbackClassifier):
    """The fallback intent under ``cjk_threshold`` for Chinese/mixed messages, under
    ``threshold`` for the others."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # None: the same threshold for every message (Rasa's classifier)
        return {**FallbackClassifier.get_default_config(), CJK_THRESHOLD_KEY: None}

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        for key in (THRESHOLD_KEY, CJK_THRESHOLD_KEY):
            value = config.get(key)
            if value is None and key == CJK_THRESHOLD_KEY:
                continue
            if not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValueError(f"ScriptFallbackClassifier: {key!r} must be in [0, 1]: {value!r}")

    def __init__(self, config: Dict[str, Any]) -> None:
        self.validate_config(config)
        super().__init__(config)

    def threshold_for(self, message: Message) -> float:
        """The threshold that serves this message's script."""
        cjk = self.component_config.get(CJK_THRESHOLD_KEY)
        if cjk is not None and has_cjk(message.get(TEXT) or ""):
            return float(cjk)
        return float(self.component_config[THRESHOLD_KEY])

    def _nlu_confidence_below_threshold(self, message: Message) -> Tuple[bool, float]:
        confidence = message.data[INTENT].get(PREDICTED_CONFIDENCE_KEY)
        return confidence < self.threshold_for(message), confidence

    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's ``process``, with the message's own threshold as the fallback's confidence."""
        for message in messages:
            if not self._should_fallback(message):
                continue
            confidence = self.threshold_for(message)
            message.data[INTENT] = _fallback_intent(confidence)
            message.data.setdefault(INTENT_RANKING_KEY, [])
            message.data[INTENT_RANKING_KEY].insert(0, _fallback_intent(confidence))
        return messages
