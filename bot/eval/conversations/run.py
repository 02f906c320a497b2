"""``make eval-conversations``: the scripted shoppers of a split against the real stack.

    python -m bot.eval.conversations.run --split dev --split train --limit 100

Starts the Rasa server and the action server (as the end-to-end tests do) on a dedicated
PostgreSQL database with the τ shop loaded (``shopbot_eval_conv``; created and loaded when
missing, brought up to date otherwise), resets the task's customer before each task, and
writes JSON + markdown per split to ``var/reports/conversations/``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.db.admin import ensure_postgres_database
from bot.db.session import Database
from bot.eval.conversations.goal import derive
from bot.eval.conversations.score import Summary, TaskResult, entities, score, summarise
from bot.eval.conversations.shop_state import read_orders, read_users, reset_customers
from bot.eval.conversations.shopper import RestClient, ScriptedShopper
from bot.eval.conversations.tau import TAU_DIR, TauTask, load_tasks, replay, source_data
from bot.settings import PROJECT_ROOT, child_environment, environment_value

DEFAULT_DB = "shopbot_eval_conv"
PG_SERVER = environment_value(
    "SHOPBOT_EVAL_PG_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432"
)
REDIS_URL = environment_value("SHOPBOT_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
OUT = PROJECT_ROOT / "var" / "reports" / "conversations"
# Loading the model takes ~30 s on an idle machine and minutes on a loaded one (the stack's
# default wait, 240 s, ran out with several engineers' jobs on two cores).
STACK_START_S = 900.0


def run_task(task: TauTask, split: str, rasa_url: str, token: str, db: Database) -> TaskResult:
    """Reset the customer, play the task's shopper, score the end state."""
    data = source_data()
    reset_customers(db, {task.user_id})
    goal = derive(task, data)
    sender = f"eval-{task.id}-{uuid.uuid4().hex[:8]}"
    convo = ScriptedShopper(goal, RestClient(rasa_url, token, sender)).run()
    order_ids, user_ids = entities(task, data)
    style = asdict(goal.style) | {"identity": "email" if goal.by_email else "name+zip"}
    return score(
        task,
        split,
        replay(task),
        convo,
        read_orders(db, order_ids),
        read_users(db, user_ids),
        style,
    )


def run_tasks(
    tasks: list[TauTask],
    split: str,
    rasa_url: str,
    token: str,
    db: Database,
    progress: Callable[[TaskResult], None] | None = None,
) -> list[TaskResult]:
    results = []
    for task in tasks:
        result = run_task(task, split, rasa_url, token, db)
        results.append(result)
        if progress:
            progress(result)
    return results


# -- the database and the stack -------------------------------------------------------------


def ensure_database(name: str, tau_dir: Path) -> str:
    """The eval database with the schema and the τ shop (an idempotent load)."""
    ensure_postgres_database(PG_SERVER, name)
    url = f"{PG_SERVER}/{name}"
    env = child_environment(DATABASE_URL=url)
    env.pop("REDIS_URL", None)
    for args in (["db", "upgrade"], ["shop", "load", "tau", str(tau_dir)]):
        cmd = [sys.executable, "-m", "bot.cli.main", *args]
        done = subprocess.run(cmd, env=env, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"`shopbot {' '.join(args)}` failed:\n{done.stdout}\n{done.stderr}")
    return url


def stack_config(database_url: str, log_dir: Path) -> Any:
    from bot.runtime.stack import StackConfig

    return StackConfig(
        database_url=database_url,
        redis_url=REDIS_URL,
        log_dir=log_dir,
        with_web=False,
        extra_env={
            "SHOPBOT_CUSTOMER_TOKEN_SECRET": secrets.token_hex(24),
            # Every scripted shopper writes from 127.0.0.1, and some give a wrong zip on
            # purpose: the identification limits (docs/security.md) are out of the way here.
            "SHOPBOT_IDENTIFY_MAX_CLIENT_FAILURES": "100000",
            "SHOPBOT_IDENTIFY_MAX_FAILURES": "100000",
            # A script answers at once; a person does not send 30 messages a minute.
            "SHOPBOT_RATE_LIMIT": "100000",
        },
    )


# -- reports ---------------------------------------------------------------------------------


