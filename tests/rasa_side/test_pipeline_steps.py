"""The rule-based NLU steps share one base (rasa_addons/pipeline_step.py): Rasa accepts them in
a graph and each still overrides the intent as it did."""

from __future__ import annotations

from pathlib import Path

from tests.rasa_side.rasa_env import last_json, needs_rasa, run


@needs_rasa
def test_steps_validate_and_set_the_intent() -> None:
    proc = run([str(Path(__file__).with_name("check_pipeline_steps.py"))], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert last_json(proc.stdout) == {
        # an explicit request for a person wins, first in the ranking, no duplicate
        "person": ["contact_human_agent", ["contact_human_agent", "report_damaged_item"]],
        # a message naming an order is not a new order: the second choice takes over
        "evidence": ["exchange_item", ["exchange_item"]],
        "plain": ["greet", []],  # nothing to do: untouched
    }
