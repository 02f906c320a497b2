"""The out-of-scope detector (rasa_addons/oos_detector.py): trained on a tiny data set in the
Rasa environment, persisted and loaded, and its decisions on three kinds of message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.rasa_side.rasa_env import last_json, needs_rasa, run

pytestmark = needs_rasa


@pytest.fixture(scope="module")
def outcome() -> dict[str, Any]:
    proc = run([str(Path(__file__).with_name("check_oos_detector.py"))], timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result: dict[str, Any] = last_json(proc.stdout)
    return result


def _names(ranking: list[dict[str, Any]]) -> list[str]:
    return [r["name"] for r in ranking]


def test_reloaded_model_scores_like_the_trained_one(outcome: dict[str, Any]) -> None:
    trained, loaded = outcome["probabilities"]
    assert trained == loaded
    assert trained[0] > 0.9  # far from every in-scope example, words of the off-topic ones
    assert trained[1] < 0.1 and trained[2] < 0.1


def test_off_topic_question_becomes_out_of_scope_with_a_consistent_ranking(
    outcome: dict[str, Any],
) -> None:
    intent, ranking = outcome["after"][0]
    probability = outcome["probabilities"][1][0]
    assert intent["name"] == "out_of_scope"
    assert intent["confidence"] == pytest.approx(probability)
    assert _names(ranking) == ["out_of_scope", "search_product", "get_refund"]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)
    # the shop intents keep the classifier's proportions (0.8 : 0.05)
    assert ranking[1]["confidence"] / ranking[2]["confidence"] == pytest.approx(16.0)


def test_in_scope_message_the_classifier_called_out_of_scope_gets_its_intent(
    outcome: dict[str, Any],
) -> None:
    intent, ranking = outcome["after"][1]
    assert intent["name"] == "track_order"
    assert _names(ranking) == ["track_order", "get_refund", "out_of_scope"]
    assert ranking[0]["confidence"] / ranking[1]["confidence"] == pytest.approx(3.0)
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0)


def test_in_scope_message_is_left_alone(outcome: dict[str, Any]) -> None:
    assert outcome["after"][2] == outcome["before"][2]


def test_features_of_another_size_are_refused(outcome: dict[str, Any]) -> None:
    assert "trained on 48 features, the message has 50" in outcome["size_error"]


def test_without_enough_out_of_scope_examples_it_changes_nothing(outcome: dict[str, Any]) -> None:
    assert outcome["untrained"] == {"name": "search_product", "confidence": 0.8}


def test_every_sentence_vector_is_read_whatever_its_size(outcome: dict[str, Any]) -> None:
    """The bilingual pipeline's MiniLM + e5 vectors: no feature size is built in."""
    assert outcome["bilingual"][0] > 0.9
    assert "trained on 52 features, the message has 48" in outcome["one_vector_error"]


def test_sentence_features_are_combined_as_rasa_combines_them(outcome: dict[str, Any]) -> None:
    """The detector combines only the sentence-level features (the token-level ones cost most
    and are unused): the same matrices as Rasa's get_sparse/dense_features, with token-level
    features and several sparse featurizers present."""
    assert outcome["same_features"] is True
