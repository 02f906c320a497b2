"""Run by tests/rasa_side/test_tracker_store.py with the Rasa environment's Python.

Drives Rasa's ``RedisTrackerStore`` and our ``ShopbotRedisTrackerStore`` side by side on a real
Redis with the same random conversations (several sessions, restarts, rewinds, forms, pauses,
clock skew) and compares what they stored, what they streamed and every tracker they returned.
Prints one JSON line with what it compared.

    python check_tracker_store.py <redis port> <redis db>
"""

import json
import random
import sys
import uuid

import rasa.shared.utils.common  # noqa: F401  (Rasa must be imported before our package)
from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    ConversationPaused,
    ConversationResumed,
    FollowupAction,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from rasa_addons.tracker_store import ShopbotRedisTrackerStore

port, db = int(sys.argv[1]), int(sys.argv[2])
DOMAIN = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, order_status, inform, stop]
entities: [order_id, email]
slots:
  order_id: {type: text, mappings: [{type: from_entity, entity: order_id}]}
  email: {type: text, mappings: [{type: from_entity, entity: email}]}
  verified: {type: bool, influence_conversation: true, mappings: [{type: custom}]}
  topic: {type: categorical, values: [orders, products], mappings: [{type: custom}]}
  seen: {type: list, mappings: [{type: custom}]}
forms:
  order_form: {required_slots: [order_id, email]}
responses:
  utter_greet: [{text: hi}]
