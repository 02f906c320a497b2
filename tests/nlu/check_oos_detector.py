"""Trains rasa_addons.oos_detector on a tiny hand-made data set in the Rasa environment,
persists and reloads it and prints what it decided (tests/nlu/test_oos_detector.py reads it).

The messages carry hand-made sentence features (a bag of words and an 8-dimensional "sentence
vector") so the test needs no encoder: in-scope messages use words 0-19 and vectors near one
of three intent directions, out-of-scope ones words 20-39 and vectors elsewhere.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.oos_detector import OutOfScopeDetector
from rasa_addons.sentence_features import sentence_features

DIMS = 8
VOCABULARY = 40
INTENTS = {"track_order": 0, "get_refund": 1, "search_product": 2}
rng = np.random.default_rng(7)


def _message(text: str, words: list[int], vector: np.ndarray, intent: str | None) -> Message:
    counts = np.zeros((1, VOCABULARY))
    for word in words:
        counts[0, word] += 1
    data: dict[str, Any] = {TEXT: text}
    if intent:
        data["intent"] = intent
    message = Message(data=data)
    message.add_features(Features(scipy.sparse.coo_matrix(counts), "sentence", TEXT, "bow"))
    message.add_features(Features(vector.reshape(1, -1), "sentence", TEXT, "vec"))
    return message


def in_scope(intent: str, text: str) -> Message:
    vector = np.eye(DIMS)[INTENTS[intent]] * 3 + rng.normal(0, 0.3, DIMS)
    words = list(rng.choice(20, size=4))
    return _message(text, words, vector, intent)


def out_of_scope(text: str, label: bool = True) -> Message:
    vector = np.eye(DIMS)[rng.integers(3, DIMS)] * 3 + rng.normal(0, 0.3, DIMS)
    words = list(rng.choice(range(20, VOCABULARY), size=4))
    return _message(text, words, vector, "out_of_scope" if label else None)


def classified(message: Message, ranking: list[tuple[str, float]]) -> Message:
    """What the intent classifier before the detector would have set."""
    rows = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set("intent", rows[0], add_to_output=True)
    message.set("intent_ranking", rows, add_to_output=True)
    return message


def main() -> None:
    examples = [in_scope(i, f"{i} {n}") for i in INTENTS for n in range(40)]
    examples += [out_of_scope(f"oos {n}") for n in range(30)]
    storage_dir = Path(tempfile.mkdtemp())
    storage = LocalModelStorage(storage_dir)
    resource = Resource("oos_detector")
    context = ExecutionContext(GraphSchema({}), "oos_detector")
    config = {**OutOfScopeDetector.get_default_config(), "folds": 3}
    trained = OutOfScopeDetector.create(config, storage, resource, context)
    trained.train(TrainingData(examples))
    loaded = OutOfScopeDetector.load(config, storage, resource, context)

    def fresh() -> list[Message]:
        """A general-knowledge question taken for a product search, an in-scope message the
        classifier called out of scope, and a plain in-scope message."""
        return [
            classified(
                out_of_scope("capital of peru", label=False),
                [("search_product", 0.8), ("out_of_scope", 0.15), ("get_refund", 0.05)],
            ),
            classified(
                _message("where is it", [1, 2, 3], np.eye(DIMS)[0] * 3, None),
                [("out_of_scope", 0.6), ("track_order", 0.3), ("get_refund", 0.1)],
            ),
            classified(
                _message("my refund", [4, 5], np.eye(DIMS)[1] * 3, None),
                [("get_refund", 0.9), ("track_order", 0.1)],
            ),
        ]

    probe = fresh()
    before = [m.as_dict() for m in probe]
    probabilities = [
        trained.probabilities(probe).round(6).tolist(),
        loaded.probabilities(probe).round(6).tolist(),
    ]
    decided = loaded.process(probe)
    wrong_size = _message("x", [1], np.ones(DIMS + 2), None)
    try:
        loaded.probabilities([wrong_size])
        size_error = ""
    except ValueError as exc:
        size_error = str(exc)

    too_few = [in_scope("track_order", f"t {n}") for n in range(10)] + [out_of_scope("only one")]
    untrained_resource = Resource("oos_detector_untrained")
    lonely = OutOfScopeDetector.create(config, storage, untrained_resource, context)
    lonely.train(TrainingData(too_few))
    lonely = OutOfScopeDetector.load(config, storage, untrained_resource, context)
    untouched = classified(
        out_of_scope("capital of peru", label=False), [("search_product", 0.8), ("greet", 0.2)]
    )
    lonely.process([untouched])

    # The bilingual pipeline adds a second sentence vector (e5): both are read, concatenated.
    def with_second_vector(message: Message, direction: int) -> Message:
        second = np.eye(4)[direction] * 2 + rng.normal(0, 0.2, 4)
        message.add_features(Features(second.reshape(1, -1), "sentence", TEXT, "vec2"))
        return message

    two_vectors = [
        with_second_vector(m, 0 if m.get("intent") != "out_of_scope" else 3) for m in examples
    ]
    bilingual_resource = Resource("oos_detector_bilingual")
    bilingual = OutOfScopeDetector.create(config, storage, bilingual_resource, context)
    bilingual.train(TrainingData(two_vectors))
    bilingual = OutOfScopeDetector.load(config, storage, bilingual_resource, context)
    off_topic = with_second_vector(out_of_scope("capital of peru", label=False), 3)
    # Its own combination of the sentence features is Rasa's (get_*_features), token-level
    # features and several sparse featurizers present, so the decisions are the same.
    layered = with_second_vector(out_of_scope("capital of peru", label=False), 3)
    for origin, width in (("ngrams", 7), ("chars", 5)):
        tokens = scipy.sparse.coo_matrix(rng.integers(0, 2, (4, width)).astype(float))
        layered.add_features(Features(tokens, "sequence", TEXT, origin))
        layered.add_features(
            Features(scipy.sparse.coo_matrix(tokens.sum(0)), "sentence", TEXT, origin)
        )
    mine = sentence_features(layered)
    rasa = (layered.get_sparse_features(TEXT)[1], layered.get_dense_features(TEXT)[1])
    same_features = (
        mine[0].shape == rasa[0].features.shape
        and (scipy.sparse.csr_matrix(mine[0]) != scipy.sparse.csr_matrix(rasa[0].features)).nnz == 0
        and np.array_equal(mine[1], rasa[1].features)
    )
    try:
        bilingual.probabilities([out_of_scope("one vector only", label=False)])
        one_vector_error = ""
    except ValueError as exc:
        one_vector_error = str(exc)

    print(
        json.dumps(
            {
                "probabilities": probabilities,
                "before": [[m["intent"], m["intent_ranking"]] for m in before],
                "after": [[m.get("intent"), m.get("intent_ranking")] for m in decided],
                "size_error": size_error,
                "untrained": untouched.get("intent"),
                "bilingual": bilingual.probabilities([off_topic]).round(6).tolist(),
                "one_vector_error": one_vector_error,
                "same_features": same_features,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
