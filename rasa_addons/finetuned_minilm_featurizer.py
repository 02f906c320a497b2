"""A trainable MiniLM featurizer: the encoder's top layer(s) fine-tuned on our intents at
``rasa train`` (SetFit-style, ``rasa_addons.minilm_finetune``), issue 17.

Why: the frozen MiniLM vector (``MiniLMFeaturizer``) knows paraphrases in general, not which
differences matter for our intents. Contrastive fine-tuning pulls the examples of one intent
together and pushes the others apart, so a new wording lands nearer its intent. It trains in
the Rasa process (TensorFlow is there) and persists only the trained layers' weights in the
model storage, so the model stays one self-contained artifact (Docker image, ``make train``);
at parse time the unchanged NumPy forward pass runs with those weights, at the frozen
encoder's cost.

Only the messages of the featurizer's ``script`` train it (the English examples, behind the
bilingual pipeline's gate). The frozen lower layers' token states of the training examples are
kept in a process-wide cache between fine-tuning and featurizing (and across the folds of a
cross-validation, where the frozen layers give the same states).
"""

# ruff: noqa: UP006, UP035 - Rasa validates the graph by these exact typing.List/Dict hints.
from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Dict

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.training_data import TrainingData

from rasa_addons.minilm import LAYERS, MiniLMEncoder, shared_encoder
from rasa_addons.minilm_featurizer import MiniLMFeaturizer
from rasa_addons.script_gate import in_script

logger = logging.getLogger(__name__)

_WEIGHTS = "minilm_top_layers.npz"
_META = "minilm_top_layers.json"
_STATE_CACHE_SIZE = 8_000  # texts; ~20 KB each (tokens x 384 float32)

_states_lock = threading.Lock()
_states: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()


def _frozen_states(text: str, first_trained: int) -> np.ndarray:
    """The token states entering the first trained layer (cached: training-time only)."""
    key = (text, first_trained)
    with _states_lock:
        found = _states.get(key)
        if found is not None:
            _states.move_to_end(key)
            return found
    states = shared_encoder().hidden_states(text, first_trained)
    with _states_lock:
        _states[key] = states
        if len(_states) > _STATE_CACHE_SIZE:
            _states.popitem(last=False)
    return states


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class FineTunedMiniLMFeaturizer(MiniLMFeaturizer):
    """MiniLMFeaturizer whose top layers are fine-tuned on the training data's intents."""

    _label = "fine-tuned MiniLM"
    _process_wide_cache = False  # each model (each CV fold) has its own fine-tuned weights

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        from rasa_addons.minilm_finetune import FineTuneSettings

        defaults = FineTuneSettings()
        return {
            **MiniLMFeaturizer.get_default_config(),
            "layers": defaults.layers,
            "steps": defaults.steps,
            "intents_per_step": defaults.intents_per_step,
            "examples_per_intent": defaults.examples_per_intent,
            "learning_rate": defaults.learning_rate,
            "random_seed": defaults.seed,
        }

    @classmethod
    def validate_config(cls, config: Dict[str, Any]) -> None:
        MiniLMFeaturizer.validate_config(config)
        layers = config.get("layers")
        if not isinstance(layers, int) or not 1 <= layers <= LAYERS:
            raise ValueError(f"{cls.__name__}: 'layers' must be 1..{LAYERS}, not {layers!r}")
        for key, least in (("steps", 0), ("intents_per_step", 2), ("examples_per_intent", 2)):
            value = config.get(key)
            if not isinstance(value, int) or value < least:
                raise ValueError(f"{cls.__name__}: {key!r} is too small: {value!r}")

    def __init__(
        self,
        config: Dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
        overrides: Dict[str, np.ndarray] | None = None,
    ) -> None:
        config = {**self.get_default_config(), **config}
        super().__init__(config, name)
        self.validate_config(config)
        self._config = config
        self._storage = model_storage
        self._resource = resource
        self._first_trained = LAYERS - int(config["layers"])
        self._overrides = overrides
        self._encoder: MiniLMEncoder | None = None

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> GraphComponent:
        return cls(config, execution_context.node_name, model_storage, resource)

    # --- training -------------------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        """Fine-tune the top layers on the intent examples of this featurizer's script."""
        from rasa_addons.minilm_finetune import FineTuneSettings, finetune_top_layers

        examples = [
            (m.get(TEXT), m.get(INTENT))
            for m in training_data.intent_examples
            if m.get(TEXT) and m.get(INTENT) and in_script(m.get(TEXT), self._script)
        ]
        settings = FineTuneSettings(
            layers=int(self._config["layers"]),
            steps=int(self._config["steps"]),
            intents_per_step=int(self._config["intents_per_step"]),
            examples_per_intent=int(self._config["examples_per_intent"]),
            learning_rate=float(self._config["learning_rate"]),
            seed=int(self._config["random_seed"]),
        )
        started = time.perf_counter()
        states = [_frozen_states(text, self._first_trained) for text, _ in examples]
        logger.info(
            "%s: frozen layers of %d examples in %.1fs",
            self._label,
            len(examples),
            time.perf_counter() - started,
        )
        if settings.steps and len({intent for _, intent in examples}) >= 2:
            self._overrides = finetune_top_layers(
                states, [intent for _, intent in examples], shared_encoder().weights(), settings
            )
        else:
            logger.warning("%s: nothing to fine-tune on; the pretrained weights stay", self._label)
            self._overrides = {}
        self._encoder = None
        self.persist()
        return self._resource

    def persist(self) -> None:
        with self._storage.write_to(self._resource) as directory:
            np.savez(directory / _WEIGHTS, **(self._overrides or {}))
            meta = {"first_trained_layer": self._first_trained}
            (directory / _META).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> FineTunedMiniLMFeaturizer:
        with model_storage.read_from(resource) as directory:
            meta = json.loads((directory / _META).read_text(encoding="utf-8"))
            with np.load(directory / _WEIGHTS, allow_pickle=False) as arrays:
                overrides = {name: arrays[name] for name in arrays.files}
        featurizer = cls(config, execution_context.node_name, model_storage, resource, overrides)
        if featurizer._first_trained != meta["first_trained_layer"]:
            raise ValueError(
                f"{cls.__name__}: the model was fine-tuned from layer "
                f"{meta['first_trained_layer']}, the config says {featurizer._first_trained}"
            )
        return featurizer

    # --- encoding -------------------------------------------------------------------------

    def _fine_tuned(self) -> MiniLMEncoder:
        if self._encoder is None:
            if self._overrides is None:
                raise RuntimeError(f"{type(self).__name__} was used before training")
            self._encoder = shared_encoder().with_overrides(self._overrides)
        return self._encoder

    def _encode(self, text: str) -> np.ndarray:
        encoder = self._fine_tuned()
        key = (text, self._first_trained)
        with _states_lock:
            cached = _states.get(key)
        if cached is not None:  # a training example: its frozen layers were run for training
            return encoder.finish(cached, self._first_trained)
        return encoder.encode([text])[0]
