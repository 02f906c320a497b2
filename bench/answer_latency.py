"""Latency of ``AnswerService.answer`` with the template backend on the demo shop.

Loads the demo shop into a temporary SQLite database, builds keyword indexes and
embeddings (hybrid retrieval, as in production), warms the embedding model, then answers
~100 varied questions and reports p50/p95 of the work *excluding generation*
(retrieval + prompt + grounding check), plus the total. Writes JSON and a markdown table.

    .venv/bin/python bench/answer_latency.py [--mode hybrid|keyword] [--out bench/results]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
from pathlib import Path

from bot import schema
from bot.answers.service import AnswerService
from bot.catalog.keyword import rebuild_keyword_index
from bot.db.session import Database
from bot.memory.base import InProcessSessionMemory
from bot.orders.policy import load_policy
from bot.orders.service import OrderService
from bot.shop.demo import read_demo
from bot.shop.loader import load_shop_data

DEMO = Path(__file__).resolve().parent.parent / "data" / "shop" / "demo"
POLICY_QUESTIONS = [
    "what is your return policy?",
    "how long does shipping take?",
    "can I cancel my order?",
    "do you ship internationally?",
    "how do refunds to a gift card work?",
    "can I exchange an item for another size?",
    "is shipping free?",
    "what payment methods do you accept?",
    "how many days do I have to return something?",
    "can I change my shipping address after ordering?",
]
OPEN_QUESTIONS = [
    "something for a rainy hike under $120",
    "a gift for a runner under $80",
    "warm jacket for winter under $200",
    "wireless headphones under $150",
    "a backpack for travel",
    "something for the kitchen under $50",
    "a tent for two people",
    "comfortable shoes for the city in size 42",
    "yoga gear under $40",
    "a present for a kid who likes puzzles",
]


def build_questions(db: Database, n: int = 100, seed: int = 7) -> list[tuple[str, str | None]]:
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from bot.db.models import Customer, Product

    rng = random.Random(seed)
    with db.session() as s:
        products = s.scalars(select(Product).options(selectinload(Product.variants))).all()
        customers = [c.id for c in s.scalars(select(Customer)).all()]
        rows = [
            (p.name, [dict(v.options or {}) for v in p.variants])
            for p in rng.sample(list(products), 40)
        ]
    questions: list[tuple[str, str | None]] = []
    for name, options in rows:
        opts = rng.choice(options) if options else {}
        kind = rng.randrange(4)
        if kind == 0:
            questions.append((f"is the {name} waterproof?", None))
        elif kind == 1 and "colour" in opts:
            questions.append((f"does the {name} come in {opts['colour']}?", None))
        elif kind == 2 and "size" in opts:
            questions.append((f"do you have the {name} in size {opts['size']}?", None))
        else:
            questions.append((f"tell me about the {name}", None))
            questions.append(("do you have it in blue?", "FOLLOW-UP"))
    questions += [(q, None) for q in POLICY_QUESTIONS + OPEN_QUESTIONS]
    for cid in rng.sample(customers, 10):
        questions.append(("where is my order?", cid))
    questions += [("do you sell bicycles?", None), ("what's the weather like?", None)]
    extra = [
        "compare the two cheapest rain jackets",
        "is the yoga mat non-slip?",
        "do you have hiking boots in size 44?",
        "something waterproof for kids under $50",
        "which backpack is best for a laptop?",
        "can I pay with a gift card?",
        "how long do refunds take?",
        "do you have a red t-shirt in size M?",
    ]
    questions += [(q, None) for q in extra]
    return questions[:n] if len(questions) >= n else questions


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(q * (len(ordered) - 1))))
    return ordered[k]


async def run(mode: str, out: Path) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="shopbot-bench-"))
    db = Database(f"sqlite:///{tmp / 'demo.db'}")
    schema.create_all(db)
    load_shop_data(db, read_demo(DEMO))
    rebuild_keyword_index(db)
    if mode == "hybrid":
        from bot.catalog.embeddings import embed_catalog

        embed_catalog(db)
    svc = AnswerService(
        db,
        memory=InProcessSessionMemory(),
        orders=OrderService(db, load_policy()),
        search_mode=mode,
    )
    questions = build_questions(db)
    for q, cid in questions[:3]:  # warm caches and the embedding model (not measured)
        await svc.answer(q, sender_id="warmup", customer_id=None if cid == "FOLLOW-UP" else cid)
    rows = []
    sender = "bench-0"
    for i, (q, cid) in enumerate(questions):
        if cid != "FOLLOW-UP":  # a follow-up continues the previous shopper's conversation
            sender = f"bench-{i}"
        else:
            cid = None
        a = await svc.answer(q, sender_id=sender, customer_id=cid)
        t = a.timings
        rows.append(
            {
                "question": q,
                "kind": a.kind,
                "grounded": a.grounded,
                "excl_generation_ms": t["total_ms"] - t["generation_ms"],
                "retrieval_ms": t["retrieval_ms"],
                "check_ms": t["check_ms"],
                "total_ms": t["total_ms"],
                "answer": a.text,
            }
        )
    excl = [r["excl_generation_ms"] for r in rows]
    result = {
        "mode": mode,
        "backend": "template",
        "questions": len(rows),
        "grounded": sum(r["grounded"] for r in rows),
        "p50_excl_generation_ms": round(pct(excl, 0.5), 1),
        "p95_excl_generation_ms": round(pct(excl, 0.95), 1),
        "mean_excl_generation_ms": round(statistics.mean(excl), 1),
        "p50_total_ms": round(pct([r["total_ms"] for r in rows], 0.5), 1),
        "p95_total_ms": round(pct([r["total_ms"] for r in rows], 0.95), 1),
        "p95_check_ms": round(pct([r["check_ms"] for r in rows], 0.95), 2),
        "kinds": {k: sum(r["kind"] == k for r in rows) for k in {r["kind"] for r in rows}},
        "rows": rows,
    }
    out.mkdir(parents=True, exist_ok=True)
    (out / f"answer_latency_{mode}.json").write_text(json.dumps(result, indent=2))
    table = [
        "| mode | questions | grounded | p50 excl. gen (ms) | p95 excl. gen (ms) "
        "| p50 total | p95 total |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        f"| {mode} | {result['questions']} | {result['grounded']} | "
        f"{result['p50_excl_generation_ms']} | {result['p95_excl_generation_ms']} | "
        f"{result['p50_total_ms']} | {result['p95_total_ms']} |",
    ]
    (out / f"answer_latency_{mode}.md").write_text("\n".join(table) + "\n")
    db.dispose()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "keyword"])
    parser.add_argument("--out", type=Path, default=Path("bench/results"))
    args = parser.parse_args()
    result = asyncio.run(run(args.mode, args.out))
    summary = {k: v for k, v in result.items() if k != "rows"}
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
