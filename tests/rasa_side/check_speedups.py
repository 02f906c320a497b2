"""Run by tests/rasa_side/test_speedups.py with the Rasa environment's Python.

Compares every patched function of rasa_addons.speedups with Rasa's original on the same input
and prints one JSON line with what it checked.
"""

import copy
import json
import random
from collections import OrderedDict

import rasa.shared.utils.common  # noqa: F401  (Rasa must be imported before our package)
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.tracker_store import InMemoryTrackerStore, TrackerStore
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

originals = {
    "validate": RemoteAction._validate_action_result,
    "rule_key": RulePolicy._rule_key_to_state,
    "possible_keys": RulePolicy._get_possible_keys,
    "stream": TrackerStore._stream_new_events,
    "event": Event.resolve_by_type,
    "slot": Slot.resolve_by_type,
    "past_states": DialogueStateTracker.past_states,
    "logreg_rows": LogisticRegressionClassifier._create_X,
    "logreg_process": LogisticRegressionClassifier.process,
}

import rasa_addons  # noqa: E402,F401  installs the speed-ups
from rasa_addons import speedups  # noqa: E402

assert speedups._installed
assert RemoteAction._validate_action_result is not originals["validate"]


def outcome(fn, *args):
    try:
        return ("ok", fn(*args))
    except Exception as exc:  # noqa: BLE001
        return (type(exc).__name__, str(exc))


results = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "order_id", "value": "#W1"}],
        "responses": [{"text": "hi"}],
    },
    {"events": [{"event": "bot", "text": "x", "data": {"custom": {"a": 1}}}]},
    {"events": [{"event": "followup", "name": "action_x"}, {"event": "active_loop", "name": None}]},
    {"events": "not a list"},
    {"events": [{"name": "no type"}]},
    {"events": [{"event": 5}]},
    {"responses": [{"text": 1}]},
    {},
]
checked = 0
for result in results:
    mine = outcome(RemoteAction._validate_action_result, RemoteAction, copy.deepcopy(result))
    theirs = outcome(originals["validate"], RemoteAction, copy.deepcopy(result))
    assert mine == theirs, (result, mine, theirs)
    checked += 1

keys = [
    json.dumps([{"prev_action": {"action_name": "action_listen"}, "user": {"intent": "greet"}}]),
    json.dumps([{}, {"active_loop": {"name": "cancel_form"}, "slots": {"order_id": [1.0]}}]),
    "[]",
]
for key in keys * 3:
    assert RulePolicy._rule_key_to_state(key) == originals["rule_key"](key)
    checked += 1

# Random rules and conversations from a small vocabulary, so that many rules match.
rng = random.Random(7)
ACTIONS = ["action_listen", "utter_greet", "cancel_form", "action_cancel_order", None]
INTENTS = ["greet", "cancel_order", "affirm", "deny", "stop"]


def random_state(start: bool = False, conversation: bool = False) -> dict:
    state: dict = {}
    action = None if start else rng.choice(ACTIONS)
    if action:
        state["prev_action"] = {"action_name": action}
    if rng.random() < 0.7:
        state["user"] = {"intent": rng.choice(INTENTS)}
    if rng.random() < 0.3:
        loop = "cancel_form" if conversation or rng.random() < 0.7 else "should_not_be_set"
        state["active_loop"] = {"name": loop}
    if rng.random() < 0.3:
        state["slots"] = {"order_id": (rng.choice([0.0, 1.0]),)}
    if conversation and rng.random() < 0.5:
        # features no rule tests: the shopper's text, another slot, entities
        user = state.setdefault("user", {})
        user["text"] = f"message {rng.randint(0, 10**6)}"
        if rng.random() < 0.5:
            user["entities"] = ("order_id",)
        state.setdefault("slots", {})["email"] = (1.0,)
    return state


