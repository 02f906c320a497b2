"""The fallback's confidence thresholds as a pipeline configures them, for the evaluations.

``rasa test`` undoes the fallback's predictions, so the reports re-apply the threshold to each
prediction. The pipeline has either Rasa's ``FallbackClassifier`` (one threshold) or
``rasa_addons.script_fallback.ScriptFallbackClassifier``, whose ``cjk_threshold`` serves the
messages holding Chinese (the same script test as the encoders' gate, ``has_han``): the
Chinese side of the bilingual model gives lower confidences to its right answers than the
English side (docs/nlu/chinese.md), so one threshold sent too many Chinese messages to the
fallback or, set for Chinese, let wrong English answers through.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.texts.detect import has_han

FALLBACK_STEPS = ("FallbackClassifier", "rasa_addons.script_fallback.ScriptFallbackClassifier")
RASA_DEFAULT_THRESHOLD = 0.3  # Rasa's FallbackClassifier default


@dataclass(frozen=True)
class FallbackThresholds:
    """The threshold for messages without Chinese and for messages with Chinese."""

    default: float = 0.0
    cjk: float | None = None  # None: the default serves every message

    def for_text(self, text: str | None) -> float:
        if self.cjk is not None and has_han(text):
            return self.cjk
        return self.default


def fallback_thresholds(pipeline: Iterable[Mapping[str, Any]]) -> FallbackThresholds:
    """The thresholds of the pipeline's fallback step (0: no fallback step)."""
    for step in pipeline:
        if step.get("name") in FALLBACK_STEPS:
            default = float(step.get("threshold", RASA_DEFAULT_THRESHOLD))
            cjk = step.get("cjk_threshold")
            return FallbackThresholds(default, float(cjk) if cjk is not None else None)
    return FallbackThresholds()
