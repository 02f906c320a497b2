"""CPU time per NLU pipeline component of a trained model (run in ``.venv-rasa``).

Where a parse goes, component by component: every graph node's call is timed with
``time.process_time`` (CPU of the whole process, so BLAS threads count), over English dev
messages (``eval/nlu_dev``) in a fixed shuffled order, after a warm-up. The texts repeat
nothing, but the encoders' caches are per text, so each message is encoded once. The figures
in docs/nlu/chinese.md ("Cost", sixth session) come from it:

    PYTHONPATH=. .venv-rasa/bin/python scripts/nlu_component_cost.py MODEL [MODEL ...] [--n 300]
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import logging
import random
import re
import time
from pathlib import Path
from typing import Any

import yaml

DEV_SET = Path(__file__).resolve().parents[1] / "eval" / "nlu_dev" / "dev_en.yml"
WARM_UP = 20


def dev_texts(path: Path = DEV_SET) -> list[str]:
    """The set's messages without entity annotations."""
    texts = []
    for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
        for line in str(item.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                texts.append(re.sub(r"\[([^\]]*)\][({][^)}]*[)}]", r"\1", line[2:]))
    return texts


def component_cost(model: str, texts: list[str]) -> tuple[float, dict[str, float]]:
    """CPU ms per parse of the model and of each graph node, over ``texts`` after a warm-up."""
    from rasa.core.agent import Agent
    from rasa.engine.graph import GraphNode

    spent: dict[str, float] = collections.defaultdict(float)
    original = GraphNode.__call__

    def timed(node: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.process_time()
        try:
            return original(node, *args, **kwargs)
        finally:
            spent[node._node_name] += time.process_time() - started

    GraphNode.__call__ = timed  # type: ignore[method-assign]
    try:
        agent = Agent.load(model)

        async def parse(batch: list[str]) -> None:
            for text in batch:
                await agent.parse_message(text)

        asyncio.run(parse(texts[:WARM_UP]))
        spent.clear()
        started = time.process_time()
        asyncio.run(parse(texts[WARM_UP:]))
        total = time.process_time() - started
    finally:
        GraphNode.__call__ = original  # type: ignore[method-assign]
    n = max(1, len(texts) - WARM_UP)
    return total * 1000 / n, {k: v * 1000 / n for k, v in spent.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+")
    parser.add_argument("--n", type=int, default=300, help="messages, warm-up included")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    texts = dev_texts()
    random.Random(1).shuffle(texts)
    texts = texts[: args.n]
    for model in args.models:
        total, nodes = component_cost(model, texts)
        print(f"{model}: {len(texts) - WARM_UP} English parses, {total:.2f} ms CPU per parse")
        for name, ms in sorted(nodes.items(), key=lambda kv: -kv[1])[:12]:
            print(f"  {name:62s} {ms:7.3f} ms")


if __name__ == "__main__":
    main()