policy = RulePolicy.__new__(RulePolicy)  # as in training: no cache
serving = RulePolicy.__new__(RulePolicy)  # as after RulePolicy.load: with the key cache
serving._shopbot_key_cache = OrderedDict()
compared = 0
for _ in range(300):
    lookup = {}
    for _ in range(rng.randint(0, 60)):
        length = rng.randint(1, 6)
        rule = [random_state(start=(j == 0 and rng.random() < 0.3)) for j in range(length)]
        lookup[json.dumps(rule, sort_keys=True)] = "x"
    conversations = [
        [random_state(start=(j == 0), conversation=True) for j in range(rng.randint(0, 25))]
        for _ in range(4)
    ]
    for states in conversations * 2 + [c[:-1] for c in conversations if c]:
        theirs = originals["possible_keys"](policy, lookup, states)
        assert RulePolicy._get_possible_keys(policy, lookup, states) == theirs
        assert RulePolicy._get_possible_keys(serving, lookup, states) == theirs
        compared += bool(theirs)
        checked += 2
assert compared > 200, compared
assert len(serving._shopbot_key_cache) > 100

names = [cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Event)]
for name in names + ["topic", "no_such_event"] * 2:
    assert outcome(Event.resolve_by_type, name) == outcome(originals["event"], name), name
    assert Event.resolve_by_type(name, Event) == originals["event"](name, Event), name
    checked += 2
slot_names = [cls.type_name for cls in rasa.shared.utils.common.all_subclasses(Slot)]
for name in slot_names + ["rasa.shared.core.slots.TextSlot", "no.such.Slot"] * 2:
    assert outcome(Slot.resolve_by_type, name) == outcome(originals["slot"], name), name
    checked += 1

# Event batching: the same bodies in the same order as Rasa's one-by-one publishing.
import asyncio  # noqa: E402

from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered  # noqa: E402


class OneByOne:
    def __init__(self) -> None:
        self.bodies: list = []

    def publish(self, body: dict) -> None:
        self.bodies.append(body)


class Batched(OneByOne):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def publish_many(self, bodies: list) -> None:
        self.calls += 1
        self.bodies.extend(bodies)


events = [
    UserUttered("hi", {"name": "greet", "confidence": 0.9}, timestamp=1.0),
    ActionExecuted("utter_greet", timestamp=2.0),
    BotUttered("Hello!", timestamp=3.0),
    SlotSet("order_id", "#W1", timestamp=4.0),
    ActionExecuted("action_listen", timestamp=5.0),
]
store = InMemoryTrackerStore(domain=None)
one, many = OneByOne(), Batched()
asyncio.run(TrackerStore._stream_new_events(store, many, events, "s1"))
asyncio.run(originals["stream"](store, one, events, "s1"))
assert many.bodies == one.bodies and len(one.bodies) == 5 and many.calls == 1
plain = OneByOne()
asyncio.run(TrackerStore._stream_new_events(store, plain, events, "s1"))
assert plain.bodies == one.bodies
checked += 3

# JSON of action calls and tracker saves: the same value as json.dumps, or json's own error
from rasa.utils.endpoints import EndpointConfig  # noqa: E402

from rasa_addons.fast_json import dumps  # noqa: E402


async def endpoint_requests() -> dict:
    """Action calls through Rasa's EndpointConfig.request against a small local server."""
    from aiohttp import web
    from rasa.utils.endpoints import ClientResponseError

    seen: list[tuple] = []

    async def webhook(request: web.Request) -> web.Response:
        body = await request.read()
        seen.append((request.transport.get_extra_info("peername")[1], body, dict(request.query)))
        if request.query.get("fail"):
            return web.Response(status=500, text="boom")
        return web.json_response({"echo": json.loads(body)})

    async def serve(port: int = 0) -> tuple[web.AppRunner, int]:
        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port)
        await site.start()
        return runner, site._server.sockets[0].getsockname()[1]

    runner, port = await serve()
    endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook", token="t0k")
    payload = {"tracker": {"events": [{"event": "user", "text": "é / x"}]}, "n": 1.5}
    replies = [await endpoint.request(json=payload) for _ in range(3)]
    try:
        await endpoint.request(json=payload, params={"fail": "1"})
        failed = None
    except ClientResponseError as exc:
        failed = exc.status
    await runner.cleanup()  # the action server restarts: the kept connection is gone
    runner, _ = await serve(port)
    after_restart = await endpoint.request(json=payload)
    await runner.cleanup()
    return {
        "replies": replies + [after_restart],
        "peers": [peer for peer, _, _ in seen],
        "bodies": [body for _, body, _ in seen],
        "tokens": [query.get("token") for _, _, query in seen],
        "failed": failed,
        "payload": payload,
    }


