"""The base of our rule-based NLU pipeline steps (person request, language, multi-request,
intent evidence): nothing to train, nothing to persist, one message at a time.

Rasa builds a graph component through ``create()`` (training) or ``load()`` (serving; the
``GraphComponent`` default calls ``create``) and runs ``process(messages)``; each step repeated
that boilerplate and the way an intent is overridden. A step subclasses :class:`PipelineStep`,
keeps its own ``@DefaultV1Recipe.register(...)`` (the component type differs) and implements
:meth:`PipelineStep.process_message`.
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

INTENT_RANKING = "intent_ranking"


class PipelineStep(GraphComponent):
    """A stateless, untrained step: ``process`` hands each message to ``process_message``."""

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> PipelineStep:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self.process_message(message)
        return messages

    def process_message(self, message: Message) -> None:
        """Change ``message`` in place (the step's one job)."""
        raise NotImplementedError


def set_intent(
    message: Message, name: str, confidence: float, ranking: List[Dict[str, Any]] | None = None
) -> None:
    """Make ``name`` the message's intent, first in its ranking (an earlier entry of the same
    intent is dropped; ``ranking`` replaces the message's own when given)."""
    intent = {INTENT_NAME_KEY: name, PREDICTED_CONFIDENCE_KEY: confidence}
    if ranking is None:
        others = [r for r in message.get(INTENT_RANKING) or [] if r.get("name") != name]
        ranking = [intent, *others]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING, ranking, add_to_output=True)