def failure_kinds(results: list[TaskResult]) -> Counter[str]:
    """How many tasks failed for each main reason (``score.category``)."""
    return Counter(r.category for r in results if not r.passed)


def markdown(split: str, summary: Summary, results: list[TaskResult], when: str) -> str:
    lines = [
        f"# Scripted-shopper conversations: {split}",
        "",
        f"{when}. {summary.line()}.",
        "",
        "| task | pass | clean | wrong writes | turns | recoveries | failure |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r.task_id} | {'yes' if r.passed else 'no'} | {'yes' if r.clean else 'no'} "
            f"| {len(r.wrong_writes)} | {r.turns} | {', '.join(r.recoveries) or '-'} "
            f"| {r.failure.replace('|', '/')[:300] or '-'} |"
        )
    lines += ["", "## Most common failure reasons", ""]
    lines += [f"- {kind}: {n}" for kind, n in failure_kinds(results).most_common()] or ["- none"]
    lines += ["", "## Transcripts", ""]
    for r in results:
        lines += [
            f"### {r.task_id}: {'pass' if r.passed else 'FAIL'}{' (clean)' if r.clean else ''}",
            "",
            f"Style: {r.style}. {r.failure}",
            "",
        ]
        for t in r.transcript:
            who = "**shopper**" if t["speaker"] == "shopper" else "bot"
            extra = f" _({t['move']})_" if t.get("move") else ""
            if t.get("slot"):
                extra += f" _[asks {t['slot']}]_"
            if t.get("buttons"):
                extra += f" _buttons: {', '.join(t['buttons'][:8])}_"
            body = (t["text"] or "(nothing)").replace("\n", " / ")
            lines.append(f"- {who}: {body}{extra}")
        lines.append("")
    return "\n".join(lines) + "\n"


def write_reports(out: Path, split: str, results: list[TaskResult]) -> Summary:
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(split, results)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    payload = {
        "split": split,
        "generated": when,
        "summary": asdict(summary) | {"pass_rate": summary.pass_rate},
        "failure_kinds": dict(failure_kinds(results)),
        "tasks": [asdict(r) for r in results],
    }
    (out / f"{split}.json").write_text(json.dumps(payload, indent=1, default=str))
    (out / f"{split}.md").write_text(markdown(split, summary, results, when))
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", action="append", choices=("dev", "train"))
    parser.add_argument("--limit", type=int, default=0, help="first N tasks of each split")
    parser.add_argument("--tasks", default="", help="comma-separated task ids only")
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--tau-dir", type=Path, default=TAU_DIR)
    args = parser.parse_args(argv)
    if not (args.tau_dir / "tasks").exists():
        print(f"τ-bench tasks not found in {args.tau_dir}", file=sys.stderr)
        return 2
    from bot.runtime.stack import Stack

    wanted = {t for t in args.tasks.split(",") if t}
    started = time.monotonic()
    url = ensure_database(args.database, args.tau_dir)
    db = Database(url)
    summaries: list[Summary] = []
    all_results: dict[str, list[TaskResult]] = {}
    stack = Stack(stack_config(url, PROJECT_ROOT / "var" / "logs" / "eval-conversations"))
    stack.start(timeout_s=STACK_START_S)
    try:
        for split in args.split or ["dev"]:
            tasks = load_tasks(split, args.tau_dir)
            if wanted:
                tasks = [t for t in tasks if t.id in wanted]
            if args.limit:
                tasks = tasks[: args.limit]

            def progress(r: TaskResult) -> None:
                mark = "PASS" if r.passed else "FAIL"
                print(f"{r.task_id:>10} {mark}{' clean' if r.clean else ''} {r.failure[:150]}")

            results = run_tasks(tasks, split, stack.rasa_url, stack.config.rasa_token, db, progress)
            summaries.append(write_reports(args.out, split, results))
            all_results[split] = results
    finally:
        stack.stop()
    db.dispose()
    print(f"\nreports in {args.out} ({time.monotonic() - started:.0f} s)")
    for summary in summaries:
        print(summary.line())
    for split, results in all_results.items():
        kinds = ", ".join(f"{k}: {n}" for k, n in failure_kinds(results).most_common())
        print(f"{split} failures: {kinds or 'none'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