calls = asyncio.run(endpoint_requests())
assert all(r == {"echo": calls["payload"]} for r in calls["replies"]), calls["replies"]
assert len(set(calls["peers"][:4])) == 1, calls["peers"]  # one kept-alive connection
assert calls["peers"][4] != calls["peers"][0]  # a new one after the restart
assert calls["failed"] == 500 and set(calls["tokens"]) == {"t0k"}
assert all(json.loads(b) == calls["payload"] and b", " not in b for b in calls["bodies"])
checked += 5


def random_value(depth: int = 0) -> object:
    kind = rng.randint(0, 9 if depth < 3 else 5)
    if kind == 0:
        return rng.choice([None, True, False])
    if kind == 1:
        return rng.choice([0, -1, 2**63, 2**70, -(2**65), rng.randint(-(10**9), 10**9)])
    if kind == 2:
        return rng.choice([0.1 + 0.2, 1e-7, -2.5e300, float("nan"), float("inf"), rng.random()])
    if kind in (3, 4, 5):
        return "".join(rng.choice('aé/\\"\n\u2028€😀<>&\x00 ') for _ in range(rng.randint(0, 12)))
    if kind in (6, 7):
        return [random_value(depth + 1) for _ in range(rng.randint(0, 4))]
    return {str(random_value(3)): random_value(depth + 1) for _ in range(rng.randint(0, 4))}


def same(a: object, b: object) -> bool:  # NaN != NaN, so compare the re-encoded text
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


for _ in range(2000):
    value = random_value()
    assert same(json.loads(dumps(value)), json.loads(json.dumps(value))), value
    checked += 1
for bad in ({"x": object()}, {"d": {1, 2}}):
    assert outcome(dumps, bad)[0] == outcome(json.dumps, bad)[0] == "TypeError"
    checked += 1

# past_states: the kept result equals a fresh one, survives edits of what it handed out,
# and follows new events
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import ActiveLoop  # noqa: E402

domain = Domain.from_yaml(
    """
version: "3.1"
intents: [greet, order_status, inform]
entities: [order_id]
slots:
  order_id: {type: text, mappings: [{type: from_entity, entity: order_id}]}
forms:
  order_form: {required_slots: [order_id]}
responses:
  utter_greet: [{text: hi}]
"""
)
for _ in range(40):
    tracker = DialogueStateTracker("s", domain.slots)
    tracker.update(ActionExecuted("action_listen"))
    for turn in range(rng.randint(1, 8)):
        intent = rng.choice(["greet", "order_status", "inform"])
        tracker.update(UserUttered(f"text {turn}", {"name": intent, "confidence": 1.0}), domain)
        if rng.random() < 0.4:
            tracker.update(SlotSet("order_id", "#W1"))
        if rng.random() < 0.3:
            tracker.update(ActiveLoop(rng.choice(["order_form", None])))
        tracker.update(ActionExecuted(rng.choice(["utter_greet", "order_form"])))
        tracker.update(ActionExecuted("action_listen"))
        for flags in ((False, False), (True, True), (False, True)):
            args = (domain, flags[0], flags[1], {"slots": [], "active_loops": []})
            theirs = originals["past_states"](tracker, *args)
            for _ in range(3):
                got = tracker.past_states(*args)
                assert got == theirs
                for state in got:  # a featurizer edits what it got
                    state.get("user", {}).pop("intent", None)
                checked += 1

