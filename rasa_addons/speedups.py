"""Same-result speed-ups for hot paths of Rasa 3.6 found by profiling the server under load.

py-spy on the Rasa server at 8 concurrent conversations (bench/turn_latency.py) showed the
process CPU-bound, with more than half of its time in work that gives the same answer every
time (shares of the server's samples before the changes; docs/performance.md):

- ``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which re-checks the
  (constant) response schema against the metaschema and builds a new validator on every
  action call: ~30% (incl. form validation). We build the validator once; the instance is still
  validated in full and the same ``ValidationError`` (best match, same message) is raised.
- ``RulePolicy._rule_key_to_state`` ``json.loads`` a rule key for every rule at every turn of
  history at every prediction (354 rules): ~10% of the ~23% in RulePolicy. Keys are immutable
  strings; the parsed states are only read by RulePolicy, so they are parsed once and reused.
- ``RulePolicy._get_possible_keys`` filters every rule against every past state of the
  conversation, although a rule of n states matches any state further back than n by
  definition (``_is_rule_applicable`` returns True there). The filter stops once the history
  step is beyond the longest remaining rule: the same set of keys, a fraction of the calls.
  And which rules apply at step i depends only on the features of that past state that
  the rules' states at step i name (``_does_rule_match_state`` reads nothing else): a
  policy loaded for serving groups the rules by their state per step, evaluates each group
  once per distinct projection of a conversation state, and remembers the applicable set
  (bounded LRU; a new model is a new policy object). The shopper's text, which no rule
  tests, no longer makes every first prediction of a turn a miss.
- ``DialogueStateTracker.past_states`` replays the whole conversation; RulePolicy asks for
  the same tracker twice per prediction (last input as text, then as intent). The last
  result is kept and handed out as a copy (featurizers edit the states they get).
- ``Event.resolve_by_type`` / ``Slot.resolve_by_type`` walk the whole class tree
  (``all_subclasses`` + ``inspect.isabstract``) for every event read from the tracker store:
  ~8%. Found classes are remembered by type name; unknown names still take Rasa's path.
- ``TrackerStore._stream_new_events`` publishes a save's new events one by one; our SQL
  broker then paid a connection checkout, an INSERT and a commit per event (~10-20%). When the
  broker offers ``publish_many`` (``rasa_addons.event_broker``), the same events, in the same
  order, are handed over together and written in one transaction before ``save`` returns
  (from a worker thread when the broker offers ``publish_many_async``).
- ``EndpointConfig.request`` opened a new HTTP session and connection per action call and
  encoded the whole tracker with ``json.dumps``: one kept-alive session per endpoint and
  event loop, same headers, auth and timeout, bodies by ``rasa_addons.fast_json``.

- ``LogisticRegressionClassifier._create_X`` combines a message's features with
  ``get_sparse_features`` / ``get_dense_features``, which also combine and deep-copy the
  token-level matrices it drops: ~20% of an English parse (9-12 ms of CPU of ~45, cProfile of
  280 dev messages, docs/nlu/chinese.md "Cost"), more with the bilingual vocabulary. The same
  row is built from the sentence-level features alone (``rasa_addons.sentence_features``).
- ``LogisticRegression.predict_proba`` (scikit-learn 1.1) multiplies the message's sparse row
  by ``coef_.T``, a Fortran-ordered view that SciPy copies whole for every call (41 intents x
  45k features: ~5 ms of a parse). A C-ordered copy is made once per fitted model and the
  multinomial softmax applied as scikit-learn applies it: the same probabilities (equal to
  the last bit on the model's own rows, ``tests/rasa_side/check_speedups.py``).

``install()`` runs when Rasa imports our add-ons (channels, broker, featurizer);
``SHOPBOT_RASA_SPEEDUPS=0`` turns it off (to compare, or to rule the patches out when
debugging). ``tests/rasa_side`` checks each patch against Rasa's original.
"""

from __future__ import annotations

import functools
import itertools
import json
import logging
import weakref
from collections import OrderedDict
from typing import Any

from rasa_addons.settings import current

logger = logging.getLogger(__name__)

_installed = False


def _patch_action_result_validation() -> None:
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does every time
    validator = validator_class(schema)

    def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        # invalid: let Rasa's own code raise, with its decorated message
        return original(self, result)

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def _patch_rule_key_parsing() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    parse = RulePolicy._rule_key_to_state
    RulePolicy._rule_key_to_state = staticmethod(  # type: ignore[method-assign]
        functools.lru_cache(maxsize=65536)(parse)
    )


