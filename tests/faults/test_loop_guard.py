"""When the loop guard ends a turn (rasa_addons/loop_guard.py), from the turn's actions alone.

The guard itself runs inside Rasa; tests/e2e/test_conversation_recovery.py drives the real
loops through the real stack. This pins the decision rule without a model.
"""

from __future__ import annotations

from types import SimpleNamespace

from rasa_addons.loop_guard import loop_reason

FORMS = {"cancel_form", "exchange_form"}


def _acts(*specs: tuple[str, float]) -> list[SimpleNamespace]:
    return [SimpleNamespace(action_name=name, confidence=conf) for name, conf in specs]


def _reason(*specs: tuple[str, float]) -> str | None:
    return loop_reason(
        _acts(*specs), fallback_action="action_fallback", max_turn_actions=6, loops=FORMS
    )


def test_ordinary_turns_are_left_alone() -> None:
    assert _reason() is None
    assert _reason(("cancel_form", 1.0)) is None
    assert _reason(("action_answer_policy", 1.0)) is None
    assert _reason(("action_answer_policy", 1.0), ("cancel_form", 1.0)) is None
    # The rule "nlu_fallback during a form": the fallback, then the form asks again.
    assert _reason(("action_fallback", 1.0)) is None
    # A form rejected, a digression, the same form again: legitimate.
    assert _reason(("cancel_form", 1.0), ("utter_already_on_it", 1.0), ("cancel_form", 1.0)) is None


def test_core_fallback_ends_the_turn() -> None:
    assert _reason(("action_fallback", 0.3)) is not None


def test_a_repeated_action_ends_the_turn() -> None:
    assert _reason(("utter_not_understood_in_form", 1.0), ("utter_not_understood_in_form", 1.0))
    assert _reason(("a", 1.0), ("b", 1.0), ("a", 1.0)) is not None
    assert _reason(("cancel_form", 1.0), ("x", 1.0), ("cancel_form", 1.0), ("y", 1.0)) is None
    assert _reason(*[("cancel_form", 1.0), ("x", 1.0)][:1] * 3) is not None


def test_a_long_turn_ends() -> None:
    assert _reason(*[(f"a{i}", 1.0) for i in range(6)]) is not None
    assert _reason(*[(f"a{i}", 1.0) for i in range(5)]) is None