# the intent classifier's rows: the same matrix from the sentence-level features alone
import numpy as np  # noqa: E402
import scipy.sparse  # noqa: E402
from rasa.shared.nlu.training_data.features import Features  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

assert LogisticRegressionClassifier._create_X is not originals["logreg_rows"]


def featurised(tokens: int, sparse_widths: list[int], dense_widths: list[int]) -> Message:
    message = Message(data={"text": "x " * tokens})
    for i, width in enumerate(sparse_widths):
        origin = f"sparse{i}"
        for kind, rows in (("sequence", tokens), ("sentence", 1)):
            matrix = scipy.sparse.random(
                rows, width, density=0.3, format="coo", random_state=rng.randint(0, 10**6)
            )
            message.add_features(Features(matrix, kind, "text", origin))
    for i, width in enumerate(dense_widths):
        origin = f"dense{i}"
        for kind, rows in (("sequence", tokens), ("sentence", 1)):
            message.add_features(
                Features(
                    np.asarray([[rng.random() for _ in range(width)] for _ in range(rows)]),
                    kind,
                    "text",
                    origin,
                )
            )
    return message


for sparse_widths, dense_widths in (([5, 7, 3], [4, 6]), ([9], [3]), ([4, 4], []), ([], [8])):
    batch = [featurised(rng.randint(1, 6), sparse_widths, dense_widths) for _ in range(4)]
    theirs = originals["logreg_rows"](None, batch)
    mine = LogisticRegressionClassifier._create_X(None, batch)
    assert theirs.shape == mine.shape and (abs(theirs - mine) > 0).nnz == 0
    checked += 1

# the intent classifier's probabilities: the same as scikit-learn's predict_proba
from rasa.engine.graph import ExecutionContext  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402

assert LogisticRegressionClassifier.process is not originals["logreg_process"]
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

for n_classes in (5, 2):
    classifier = LogisticRegressionClassifier.create(
        LogisticRegressionClassifier.get_default_config(),
        LocalModelStorage(Path(tempfile.mkdtemp())),
        Resource("logreg"),
        ExecutionContext(None),
    )
    train = scipy.sparse.random(60, 40, density=0.3, format="csr", random_state=n_classes)
    labels = [f"intent{i % n_classes}" for i in range(60)]
    classifier.clf = LogisticRegression(max_iter=200).fit(train, labels)
    batch = [featurised(rng.randint(1, 5), [15, 10], [15]) for _ in range(6)]
    theirs = [copy.deepcopy(m) for m in batch]
    originals["logreg_process"](classifier, theirs)
    LogisticRegressionClassifier.process(classifier, batch)
    for a, b in zip(theirs, batch, strict=True):
        assert a.get("intent") == b.get("intent")
        assert a.get("intent_ranking") == b.get("intent_ranking")
        checked += 1
    classifier.clf = LogisticRegression(max_iter=200).fit(train, labels[::-1])  # refitted
    theirs = [copy.deepcopy(m) for m in batch]
    originals["logreg_process"](classifier, theirs)
    LogisticRegressionClassifier.process(classifier, batch)
    assert [m.get("intent_ranking") for m in theirs] == [m.get("intent_ranking") for m in batch]

# rasa train validates every run function of the graph by its signature and type hints: a
# patched one must still pass (the first form of the classifier patch broke training)
from rasa.engine import validation  # noqa: E402
from rasa.engine.recipes.recipe import Recipe  # noqa: E402
from rasa.shared.data import TrainingType  # noqa: E402
from rasa.shared.utils.io import read_yaml_file  # noqa: E402

project_config = read_yaml_file(str(Path(__file__).resolve().parents[2] / "config.yml"))
recipe = Recipe.recipe_for_name(project_config.get("recipe"))
validation.validate(
    recipe.graph_config_for_recipe(project_config, {}, training_type=TrainingType.BOTH)
)
checked += 1

print(json.dumps({"checked": checked, "events": len(names), "slots": len(slot_names)}))