_KEY_CACHE_SIZE = 20_000
_lookup_generations = itertools.count()


PREVIOUS_ACTION = "prev_action"  # rasa.shared.core.constants.PREVIOUS_ACTION


# (keys of rules longer than the step, [(representative key, keys of its group)], features)
_Step = tuple[frozenset[str], list[tuple[str, frozenset[str]]], list[tuple[str, str]]]


class _LookupIndex:
    """A rule lookup's keys grouped by their state at each step back (built on demand)."""

    def __init__(self, policy: Any, lookup: dict[str, str]) -> None:
        self.lookup = lookup
        self.keys = frozenset(lookup)
        # a generation number, not id(lookup), names the lookup in the step keys: an id can
        # be reused by a new dict once the old one is gone
        self.generation = next(_lookup_generations)
        self._reversed = {k: list(reversed(policy._rule_key_to_state(k))) for k in lookup}
        self._steps: dict[int, _Step] = {}

    def step(self, i: int) -> _Step:
        """Keys of rules longer than i; those keys grouped by their state at step i (one
        representative key per group); and the (sub-state, feature) pairs those states test.

        ``RulePolicy._does_rule_match_state`` reads only the conversation's features that
        the rule's state names, and ``_is_rule_applicable`` whether the conversation state
        has a previous action; so the applicable set at step i depends only on those
        features of the conversation state (not, say, on the shopper's text when no rule
        tests text), and that projection is what the cache is keyed on.
        """
        known = self._steps.get(i)
        if known is None:
            grouped: dict[str, list[str]] = {}
            pairs: set[tuple[str, str]] = set()
            for key, states in self._reversed.items():
                if len(states) > i:
                    grouped.setdefault(json.dumps(states[i], sort_keys=True), []).append(key)
                    pairs.update((kind, name) for kind, sub in states[i].items() for name in sub)
            groups = [(keys[0], frozenset(keys)) for keys in grouped.values()]
            longer = frozenset(k for _, keys in groups for k in keys)
            known = self._steps[i] = (longer, groups, sorted(pairs))
        return known

    @staticmethod
    def projection(state: Any, pairs: list[tuple[str, str]]) -> str:
        """The features of a conversation state that the rules at a step can look at."""
        return repr(
            (
                bool(state.get(PREVIOUS_ACTION)),
                [state.get(kind, {}).get(name) for kind, name in pairs],
            )
        )


def _patch_rule_key_filtering() -> None:
    from rasa.core.policies.rule_policy import RulePolicy

    original_load = RulePolicy.load.__func__  # type: ignore[attr-defined]

    def load(cls: Any, *args: Any, **kwargs: Any) -> Any:
        policy = original_load(cls, *args, **kwargs)
        # Only a policy loaded for serving caches: its lookups never change afterwards
        # (training fills and prunes them, so a policy being trained never caches).
        policy._shopbot_key_cache = OrderedDict()
        return policy

    RulePolicy.load = classmethod(load)  # type: ignore[assignment]

    def _get_possible_keys(self: Any, lookup: dict[str, str], states: list[Any]) -> set[str]:
        cache: OrderedDict | None = self.__dict__.get("_shopbot_key_cache")
        if cache is None:
            return _filter_keys(self, lookup, states)
        index = cache.get(id(lookup))
        if index is None or index.lookup is not lookup:
            index = cache[id(lookup)] = _LookupIndex(self, lookup)
        else:
            cache.move_to_end(id(lookup))  # never the oldest entry while it is in use
        possible_keys = set(lookup)
        for i, state in enumerate(reversed(states)):
            if not possible_keys:
                break
            longer, groups, pairs = index.step(i)
            if possible_keys.isdisjoint(longer):
                break  # every remaining rule is applicable this far back
            step_key = (index.generation, i, index.projection(state, pairs))
            applicable = cache.get(step_key)
            if applicable is None:
                # the rules applicable at step i to this state: a pure function of (the
                # rule's state at step i, the conversation state), so it is evaluated once
                # per distinct rule state and is the same set in every conversation
                matched = [
                    keys
                    for rule_key, keys in groups
                    if self._is_rule_applicable(rule_key, i, state)
                ]
                applicable = index.keys.difference(longer).union(*matched)
                cache[step_key] = applicable
                if len(cache) > _KEY_CACHE_SIZE:
                    cache.popitem(last=False)
            else:
                cache.move_to_end(step_key)
            possible_keys &= applicable
        return possible_keys

    def _filter_keys(self: Any, lookup: dict[str, str], states: list[Any]) -> set[str]:
        possible_keys = set(lookup.keys())
        for i, state in enumerate(reversed(states)):
            if not possible_keys:
                break
            longest = max(len(self._rule_key_to_state(key)) for key in possible_keys)
            if i >= longest:  # every remaining rule is applicable this far back
                break
            possible_keys = {
                key for key in possible_keys if self._is_rule_applicable(key, i, state)
            }
        return possible_keys

    RulePolicy._get_possible_keys = _get_possible_keys  # type: ignore[method-assign]


