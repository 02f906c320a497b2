"""The report logic of `shopbot nlu evaluate` (Rasa's own run is exercised by `make eval-nlu`)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.nlu.evaluate import (
    NOTES_MARKER,
    CandidateResult,
    choose,
    discover_candidates,
    entity_macro_f1,
    kept_result,
    low_confidence_share,
    macro_f1_over_intents,
    read_result,
    render_comparison,
    write_reports,
)


def _result(name: str, f1: float, seconds: float) -> CandidateResult:
    return CandidateResult(
        name=name,
        description=name,
        components=["X"],
        folds=5,
        macro_f1=f1,
        rasa_macro_f1=f1,
        accuracy=f1,
        weighted_f1=f1,
        low_confidence=0.1,
        confident_right=0.8,
        confident_wrong=0.1,
        examples=100,
        train_seconds_per_fold=seconds,
        cv_wall_seconds=seconds * 6,
        per_intent={"greet": {"precision": 1.0, "recall": 0.5, "f1": 0.667, "support": 4}},
    )


def test_macro_f1_ignores_zero_support_labels_and_summaries() -> None:
    report = {
        "greet": {"f1-score": 1.0, "support": 10},
        "stop": {"f1-score": 0.5, "support": 10},
        "nlu_fallback": {"f1-score": 0.0, "support": 0},
        "macro avg": {"f1-score": 0.5, "support": 20},
        "accuracy": 0.75,
    }
    assert macro_f1_over_intents(report) == 0.75


def test_choose_prefers_f1_then_speed_within_a_tie() -> None:
    slow_best, fast_close, fast_bad = (
        _result("a", 0.90, 300),
        _result("b", 0.897, 60),
        _result("c", 0.80, 10),
    )
    assert choose([slow_best, fast_close, fast_bad]) is fast_close
    assert choose([slow_best, fast_bad]) is slow_best


def test_low_confidence_share() -> None:
    preds = [{"intent_prediction": {"name": "x", "confidence": c}} for c in (0.1, 0.39, 0.4, 0.9)]
    assert low_confidence_share(preds, 0.4) == 0.5
    assert low_confidence_share([], 0.4) == 0.0


def test_entity_f1_can_be_restricted_to_some_labels() -> None:
    report = {
        "order_id": {"f1-score": 1.0, "support": 3},
        "product": {"f1-score": 0.0, "support": 5},
        "no_entity": {"f1-score": 0.99, "support": 500},
        "macro avg": {"f1-score": 0.1, "support": 8},
    }
    assert entity_macro_f1(report) == 0.5
    assert entity_macro_f1(report, {"order_id"}) == 1.0


def test_report_names_the_choice_and_the_target() -> None:
    chosen, other = _result("b", 0.95, 60), _result("a", 0.80, 300)
    text = render_comparison([other, chosen], chosen)
    assert "| `b` **(chosen)** |" in text
    assert "meets the target of 0.92" in text
    assert "| greet | 1.000 | 0.500 | 0.667 | 4 |" in text
    assert "is BELOW the target" in render_comparison([other], other)


def test_read_result_from_rasa_output(tmp_path: Path) -> None:
    (candidate,) = discover_candidates(["b_logreg_crf"])
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "intent_report.json").write_text(
        json.dumps(
            {
                "greet": {"precision": 1, "recall": 1, "f1-score": 1, "support": 2},
                "stop": {"precision": 0.5, "recall": 1, "f1-score": 0.667, "support": 1},
                "accuracy": 0.667,
                "macro avg": {"f1-score": 0.833},
                "weighted avg": {"f1-score": 0.889},
            }
        )
    )
    (tmp_path / "timing.json").write_text(
        json.dumps({"cv_wall_seconds": 12, "train_seconds_per_fold": 2, "folds": 5})
    )
    pred = {"intent_prediction": {"name": "stop", "confidence": 0.3}, "intent": "greet"}
    (tmp_path / "intent_errors.json").write_text(json.dumps([pred]))
    ok = {"intent_prediction": {"name": "stop", "confidence": 0.9}, "intent": "stop"}
    (tmp_path / "intent_successes.json").write_text(json.dumps([ok, ok]))
    result = read_result(candidate, tmp_path)
    assert result.macro_f1 == (1 + 0.667) / 2
    assert result.examples == 3
    assert result.confused_pairs == [("greet", "stop", 1)]
    assert result.low_confidence == 1 / 3
    assert result.confident_right == 2 / 3 and result.confident_wrong == 0


def test_a_result_kept_in_docs_reads_back_equal(tmp_path: Path) -> None:
    """One new candidate can be compared with the kept results of earlier runs."""
    (candidate,) = discover_candidates(["b_logreg_crf"])
    test_read_result_from_rasa_output(tmp_path / "raw" / candidate.name)
    fresh = read_result(candidate, tmp_path / "raw" / candidate.name)
    write_reports([fresh], tmp_path / "raw", tmp_path / "docs")
    kept = kept_result(candidate, tmp_path / "docs")
    assert kept == fresh
    (other,) = discover_candidates(["a_diet"])
    assert kept_result(other, tmp_path / "docs") is None


def test_hand_written_notes_survive_a_rebuilt_report(tmp_path: Path) -> None:
    (candidate,) = discover_candidates(["b_logreg_crf"])
    test_read_result_from_rasa_output(tmp_path / "raw" / candidate.name)
    fresh = read_result(candidate, tmp_path / "raw" / candidate.name)
    report = write_reports([fresh], tmp_path / "raw", tmp_path / "docs")
    notes = f"\n{NOTES_MARKER}\n\n## Measured elsewhere\n\nA candidate and its figures.\n"
    report.write_text(report.read_text(encoding="utf-8") + notes, encoding="utf-8")
    write_reports([fresh], tmp_path / "raw", tmp_path / "docs")
    rebuilt = report.read_text(encoding="utf-8")
    assert rebuilt.count(NOTES_MARKER) == 1
    assert rebuilt.endswith(notes[1:]) and "## Choice" in rebuilt
