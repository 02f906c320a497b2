"""The NLU pipeline step that decides in-scope vs out-of-scope with its own model (issue 17).

Why: the intent classifier only knows the few off-topic examples we wrote, so a question from
a domain we never covered ("what's the capital of Peru") goes to whichever shop intent shares
its words (product_info, search_product) with full confidence, and one confidence threshold
cannot separate it. This step looks at each message with two more signals on the features
the pipeline already computed (no second encoding):

- a binary logistic regression, out-of-scope examples vs all others, on the message's sparse
  n-gram and dense sentence features (the same features the intent classifier reads);
- how close the message's sentence vector (every dense featurizer's, concatenated) is to its
  nearest in-scope and nearest out-of-scope training examples (mean cosine of the k nearest):
  a message far from everything the shop handles is out of scope whatever its words.

A small logistic regression combines the three scores into one probability; it is fitted on
out-of-fold scores (k-fold cross-validation of the training data), so it sees how novel
phrasings of in-scope requests score, not the memorised training examples. Two thresholds
come from the same out-of-fold scores: above ``high`` (at most ``max_false_alarms`` of the
in-scope examples score higher) the message is out of scope; below ``low`` (at most
``max_missed`` of the out-of-scope examples score lower) it is in scope, and when the
classifier had said out_of_scope the top shop intent gets its chance. In between the
classifier's ranking stands. The ranking is rewritten consistently: out_of_scope gets the
detector's probability, the shop intents share the rest in the classifier's proportions.

Persisted as plain NumPy arrays and JSON (no pickle); nothing hard-codes a feature size, so
the same step works behind the bilingual pipeline's MiniLM + e5 vectors.
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.featurizer import Featurizer
from rasa.shared.nlu.constants import (
    FEATURE_TYPE_SENTENCE,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from rasa_addons.pipeline_step import set_intent
from rasa_addons.sentence_features import sentence_features

logger = logging.getLogger(__name__)

_ARRAYS = "oos_detector.npz"
_META = "oos_detector.json"


def _has_sentence_vector(message: Message) -> bool:
    return any(
        f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_dense()
        for f in message.features
    )


def _features(messages: List[Message]) -> Tuple[scipy.sparse.csr_matrix, np.ndarray]:
    """The sentence features of each message: sparse (n-grams) + dense side by side, and the
    dense sentence vector alone, unit length (for cosine similarity)."""
    rows = []
    dense_rows = []
    for message in messages:
        sparse, dense = sentence_features(message)
        if dense is None:
            raise ValueError("OutOfScopeDetector needs a dense sentence featurizer before it")
        dense_vector = np.asarray(dense, dtype=np.float64).reshape(1, -1)
        parts = [scipy.sparse.csr_matrix(dense_vector)]
        if sparse is not None:
            parts.insert(0, scipy.sparse.csr_matrix(sparse))
        rows.append(scipy.sparse.hstack(parts, format="csr"))
        dense_rows.append(dense_vector[0])
    matrix = scipy.sparse.vstack(rows, format="csr")
    dense_matrix = np.vstack(dense_rows)
    norms = np.linalg.norm(dense_matrix, axis=1, keepdims=True)
    return matrix, dense_matrix / np.maximum(norms, 1e-12)


def _nearest(queries: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """Mean cosine similarity of each query to its ``k`` nearest reference vectors."""
    if reference.shape[0] == 0:
        return np.zeros(queries.shape[0])
    k = min(k, reference.shape[0])
    similarity = queries @ reference.T
    return np.partition(similarity, -k, axis=1)[:, -k:].mean(axis=1)


@dataclass
class _Model:
    """Everything a decision needs, as arrays (what is persisted)."""

    coef: np.ndarray  # binary classifier weights over the sparse+dense features
    intercept: float
    in_scope: np.ndarray  # unit sentence vectors of in-scope examples
    out_scope: np.ndarray  # unit sentence vectors of out-of-scope examples
    combiner_coef: np.ndarray  # 3 weights: binary score, in-scope and out-of-scope similarity
    combiner_intercept: float
    high: float
    low: float

    def signals(self, matrix: scipy.sparse.csr_matrix, unit: np.ndarray, k: int) -> np.ndarray:
        if matrix.shape[1] != self.coef.shape[0]:
            raise ValueError(
                f"OutOfScopeDetector was trained on {self.coef.shape[0]} features, "
                f"the message has {matrix.shape[1]}: retrain the model"
            )
        binary = np.asarray(matrix @ self.coef).ravel() + self.intercept
        # in the references' float32: a float64 query would copy them to float64 on every call
        query = unit.astype(self.in_scope.dtype)
        return np.column_stack(
            [binary, _nearest(query, self.in_scope, k), _nearest(query, self.out_scope, k)]
        )

    def probability(self, signals: np.ndarray) -> np.ndarray:
        logits = signals @ self.combiner_coef + self.combiner_intercept
        return 1.0 / (1.0 + np.exp(-logits))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class OutOfScopeDetector(GraphComponent):
    """Sets out_of_scope when its own model is sure, gives a shop intent its chance when it is
    sure of the opposite; leaves the classifier's ranking alone in between."""

    @classmethod
    def required_components(cls) -> List[type]:
        return [Featurizer]

    @staticmethod
    def required_packages() -> List[str]:
        return ["sklearn", "scipy"]

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "intent": "out_of_scope",
            "folds": 5,
            "neighbours": 3,
            "C": 1.0,
            "max_iter": 500,
            # share of in-scope cross-validation examples the detector may take for out of scope
            "max_false_alarms": 0.01,
            # share of out-of-scope cross-validation examples it may call in scope
            "max_missed": 0.02,
            "random_state": 42,
        }

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        for key in ("max_false_alarms", "max_missed"):
            value = config.get(key)
            if not isinstance(value, (int, float)) or not 0 <= value < 0.5:
                raise ValueError(f"OutOfScopeDetector: {key!r} must be in [0, 0.5), not {value!r}")
        for key in ("folds", "neighbours"):
            value = config.get(key)
            if not isinstance(value, int) or value < (2 if key == "folds" else 1):
                raise ValueError(f"OutOfScopeDetector: {key!r} is too small: {value!r}")

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: _Model | None = None,
    ) -> None:
        self._config = {**self.get_default_config(), **config}
        self._storage = model_storage
        self._resource = resource
        self._model = model

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> OutOfScopeDetector:
        return cls(config, model_storage, resource)

    # --- training -------------------------------------------------------------------------

    def _binary(self, matrix: scipy.sparse.csr_matrix, labels: np.ndarray) -> LogisticRegression:
        return LogisticRegression(
            C=self._config["C"],
            max_iter=self._config["max_iter"],
            class_weight="balanced",
            random_state=self._config["random_state"],
        ).fit(matrix, labels)

    def _signals(
        self,
        train: Tuple[scipy.sparse.csr_matrix, np.ndarray, np.ndarray],
        query: Tuple[scipy.sparse.csr_matrix, np.ndarray],
    ) -> np.ndarray:
        matrix, unit, labels = train
        binary = self._binary(matrix, labels)
        k = self._config["neighbours"]
        return np.column_stack(
            [
                binary.decision_function(query[0]),
                _nearest(query[1], unit[labels == 0], k),
                _nearest(query[1], unit[labels == 1], k),
            ]
        )

    def train(self, training_data: TrainingData) -> Resource:
        """Binary model and neighbours on everything; combiner and thresholds on the
        out-of-fold scores of ``folds``-fold cross-validation."""
        started = time.perf_counter()
        examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
        labels = np.array([e.get(INTENT) == self._config["intent"] for e in examples], dtype=int)
        positives = int(labels.sum())
        folds = min(self._config["folds"], positives, len(labels) - positives)
        if folds < 2:
            logger.warning(
                "OutOfScopeDetector: %d %s examples; it needs at least 2 (and 2 others) "
                "and leaves the classifier's decisions alone",
                positives,
                self._config["intent"],
            )
            self._model = None
            self.persist()
            return self._resource
        matrix, unit = _features(examples)
        out_of_fold = np.zeros((len(labels), 3))
        splitter = StratifiedKFold(folds, shuffle=True, random_state=self._config["random_state"])
        for train_index, test_index in splitter.split(unit, labels):
            out_of_fold[test_index] = self._signals(
                (matrix[train_index], unit[train_index], labels[train_index]),
                (matrix[test_index], unit[test_index]),
            )
        # balanced: the probability does not carry the training data's share of off-topic examples
        combiner = LogisticRegression(class_weight="balanced").fit(out_of_fold, labels)
        binary = self._binary(matrix, labels)
        model = _Model(
            coef=np.asarray(binary.coef_[0], dtype=np.float64),
            intercept=float(binary.intercept_[0]),
            in_scope=unit[labels == 0].astype(np.float32),
            out_scope=unit[labels == 1].astype(np.float32),
            combiner_coef=np.asarray(combiner.coef_[0], dtype=np.float64),
            combiner_intercept=float(combiner.intercept_[0]),
            high=1.0,
            low=0.0,
        )
        probability = model.probability(out_of_fold)
        model.high = float(
            np.quantile(probability[labels == 0], 1 - self._config["max_false_alarms"])
        )
        model.low = min(
            float(np.quantile(probability[labels == 1], self._config["max_missed"])), model.high
        )
        self._model = model
        logger.info(
            "OutOfScopeDetector: %d examples (%d out of scope), thresholds %.3f / %.3f, "
            "cross-validated recall %.3f, trained in %.1fs",
            len(labels),
            positives,
            model.low,
            model.high,
            float(np.mean(probability[labels == 1] >= model.high)),
            time.perf_counter() - started,
        )
        self.persist()
        return self._resource

    # --- persistence ----------------------------------------------------------------------

    def persist(self) -> None:
        with self._storage.write_to(self._resource) as directory:
            model = self._model
            meta: Dict[str, Any] = {"trained": model is not None}
            if model is not None:
                np.savez(
                    directory / _ARRAYS,
                    coef=model.coef,
                    in_scope=model.in_scope,
                    out_scope=model.out_scope,
                    combiner_coef=model.combiner_coef,
                )
                meta.update(
                    intercept=model.intercept,
                    combiner_intercept=model.combiner_intercept,
                    high=model.high,
                    low=model.low,
                )
            (directory / _META).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> OutOfScopeDetector:
        with model_storage.read_from(resource) as directory:
            meta = json.loads((directory / _META).read_text(encoding="utf-8"))
            model = None
            if meta["trained"]:
                with np.load(directory / _ARRAYS, allow_pickle=False) as arrays:
                    model = _Model(
                        coef=arrays["coef"],
                        intercept=float(meta["intercept"]),
                        in_scope=arrays["in_scope"],
                        out_scope=arrays["out_scope"],
                        combiner_coef=arrays["combiner_coef"],
                        combiner_intercept=float(meta["combiner_intercept"]),
                        high=float(meta["high"]),
                        low=float(meta["low"]),
                    )
        return cls(config, model_storage, resource, model)

    # --- inference ------------------------------------------------------------------------

    def probabilities(self, messages: List[Message]) -> np.ndarray:
        """The detector's out-of-scope probability per message (for reports and tests)."""
        if self._model is None or not messages:
            return np.zeros(len(messages))
        matrix, unit = _features(messages)
        return self._model.probability(
            self._model.signals(matrix, unit, self._config["neighbours"])
        )

    def _ranking(self, ranking: List[Dict[str, Any]], probability: float) -> List[Dict[str, Any]]:
        """out_of_scope at the detector's probability, the shop intents sharing the rest in
        the classifier's proportions; sorted."""
        oos = self._config["intent"]
        others = [r for r in ranking if r[INTENT_NAME_KEY] != oos]
        total = sum(float(r[PREDICTED_CONFIDENCE_KEY]) for r in others)
        share = (1.0 - probability) / total if total > 0 else 0.0
        rewritten = [{INTENT_NAME_KEY: oos, PREDICTED_CONFIDENCE_KEY: probability}] + [
            {
                INTENT_NAME_KEY: r[INTENT_NAME_KEY],
                PREDICTED_CONFIDENCE_KEY: float(r[PREDICTED_CONFIDENCE_KEY]) * share,
            }
            for r in others
        ]
        return sorted(rewritten, key=lambda r: -float(r[PREDICTED_CONFIDENCE_KEY]))

    def process(self, messages: List[Message]) -> List[Message]:
        model = self._model
        candidates = [
            m
            for m in messages
            if m.get(TEXT) and m.get(INTENT_RANKING_KEY) and _has_sentence_vector(m)
        ]
        if model is None or not candidates:
            return messages
        oos = self._config["intent"]
        for message, probability in zip(candidates, self.probabilities(candidates), strict=True):
            ranking = message.get(INTENT_RANKING_KEY)
            said_oos = (message.get(INTENT) or {}).get(INTENT_NAME_KEY) == oos
            if probability >= model.high or (said_oos and probability <= model.low):
                found = self._ranking(ranking, float(probability))
                top = found[0]
                set_intent(message, top[INTENT_NAME_KEY], top[PREDICTED_CONFIDENCE_KEY], found)
        return messages