actions: [action_order_status]
"""
)


class Recorder(EventBroker):
    def __init__(self) -> None:
        self.bodies: list[dict] = []

    def publish(self, event: dict) -> None:
        self.bodies.append(json.loads(json.dumps(event)))


rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 3)
clock = [1_700_000_000.0]


def ts() -> float:
    r = rng.random()
    if r < 0.05:  # a replica with a slow clock
        return clock[0] - rng.uniform(0.0, 5.0)
    if r > 0.1:
        clock[0] += rng.uniform(0.001, 3.0)
    return clock[0]  # else: the same timestamp twice


def session_start() -> list:
    events = [
        ActionExecuted("action_session_start", timestamp=ts()),
        SessionStarted(timestamp=ts()),
    ]
    if rng.random() < 0.5:
        events.append(SlotSet("email", "a@b.c", timestamp=ts()))
    return events + [ActionExecuted("action_listen", timestamp=ts())]


def random_events() -> list:
    events: list = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.06:
            events += session_start()
        elif r < 0.30:
            intent = rng.choice(["greet", "order_status", "inform", "stop"])
            entities = (
                [{"entity": "order_id", "value": f"#W{rng.randint(1, 9)}"}]
                if rng.random() < 0.4
                else []
            )
            events.append(
                UserUttered(
                    f"text {rng.random()}",
                    {"name": intent, "confidence": 0.9},
                    entities,
                    timestamp=ts(),
                )
            )
        elif r < 0.45:
            events.append(
                ActionExecuted(
                    rng.choice(
                        ["utter_greet", "action_order_status", "order_form", "action_listen"]
                    ),
                    policy="RulePolicy",
                    confidence=1.0,
                    timestamp=ts(),
                )
            )
        elif r < 0.55:
            events.append(
                BotUttered(f"reply {rng.randint(0, 9)}", {"elements": None}, timestamp=ts())
            )
        elif r < 0.70:
            name, value = rng.choice(
                [
                    ("order_id", "#W1"),
                    ("email", None),
                    ("verified", True),
                    ("topic", "orders"),
                    ("seen", ["a", "b"]),
                    ("verified", False),
                ]
            )
            events.append(SlotSet(name, value, timestamp=ts()))
        elif r < 0.78:
            events.append(ActiveLoop(rng.choice(["order_form", None]), timestamp=ts()))
        elif r < 0.82:
            events.append(
                rng.choice([Restarted, UserUtteranceReverted, ActionReverted])(timestamp=ts())
            )
        elif r < 0.88:
            events.append(rng.choice([ConversationPaused, ConversationResumed])(timestamp=ts()))
        elif r < 0.92:
            events.append(FollowupAction("utter_greet", timestamp=ts()))
        else:
            events.append(ActionExecuted("action_listen", timestamp=ts()))
    return events


def state(tracker: DialogueStateTracker | None) -> object:
    if tracker is None:
        return None
    return {
        "current": tracker.current_state(EventVerbosity.ALL),
        "slots": {k: (v.value, v.has_been_set) for k, v in tracker.slots.items()},
        "paused": tracker.is_paused(),
        "sender_source": tracker.sender_source,
        "max_history": tracker._max_event_history,
        "events": [e.as_dict() for e in tracker.events],
    }


async def main() -> dict:
    prefix = uuid.uuid4().hex[:8]
    ref_broker, our_broker = Recorder(), Recorder()
    common = {"domain": DOMAIN, "host": "127.0.0.1", "port": port, "db": db}
    ref = RedisTrackerStore(event_broker=ref_broker, key_prefix=f"ref{prefix}", **common)
    ours = ShopbotRedisTrackerStore(event_broker=our_broker, key_prefix=f"our{prefix}", **common)
    counts = {
        "saves": 0,
        "retrieves": 0,
        "prefetched": 0,
        "stale_prefetch": 0,
        "multi_session": 0,
        "merged": 0,
        "events_streamed": 0,
    }
    for conversation in range(60):
        sender = f"c{conversation}"
        for turn in range(rng.randint(1, 14)):
            use_prefetch = rng.random() < 0.5
            if use_prefetch:
                await ours.prefetch(sender)
                if rng.random() < 0.2:  # someone saved in between: the kept tracker is stale
                    t = await ours.retrieve(sender) or ours.init_tracker(sender)
                    t2 = await ref.retrieve(sender) or ref.init_tracker(sender)
                    extra = [ActionExecuted("action_listen", timestamp=ts())]
                    t.update_with_events(extra, None, override_timestamp=False)
                    t2.update_with_events(extra, None, override_timestamp=False)
                    await ours.save(t)
                    await ref.save(t2)
                    counts["stale_prefetch"] += 1
                    await ours.prefetch(sender) if rng.random() < 0.3 else None
            a, b = await ref.retrieve(sender), await ours.retrieve(sender)
            counts["prefetched"] += use_prefetch
            assert state(a) == state(b), (sender, turn, "retrieve")
            counts["retrieves"] += 1
            if a is None:
                a, b = ref.init_tracker(sender), ours.init_tracker(sender)
            stored_before = ref.red.get(ref.key_prefix + sender)
            if stored_before and any(
                e.get("name") == "action_session_start"
                for e in json.loads(stored_before)["events"][1:]
            ):
                counts["multi_session"] += 1  # retrieve returned the last of several sessions
            new = random_events()
            a.update_with_events(new, None, override_timestamp=False)
            b.update_with_events(
                [type(e).from_parameters(e.as_dict()) for e in new], None, override_timestamp=False
            )
            await ref.save(a)
            await ours.save(b)
            counts["saves"] += 1
            ref_doc = json.loads(ref.red.get(ref.key_prefix + sender))
            our_doc = json.loads(ours.red.get(ours.key_prefix + sender))
            assert ref_doc == our_doc, (
                sender,
                turn,
                "stored",
                [
                    pair
                    for pair in zip(ref_doc["events"], our_doc["events"], strict=False)
                    if pair[0] != pair[1]
                ][:2],
            )
            if len(ref_doc["events"]) > len(a.events):
                counts["merged"] += 1  # older sessions merged back in
            assert ref_broker.bodies == our_broker.bodies, (sender, turn, "streamed")
            full_a, full_b = (
                await ref.retrieve_full_tracker(sender),
                await ours.retrieve_full_tracker(sender),
            )
            assert state(full_a) == state(full_b), (sender, turn, "full")
    counts["events_streamed"] = len(ref_broker.bodies)
    for store in (ref, ours):
        for key in store.red.keys(store.key_prefix + "*"):
            store.red.delete(key)
    return counts


if __name__ == "__main__":
    import asyncio

    print(json.dumps(asyncio.run(main())))
