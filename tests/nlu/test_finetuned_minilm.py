"""The fine-tuned MiniLM featurizer (rasa_addons/finetuned_minilm_featurizer.py): trained for a
few steps on a tiny data set in the Rasa environment, persisted and loaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.rasa_side.rasa_env import last_json, needs_rasa, run

pytestmark = needs_rasa


@pytest.fixture(scope="module")
def outcome() -> dict[str, Any]:
    proc = run([str(Path(__file__).with_name("check_finetuned_minilm.py"))], timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = last_json(proc.stdout)
    return result


def test_loaded_model_gives_the_training_vectors_without_the_training_cache(
    outcome: dict[str, Any],
) -> None:
    # training featurizes from cached frozen-layer states, parsing runs the whole pass
    assert outcome["max_difference_trained_vs_fresh"] < 1e-4


def test_fine_tuning_pulls_each_intent_together(outcome: dict[str, Any]) -> None:
    assert outcome["changed_vs_frozen"] > 0.1
    assert outcome["separation_fine_tuned"] > outcome["separation_frozen"] + 0.1


def test_script_gate_holds(outcome: dict[str, Any]) -> None:
    assert outcome["chinese_norm"] == 0.0
    assert outcome["english_norm"] == pytest.approx(10.0, abs=1e-3)  # unit vector x scale


def test_a_config_with_other_layers_is_refused(outcome: dict[str, Any]) -> None:
    assert "fine-tuned from layer 5" in outcome["layer_error"]
