"""How the fallback threshold for Chinese messages trades fallbacks for wrong answers, on a set
already run through ``rasa test`` (``shopbot nlu independent --set zh_dev --out DIR``).

    PYTHONPATH=. .venv/bin/python scripts/nlu_fallback_sweep.py DIR/rasa [--english 0.4]

Prints, per Chinese threshold, the figures the reports use (bot/nlu/independent.py: macro F1,
in-scope sent to the fallback, out-of-scope recall, in-scope taken for out-of-scope) and the
share of in-scope messages answered with a wrong intent; then, per intent, the confidence of
the classifier's right and wrong answers (why in-scope Chinese messages fall under the
threshold). For choosing on the dev set only: never on eval/nlu_zh.
"""

from __future__ import annotations

import argparse
import json
import statistics
from collections import defaultdict
from pathlib import Path
from typing import Any

from bot.nlu.fallback import FallbackThresholds
from bot.nlu.independent import FALLBACK, OUT_OF_SCOPE, predicted_pairs, score

THRESHOLDS = (0.4, 0.35, 0.3, 0.28, 0.25, 0.22, 0.2)


def load(directory: Path) -> list[dict[str, Any]]:
    predictions: list[dict[str, Any]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = directory / name
        if path.exists():
            predictions += json.loads(path.read_text(encoding="utf-8"))
    return predictions


def wrong_share(predictions: list[dict[str, Any]], thresholds: FallbackThresholds) -> float:
    """In-scope messages answered with another intent (not the fallback, not out of scope)."""
    pairs = [(g, p) for g, p in predicted_pairs(predictions, thresholds) if g != OUT_OF_SCOPE]
    wrong = sum(1 for g, p in pairs if p not in (g, FALLBACK, OUT_OF_SCOPE))
    return wrong / len(pairs) if pairs else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rasa_dir", type=Path)
    parser.add_argument("--english", type=float, default=0.4)
    args = parser.parse_args()
    predictions = load(args.rasa_dir)
    print(f"{len(predictions)} predictions from {args.rasa_dir}")
    print("| Chinese threshold | macro F1 | in-scope to fallback | wrong intent | OOS recall "
          "| in-scope to OOS |")  # fmt: skip
    print("|---:|---:|---:|---:|---:|---:|")
    for cjk in THRESHOLDS:
        thresholds = FallbackThresholds(args.english, cjk)
        r = score(predictions, thresholds)
        print(
            f"| {cjk:.2f} | {r.macro_f1:.3f} | {r.fallback_rate:.1%} | "
            f"{wrong_share(predictions, thresholds):.1%} | {r.oos_recall:.3f} | "
            f"{r.oos_false_alarms:.1%} |"
        )
    right: dict[str, list[float]] = defaultdict(list)
    wrong: dict[str, list[float]] = defaultdict(list)
    for p in predictions:
        predicted = p.get("intent_prediction") or {}
        confidence = float(predicted.get("confidence") or 0.0)
        (right if predicted.get("name") == p["intent"] else wrong)[p["intent"]].append(confidence)
    print("\n| intent | right n | right median | right < 0.4 | wrong n | wrong median |")
    print("|---|---:|---:|---:|---:|---:|")
    for intent in sorted(set(right) | set(wrong), key=lambda i: -sum(c < 0.4 for c in right[i])):
        r, w = right[intent], wrong[intent]
        print(
            f"| {intent} | {len(r)} | {statistics.median(r) if r else 0:.2f} | "
            f"{sum(c < 0.4 for c in r)} | {len(w)} | {statistics.median(w) if w else 0:.2f} |"
        )
    all_right = [c for values in right.values() for c in values]
    all_wrong = [c for values in wrong.values() for c in values]
    for name, values in (("right", all_right), ("wrong", all_wrong)):
        if values:
            q = statistics.quantiles(values, n=10)
            print(f"{name}: n {len(values)}, deciles " + " ".join(f"{x:.2f}" for x in q))


if __name__ == "__main__":
    main()
