"""Trains rasa_addons.finetuned_minilm_featurizer on a tiny data set in the Rasa environment
(a few fine-tuning steps), persists and reloads it and prints what it measured
(tests/nlu/test_finetuned_minilm.py reads it)."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons import finetuned_minilm_featurizer
from rasa_addons.finetuned_minilm_featurizer import FineTunedMiniLMFeaturizer
from rasa_addons.minilm import shared_encoder

EXAMPLES = {
    "track_order": [
        "where is my order",
        "track my parcel",
        "has my package shipped",
        "order status",
    ],
    "get_refund": ["I want a refund", "give me my money back", "refund please", "pay me back"],
    "reset_password": ["reset my password", "I forgot my password", "can't log in", "new password"],
}
CHINESE = "我的订单在哪里"


def _vector(message: Message) -> np.ndarray:
    return np.asarray(message.get_dense_features(TEXT)[1].features).ravel()


def _same_vs_other(vectors: np.ndarray, labels: list[str]) -> float:
    """Mean cosine of same-intent pairs minus that of different-intent pairs."""
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    ids = np.array([sorted(set(labels)).index(label) for label in labels])
    same = ids[:, None] == ids[None, :]
    different = ~same
    np.fill_diagonal(same, False)
    return float(similarity[same].mean() - similarity[different].mean())


def main() -> None:
    texts = [t for examples in EXAMPLES.values() for t in examples]
    labels = [i for i, examples in EXAMPLES.items() for _ in examples]
    data = [Message(data={TEXT: t, "intent": i}) for t, i in zip(texts, labels, strict=True)]
    data.append(Message(data={TEXT: CHINESE, "intent": "track_order"}))
    storage = LocalModelStorage(Path(tempfile.mkdtemp()))
    resource = Resource("finetuned_minilm")
    context = ExecutionContext(GraphSchema({}), "finetuned_minilm")
    config: dict[str, Any] = {
        **FineTunedMiniLMFeaturizer.get_default_config(),
        "script": "non_cjk",
        "steps": 30,
        "intents_per_step": 3,
    }
    trainer = FineTunedMiniLMFeaturizer.create(config, storage, resource, context)
    trainer.train(TrainingData(data))
    loaded = FineTunedMiniLMFeaturizer.load(config, storage, resource, context)
    featurized = loaded.process_training_data(TrainingData(data)).training_examples
    trained_vectors = np.vstack([_vector(m) for m in featurized])
    # a fresh process's path: no cached frozen states, the whole NumPy forward pass
    finetuned_minilm_featurizer._states.clear()
    fresh = FineTunedMiniLMFeaturizer.load(config, storage, resource, context)
    fresh_messages = fresh.process([Message(data={TEXT: t}) for t in [*texts, CHINESE]])
    fresh_vectors = np.vstack([_vector(m) for m in fresh_messages])
    frozen = shared_encoder().encode(texts) * config["scale"]
    try:
        FineTunedMiniLMFeaturizer.load({**config, "layers": 2}, storage, resource, context)
        layer_error = ""
    except ValueError as exc:
        layer_error = str(exc)
    print(
        json.dumps(
            {
                "max_difference_trained_vs_fresh": float(
                    np.abs(trained_vectors - fresh_vectors).max()
                ),
                "changed_vs_frozen": float(np.abs(trained_vectors[:-1] - frozen).max()),
                "separation_frozen": _same_vs_other(frozen, labels),
                "separation_fine_tuned": _same_vs_other(trained_vectors[:-1], labels),
                "chinese_norm": float(np.linalg.norm(trained_vectors[-1])),
                "english_norm": float(np.linalg.norm(trained_vectors[0])),
                "layer_error": layer_error,
            }
        )
    )


if __name__ == "__main__":
    sys.exit(main())
