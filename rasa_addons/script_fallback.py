"""Rasa's FallbackClassifier with a confidence threshold of its own for messages with Chinese.

Why: one model classifies both languages, but its two sides are not calibrated alike. English
messages are featurised with MiniLM and learnt from about 4,100 examples; Chinese ones with e5
and from about 1,400 (``script_gate``). On the Chinese dev set the right answers of the Chinese
side carry lower confidences than the English side's (docs/nlu/chinese.md), so the threshold
chosen for English sent several per cent of in-scope Chinese messages to the fallback that it
would have answered right. ``cjk_threshold`` applies to a message holding a Chinese character
(the encoders' gate, ``mixed_tokenizer.has_cjk``); every other message keeps ``threshold``,
so English behaves exactly as with Rasa's classifier. The ambiguity rule is Rasa's, unchanged.

Before falling back, or taking an unsure guess at an order change, a question with a policy
reading among the classifier's likeliest is taken for that policy question
(``bot/dialogue/questions.py``: answering it costs nothing when it was not meant, a task started
on a guess does). It takes the first reading's place and
confidence, or the message's threshold when that is higher (sure enough to be answered, no
surer), so the evaluation reports, which re-apply the threshold, count it as answered as well.

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
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.questions import guesses_a_task, policy_reading
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
            ranking = message.data.get(INTENT_RANKING_KEY) or []
            falls_back = self._should_fallback(message)
            if not falls_back and not guesses_a_task(ranking):
                continue
            confidence = self.threshold_for(message)
            reading = policy_reading(message.get(TEXT) or "", ranking, message.get(ENTITIES) or [])
            if reading is not None:
                # the first reading's place: at least the threshold, at most the first's share
                confidence = max(confidence, float(ranking[0].get(PREDICTED_CONFIDENCE_KEY) or 0))
                name = reading[INTENT_NAME_KEY]
                message.data[INTENT] = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
                message.data[INTENT_RANKING_KEY] = [
                    {**reading, PREDICTED_CONFIDENCE_KEY: confidence},
                    *(r for r in ranking if r.get(INTENT_NAME_KEY) != name),
                ]
                continue
            if not falls_back:
                continue
            message.data[INTENT] = _fallback_intent(confidence)
            message.data.setdefault(INTENT_RANKING_KEY, [])
            message.data[INTENT_RANKING_KEY].insert(0, _fallback_intent(confidence))
        return messages
