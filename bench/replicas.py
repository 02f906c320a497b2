"""Throughput with 1 vs 2 Rasa replicas under the same load, on this machine.

Two stacks run side by side on one private Redis and one fresh shop database: A has one Rasa
server, B two; both have two action servers (so the action tier is the same) and the same
round-robin proxy in front of Rasa (so the request path is the same). The atomic lock store
is on, as in production. The same conversations (``bench.turn_latency`` scripts, 10 turns
each, driven by ``bench.loadgen``) are offered to A and B in alternating rounds (A, B, A, B),
so a burst of other work on the shared machine hits both.

    .venv/bin/python -m bench.replicas [--conversations 12] [--rounds 2]

Writes ``bench/results/replicas.json`` and ``replicas.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

from bench.infra import RedisServer, shop_database
from bench.loadgen import LoadResult, percentile, run_load
from bench.turn_latency import _shop_sample, conversation_script
from bot.runtime.stack import Stack, StackConfig
from bot.settings import PROJECT_ROOT

RESULTS = PROJECT_ROOT / "bench" / "results"
ATOMIC = "rasa_addons.lock_store.AtomicRedisLockStore"


def _merge(results: list[LoadResult]) -> dict[str, Any]:
    turns = [t for r in results for t in r.turns]
    lat = [t.latency_ms for t in turns if t.ok]
    wall = sum(r.wall_s for r in results)
    return {
        "turns": len(turns),
        "failed": sum(not t.ok for t in turns),
        "unanswered": sum(t.ok and t.replies == 0 for t in turns),
        "p50_ms": round(percentile(lat, 0.50), 1),
        "p95_ms": round(percentile(lat, 0.95), 1),
        "turns_per_s": round(len(lat) / wall, 2) if wall else 0.0,
        "wall_s": round(wall, 1),
    }


def run(conversations: int, rounds: int, out: Path = RESULTS) -> dict[str, Any]:
    log_dir = PROJECT_ROOT / "var" / "bench" / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    print("shop database (τ-bench + demo) ...", flush=True)
    with shop_database("shopbot_bench_replicas") as db_url, RedisServer() as redis_server:
        common: dict[str, Any] = {
            "database_url": db_url,
            "redis_url": redis_server.url,
            "lock_store": ATOMIC,
            "actions_replicas": 2,
            "always_proxy": True,
            "with_web": False,
            "log_dir": log_dir,
            "extra_env": {"SHOPBOT_LLM_BACKEND": "template"},
        }
        stacks = {
            1: Stack(StackConfig(rasa_replicas=1, **common)),
            2: Stack(StackConfig(rasa_replicas=2, **common)),
        }
        started = time.perf_counter()
        print("starting both stacks (3 Rasa servers, 4 action servers) ...", flush=True)
        with stacks[1], stacks[2]:
            print(f"up after {time.perf_counter() - started:.0f} s", flush=True)
            sample = _shop_sample(db_url, conversations * rounds + 2)
            scripts = [conversation_script(i, *row) for i, row in enumerate(sample)]
            for n, stack in stacks.items():  # warm-up, not measured
                asyncio.run(run_load(stack.rasa_url, scripts[:2], f"warm-r{n}-{time.time()}"))
            runs: dict[int, list[LoadResult]] = {1: [], 2: []}
            for r in range(rounds):
                batch = scripts[2 + r * conversations : 2 + (r + 1) * conversations]
                for n, stack in stacks.items():
                    tag = f"bench-replicas{n}-r{r}-{int(time.time())}"
                    res = asyncio.run(run_load(stack.rasa_url, batch, tag))
                    runs[n].append(res)
                    print(f"{n} replica(s), round {r}: {json.dumps(res.summary())}", flush=True)
            spread = {n: s.proxy_stats("rasa-proxy")["requests"] for n, s in stacks.items()}
    by_replicas = {n: _merge(rs) for n, rs in runs.items()}
    one, two = by_replicas[1]["turns_per_s"], by_replicas[2]["turns_per_s"]
    result = {
        "benchmark": "replicas",
        "conversations": conversations,
        "turns_per_conversation": len(scripts[0]),
        "rounds": rounds,
        "cpus": os.cpu_count(),
        "load_avg_start": load_at_start,
        "load_avg_end": [round(x, 2) for x in os.getloadavg()],
        "replicas": {str(n): row for n, row in by_replicas.items()},
        "requests_per_upstream": {str(n): counts for n, counts in spread.items()},
        "throughput_ratio_2_over_1": round(two / one, 2) if one else None,
    }
    save(result, out)
    return result


def render_markdown(result: dict[str, Any]) -> str:
    lines = [
        "## Throughput with 1 vs 2 Rasa replicas (same load, same run)",
        "",
        f"{result['conversations']} concurrent conversations × "
        f"{result['turns_per_conversation']} turns, {result['rounds']} alternating rounds; "
        f"two action servers and the round-robin proxy in both; {result['cpus']} CPUs, load "
        f"average {result['load_avg_start']} at start, {result['load_avg_end']} at end.",
        "",
        "| Rasa replicas | turns | failed | unanswered | p50 ms | p95 ms | turns/s |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n, row in result["replicas"].items():
        lines.append(
            f"| {n} | {row['turns']} | {row['failed']} | {row['unanswered']} | {row['p50_ms']} "
            f"| {row['p95_ms']} | {row['turns_per_s']} |"
        )
    lines += ["", f"Throughput ratio 2 / 1 replicas: **{result['throughput_ratio_2_over_1']}×**"]
    return "\n".join(lines) + "\n"


def save(result: dict[str, Any], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "replicas.json").write_text(json.dumps(result, indent=2) + "\n")
    (out / "replicas.md").write_text(render_markdown(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=12)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    result = run(args.conversations, args.rounds)
    print(render_markdown(result))


if __name__ == "__main__":
    main()
