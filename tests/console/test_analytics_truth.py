"""Analytics on generated conversations whose right answers are known (issue 18, item 1).

A seeded generator draws what should happen in each conversation (a task of the registry, a
question, or small talk; fallbacks on the way; how it ends) and writes the Rasa events that
conversation produces. The expected figures are counted from the drawn plans, never from the
code under test; ingest + ``analytics.collect`` must give exactly those numbers.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from dataclasses import dataclass, field

import matplotlib.colors
import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select, update

from bot.console import analytics
from bot.console.demo import Script, write_events, write_script
from bot.console.ingest import OUTCOMES_MARK, ingest_new_events
from bot.console.models import Conversation, IngestState
from bot.db.session import Database
from bot.orders.tasks import TASKS
from tests.console.conftest import AGENT, login

NOW = time.time()
DAY = 86400.0
ENDINGS = ("done", "refused", "abandoned", "handoff", "dead", "died_after_done")
REASONS = {"shopper_asked": "asked", "repeated_fallback": "fallback", "frustration": "frustration"}
LEANINGS = ("track_order", "return_item", "check_refund_policy", "unknown")


@dataclass
class Plan:
    """What happens in one generated conversation (the known right answer)."""

    sender: str
    start: float
    task: str | None  # a registry task name, "question", or None (small talk only)
    ending: str
    fallbacks: list[str] = field(default_factory=list)  # the intent each one leaned to
    reason: str = "shopper_asked"


def draw(rng: random.Random, index: int, days: int) -> Plan:
    task = rng.choice([*(t.name for t in TASKS), "question", None])
    endings = {None: ("none", "handoff", "dead"), "question": ("done", "handoff", "dead")}
    ending = rng.choice(endings.get(task, ENDINGS))
    start = NOW - 2 * 3600 - rng.randrange(days) * DAY - rng.random() * 3600
    fallbacks = [rng.choice(LEANINGS) for _ in range(rng.choice((0, 0, 1, 2)))]
    return Plan(f"gen-{index}", start, task, ending, fallbacks, rng.choice(list(REASONS)))


def script_of(plan: Plan) -> Script:
    """The events Rasa would log for this plan (actions, forms, bot messages and their gaps)."""
    by_name = {t.name: t for t in TASKS}
    s = Script(plan.sender, plan.start)
    s.user("hi", "greet").action("utter_greet").bot("Hi! How can I help?")
    for leaning in plan.fallbacks:
        if leaning == "unknown":  # NLU fallback with nothing real ranked
            s.user(
                "blorp", "nlu_fallback", 0.2, ranking=[{"name": "nlu_fallback", "confidence": 1}]
            )
            s.action("action_fallback").bot("Sorry, I didn't get that.")
        elif leaning == "check_refund_policy":  # recognised intent, core fallback
            s.user("refund thing??", leaning, 0.41)
            s.action("action_default_fallback").bot("Sorry, could you rephrase?")
        else:
            ranking = [
                {"name": "nlu_fallback", "confidence": 0.5},
                {"name": leaning, "confidence": 0.35},
            ]
            s.user("uh my thing", "nlu_fallback", 0.5, ranking=ranking)
            s.action("action_fallback").bot("Sorry, I didn't get that.")
    if plan.task == "question":
        s.user("what is your refund policy?", "check_refund_policy").action("action_answer_policy")
        if plan.ending != "dead":
            s.bot("You can return items within 30 days.")
    elif plan.task is not None:
        task = by_name[plan.task]
        s.user(f"I want to {task.name}", task.intents[0]).action(task.form).loop(task.form)
        s.slot("requested_slot", "order_id").bot("Which order?")
        if plan.ending not in ("abandoned", "handoff"):  # hand-off: asked while in the form
            s.user("#W2611340", "inform").action(task.form).slot("order_id", "#W2611340")
            s.loop(None).action(task.action)
            if plan.ending in ("done", "died_after_done"):
                s.bot("Done.", metadata={"shopbot_task": {"task": task.name, "done": True}})
            elif plan.ending == "refused":
                s.bot("Nope.", metadata={"shopbot_task": {"task": task.name, "done": False}})
    if plan.ending == "handoff":
        s.user("get me a person", "contact_human_agent").action("action_handoff")
        s.slot("handoff_requested", True).slot("handoff_reason", plan.reason).bot("Connecting.")
    if plan.ending in ("dead", "died_after_done"):
        s.user("hello?", "greet").action("utter_greet")  # the action server is down: no reply
        s.user("anyone there?", "greet").action("utter_greet")
    return s


def expected(plans: list[Plan]) -> dict[str, object]:
    """The figures, counted straight from the plans."""
    n = len(plans)
    handed = [p for p in plans if p.ending == "handoff"]
    resolved = [p for p in plans if p.task and p.ending == "done"]
    errored = [p for p in plans if p.ending in ("dead", "died_after_done")]
    abandoned = [p for p in plans if p.ending == "abandoned"]
    started = Counter(p.task for p in plans if p.task)
    done = Counter(p.task for p in plans if p.task and p.ending in ("done", "died_after_done"))
    # A question is done once answered: before a hand-off too.
    done["question"] += sum(1 for p in plans if p.task == "question" and p.ending == "handoff")
    return {
        "total": n,
        "resolution_rate": round(len(resolved) / n, 4),
        "containment": round((n - len(handed)) / n, 4),
        "handoff_rate": round(len(handed) / n, 4),
        "fallback_rate": round(sum(1 for p in plans if p.fallbacks) / n, 4),
        "error_rate": round(len(errored) / n, 4),
        "abandonment_rate": round(len(abandoned) / n, 4),
        "handoff_reasons": Counter(REASONS[p.reason] for p in handed),
        "fallback_by_intent": Counter(f for p in plans for f in p.fallbacks),
        "tasks": {t: (started[t], done[t]) for t in started},
        "outcomes": {
            "resolved": len(resolved),
            "handed_off": len(handed),
            "dead": len(errored),
            "abandoned": len(abandoned),
            "unresolved": sum(1 for p in plans if p.task and p.ending == "refused"),
            "no_task": sum(1 for p in plans if p.task is None and p.ending == "none"),
        },
    }


def _generate(db: Database, count: int, days: int, seed: int) -> list[Plan]:
    rng = random.Random(seed)
    plans = [draw(rng, i, days) for i in range(count)]
    for plan in plans:
        write_script(db, script_of(plan))
    # A conversation without any shopper message is not rated at all.
    write_events(db, "opened-only", [{"event": "session_started", "timestamp": NOW - 7200}])
    ingest_new_events(db)
    return plans


def test_figures_match_the_known_answers(cdb: Database) -> None:
    plans = _generate(cdb, 240, days=5, seed=18)
    want = expected(plans)
    got = analytics.collect(cdb, days=30, now=NOW)
    for key in (
        "total",
        "resolution_rate",
        "containment",
        "handoff_rate",
        "fallback_rate",
        "error_rate",
        "abandonment_rate",
    ):
        assert got[key] == want[key], key
    assert Counter(dict(got["handoff_reasons"])) == want["handoff_reasons"]
    assert Counter(dict(got["fallback_by_intent"])) == want["fallback_by_intent"]
    assert {t["task"]: (t["started"], t["done"]) for t in got["tasks"]} == want["tasks"]
    assert got["outcomes"] == want["outcomes"]
    assert sum(got["outcomes"].values()) == want["total"]
    # Five days back from now, at most one more when "now" is early in the (UTC) day.
    days_drawn = {time.strftime("%Y-%m-%d", time.gmtime(p.start)) for p in plans}
    assert len(got["days"]) == len(days_drawn)
    assert sum(got["per_day"][d]["n"] for d in got["days"]) == want["total"]
    # Every task of the registry and the question occur, and every ending.
    assert set(want["tasks"]) == {t.name for t in TASKS} | {"question"}
    assert {p.ending for p in plans} >= set(ENDINGS)


def test_a_dead_conversation_is_not_resolved(cdb: Database) -> None:
    plan = Plan("died", NOW - 3 * 3600, "cancel", "died_after_done")
    write_script(cdb, script_of(plan))
    ingest_new_events(cdb)
    got = analytics.collect(cdb, days=1, now=NOW)
    assert got["outcomes"]["dead"] == 1 and got["resolution_rate"] == 0.0
    assert got["error_rate"] == 1.0 and got["tasks"] == [
        {"task": "cancel", "started": 1, "done": 1, "rate": 1.0}
    ]
    # A message still waiting for its reply is not an error yet; after a minute it is.
    fresh = Script("waiting", NOW - 30).user("hello", "greet")
    write_script(cdb, fresh)
    ingest_new_events(cdb)
    assert analytics.collect(cdb, days=1, now=NOW)["outcomes"]["dead"] == 1
    assert analytics.collect(cdb, days=1, now=NOW + 120)["outcomes"]["dead"] == 2


def test_the_rate_chart_draws_one_day_of_data(cdb: Database) -> None:
    """A person sees the day's rates: coloured marks inside the plot, not only in the legend."""
    plans = [Plan(f"one-{i}", NOW - 7200 - i, "status", "done") for i in range(3)]
    for plan in plans:
        write_script(cdb, script_of(plan))
    ingest_new_events(cdb)
    stats = analytics.collect(cdb, days=30, now=NOW)
    assert len(stats["days"]) == 1
    fig = analytics.figure("rates", stats)
    try:
        fig.canvas.draw()
        image = np.asarray(fig.canvas.buffer_rgba())[:, :, :3].astype(float) / 255
        (ax,) = fig.axes
        height = image.shape[0]
        plot, legend = ax.get_window_extent(), ax.get_legend().get_window_extent()
        mask = np.zeros(image.shape[:2], dtype=bool)
        mask[int(height - plot.y1) : int(height - plot.y0), int(plot.x0) : int(plot.x1)] = True
        mask[int(height - legend.y1) : int(height - legend.y0), int(legend.x0) : int(legend.x1)] = (
            False
        )
        for line in ax.get_lines():  # every series with a value is visible in the plot area
            colour = np.array(matplotlib.colors.to_rgb(line.get_color()))
            near = np.abs(image - colour).sum(axis=2) < 0.1
            if line.get_label() in ("containment", "abandonment"):  # drawn on top at 1 and 0
                assert (near & mask).sum() > 20, line.get_label()
    finally:
        analytics.plt.close(fig)


