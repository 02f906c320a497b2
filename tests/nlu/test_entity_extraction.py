"""Entity precision/recall of the trained model on cases written for this test.

The cases (``entity_cases.yml``) annotate every entity a message carries; negatives are
messages that must yield none of the misfires seen in use (an order number read as a ZIP,
a city, product, assistant or card brand read as a person's name). The model is the one in
``models/`` (``make train``); every message goes through the whole NLU pipeline in the Rasa
environment. The thresholds are the figures measured when the cases were written, rounded
down: a drop means extraction got worse.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.nlu.data import Example, parse_example
from bot.texts.detect import LANGUAGE_ENTITY
from tests.rasa_side.rasa_env import PROJECT_ROOT, last_json, needs_rasa, run

CASES = Path(__file__).with_name("entity_cases.yml")
MODEL = PROJECT_ROOT / "models" / "shopbot.tar.gz"

# Measured on the model trained from this commit's data (see docs/nlu/README.md).
MIN_F1 = {
    "order_id": 1.0,
    "email": 1.0,
    "zip": 1.0,
    "person_name": 0.9,
    "budget": 0.9,
    "material": 0.9,
    "quantity": 0.8,
    "cancel_reason": 0.8,
    "payment_method": 0.7,
}
MIN_MICRO_F1 = 0.85


def cases(path: Path = CASES) -> dict[str, list[Example]]:
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        group: [parse_example(line.strip()[2:]) for line in block.splitlines() if line.strip()]
        for group, block in groups.items()
    }


@dataclass
class Scores:
    true_positive: Counter[str]
    false_positive: Counter[str]
    false_negative: Counter[str]
    wrong_values: list[tuple[str, str, str, str]]  # text, entity, expected, got
    misfires: list[tuple[str, str, str]]  # text, entity, span text

    def f1(self, entity: str | None = None) -> float:
        def total(counter: Counter[str]) -> int:
            return counter[entity] if entity else sum(counter.values())

        tp, fp, fn = (
            total(self.true_positive),
            total(self.false_positive),
            total(self.false_negative),
        )
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0

    def table(self) -> str:
        kinds = sorted({*self.true_positive, *self.false_positive, *self.false_negative})
        rows = []
        for kind in kinds:
            tp, fp, fn = (
                self.true_positive[kind],
                self.false_positive[kind],
                self.false_negative[kind],
            )
            precision = tp / (tp + fp) if tp + fp else 1.0
            recall = tp / (tp + fn) if tp + fn else 1.0
            rows.append(
                f"{kind}: P {precision:.2f} R {recall:.2f} F1 {self.f1(kind):.2f} n {tp + fn}"
            )
        return "\n".join(rows)


def _key(text: str) -> str:
    return text.strip().lstrip("#").lower()


def score(examples: list[Example], parsed: list[dict[str, Any]]) -> Scores:
    """Matched by entity type and the text it covers; one prediction per type and span."""
    scores = Scores(Counter(), Counter(), Counter(), [], [])
    for example, result in zip(examples, parsed, strict=True):
        text = result["text"]
        predicted: dict[tuple[str, str], dict[str, Any]] = {}
        for e in result["entities"]:
            if e["entity"] == LANGUAGE_ENTITY:
                continue  # the message's language, set by a pipeline step, not extracted
            predicted.setdefault((e["entity"], _key(text[e["start"] : e["end"]])), e)
        expected = {(e.entity, _key(e.text)): e for e in example.entities}
        for key, entity in expected.items():
            if key in predicted:
                scores.true_positive[key[0]] += 1
                got = str(predicted[key]["value"])
                if entity.value is not None and got != entity.value:
                    scores.wrong_values.append((text, key[0], entity.value, got))
            else:
                scores.false_negative[key[0]] += 1
        for key in predicted.keys() - expected.keys():
            scores.false_positive[key[0]] += 1
            scores.misfires.append((text, *key))
    return scores


@pytest.fixture(scope="module")
def parsed() -> tuple[dict[str, list[Example]], list[dict[str, Any]]]:
    if not MODEL.exists():
        pytest.skip("no trained model in models/ (make train)")
    groups = cases()
    texts = [ex.text for examples in groups.values() for ex in examples]
    proc = run(["tests/nlu/parse_with_model.py", str(MODEL)], timeout=900, stdin=json.dumps(texts))
    assert proc.returncode == 0, proc.stderr[-3000:]
    return groups, last_json(proc.stdout)


def group_of(
    parsed_all: tuple[dict[str, list[Example]], list[dict[str, Any]]], name: str | None
) -> tuple[list[Example], list[dict[str, Any]]]:
    """The cases of one group (all with ``None``) and the model's parses of them."""
    groups, results = parsed_all
    examples: list[Example] = []
    chosen: list[dict[str, Any]] = []
    index = 0
    for group, members in groups.items():
        if name in (None, group):
            examples += members
            chosen += results[index : index + len(members)]
        index += len(members)
    return examples, chosen


@needs_rasa
def test_entity_precision_and_recall(parsed) -> None:
    scores = score(*group_of(parsed, None))
    print(scores.table())
    for entity, minimum in MIN_F1.items():
        assert scores.f1(entity) >= minimum, (entity, scores.table(), scores.misfires)
    assert scores.f1() >= MIN_MICRO_F1, scores.table()
    assert not scores.wrong_values, scores.wrong_values


@needs_rasa
def test_order_numbers_and_other_numbers_are_never_zips(parsed) -> None:
    scores = score(*group_of(parsed, "orders"))
    assert not [m for m in scores.misfires if m[1] == "zip"], scores.misfires
    assert scores.false_negative["order_id"] == 0


@needs_rasa
def test_places_products_assistants_and_cards_are_never_person_names(parsed) -> None:
    scores = score(*group_of(parsed, "not_names"))
    assert not [m for m in scores.misfires if m[1] == "person_name"], scores.misfires


@needs_rasa
def test_name_and_zip_in_one_message_are_both_found(parsed) -> None:
    scores = score(*group_of(parsed, "identification"))
    assert scores.false_negative["person_name"] == 0, scores.table()
    assert scores.false_negative["zip"] == 0 and scores.false_positive["zip"] == 0
