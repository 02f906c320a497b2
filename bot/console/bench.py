"""Measure the conversation list at scale: generate summary rows, time pages, show the plan.

The generator writes summary rows directly (what ingest would produce) because the list
query reads only ``conversations`` + ``conversation_facets``; ingest speed is a separate
concern. Timings include SQLAlchemy and row conversion, i.e. what a page request pays.
"""

from __future__ import annotations

import json
import random
import statistics
import time
from typing import Any

from rich.progress import Progress

from bot.console.queries import ListFilters, list_page
from bot.console.repositories.conversations import (
    ConversationRepository,
    analyze_summary_tables,
    explain_page,
)
from bot.db.session import Database

INTENTS = [
    "track_order",
    "cancel_order",
    "return_item",
    "search_product",
    "greet",
    "contact_human_agent",
    "nlu_fallback",
    "complaint",
    "get_refund",
    "thank",
]
TAGS = ["refund", "vip", "bug", "training", "escalated"]
FILTER_MIX: list[dict[str, str]] = [
    {},
    {"fallback": "yes"},
    {"handoff": "yes"},
    {"resolved": "no"},
    {"reviewed": "no"},
    {"intent": "cancel_order"},
    {"tag": "vip"},
    {"date_from": "2026-10-01", "date_to": "2026-10-15"},
    {"intent": "return_item", "resolved": "no"},
    {"sentiment_below": "-0.8"},
    {"email": "customer00042@example.com"},
    {"order_id": "#W1000042"},
    {"q": "cancel order"},
    {"q": "order w4242"},
]


def generate(db: Database, count: int, seed: int = 7) -> int:
    """Top the summary table up to ``count`` synthetic conversations; returns rows added."""
    with db.session() as session:
        have = ConversationRepository(session).count()
    missing = count - have
    if missing <= 0:
        return 0
    rng = random.Random(seed + have)
    end = time.time()
    span = 120 * 86400
    batch = 5000
    with Progress() as progress:
        task = progress.add_task("generating conversations", total=missing)
        done = 0
        while done < missing:
            n = min(batch, missing - done)
            convs: list[dict[str, Any]] = []
            facets: list[tuple[str, int]] = []
            for i in range(n):
                k = have + done + i
                intents = rng.sample(INTENTS, rng.randint(1, 4))
                tags = rng.sample(TAGS, 1) if rng.random() < 0.05 else []
                fell = "nlu_fallback" in intents
                handed = "contact_human_agent" in intents or rng.random() < 0.03
                email = f"customer{k % 20000:05d}@example.com" if rng.random() < 0.6 else None
                convs.append(
                    {
                        "sender_id": f"bench-{k:07d}",
                        "started_at": end - rng.random() * span,
                        "last_event_at": end,
                        "last_event_id": 0,
                        "channel": "socketio",
                        "customer_id": None,
                        "customer_email": email,
                        "turns": rng.randint(1, 12),
                        "intents": json.dumps(intents),
                        "fell_back": fell,
                        "handed_off": handed,
                        "resolved": not fell and not handed,
                        "last_turn_failed": fell,
                        "min_sentiment": round(rng.uniform(-1, 1), 2),
                        "tags": json.dumps(tags),
                        "reviewed": rng.random() < 0.1,
                        "note": "",
                        "search_text": " ".join(intents).replace("_", " ") + f" order w{k}",
                        "pending_user_ts": None,
                        "latencies_ms": json.dumps([rng.randint(80, 1500) for _ in range(3)]),
                    }
                )
                facets.extend((f"intent:{x}", k) for x in intents)
                facets.extend((f"tag:{t}", k) for t in tags)
                facets.append((f"order:#W{1000000 + k}", k))
                if email:
                    facets.append((f"email:{email}", k))
            with db.transaction() as session:
                ConversationRepository(session).add_summaries(convs, facets, first=have + done)
            done += n
            progress.update(task, advance=n)
    analyze_summary_tables(db)
    return missing


def explain(db: Database, filters: ListFilters, cursor: str | None = None) -> str:
    """The database's plan for one page query (PostgreSQL: EXPLAIN ANALYZE)."""
    return explain_page(db, filters, cursor)


def time_queries(db: Database, n: int, seed: int = 11) -> dict[str, Any]:
    """Time ``n`` page requests across the filter mix; half are deep pages (cursor)."""
    rng = random.Random(seed)
    timings: list[float] = []
    per_filter: dict[str, list[float]] = {}
    with db.session() as session:
        bounds = ConversationRepository(session).started_bounds()
        for i in range(n):
            raw = FILTER_MIX[i % len(FILTER_MIX)]
            filters = ListFilters(**raw)
            cursor = None
            if i % 2:
                cursor = f"{rng.uniform(bounds[0], bounds[1])!r}:{10**9}"
            t0 = time.perf_counter()
            list_page(session, filters, cursor)
            elapsed = (time.perf_counter() - t0) * 1000
            timings.append(elapsed)
            per_filter.setdefault(json.dumps(raw), []).append(elapsed)
    timings.sort()
    return {
        "queries": n,
        "p50_ms": round(statistics.median(timings), 2),
        "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2),
        "max_ms": round(timings[-1], 2),
        "per_filter_p95_ms": {
            k: round(sorted(v)[int(0.95 * (len(v) - 1))], 2) for k, v in per_filter.items()
        },
    }


def run_bench(db: Database, conversations: int, queries: int) -> str:
    added = generate(db, conversations)
    stats = time_queries(db, queries)
    with db.session() as session:
        total = ConversationRepository(session).count()
    lines = [
        f"conversations: {total} (added {added}); database: {db.dialect}",
        f"list query over {stats['queries']} requests: p50 {stats['p50_ms']} ms, "
        f"p95 {stats['p95_ms']} ms, max {stats['max_ms']} ms",
        "p95 per filter (ms): " + json.dumps(stats["per_filter_p95_ms"]),
        "",
        "plan, first page, no filter:",
        explain(db, ListFilters()),
        "",
        "plan, deep page, fallback=yes:",
        explain(db, ListFilters(fallback="yes"), f"{time.time() - 60 * 86400!r}:1000000000"),
        "",
        "plan, intent=cancel_order:",
        explain(db, ListFilters(intent="cancel_order")),
        "",
        "plan, free text 'order w4242':",
        explain(db, ListFilters(q="order w4242")),
    ]
    return "\n".join(lines)
