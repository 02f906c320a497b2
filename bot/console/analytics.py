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

from bot.console.channel_insights import (  # noqa: E402
    preferences_by_channel,
    sentiment_by_channel,
)
from bot.console.outcomes import OUTCOMES, QUESTION_TASK, OutcomeState  # noqa: E402
from bot.console.repositories.conversations import ConversationRepository  # noqa: E402
from bot.db.session import Database  # noqa: E402
from bot.orders.tasks import TASKS  # noqa: E402

TASK_NAMES = (*(task.name for task in TASKS), QUESTION_TASK)

CHARTS = ("per_day", "rates", "outcomes", "tasks", "top_intents", "sentiment", "latency")
# (stats key, chart label, Outcome attribute): every rate is conversations with the attribute
# over conversations with a shopper message (definitions: bot/console/outcomes.py).
RATES = (
    ("resolution_rate", "resolution", "resolved"),
    ("containment", "containment", "contained"),
    ("handoff_rate", "hand-off", "handed_off"),
    ("fallback_rate", "fallback", "fell_back"),
    ("error_rate", "error", "errored"),
    ("abandonment_rate", "abandonment", "abandoned"),
)

CACHE_TTL_S = 60.0
_cache: dict[tuple[str, int, str], tuple[float, dict[str, Any]]] = {}


def collect_cached(db: Database, days: int, channel: str = "") -> dict[str, Any]:
    """``collect`` shared for a minute: one analytics page requests five charts at once."""
    key = (db.url, days, channel)
    hit = _cache.get(key)
    if hit and time.monotonic() - hit[0] < CACHE_TTL_S:
        return hit[1]
    return remember(db, days, collect(db, days, channel=channel), channel)


def remember(db: Database, days: int, stats: dict[str, Any], channel: str = "") -> dict[str, Any]:
    """Keep freshly collected numbers so the page's chart requests reuse them."""
    _cache[(db.url, days, channel)] = (time.monotonic(), stats)
    return stats


def collect(
    db: Database, days: int = 30, now: float | None = None, channel: str = ""
) -> dict[str, Any]:
    """The figures of conversations started in the last ``days`` days (docs/console.md),
    of one channel's conversations when ``channel`` is given, with a per-channel breakdown."""
    now = time.time() if now is None else now
    since = now - days * 86400
    per_day: dict[str, dict[str, Any]] = defaultdict(_bucket)
    intents: Counter[str] = Counter()
    outcomes: Counter[str] = Counter()
    started: Counter[str] = Counter()
    done: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    fallback_by_intent: Counter[str] = Counter()
    by_channel: dict[str, dict[str, Any]] = defaultdict(_bucket)
    turns = fallback_turns = 0
    all_lat: list[int] = []
    with db.session() as session:
        languages = _languages(ConversationRepository(session).language_rows(since, channel))
        rows = ConversationRepository(session).analytics_rows(since, channel)
        for started_at, state_json, sentiment, intents_json, lat_json, conv_channel in rows:
            outcome = OutcomeState.from_json(state_json).summary(now)
            if not outcome.turns:  # no shopper message: nothing to rate
                continue
            bucket = per_day[datetime.fromtimestamp(started_at, UTC).date().isoformat()]
            of_channel = by_channel[conv_channel or ""]
            for counts in (bucket, of_channel):
                counts["n"] += 1
                for _, _, attribute in RATES:
                    counts[attribute] += int(bool(getattr(outcome, attribute)))
            if sentiment is not None:
                of_channel["sent"].append(sentiment)
            outcomes[outcome.label] += 1
            started.update(outcome.tasks_started)
            done.update(outcome.tasks_done)
            if outcome.handoff_reason:
                reasons[outcome.handoff_reason] += 1
            fallback_by_intent.update(outcome.fallback_intents)
            turns += outcome.turns
            fallback_turns += outcome.fallback_turns
            if sentiment is not None:
                bucket["sent"].append(sentiment)
            lat = json.loads(lat_json or "[]")
            bucket["lat"].extend(lat)
            all_lat.extend(lat)
            intents.update(json.loads(intents_json or "[]"))
        feelings = sentiment_by_channel(session, since, channel)
        learned = preferences_by_channel(session, channel)
    total = sum(b["n"] for b in per_day.values())
    stats: dict[str, Any] = {
        "days": sorted(per_day),
        "per_day": dict(per_day),
        "total": total,
        "outcomes": {label: outcomes[label] for label in OUTCOMES},
        "tasks": [
            {
                "task": task,
                "started": started[task],
                "done": done[task],
                "rate": _ratio(done[task], started[task]),
            }
            for task in TASK_NAMES
            if started[task]
        ],  # fmt: skip
        "handoff_reasons": reasons.most_common(),
        "fallback_by_intent": fallback_by_intent.most_common(12),
        "turn_fallback_rate": _ratio(fallback_turns, turns),
        "top_intents": intents.most_common(12),
        "latency_p50_ms": _pct(all_lat, 50),
        "latency_p95_ms": _pct(all_lat, 95),
        "languages": languages,
    }
    for key, _, attribute in RATES:
        stats[key] = _ratio(sum(b[attribute] for b in per_day.values()), total)
    stats["channel"] = channel
    stats["channels"] = [
        {
            "channel": name,
            "conversations": counts["n"],
            **{key: _ratio(counts[attribute], counts["n"]) for key, _, attribute in RATES},
            "mean_min_sentiment": (
                round(sum(counts["sent"]) / len(counts["sent"]), 3) if counts["sent"] else None
            ),
            "sentiment": feelings.get(name),
            "preferences": learned.get(name, {}),
        }
        for name, counts in sorted(by_channel.items(), key=lambda kv: (-kv[1]["n"], kv[0]))
    ]
    return stats


