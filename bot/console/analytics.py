"""Analytics numbers and server-rendered PNG charts (matplotlib, no JavaScript needed)."""

from __future__ import annotations

import io
import json
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bot.console.models import Conversation  # noqa: E402
from bot.db.session import Database  # noqa: E402

CHARTS = ("per_day", "rates", "top_intents", "sentiment", "latency")


CACHE_TTL_S = 60.0
_cache: dict[tuple[str, int], tuple[float, dict[str, Any]]] = {}


def collect_cached(db: Database, days: int) -> dict[str, Any]:
    """``collect`` shared for a minute: one analytics page requests five charts at once."""
    key = (db.url, days)
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_TTL_S:
        return hit[1]
    return remember(db, days, collect(db, days))


def remember(db: Database, days: int, stats: dict[str, Any]) -> dict[str, Any]:
    """Keep freshly collected numbers so the page's chart requests reuse them."""
    _cache[(db.url, days)] = (time.monotonic(), stats)
    return stats


def collect(db: Database, days: int = 30, now: float | None = None) -> dict[str, Any]:
    """Per-day aggregates of the last ``days`` days (containment = resolved, no person)."""
    since = (now or time.time()) - days * 86400
    per_day: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"n": 0, "resolved": 0, "handoff": 0, "fallback": 0, "sent": [], "lat": []}
    )
    intents: Counter[str] = Counter()
    all_lat: list[int] = []
    with db.session() as session:
        rows = session.execute(
            select(
                Conversation.started_at,
                Conversation.resolved,
                Conversation.handed_off,
                Conversation.fell_back,
                Conversation.min_sentiment,
                Conversation.intents,
                Conversation.latencies_ms,
            ).where(Conversation.started_at >= since)
        )
        for started, resolved, handed, fell, sentiment, intents_json, lat_json in rows:
            day = datetime.fromtimestamp(started, UTC).date().isoformat()
            bucket = per_day[day]
            bucket["n"] += 1
            bucket["resolved"] += int(bool(resolved) and not handed)
            bucket["handoff"] += int(bool(handed))
            bucket["fallback"] += int(bool(fell))
            if sentiment is not None:
                bucket["sent"].append(sentiment)
            lat = json.loads(lat_json or "[]")
            bucket["lat"].extend(lat)
            all_lat.extend(lat)
            intents.update(json.loads(intents_json or "[]"))
    total = sum(b["n"] for b in per_day.values())
    return {
        "days": sorted(per_day),
        "per_day": dict(per_day),
        "total": total,
        "containment": _ratio(sum(b["resolved"] for b in per_day.values()), total),
        "handoff_rate": _ratio(sum(b["handoff"] for b in per_day.values()), total),
        "fallback_rate": _ratio(sum(b["fallback"] for b in per_day.values()), total),
        "top_intents": intents.most_common(12),
        "latency_p50_ms": _pct(all_lat, 50),
        "latency_p95_ms": _pct(all_lat, 95),
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _pct(values: list[int], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def render(chart: str, stats: dict[str, Any]) -> bytes:
    """One chart as PNG bytes; an empty data set gives a chart that says so."""
    fig, ax = plt.subplots(figsize=(7, 3), dpi=90)
    try:
        days = stats["days"]
        per_day = stats["per_day"]
        if chart == "top_intents":
            names = [n for n, _ in stats["top_intents"]][::-1]
            counts = [c for _, c in stats["top_intents"]][::-1]
            ax.barh(names, counts, color="#3b6ea5")
            ax.set_title("Top intents (conversations)")
        elif not days:
            ax.text(0.5, 0.5, "No conversations in this period", ha="center", va="center")
            ax.set_axis_off()
        elif chart == "per_day":
            ax.bar(days, [per_day[d]["n"] for d in days], color="#3b6ea5")
            ax.set_title("Conversations per day")
        elif chart == "rates":
            for key, label in (
                ("resolved", "containment"),
                ("handoff", "hand-off"),
                ("fallback", "fallback"),
            ):
                ax.plot(days, [per_day[d][key] / per_day[d]["n"] for d in days], label=label)
            ax.set_ylim(0, 1)
            ax.legend(loc="upper left", fontsize=8)
            ax.set_title("Containment, hand-off and fallback rate")
        elif chart == "sentiment":
            values = [np.mean(per_day[d]["sent"]) if per_day[d]["sent"] else np.nan for d in days]
            ax.plot(days, values, marker="o", color="#a53b3b")
            ax.set_title("Mean lowest sentiment per conversation")
        elif chart == "latency":
            p50 = [_pct(per_day[d]["lat"], 50) or np.nan for d in days]
            p95 = [_pct(per_day[d]["lat"], 95) or np.nan for d in days]
            ax.plot(days, p50, label="p50", marker="o")
            ax.plot(days, p95, label="p95", marker="o")
            ax.set_ylabel("ms")
            ax.legend(loc="upper left", fontsize=8)
            ax.set_title("Response latency (user → bot)")
        else:
            raise ValueError(f"unknown chart {chart}")
        if chart != "top_intents" and days:
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        fig.tight_layout()
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)