def _patch_type_resolution() -> None:
    from rasa.shared.core.events import Event
    from rasa.shared.core.slots import Slot

    for base in (Event, Slot):
        original = base.resolve_by_type
        found: dict[str, Any] = {}

        def resolve(
            type_name: str, *args: Any, _original: Any = original, _found: dict = found
        ) -> Any:
            cls = _found.get(type_name)
            if cls is None:
                cls = _original(type_name, *args)
                if cls is not None and getattr(cls, "type_name", None) == type_name:
                    _found[type_name] = cls
            return cls

        base.resolve_by_type = staticmethod(resolve)  # type: ignore[method-assign]


def _patch_event_streaming() -> None:
    from rasa.core.tracker_store import TrackerStore

    original = TrackerStore._stream_new_events

    async def _stream_new_events(
        self: Any, event_broker: Any, new_events: list[Any], sender_id: str
    ) -> None:
        publish_many = getattr(event_broker, "publish_many", None)
        publish_many_async = getattr(event_broker, "publish_many_async", None)
        if publish_many is None and publish_many_async is None:
            return await original(self, event_broker, new_events, sender_id)
        bodies = []
        for event in new_events:
            body = {"sender_id": sender_id}
            body.update(event.as_dict())
            bodies.append(body)
        if bodies and publish_many_async is not None:
            await publish_many_async(bodies)
        elif bodies:
            publish_many(bodies)
        return None

    TrackerStore._stream_new_events = _stream_new_events  # type: ignore[method-assign]