def _languages(rows: list[Any]) -> list[dict[str, Any]]:
    """Per conversation language: how many, and the resolution / hand-off / fallback rates."""
    return [
        {
            "lang": lang,
            "n": n,
            "resolution_rate": _ratio(int(resolved or 0), n),
            "handoff_rate": _ratio(int(handed or 0), n),
            "fallback_rate": _ratio(int(fell or 0), n),
        }
        for lang, n, resolved, handed, fell in rows
    ]


def _bucket() -> dict[str, Any]:
    return {"n": 0, **{attribute: 0 for _, _, attribute in RATES}, "sent": [], "lat": []}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _pct(values: list[int], q: float) -> float | None:
    return float(np.percentile(values, q)) if values else None


def render(chart: str, stats: dict[str, Any]) -> bytes:
    """One chart as PNG bytes; an empty data set gives a chart that says so."""
    fig = figure(chart, stats)
    try:
        out = io.BytesIO()
        fig.savefig(out, format="png")
        return out.getvalue()
    finally:
        plt.close(fig)


def figure(chart: str, stats: dict[str, Any]) -> Any:
    """The chart's matplotlib figure (the caller closes it)."""
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
            # Markers: with one day of data a line has no length and would draw nothing.
            for _, label, attribute in RATES:
                values = [per_day[d][attribute] / per_day[d]["n"] for d in days]
                ax.plot(days, values, label=label, marker="o")
            ax.set_ylim(-0.02, 1.02)
            ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=7)
            ax.set_title("Rates per day (share of conversations)")
        elif chart == "outcomes":
            labels = list(stats["outcomes"])
            counts = [stats["outcomes"][label] for label in labels]
            ax.barh(labels[::-1], counts[::-1], color="#3b6ea5")
            ax.set_title("How conversations ended")
        elif chart == "tasks":
            tasks = stats["tasks"][::-1]
            ax.barh([t["task"] for t in tasks], [t["rate"] for t in tasks], color="#3b7a57")
            ax.set_xlim(0, 1)
            ax.set_title("Resolution by task (done / started)")
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
        if chart in ("per_day", "rates", "sentiment", "latency") and days:
            ax.tick_params(axis="x", labelrotation=45, labelsize=7)
        fig.tight_layout()
        return fig
    except Exception:
        plt.close(fig)
        raise
