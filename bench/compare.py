"""Answer latency of this tree against a baseline tree, measured in one run, rounds interleaved.

On a shared machine two benchmarks taken minutes apart differ by more than most changes
(issue 15: a +5% p95 between two days' runs was the machine, not the code). This runs
``bench/answer_latency.py`` of each tree in turn (baseline, this tree, baseline, ...) with each
tree's own code, pools the per-question latencies (excluding generation) of all rounds and
writes medians, p95s and the ratios as JSON and markdown.

    git worktree add /work/wt/old <commit> && ln -s $PWD/.venv /work/wt/old/.venv
    .venv/bin/python -m bench.compare --baseline /work/wt/old --rounds 3 --out var/reports/compare
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

THIS_TREE = Path(__file__).resolve().parent.parent
METRICS = ("excl_generation_ms", "total_ms")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


def run_once(tree: Path, mode: str) -> list[dict[str, Any]]:
    """One ``answer_latency.py`` run with ``tree``'s code; its per-question rows."""
    with tempfile.TemporaryDirectory(prefix="shopbot-compare-") as tmp:
        subprocess.run(
            [sys.executable, str(tree / "bench" / "answer_latency.py"), "--mode", mode,
             "--out", tmp],
            cwd=tree, env={**os.environ, "PYTHONPATH": str(tree)}, check=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        rows: list[dict[str, Any]] = json.loads(
            (Path(tmp) / f"answer_latency_{mode}.json").read_text()
        )["rows"]
        return rows


def summary(rounds: list[list[dict[str, Any]]]) -> dict[str, Any]:
    out: dict[str, Any] = {"rounds": len(rounds), "questions": sum(len(r) for r in rounds)}
    for metric in METRICS:
        pooled = [row[metric] for rows in rounds for row in rows]
        out[f"p50_{metric}"] = round(statistics.median(pooled), 2)
        out[f"p95_{metric}"] = round(pct(pooled, 0.95), 2)
        out[f"p50_{metric}_per_round"] = [
            round(statistics.median([row[metric] for row in rows]), 2) for rows in rounds
        ]
    return out


def compare(baseline: Path, rounds: int, mode: str, out: Path) -> dict[str, Any]:
    runs: dict[str, list[list[dict[str, Any]]]] = {"baseline": [], "this": []}
    for i in range(rounds):
        for name, tree in (("baseline", baseline), ("this", THIS_TREE)):
            print(f"round {i + 1}/{rounds}: {name} ({tree})", flush=True)
            runs[name].append(run_once(tree, mode))
    result: dict[str, Any] = {
        "mode": mode,
        "baseline_tree": str(baseline),
        "this_tree": str(THIS_TREE),
        **{name: summary(r) for name, r in runs.items()},
    }
    result["ratio"] = {
        key: round(result["this"][key] / result["baseline"][key], 3)
        for key in (f"{p}_{m}" for m in METRICS for p in ("p50", "p95"))
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"compare_answer_latency_{mode}.json").write_text(json.dumps(result, indent=2))
    table = [
        f"Answer latency ({mode}), {rounds} interleaved rounds, ms "
        "(excl. generation / total; pooled over all rounds):",
        "",
        "| tree | p50 excl. gen | p95 excl. gen | p50 total | p95 total |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in ("baseline", "this"):
        s = result[name]
        table.append(
            f"| {name} | {s['p50_excl_generation_ms']} | {s['p95_excl_generation_ms']} "
            f"| {s['p50_total_ms']} | {s['p95_total_ms']} |"
        )
    r = result["ratio"]
    table.append(
        f"| this / baseline | {r['p50_excl_generation_ms']}× | {r['p95_excl_generation_ms']}× "
        f"| {r['p50_total_ms']}× | {r['p95_total_ms']}× |"
    )
    (out / f"compare_answer_latency_{mode}.md").write_text("\n".join(table) + "\n")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", type=Path, required=True, help="a checkout to compare to")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "keyword"])
    parser.add_argument("--out", type=Path, default=Path("var/reports/compare"))
    args = parser.parse_args()
    result = compare(args.baseline.resolve(), args.rounds, args.mode, args.out)
    print(json.dumps({k: result[k] for k in ("baseline", "this", "ratio")}, indent=2))


if __name__ == "__main__":
    main()
