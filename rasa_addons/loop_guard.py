"""No loop of actions may kill a conversation: a turn ends with one reply, the next one works.

What happened before (security review, finding 3): a message a form rejects and no rule
covers (the opening request repeated at the identity question, "no, I don't want an exchange
anymore" inside the exchange form) made RulePolicy predict its core fallback; after that
action no rule applied either, so the fallback was predicted again and again until Rasa's
circuit breaker (10 actions) tripped. The turn then ended without ``action_listen``, and
since Rasa counts a turn's actions back to the last ``action_listen`` (not to the last user
message), every later message, ``/restart`` included, tripped the breaker at once and got no
reply: the conversation was dead for good.

Two parts:

- :class:`LoopGuardPolicy` (config.yml, priority above RulePolicy) predicts ``action_listen``
  with full confidence when a turn starts to loop: right after the core fallback action (it
  has said all there is to say), when an action is about to run a second time in a row, or
  when the turn already ran ``max_turn_actions`` actions. Otherwise it abstains (all zeros).
- :func:`install` (run when this module is imported by the Rasa server) makes every turn end
  with ``action_listen`` even if the breaker trips, counts the breaker's actions from the
  latest user message, and closes a turn that an older server left open before logging the
  next message, so conversations saved in that state recover on their next message.

Kept free of ``bot`` imports: this module runs inside the Rasa process (.venv-rasa).
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any

logger = logging.getLogger(__name__)

LISTEN = "action_listen"
SESSION_START = "action_session_start"


def turn_actions(events: Any) -> list[Any]:
    """The ``ActionExecuted`` events of the current turn, oldest first.

    A turn starts after the latest user message or ``action_listen``/``action_session_start``.
    """
    from rasa.shared.core.events import ActionExecuted, UserUttered

    found: list[Any] = []
    # Rasa's tracker keeps its events in a deque: walk it from the end, no copy per prediction.
    newest_first = reversed(events) if hasattr(events, "__reversed__") else reversed(list(events))
    for event in newest_first:
        if isinstance(event, UserUttered):
            break
        if isinstance(event, ActionExecuted):
            if event.action_name in (LISTEN, SESSION_START):
                break
            found.append(event)
    found.reverse()
    return found


def loop_reason(
    actions: list[Any], *, fallback_action: str, max_turn_actions: int, loops: set[str]
) -> str | None:
    """Why the turn must end now (``None``: no objection), from the turn's actions so far."""
    if not actions:
        return None
    names = [a.action_name for a in actions]
    last = actions[-1]
    if len(names) >= max_turn_actions:
        return f"{len(names)} actions in one turn"
    if last.action_name == fallback_action and (last.confidence or 0.0) < 1.0:
        return "core fallback already answered"  # predicted for want of any rule
    if last.action_name not in loops and names.count(last.action_name) >= 2:
        return f"{last.action_name} repeated"
    if names.count(last.action_name) >= 3:
        return f"{last.action_name} repeated"
    return None


if "rasa" in sys.modules:  # the Rasa server (config.yml names the policy)
    from rasa.core.policies.policy import Policy, PolicyPrediction
    from rasa.engine.graph import ExecutionContext
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe
    from rasa.engine.storage.resource import Resource
    from rasa.engine.storage.storage import ModelStorage
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.trackers import DialogueStateTracker

    @DefaultV1Recipe.register(
        DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
    )
    class LoopGuardPolicy(Policy):
        """Predicts ``action_listen`` when the current turn starts to loop; else abstains."""

        @staticmethod
        def get_default_config() -> dict[str, Any]:
            return {
                "priority": 7,  # above RulePolicy (6): a guard must win a tie
                "fallback_action_name": "action_fallback",
                "max_turn_actions": 6,
            }

        def __init__(self, config: dict[str, Any], *args: Any, **kwargs: Any) -> None:
            super().__init__(config, *args, **kwargs)
            install()

        def train(self, training_trackers: Any, domain: Domain, **kwargs: Any) -> Resource:
            return self._resource  # nothing to learn

        def predict_action_probabilities(
            self,
            tracker: DialogueStateTracker,
            domain: Domain,
            rule_only_data: dict[str, Any] | None = None,
            **kwargs: Any,
        ) -> PolicyPrediction:
            probabilities = self._default_predictions(domain)
            reason = loop_reason(
                turn_actions(tracker.events),
                fallback_action=str(self.config["fallback_action_name"]),
                max_turn_actions=int(self.config["max_turn_actions"]),
                loops=set(domain.form_names),
            )
            if reason is not None:
                logger.info("loop guard ends the turn of %s: %s", tracker.sender_id, reason)
                probabilities[domain.index_for_action(LISTEN)] = 1.0
            return self._prediction(probabilities)

        @classmethod
        def load(
            cls,
            config: dict[str, Any],
            model_storage: ModelStorage,
            resource: Resource,
            execution_context: ExecutionContext,
            **kwargs: Any,
        ) -> LoopGuardPolicy:
            return cls(config, model_storage, resource, execution_context)


_installed = False


def install() -> bool:
    """Patch Rasa's processor so no turn is left open (idempotent)."""
    global _installed
    if _installed:
        return True
    from rasa.core.processor import MessageProcessor
    from rasa.shared.core.events import ActionExecuted

    def _open(tracker: Any) -> bool:
        name = tracker.latest_action_name
        return bool(tracker.events) and name not in (None, LISTEN, SESSION_START)

    def is_action_limit_reached(self: Any, tracker: Any, should_predict_another: bool) -> bool:
        return len(turn_actions(tracker.events)) >= self.max_number_of_predictions and bool(
            should_predict_another
        )

    original_loop = MessageProcessor._run_prediction_loop

    @functools.wraps(original_loop)
    async def _run_prediction_loop(self: Any, output_channel: Any, tracker: Any) -> None:
        await original_loop(self, output_channel, tracker)
        if _open(tracker) and not tracker.is_paused():
            logger.warning("turn of %s ended without action_listen: closed", tracker.sender_id)
            tracker.update(ActionExecuted(LISTEN))

    original_handle = MessageProcessor._handle_message_with_tracker

    @functools.wraps(original_handle)
    async def _handle_message_with_tracker(self: Any, message: Any, tracker: Any) -> None:
        if _open(tracker):  # saved by a server that let the breaker trip: close it first
            tracker.update(ActionExecuted(LISTEN))
        await original_handle(self, message, tracker)

    MessageProcessor.is_action_limit_reached = is_action_limit_reached
    MessageProcessor._run_prediction_loop = _run_prediction_loop
    MessageProcessor._handle_message_with_tracker = _handle_message_with_tracker
    _installed = True
    return True


if "rasa" in sys.modules:
    install()
