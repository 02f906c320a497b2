"""The independent-set figures (bot/nlu/independent.py) on predictions whose answers are known."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from bot.nlu.fallback import fallback_thresholds
from bot.nlu.independent import (
    DEV_DIR,
    EVAL_DIR,
    EVAL_SETS,
    ZH_DEV_DIR,
    ZH_DIR,
    entity_figures,
    fallback_threshold,
    predicted_pairs,
    render_markdown,
    score,
)


def _p(gold: str, predicted: str | None) -> dict[str, object]:
    return {
        "text": "x",
        "intent": gold,
        "intent_prediction": {"name": predicted, "confidence": 0.9},
    }


def test_figures_on_known_predictions() -> None:
    predictions = (
        [_p("track_order", "track_order")] * 8
        + [_p("track_order", "nlu_fallback")] * 1
        + [_p("track_order", "out_of_scope")] * 1
        + [_p("cancel_order", "cancel_order")] * 9
        + [_p("cancel_order", "track_order")] * 1
        + [_p("out_of_scope", "out_of_scope")] * 3
        + [_p("out_of_scope", "track_order")] * 1
    )
    result = score(predictions)
    assert result.messages == 24
    track = result.per_intent["track_order"]
    assert track.precision == pytest.approx(8 / 10) and track.recall == pytest.approx(8 / 10)
    assert result.per_intent["cancel_order"].recall == pytest.approx(0.9)
    assert result.fallback_rate == pytest.approx(1 / 20)
    assert result.oos_recall == pytest.approx(3 / 4)
    assert result.oos_false_alarms == pytest.approx(1 / 20)
    assert result.accuracy == pytest.approx(20 / 24)
    oos = result.per_intent["out_of_scope"]
    expected = (track.f1 + result.per_intent["cancel_order"].f1 + oos.f1) / 3
    assert result.macro_f1 == pytest.approx(expected)
    assert result.confused[0][2] == 1 and "nlu_fallback" not in result.per_intent
    text = render_markdown(result, "model.tar.gz")
    assert "| macro intent F1 |" in text and "track_order" in text


def test_a_missing_prediction_counts_as_the_fallback() -> None:
    result = score([{"text": "x", "intent": "greet", "intent_prediction": None}])
    assert result.fallback_rate == 1.0 and result.macro_f1 == 0.0


def test_predictions_under_the_threshold_are_the_fallback() -> None:
    """``rasa test`` undoes the FallbackClassifier: the threshold is applied here."""
    low = {
        "text": "x",
        "intent": "greet",
        "intent_prediction": {"name": "greet", "confidence": 0.3},
    }
    assert score([low]).fallback_rate == 0.0
    assert score([low], threshold=0.4).fallback_rate == 1.0
    assert fallback_threshold().default > 0  # config.yml has a fallback step


def test_a_chinese_threshold_serves_messages_with_chinese() -> None:
    """The per-script fallback (bot/nlu/fallback.py): the same confidence is the fallback for
    an English message and an answer for a Chinese or mixed one."""
    thresholds = fallback_thresholds(
        [{"name": "rasa_addons.script_fallback.ScriptFallbackClassifier", "threshold": 0.4,
          "cjk_threshold": 0.25}]
    )  # fmt: skip
    messages = [
        {"text": text, "intent": "greet", "intent_prediction": {"name": "greet", "confidence": 0.3}}
        for text in ("hello there", "你好", "我想退货 order S1000029")
    ]
    assert [p for _, p in predicted_pairs(messages, thresholds)] == [
        "nlu_fallback", "greet", "greet"
    ]  # fmt: skip
    assert fallback_thresholds([{"name": "FallbackClassifier", "threshold": 0.4}]).for_text(
        "你好"
    ) == pytest.approx(0.4)
    assert fallback_thresholds([]).default == 0.0


def test_entity_figures_take_the_best_extractor(tmp_path: Path) -> None:
    (tmp_path / "CRFEntityExtractor_report.json").write_text(
        json.dumps(
            {
                "zip": {"precision": 0.5, "recall": 0.5, "f1-score": 0.5, "support": 4},
                "macro avg": {"precision": 1, "recall": 1, "f1-score": 1, "support": 4},
            }
        )
    )
    (tmp_path / "RegexEntityExtractor_report.json").write_text(
        json.dumps({"zip": {"precision": 1.0, "recall": 0.75, "f1-score": 0.857, "support": 4}})
    )
    figures = entity_figures(tmp_path)
    assert set(figures) == {"zip"} and figures["zip"]["extractor"] == "RegexEntityExtractor"


# Intents the domain gained after the independent set was written (4 Dec 2026).
INTENTS_NEWER_THAN_THE_SET = {"ask_order_info"}


def test_the_set_is_outside_the_training_data() -> None:
    """Rasa trains on every NLU file under data/: the independent set must never be there."""
    assert EVAL_DIR.is_dir() and "data" not in EVAL_DIR.relative_to(EVAL_DIR.parents[1]).parts
    intents: set[str] = set()
    for path in EVAL_DIR.glob("*.yml"):
        for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            intents.add(block["intent"])
    domain = yaml.safe_load((EVAL_DIR.parents[1] / "domain" / "nlu.yml").read_text())
    # Nothing unknown; every intent but those added after the set was written.
    assert intents <= set(domain["intents"])
    assert set(domain["intents"]) - intents <= INTENTS_NEWER_THAN_THE_SET


def test_both_sets_are_outside_the_training_data_and_say_what_they_are_for() -> None:
    """The dev set is scored by the same code; its report says it was used for choosing."""
    data_dir = EVAL_DIR.parents[1] / "data"
    for directory in (EVAL_DIR, DEV_DIR, ZH_DIR, ZH_DEV_DIR):
        assert not directory.resolve().is_relative_to(data_dir.resolve())
    assert EVAL_SETS["independent"].directory == EVAL_DIR
    assert EVAL_SETS["dev"].directory == DEV_DIR
    assert EVAL_SETS["zh"].directory == ZH_DIR
    assert EVAL_SETS["zh_dev"].directory == ZH_DEV_DIR
    zh_dev = render_markdown(score([_p("greet", "greet")]), "m.tar.gz", EVAL_SETS["zh_dev"])
    assert "eval/nlu_zh_dev/" in zh_dev and "USED FOR CHOOSING" in zh_dev
    zh_report = render_markdown(score([_p("greet", "greet")]), "m.tar.gz", EVAL_SETS["zh"])
    assert "eval/nlu_zh/" in zh_report and "never used" in zh_report
    result = score([_p("greet", "greet")])
    dev_report = render_markdown(result, "m.tar.gz", EVAL_SETS["dev"])
    assert "eval/nlu_dev/" in dev_report and "USED FOR CHOOSING" in dev_report
    assert "dev_confusion.png" in dev_report
    independent_report = render_markdown(result, "m.tar.gz")
    assert "eval/nlu/" in independent_report and "never used" in independent_report
