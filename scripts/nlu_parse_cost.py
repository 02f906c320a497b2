"""Per-message NLU cost of trained models, median ms (run in ``.venv-rasa``).

The models parse the same messages in turn (model A, model B, A, B, ...), so the load of the
shared machine weighs on both alike. Every text is made unique (a counter appended) so the
featurizers' caches do not hide the encoder's cost.

    PYTHONPATH=. .venv-rasa/bin/python scripts/nlu_parse_cost.py MODEL_A MODEL_B [--n 150]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def messages(n: int) -> dict[str, list[str]]:
    from rasa.shared.nlu.training_data.loading import load_data

    def texts(path: Path) -> list[str]:
        found: list[str] = []
        for file in sorted(path.glob("*.yml")):
            found += [m.get("text") for m in load_data(str(file)).intent_examples]
        return found[:: max(1, len(found) // n)][:n]

    return {"en": texts(ROOT / "eval" / "nlu_dev"), "zh": texts(ROOT / "data" / "nlu_zh")}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--n", type=int, default=150)
    args = parser.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):
        logging.disable(logging.WARNING)
        from rasa.core.agent import Agent

        agents = {str(m): Agent.load(str(m)) for m in args.models}
    sets = messages(args.n)

    async def measure() -> dict[str, dict[str, float]]:
        times: dict[str, dict[str, list[float]]] = {m: {k: [] for k in sets} for m in agents}
        for agent in agents.values():  # warm-up: models, jieba's dictionary
            await agent.parse_message("hello 你好")
        for lang, texts in sets.items():
            for i, text in enumerate(texts):
                for name, agent in agents.items():
                    started = time.perf_counter()
                    await agent.parse_message(f"{text} {i}")
                    times[name][lang].append((time.perf_counter() - started) * 1000)
        return {
            m: {lang: round(statistics.median(v), 1) for lang, v in by.items()}
            for m, by in times.items()
        }

    print(json.dumps(asyncio.run(measure())))


if __name__ == "__main__":
    main()
