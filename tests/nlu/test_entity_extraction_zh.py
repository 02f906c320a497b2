"""Chinese entity precision/recall of the trained model on cases written for this test.

``entity_cases_zh.yml`` (issue 20): ZIPs glued to Chinese (邮编10001), order numbers inside
Chinese text, budgets and cancellation reasons in Chinese forms, and the English values Chinese
colours, sizes, materials, ways to pay and reasons are given (bot/dialogue/chinese.py's
tables). Negatives: an order number's or a phone number's digits are never a ZIP, a time or a
refund amount is no budget, a bare "no" is no reason. The model is the one in ``models/``;
the floors are the figures measured when the cases were written, rounded down.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.nlu.data import Example
from tests.nlu.test_entity_extraction import MODEL, cases, group_of, score
from tests.rasa_side.rasa_env import last_json, needs_rasa, run

CASES = Path(__file__).with_name("entity_cases_zh.yml")

MIN_F1 = {
    "order_id": 1.0,
    "email": 1.0,
    "zip": 1.0,
    "budget": 0.9,
    "cancel_reason": 0.9,
    # Measured 5 Dec on the model of config.yml (k_bilingual_script_fallback): 0.67, two of
    # the four Latin names beside Chinese found; a floor against regressions, not a target.
    "person_name": 0.6,
}
MIN_MICRO_F1 = 0.9

Parsed = tuple[dict[str, list[Example]], list[dict[str, Any]]]


@pytest.fixture(scope="module")
def parsed() -> Parsed:
    if not MODEL.exists():
        pytest.skip("no trained model in models/ (make train)")
    groups = cases(CASES)
    texts = [ex.text for examples in groups.values() for ex in examples]
    proc = run(["tests/nlu/parse_with_model.py", str(MODEL)], timeout=900, stdin=json.dumps(texts))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return groups, last_json(proc.stdout)


@needs_rasa
def test_chinese_entity_precision_recall_and_values(parsed: Parsed) -> None:
    scores = score(*group_of(parsed, None))
    print(scores.table())
    for entity, minimum in MIN_F1.items():
        assert scores.f1(entity) >= minimum, (entity, scores.table(), scores.misfires)
    assert scores.f1() >= MIN_MICRO_F1, scores.table()
    assert not scores.wrong_values, scores.wrong_values


@needs_rasa
def test_zips_glued_to_chinese_and_never_from_other_numbers(parsed: Parsed) -> None:
    for group in ("identification", "orders"):
        scores = score(*group_of(parsed, group))
        assert scores.false_negative["zip"] == 0, (group, scores.table())
        assert not [m for m in scores.misfires if m[1] == "zip"], scores.misfires
    assert score(*group_of(parsed, "orders")).false_negative["order_id"] == 0


@needs_rasa
def test_times_and_refunds_are_no_budget_and_a_bare_no_is_no_reason(parsed: Parsed) -> None:
    for group, entity in (("budgets", "budget"), ("cancel_reasons", "cancel_reason")):
        scores = score(*group_of(parsed, group))
        assert not [m for m in scores.misfires if m[1] == entity], scores.misfires
