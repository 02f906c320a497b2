"""Rasa cross-validation figures per language (run in ``.venv``).

``rasa test nlu --cross-validation --successes`` writes every test message of every fold to
``intent_successes.json`` / ``intent_errors.json``; this splits them into English and Chinese
(a message with a Han character is Chinese, as the pipeline's script gate decides) and scores
each part as the independent sets are scored (bot/nlu/independent.py: the FallbackClassifier's
threshold applied, macro F1 over the intents, fallback, out-of-scope recall and false alarms).

    PYTHONPATH=. .venv/bin/python scripts/nlu_cv_by_language.py results/cv-i [--config X.yml]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.dialogue.chinese import HAN
from bot.nlu.independent import fallback_threshold, score


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("results", type=Path)
    parser.add_argument("--config", type=Path, default=Path("config.yml"))
    args = parser.parse_args()
    predictions = []
    for name in ("intent_successes.json", "intent_errors.json"):
        predictions += json.loads((args.results / name).read_text(encoding="utf-8"))
    threshold = fallback_threshold(args.config)
    out = {}
    for language, keep in (("en", False), ("zh", True), ("all", None)):
        part = [p for p in predictions if keep is None or bool(HAN.search(p["text"])) == keep]
        result = score(part, threshold)
        out[language] = {
            "messages": result.messages,
            "macro_f1": round(result.macro_f1, 3),
            "accuracy": round(result.accuracy, 3),
            "fallback": round(result.fallback_rate, 3),
            "oos_recall": round(result.oos_recall, 3),
            "in_scope_to_oos": round(result.oos_false_alarms, 3),
        }
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
