"""Generated transcripts in Rasa's event format, for tests, demos and the benchmark.

Writes ``events`` rows exactly as Rasa's SQL tracker store / event broker would (JSON of the
event in ``data``), so ingest and the views are exercised on the real shape.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from bot.db.events import create_rasa_events_table, insert_rasa_events
from bot.db.session import Database

_EVENTS_INSERT_COLS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")


@dataclass
class Script:
    """A conversation to generate: a list of (kind, payload) steps."""

    sender_id: str
    start: float
    steps: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    channel: str = "socketio"

    def user(self, text: str, intent: str, confidence: float = 0.93, **extra: Any) -> Script:
        self.steps.append(
            ("user", {"text": text, "intent": intent, "confidence": confidence, **extra})
        )
        return self

    def bot(self, text: str, **extra: Any) -> Script:
        self.steps.append(("bot", {"text": text, **extra}))
        return self

    def action(self, name: str, policy: str = "RulePolicy", confidence: float = 1.0) -> Script:
        self.steps.append(("action", {"name": name, "policy": policy, "confidence": confidence}))
        return self

    def slot(self, name: str, value: Any) -> Script:
        self.steps.append(("slot", {"name": name, "value": value}))
        return self

    def loop(self, name: str | None) -> Script:
        """A form becoming active (its name) or ending (None): Rasa's ``active_loop`` event."""
        self.steps.append(("active_loop", {"name": name}))
        return self


def script_events(
    script: Script, user_delay: float = 4.0, bot_delay: float = 0.35
) -> list[dict[str, Any]]:
    """Turn a script into Rasa event dicts with realistic timestamps."""
    ts = script.start
    events: list[dict[str, Any]] = [
        {
            "event": "action",
            "timestamp": ts,
            "name": "action_session_start",
            "policy": None,
            "confidence": 1.0,
        },
        {"event": "session_started", "timestamp": ts},
        {
            "event": "action",
            "timestamp": ts,
            "name": "action_listen",
            "policy": None,
            "confidence": None,
        },
    ]
    for kind, p in script.steps:
        if kind == "user":
            ts += user_delay
            metadata = dict(p.get("metadata") or {})
            parse: dict[str, Any] = {
                "text": p["text"],
                "intent": {"name": p["intent"], "confidence": p["confidence"]},
                "entities": p.get("entities", []),
                "intent_ranking": p.get("ranking")
                or [{"name": p["intent"], "confidence": p["confidence"]}],
            }
            if "sentiment" in p:
                metadata["sentiment"] = p["sentiment"]
            events.append(
                {
                    "event": "user",
                    "timestamp": ts,
                    "text": p["text"],
                    "parse_data": parse,
                    "input_channel": script.channel,
                    "message_id": f"m{len(events)}",
                    "metadata": metadata,
                }
            )
        elif kind == "action":
            ts += 0.05
            events.append({"event": "action", "timestamp": ts, **p})
        elif kind == "bot":
            ts += bot_delay
            events.append(
                {
                    "event": "bot",
                    "timestamp": ts,
                    "text": p["text"],
                    "data": p.get("data", {}),
                    "metadata": p.get("metadata", {}),
                }
            )
        elif kind in ("slot", "active_loop"):
            ts += 0.01
            events.append({"event": kind, "timestamp": ts, **p})
    return events


def write_events(db: Database, sender_id: str, events: list[dict[str, Any]]) -> None:
    """Insert rows into Rasa's ``events`` table (created if missing, Rasa's schema)."""
    create_rasa_events_table(db.engine)
    rows = [
        {
            "sender_id": sender_id,
            "type_name": e["event"],
            "timestamp": e.get("timestamp"),
            "intent_name": ((e.get("parse_data") or {}).get("intent") or {}).get("name"),
            "action_name": e.get("name") if e["event"] == "action" else None,
            "data": json.dumps(e),
        }
        for e in events
    ]
    with db.transaction() as session:
        insert_rasa_events(session, rows)


def write_script(db: Database, script: Script) -> None:
    write_events(db, script.sender_id, script_events(script))


def random_script(rng: random.Random, index: int, start: float) -> Script:
    """A plausible random conversation (demos, screenshots): order tasks of the registry that
    end done or refused (their replies carry ``shopbot_task`` like the real actions'), policy
    questions, the odd fallback, abandoned form or hand-off."""
    from bot.orders.tasks import TASKS

    script = Script(sender_id=f"gen-{index:07d}", start=start)
    script.user("hi", "greet").action("utter_greet").bot("Hi! How can I help?")
    if rng.random() < 0.15:
        script.user("asdf qwer", "nlu_fallback", confidence=0.2)
        script.action("action_fallback").bot("Sorry, I didn't get that.")
    for _ in range(rng.randint(1, 2)):
        if rng.random() < 0.3:
            script.user("what is your refund policy?", "check_refund_policy", sentiment=0.1)
            script.action("action_answer_policy").bot("Returns are free within 30 days.")
            continue
        task = rng.choice(TASKS)
        order = f"#W{rng.randint(1000000, 9999999)}"
        script.user(
            f"{task.name.replace('_', ' ')} for my order",
            task.intents[0],
            confidence=round(rng.uniform(0.5, 0.99), 2),
            sentiment=round(rng.uniform(-1, 1), 2),
        )
        script.action(task.form).loop(task.form).slot("requested_slot", "order_id")
        script.bot("Which order?")
        if rng.random() < 0.1:  # the shopper leaves mid-form
            return script
        script.user(order, "inform").action(task.form).slot("order_id", order).loop(None)
        done = rng.random() < 0.8
        script.action(task.action).bot(
            "Done." if done else "Sorry, that can't be done for this order.",
            metadata={"shopbot_task": {"task": task.name, "done": done}},
        )
    if rng.random() < 0.1:
        script.user("I want a person", "contact_human_agent").action("action_handoff")
        script.slot("handoff_requested", True).slot("handoff_reason", "shopper_asked")
        script.bot("Connecting you.")
    return script