class _BorrowedSession:
    """``async with endpoint.session() as s`` hands out a shared session and keeps it open."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def close(self) -> None:  # the shared session outlives its borrowers
        return None


# Below Sanic's 5 s keep-alive (the action server closes idle connections after 5 s), so
# the client never sends on a connection the server is closing.
KEEPALIVE_S = 2.0


def _patch_endpoint_sessions() -> None:
    """One HTTP session per endpoint and event loop, with keep-alive, and ujson bodies.

    Rasa's ``EndpointConfig.request`` opens a new ``aiohttp.ClientSession`` (and so a new
    TCP connection, accepted by the action server) for every action call and closes it
    afterwards; the action call's body is the whole tracker, encoded with ``json.dumps``.
    The same requests now go over kept-alive connections of one session per endpoint
    (same headers, auth and timeout as Rasa's), encoded with ``rasa_addons.fast_json``.
    """
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    from rasa_addons.fast_json import dumps

    def session(self: Any) -> Any:
        loop = asyncio.get_running_loop()
        kept = self.__dict__.get("_shopbot_session")
        if kept is None or kept[0] is not loop or kept[1].closed:
            auth = self.basic_auth  # as Rasa's EndpointConfig.session builds it
            shared = aiohttp.ClientSession(
                headers=self.headers,
                auth=aiohttp.BasicAuth(auth["username"], auth["password"]) if auth else None,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                json_serialize=dumps,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S),
            )
            kept = self.__dict__["_shopbot_session"] = (loop, shared)
        return _BorrowedSession(kept[1])

    EndpointConfig.session = session  # type: ignore[method-assign]


def _copy_states(states: list[Any]) -> list[Any]:
    """States are lists of {sub-state: {feature: value}}; featurizers edit the inner dicts."""
    return [{kind: dict(sub) for kind, sub in state.items()} for state in states]


def _patch_past_states_reuse() -> None:
    """RulePolicy featurizes the same tracker twice per prediction (last user input as text,
    then as intent) with the same arguments; each call replays the whole conversation. The
    last result is kept, keyed on the tracker object, its event count and last event, the
    domain and the arguments, and handed out as a copy."""
    import weakref

    from rasa.shared.core.trackers import DialogueStateTracker

    original = DialogueStateTracker.past_states
    last: list[Any] = [None]

    def past_states(
        self: Any,
        domain: Any,
        omit_unset_slots: bool = False,
        ignore_rule_only_turns: bool = False,
        rule_only_data: Any = None,
    ) -> list[Any]:
        events = self.events
        key = (
            len(events),
            id(events[-1]) if events else None,
            id(domain),
            omit_unset_slots,
            ignore_rule_only_turns,
            repr(rule_only_data),
        )
        kept = last[0]
        if kept is not None and kept[0]() is self and kept[1] == key:
            return _copy_states(kept[2])
        states = original(self, domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
        last[0] = (weakref.ref(self), key, _copy_states(states))
        return states

    DialogueStateTracker.past_states = past_states  # type: ignore[method-assign]


def _patch_logistic_regression_rows() -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from scipy.sparse import csr_matrix, hstack, vstack

    from rasa_addons.sentence_features import sentence_features

    def _create_X(self: Any, messages: list[Any]) -> Any:  # noqa: N802 - Rasa's name
        rows = []
        for message in messages:
            sparse, dense = sentence_features(message)
            rows.append(
                hstack(
                    [
                        csr_matrix(sparse if sparse is not None else []),
                        csr_matrix(dense if dense is not None else []),
                    ]
                )
            )
        return vstack(rows)

    LogisticRegressionClassifier._create_X = _create_X  # type: ignore[method-assign]


def _patch_logistic_regression_scores() -> None:
    import numpy as np
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )
    from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
    from rasa.utils.tensorflow.constants import RANKING_LENGTH
    from sklearn.utils.extmath import softmax

    original = LogisticRegressionClassifier.process

    def _multinomial(clf: Any) -> bool:
        """scikit-learn 1.1's own test for a softmax over a 2-D decision function."""
        ovr = clf.multi_class in ("ovr", "warn") or (
            clf.multi_class == "auto" and (clf.classes_.size <= 2 or clf.solver == "liblinear")
        )
        return not ovr and clf.coef_.shape[0] > 1

    # Beside the fitted model, never on it (nothing extra is persisted with it).
    copies: weakref.WeakKeyDictionary[Any, tuple[Any, Any]] = weakref.WeakKeyDictionary()

    def _coef_rows(clf: Any) -> Any:
        cached = copies.get(clf)
        if cached is None or cached[0] is not clf.coef_:  # refitted: a new coef_ array
            cached = copies[clf] = (clf.coef_, np.ascontiguousarray(clf.coef_.T))
        return cached[1]

    # Rasa validates a graph component's run function by its signature and type hints:
    # the original's (``__wrapped__``, annotations), never this function's own.
    @functools.wraps(original)
    def process(self, messages):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        clf = self.clf
        if not _multinomial(clf):
            return original(self, messages)
        X = self._create_X(messages)  # noqa: N806 - Rasa's name
        probas = softmax(np.asarray(X @ _coef_rows(clf)) + clf.intercept_, copy=False)
        intents = clf.classes_
        for idx, message in enumerate(messages):
            ranking = [
                {"name": k, "confidence": v} for k, v in zip(intents, probas[idx], strict=True)
            ]
            ranking = sorted(ranking, key=lambda e: -e["confidence"])
            intent = ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    LogisticRegressionClassifier.process = process  # type: ignore[method-assign]


def install() -> bool:
    """Apply the patches once per process; False when turned off."""
    global _installed
    if _installed:
        return True
    if not current().speedups:
        logger.info("Rasa speed-ups are off (SHOPBOT_RASA_SPEEDUPS=0)")
        return False
    for patch in (
        _patch_action_result_validation,
        _patch_rule_key_parsing,
        _patch_rule_key_filtering,
        _patch_type_resolution,
        _patch_event_streaming,
        _patch_endpoint_sessions,
        _patch_past_states_reuse,
        _patch_logistic_regression_rows,
        _patch_logistic_regression_scores,
    ):
        try:
            patch()
        except Exception:  # a Rasa upgrade that moved a function: run unpatched, say so
            logger.exception("Rasa speed-up %s not applied", patch.__name__)
    _installed = True
    logger.info(
        "Rasa speed-ups installed (action results, rule keys, event types, event batches, JSON, "
        "intent features and scores)"
    )
    return True
