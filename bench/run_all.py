"""Every benchmark in one run (``make bench``): JSON + markdown per benchmark, one summary.

    .venv/bin/python -m bench.run_all            # full run (~15-25 min on 2 cores)
    .venv/bin/python -m bench.run_all --quick    # small run: 1 and 8 conversations, 1k/10k

Writes ``<out>/<name>.json|md``, ``<out>/catalog_retrieval.png`` and ``<out>/summary.md``
(targets checked, machine load at start and end). ``<out>`` is ``var/reports/bench`` (ignored)
unless ``--out`` says otherwise; ``make report`` refreshes the committed ``bench/results``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import catalog_retrieval, replicas, turn_latency
from bot.settings import PROJECT_ROOT

# `make bench` writes to an ignored folder; `make report` refreshes the committed copy here.
RESULTS = PROJECT_ROOT / "bench" / "results"
RUN_OUTPUT = PROJECT_ROOT / "var" / "reports" / "bench"


def answer_latency(out: Path) -> dict[str, Any]:
    """The answer action without generation (another engineer's ``bench/answer_latency.py``)."""
    sys.path.insert(0, str(PROJECT_ROOT / "bench"))
    import answer_latency as al  # type: ignore[import-not-found]

    result = asyncio.run(al.run("hybrid", out))
    return {k: v for k, v in result.items() if k != "rows"}


def machine() -> dict[str, Any]:
    return {
        "cpus": os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "commit": subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip(),
    }


def _check(ok: bool) -> str:
    return "met" if ok else "NOT met"


def summary(results: dict[str, Any], start: dict[str, Any], end: dict[str, Any], out: Path) -> str:
    lines = [
        "# Benchmark summary",
        "",
        f"Commit {start['commit']}, {start['cpus']} CPUs, load average at start "
        f"{start['load_avg']}, at end {end['load_avg']} (shared machine).",
        "",
        "| target | measured | |",
        "|---|---|---|",
    ]
    turns = results.get("turn_latency")
    if turns:
        by_c = {row["concurrency"]: row for row in turns["levels"]}
        if 1 in by_c:
            p95 = by_c[1]["full"]["p95_ms"]
            lines.append(f"| single conversation p95 ≤ 250 ms | {p95} ms | {_check(p95 <= 250)} |")
        if 8 in by_c:
            ratio = by_c[8]["overhead_p95"]
            lines.append(f"| p95 within 1.5× baseline at 8 | {ratio}× | {_check(ratio <= 1.5)} |")
    catalog = results.get("catalog_retrieval")
    if catalog:
        largest = catalog["sizes"][-1]
        p95 = round(largest["latency_ms"]["hybrid"]["p95"], 1)
        lines.append(
            f"| hybrid p95 ≤ 50 ms at {largest['products']:,} | {p95} ms | {_check(p95 <= 50)} |"
        )
    answers = results.get("answer_latency")
    if answers:
        p95 = answers["p95_excl_generation_ms"]
        lines.append(f"| answer p95 excl. generation ≤ 30 ms | {p95} ms | {_check(p95 <= 30)} |")
    lines.append("")
    for name in ("turn_latency", "catalog_retrieval"):
        md = out / f"{name}.md"
        if name in results and md.exists():
            lines += [md.read_text(), ""]
    if answers:
        lines += [(out / "answer_latency_hybrid.md").read_text(), ""]
    errors = results.get("errors") or {}
    for name, err in errors.items():
        lines.append(f"- {name} FAILED: {err}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run for development")
    parser.add_argument(
        "--only",
        default="turns,catalog,answers,replicas",
        help="comma-separated: turns,catalog,answers,replicas",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=RUN_OUTPUT,
        help=f"where results go (default {RUN_OUTPUT.relative_to(PROJECT_ROOT)}; "
        "`make report` passes bench/results, the committed copy)",
    )
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only.split(","))
    start = machine()
    results: dict[str, Any] = {"errors": {}}
    started = time.perf_counter()
    steps = [
        ("answers", "answer_latency", lambda: answer_latency(out)),
        (
            "catalog",
            "catalog_retrieval",
            lambda: catalog_retrieval.run(
                [1000, 10000] if args.quick else [1000, 10000, 100000], out=out
            ),
        ),
        (
            "turns",
            "turn_latency",
            lambda: turn_latency.run(
                turn_latency.QUICK_LEVELS if args.quick else turn_latency.LEVELS,
                turn_latency.QUICK_ROUNDS if args.quick else turn_latency.ROUNDS,
                out=out,
            ),
        ),
        (
            "replicas",
            "replicas",
            lambda: replicas.run(
                conversations=6 if args.quick else 12, rounds=1 if args.quick else 2, out=out
            ),
        ),
    ]
    for key, name, step in steps:
        if key not in wanted:
            continue
        print(f"== {name}", flush=True)
        try:
            results[name] = step()
        except Exception as exc:  # one failing benchmark must not hide the others' figures
            results["errors"][name] = f"{type(exc).__name__}: {exc}"
            print(f"{name} failed: {exc}", flush=True)
    end = machine()
    # figures of benchmarks not run this time (--only) come from their last saved run
    for name, path in (
        ("turn_latency", out / "turn_latency.json"),
        ("catalog_retrieval", out / "catalog_retrieval.json"),
        ("answer_latency", out / "answer_latency_hybrid.json"),
    ):
        if name not in results and name not in results["errors"] and path.exists():
            saved = json.loads(path.read_text())
            saved.pop("rows", None)
            saved["from_earlier_run"] = True
            results[name] = saved
    results["machine"] = {"start": start, "end": end}
    results["duration_s"] = round(time.perf_counter() - started, 1)
    (out / "summary.json").write_text(json.dumps(results, indent=2, default=str))
    text = summary(results, start, end, out)
    (out / "summary.md").write_text(text)
    print(text)
    if results["errors"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
