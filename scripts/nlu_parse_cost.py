"""Per-message NLU cost of trained models (run in ``.venv-rasa``): wall medians or instructions.

Wall time (default): the models parse the same messages in turn (model A, model B, A, B, ...),
so the load of the shared machine weighs on both alike; median ms per message.

Instructions (``--instructions``): wall time on a machine shared at load 10-20 is noise; the
number of instructions a parse executes is not. Each model runs in a fresh process under
``valgrind --tool=callgrind``: the model is loaded and warmed up (one English and one Chinese
message: lazy encoders, jieba's dictionary) with instrumentation off, switched on through
``callgrind_control`` for the parses only, then off. Callgrind counts every thread of the
process into one total (e5 encodes on a thread of its own), and runs them one at a time, so
no spinning thread inflates the count. A run parsing nothing is subtracted (what switching
instrumentation costs), the difference is divided by the number of messages.

Every text is made unique (a counter appended) so the featurizers' caches do not hide the
encoders' cost.

    PYTHONPATH=. .venv-rasa/bin/python scripts/nlu_parse_cost.py MODEL_A MODEL_B [--n 150]
    PYTHONPATH=. .venv-rasa/bin/python scripts/nlu_parse_cost.py MODEL_A MODEL_B --instructions \
        [--n 40]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import json
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import types
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "zh")
WARM_UP = ("hello there", "你好")
# The Rasa server's thread limits (bot/runtime/stack.py RASA_THREAD_LIMITS): one math thread.
THREAD_LIMITS = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def messages(n: int) -> dict[str, list[str]]:
    """``n`` English dev messages and ``n`` Chinese training messages, spread over the files,
    each made unique."""
    from rasa.shared.nlu.training_data.loading import load_data

    def texts(path: Path) -> list[str]:
        found: list[str] = []
        for file in sorted(path.glob("*.yml")):
            found += [m.get("text") for m in load_data(str(file)).intent_examples]
        picked = found[:: max(1, len(found) // n)][:n] if n else []
        return [f"{text} {i}" for i, text in enumerate(picked)]

    return {"en": texts(ROOT / "eval" / "nlu_dev"), "zh": texts(ROOT / "data" / "nlu_zh")}


def load_agents(models: list[Path]) -> dict[str, Any]:
    with contextlib.redirect_stdout(io.StringIO()):
        logging.disable(logging.WARNING)
        from rasa.core.agent import Agent

        return {str(m): Agent.load(str(m)) for m in models}


# --- wall time ----------------------------------------------------------------------------


def wall_medians(models: list[Path], n: int) -> dict[str, dict[str, float]]:
    agents = load_agents(models)
    sets = messages(n)

    async def measure() -> dict[str, dict[str, float]]:
        times: dict[str, dict[str, list[float]]] = {m: {k: [] for k in sets} for m in agents}
        for agent in agents.values():
            for text in WARM_UP:
                await agent.parse_message(text)
        for lang, texts in sets.items():
            for text in texts:
                for name, agent in agents.items():
                    started = time.perf_counter()
                    await agent.parse_message(text)
                    times[name][lang].append((time.perf_counter() - started) * 1000)
        return {
            m: {lang: round(statistics.median(v), 1) for lang, v in by.items()}
            for m, by in times.items()
        }

    return asyncio.run(measure())


# --- instructions -------------------------------------------------------------------------


def _instrumentation(on: bool) -> None:
    """Switch callgrind's instrumentation of this process (synchronous: callgrind_control
    returns when callgrind has acknowledged)."""
    state = "on" if on else "off"
    subprocess.run(
        ["callgrind_control", f"--instr={state}", str(os.getpid())],
        check=True,
        stdout=subprocess.DEVNULL,
    )


def _without_scipy_boost() -> None:
    """Valgrind computes long doubles in 64 bits, and the Boost code of ``scipy.stats._boost``
    throws while it is imported (scipy issue 17368); scikit-learn imports scipy.stats. Nothing
    a parse does calls those distributions, so under valgrind the module is a stub that
    raises if anything does."""

    def unavailable(name: str) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(f"scipy.stats._boost.{name} is not available under valgrind")

        return call

    stub = types.ModuleType("scipy.stats._boost")
    stub.__getattr__ = unavailable  # type: ignore[method-assign]
    sys.modules["scipy.stats._boost"] = stub


def parse_under_callgrind(model: Path, lang: str, n: int) -> None:
    """The measured process: load and warm up uninstrumented, parse ``n`` messages counted."""
    _without_scipy_boost()
    agent = load_agents([model])[str(model)]
    texts = messages(n)[lang]

    async def parse(batch: list[str] | tuple[str, ...]) -> None:
        for text in batch:
            await agent.parse_message(text)

    asyncio.run(parse(WARM_UP))
    _instrumentation(True)
    asyncio.run(parse(texts))
    _instrumentation(False)


def count_instructions(model: Path, lang: str, n: int, out: Path) -> int:
    """Instructions of ``n`` parses in a fresh process under callgrind (all threads)."""
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
        # the interpreter itself: a launcher script's exec (a pyenv shim) would escape valgrind
        sys.executable, str(Path(__file__).resolve()),
        "--callgrind-child", str(model), "--lang", lang, "--n", str(n),
    ]  # fmt: skip
    env = {**os.environ, **THREAD_LIMITS, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")
    totals = re.search(r"^totals:\s+(\d+)", out.read_text(), re.MULTILINE)
    if totals is None:
        raise RuntimeError(f"no totals in {out}")
    return int(totals.group(1))


def instructions(models: list[Path], n: int, workdir: Path) -> dict[str, Any]:
    """Per model and language: instructions per parsed message (millions), and each model's
    ratio to the first. The runs are independent processes, so they run at the same time
    (under valgrind a model takes minutes to load; the counts do not depend on the load)."""
    runs = [(i, lang, count) for i in range(len(models)) for lang, count in
            [("en", 0), *((lang, n) for lang in LANGUAGES)]]  # fmt: skip
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        futures = {
            run: pool.submit(
                count_instructions,
                models[run[0]],
                run[1],
                run[2],
                workdir / f"callgrind.{run[0]}.{run[1]}.{run[2]}.out",
            )  # fmt: skip
            for run in runs
        }
        counted = {run: future.result() for run, future in futures.items()}
    per_message: dict[str, dict[str, float]] = {}
    for i, model in enumerate(models):
        idle = counted[(i, "en", 0)]
        per_message[str(model)] = {
            lang: round((counted[(i, lang, n)] - idle) / n / 1e6, 2) for lang in LANGUAGES
        }
        per_message[str(model)]["idle"] = round(idle / 1e6, 2)
    first = per_message[str(models[0])]
    return {
        "messages_per_language": n,
        "per_message_M": per_message,
        "ratio_to_first": {
            str(m): {lang: round(per_message[str(m)][lang] / first[lang], 3) for lang in LANGUAGES}
            for m in models[1:]
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="*", type=Path)
    parser.add_argument("--n", type=int, default=None, help="messages per language")
    parser.add_argument("--instructions", action="store_true", help="count under callgrind")
    parser.add_argument("--workdir", type=Path, default=None, help="callgrind output files")
    parser.add_argument("--callgrind-child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--lang", choices=LANGUAGES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.callgrind_child:
        parse_under_callgrind(args.callgrind_child, args.lang, args.n)
    elif args.instructions:
        workdir = args.workdir or Path(tempfile.mkdtemp(prefix="nlu-cost-"))
        workdir.mkdir(parents=True, exist_ok=True)
        result = instructions(args.models, args.n or 40, workdir)
        print(json.dumps({**result, "callgrind_files": str(workdir)}, indent=2))
    else:
        print(json.dumps(wall_medians(args.models, args.n or 150)))


if __name__ == "__main__":
    main()