def test_the_page_shows_the_breakdowns(app: FastAPI, staff: Database) -> None:
    plans = _generate(staff, 40, days=2, seed=7)
    want = expected(plans)
    client = TestClient(app)
    login(client, AGENT)
    page = client.get("/console/analytics").text
    assert f"Conversations: <strong>{want['total']}</strong>" in page
    for table in ("outcomes", "tasks", "handoff-reasons", "fallback-intents"):
        assert f'id="{table}"' in page
    for chart in analytics.CHARTS:
        png = client.get(f"/console/analytics/{chart}.png")
        assert png.status_code == 200 and png.content[:4] == b"\x89PNG", chart


def test_conversations_ingested_before_outcomes_are_replayed_once(cdb: Database) -> None:
    plans = _generate(cdb, 30, days=2, seed=5)
    with cdb.transaction() as s:  # as the migration leaves them: no outcome, no backfill mark
        s.execute(update(Conversation).values(outcome="{}", resolved=False))
        s.execute(delete(IngestState).where(IngestState.name == OUTCOMES_MARK))
    assert analytics.collect(cdb, days=30, now=NOW)["total"] == 0
    ingest_new_events(cdb)
    got = analytics.collect(cdb, days=30, now=NOW)
    want = expected(plans)
    assert (got["total"], got["resolution_rate"]) == (want["total"], want["resolution_rate"])
    with cdb.session() as s:
        resolved = s.scalar(select(func.count()).where(Conversation.resolved.is_(True)))
    assert resolved == want["outcomes"]["resolved"]
